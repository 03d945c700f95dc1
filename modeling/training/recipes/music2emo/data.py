"""Reading a features dataset (``emotune extract-features``) for Music2Emo training and evaluation.

A features dataset folder holds one config per source (``mtg-jamendo``, ``deam``, ``pmemo``,
``emomusic``) with ``train``/``validation``/``test`` splits in the schema of
:func:`dataset_scripts.schema.music2emo_features`. :class:`FeatureRows` holds one source's split:
labels and chords in memory, the per-segment embeddings read row by row from the memory-mapped
Arrow table. :class:`Music2EmoItems` turns :class:`~modeling.training.engine.sampling.SourceItem` into model
inputs, with the original's training augmentation: the clip embedding is the mean of a random run
of consecutive segments (evaluation averages all of them).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Literal

import numpy as np
import torch

from ....base.errors import DatasetBuildError, InvalidInputError
from ....hub.datasets import dataset_config_names, load_dataset_folder
from ...engine.sampling import SourceItem

__all__ = ["FeatureRows", "Music2EmoCollator", "Music2EmoItems", "load_feature_rows", "load_features_split"]

_ANNOTATED = "annotated"
FEATURES_ACCEPTED = "a folder (or Hub id) written by emotune extract-features"


class FeatureRows:
    """One source's split of a features dataset.

    Args:
        dataset: the ``datasets.Dataset`` of that source and split.
        source: its name (``"deam"``).
        lexicon_va: count valence-arousal derived from the tag lexicon (MTG-Jamendo) as a VA label.
            The original trains on annotated VA only (``False``).
    """

    def __init__(self, dataset, source: str, lexicon_va: bool = False):
        import pyarrow.compute as pc

        self.source = source
        self.split = dataset.split and str(dataset.split)
        table = dataset.data
        if len(dataset) == 0:
            raise DatasetBuildError(f"The {self.split} split of {source!r} has no rows")
        columns = dataset.select_columns(
            ["id", "chord_root_ids", "chord_attr_ids", "chord_attention_mask", "mode", "moods", "has_moods",
             "valence", "arousal", "va_source"]
        ).to_dict()  # fmt: skip
        self.ids: list[str] = columns["id"]
        self.chord_root_ids = np.asarray(columns["chord_root_ids"], dtype=np.int64)
        self.chord_attr_ids = np.asarray(columns["chord_attr_ids"], dtype=np.int64)
        self.chord_attention_mask = np.asarray(columns["chord_attention_mask"], dtype=np.int64)
        self.mode = np.asarray(columns["mode"], dtype=np.int64)
        self.has_moods = np.asarray(columns["has_moods"], dtype=bool)
        self.moods = np.asarray(columns["moods"], dtype=np.float32)
        self.moods[~self.has_moods] = np.nan
        valence = np.asarray([np.nan if v is None else v for v in columns["valence"]], dtype=np.float32)
        arousal = np.asarray([np.nan if a is None else a for a in columns["arousal"]], dtype=np.float32)
        self.va = np.stack([valence, arousal], axis=1)
        known = np.isfinite(self.va).all(axis=1)
        self.va_annotated = known & np.asarray([s == _ANNOTATED for s in columns["va_source"]])
        self.va_usable = self.va_annotated | (known if lexicon_va else False)

        self._segments = table.column("segment_embeddings")
        counts = pc.list_value_length(self._segments).to_numpy(zero_copy_only=False)
        empty = np.flatnonzero(counts == 0)
        if len(empty):
            raise DatasetBuildError(
                f"{source} {self.split}: {len(empty)} row(s) have no segment embedding "
                f"(first: id {self.ids[empty[0]]!r}); re-run emotune extract-features"
            )
        widths = pc.unique(pc.list_value_length(pc.list_flatten(self._segments))).to_pylist()
        if len(widths) != 1:
            raise DatasetBuildError(
                f"{source} {self.split}: segment embeddings have mixed widths {sorted(widths)}"
            )
        self.embedding_dim = int(widths[0])
        self.num_segments = counts
        """Segments per row, ``(len(self),)``."""

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def has_tags(self) -> bool:
        return bool(self.has_moods.any())

    @cached_property
    def has_va(self) -> bool:
        return bool(self.va_usable.any())

    def segments(self, row: int) -> np.ndarray:
        """Per-segment embeddings of ``row``, shape ``(num_segments, embedding_dim)``."""
        import pyarrow.compute as pc

        cell = self._segments.slice(row, 1)
        values = pc.list_flatten(pc.list_flatten(cell)).to_numpy(zero_copy_only=False)
        return values.reshape(-1, self.embedding_dim)


def load_features_split(
    path: str, source: str, split: str, columns, writer: str = "emotune extract-features"
):
    """``load_dataset_folder(path, source, split=split)`` with clear errors: no dataset, no such config or
    split, or one of ``columns`` missing (``writer`` names the command that writes such a dataset)."""
    configs = dataset_config_names(path, "features dataset", f"a folder (or Hub id) written by {writer}")
    if source not in configs:
        raise InvalidInputError(f"The features dataset {path} has no config {source!r}; it has {configs}")
    try:
        dataset = load_dataset_folder(path, source, split=split)
    except ValueError as error:
        if "split" in str(error).lower():
            raise InvalidInputError(
                f"The features dataset {path} ({source}) has no split {split!r}: {error}"
            ) from None
        raise
    missing = sorted(set(columns) - set(dataset.column_names))
    if missing:
        raise InvalidInputError(
            f"{path} ({source}) lacks the column(s) {missing}. Accepted: the output of {writer}"
        )
    return dataset


def load_feature_rows(path: str, source: str, split: str, lexicon_va: bool = False) -> FeatureRows:
    """``load_dataset_folder(path, source, split=split)`` as :class:`FeatureRows`, with clear errors."""
    columns = ("segment_embeddings", "chord_root_ids", "moods", "has_moods", "valence", "va_source")
    dataset = load_features_split(path, source, split, columns, "emotune extract-features")
    return FeatureRows(dataset, source, lexicon_va=lexicon_va)


class Music2EmoItems(torch.utils.data.Dataset):
    """Model inputs and labels for :class:`~modeling.training.engine.sampling.SourceItem` (source, row, draw).

    ``augmentation="random_run"`` (the original's): an item with a draw key averages a random run of
    consecutive segments, the run drawn from ``(draw, row)`` so it is the same in a resumed run; an
    item without one (evaluation) averages all segments. ``"none"`` always averages all segments.
    """

    def __init__(
        self, sources: Sequence[FeatureRows], augmentation: Literal["random_run", "none"] = "random_run"
    ):
        self.sources = list(sources)
        self.augmentation = augmentation

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.sources)

    def __getitem__(self, item: SourceItem) -> dict:
        source, row, draw = item
        rows = self.sources[source]
        segments = rows.segments(row)
        if draw is not None and self.augmentation == "random_run":
            rng = np.random.default_rng((*draw, row))
            start = int(rng.integers(0, len(segments)))
            stop = int(rng.integers(start + 1, len(segments) + 1))
            segments = segments[start:stop]
        return {
            "source": source,
            "rows": row,
            "audio_embeddings": segments.mean(axis=0, dtype=np.float64).astype(np.float32),
            "chord_root_ids": rows.chord_root_ids[row],
            "chord_attr_ids": rows.chord_attr_ids[row],
            "chord_attention_mask": rows.chord_attention_mask[row],
            "mode_ids": rows.mode[row],
            "mood_labels": rows.moods[row],
            "mood_labels_mask": rows.has_moods[row],
            "va_labels": rows.va[row],
            "va_labels_mask": rows.va_usable[row],
        }


class Music2EmoCollator:
    """Items of several sources -> ``{source name: batch of tensors}`` (one entry per source present)."""

    def __init__(self, names: Sequence[str]):
        self.names = list(names)

    def __call__(self, items: list[dict]) -> dict[str, dict[str, torch.Tensor]]:
        batches: dict[str, dict[str, torch.Tensor]] = {}
        for source in sorted({item["source"] for item in items}):
            chosen = [item for item in items if item["source"] == source]
            batches[self.names[source]] = {
                key: torch.as_tensor(np.stack([item[key] for item in chosen]))
                for key in chosen[0]
                if key != "source"
            }
        return batches
