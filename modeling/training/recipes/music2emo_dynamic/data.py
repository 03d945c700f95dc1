"""Reading the time-resolved columns of a features dataset (``emotune extract-features --dynamic``) for the
dynamic model's training and evaluation.

:class:`WindowRows` holds one source's split: the rows that have windows, their window embeddings read row
by row from the memory-mapped Arrow table, chords, mode and per-window labels (NaN where a window has no
annotation; every window of a row without per-time-step labels is masked). :class:`DynamicItems` turns
:class:`~modeling.training.engine.sampling.SourceItem` into model inputs (a training item longer than
``max_windows`` is cut to a random run of that many windows, drawn from its draw key so a resumed run
draws the same), :class:`DynamicCollator` pads a batch to its longest clip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
import torch

from ....base.errors import DatasetBuildError
from ...engine.sampling import SourceItem
from ..music2emo.data import load_features_split

__all__ = ["WINDOW_INPUTS", "DynamicCollator", "DynamicItems", "WindowRows", "load_window_rows"]

WINDOW_INPUTS = (
    "window_embeddings", "chord_root_ids", "chord_attr_ids", "chord_weights", "mode_ids", "attention_mask",
)  # fmt: skip
"""What :class:`~modeling.music2emo_dynamic.Music2EmoDynamicModel` reads from a collated batch."""

_COLUMNS = ("has_dynamic", "window_times", "window_embeddings", "window_chord_root_ids", "window_chord_attr_ids",
            "window_chord_weights", "window_valence", "window_arousal")  # fmt: skip


def _floats(values) -> np.ndarray:
    return np.asarray([np.nan if v is None else v for v in values], dtype=np.float32)


class WindowRows:
    """The rows of one source's split that have windows.

    Args:
        dataset: the ``datasets.Dataset`` of that source and split (time-resolved columns required).
        source: its name (``"deam"``).
        unlabelled: keep rows that have windows but no per-time-step labels (every window masked; they serve
            the consistency term). ``False`` leaves them out.

    ``rows`` indexes the kept rows in the dataset; ``skipped`` counts the rows left out (no windows, or no
    labels when ``unlabelled`` is ``False``).
    """

    def __init__(self, dataset, source: str, unlabelled: bool = False):
        import pyarrow.compute as pc

        self.source = source
        self.split = dataset.split and str(dataset.split)
        table = dataset.data
        lengths = pc.list_value_length(table.column("window_times")).to_numpy(zero_copy_only=False)
        has_dynamic = np.asarray(dataset["has_dynamic"], dtype=bool)
        keep = (lengths > 0) & (has_dynamic | unlabelled)
        self.rows = np.flatnonzero(keep)
        self.skipped = int(len(keep) - keep.sum())
        if len(self.rows) == 0:
            raise DatasetBuildError(
                f"The {self.split} split of {source!r} has no row with windows"
                + ("" if unlabelled else " and per-time-step labels")
                + ": extract its features with `emotune extract-features --dynamic` (`all` for rows without labels)"
            )
        chosen = dataset.select(self.rows.tolist()).select_columns(
            ["id", "mode", "has_dynamic", "window_chord_root_ids", "window_chord_attr_ids", "window_chord_weights",
             "window_valence", "window_arousal"]
        ).to_dict()  # fmt: skip
        self.ids: list[str] = chosen["id"]
        self.mode = np.asarray(chosen["mode"], dtype=np.int64)
        self.has_dynamic = np.asarray(chosen["has_dynamic"], dtype=bool)
        self.lengths = lengths[self.rows]
        self.chord_root_ids = [np.asarray(v, dtype=np.int64) for v in chosen["window_chord_root_ids"]]
        self.chord_attr_ids = [np.asarray(v, dtype=np.int64) for v in chosen["window_chord_attr_ids"]]
        self.chord_weights = [np.asarray(v, dtype=np.float32) for v in chosen["window_chord_weights"]]
        self.labels = [
            np.stack([_floats(v), _floats(a)], axis=1)
            for v, a in zip(chosen["window_valence"], chosen["window_arousal"])
        ]
        for index in np.flatnonzero(~self.has_dynamic):
            self.labels[index][:] = np.nan
        self._windows = table.column("window_embeddings")
        widths = pc.unique(pc.list_value_length(pc.list_flatten(self._windows.take(self.rows)))).to_pylist()
        if len(widths) != 1:
            raise DatasetBuildError(
                f"{source} {self.split}: window embeddings have mixed widths {sorted(widths)}"
            )
        self.embedding_dim = int(widths[0])
        self.clip_va = np.full((len(self.rows), 2), np.nan, dtype=np.float32)
        """Clip-level targets of the consistency term (NaN: none), set by the recipe."""

    def __len__(self) -> int:
        return len(self.rows)

    def windows(self, index: int) -> np.ndarray:
        """Window embeddings of kept row ``index``, shape ``(num_windows, embedding_dim)``."""
        import pyarrow.compute as pc

        cell = self._windows.slice(int(self.rows[index]), 1)
        values = pc.list_flatten(pc.list_flatten(cell)).to_numpy(zero_copy_only=False)
        return values.reshape(-1, self.embedding_dim)

    def labelled(self, index: int) -> np.ndarray:
        """``(num_windows,)`` bool: the windows of kept row ``index`` that have an annotation."""
        return np.isfinite(self.labels[index]).all(axis=1)


def load_window_rows(path: str, source: str, split: str, unlabelled: bool = False) -> WindowRows:
    """``load_dataset_folder(path, source, split=split)`` as :class:`WindowRows`, with clear errors."""
    dataset = load_features_split(path, source, split, _COLUMNS, "emotune extract-features --dynamic")
    return WindowRows(dataset, source, unlabelled=unlabelled)


class DynamicItems(torch.utils.data.Dataset):
    """Model inputs and labels for :class:`~modeling.training.engine.sampling.SourceItem` (source, kept row, draw).

    An item with a draw key (training) longer than ``max_windows`` is cut to a random run of
    ``max_windows`` windows, drawn from ``(draw, row)``; an item without one (evaluation) is whole.
    """

    def __init__(self, sources: Sequence[WindowRows], max_windows: int | None = None):
        self.sources = list(sources)
        self.max_windows = max_windows

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.sources)

    def __getitem__(self, item: SourceItem) -> dict:
        source, row, draw = item
        rows = self.sources[source]
        part = slice(None)
        if draw is not None and self.max_windows and rows.lengths[row] > self.max_windows:
            start = int(
                np.random.default_rng((*draw, row)).integers(0, rows.lengths[row] - self.max_windows + 1)
            )
            part = slice(start, start + self.max_windows)
        labels = rows.labels[row][part]
        return {
            "source": source,
            "rows": row,
            "window_embeddings": rows.windows(row)[part],
            "chord_root_ids": rows.chord_root_ids[row][part],
            "chord_attr_ids": rows.chord_attr_ids[row][part],
            "chord_weights": rows.chord_weights[row][part],
            "mode_ids": rows.mode[row],
            "va_labels": labels,
            "va_labels_mask": np.isfinite(labels).all(axis=1),
            "clip_va": rows.clip_va[row],
        }


class DynamicCollator:
    """Items -> one batch padded to its longest clip: ``attention_mask`` marks the real windows, padded
    labels are NaN and masked; ``source`` and ``rows`` say where each clip comes from."""

    _PAD: ClassVar[dict[str, float]] = {"va_labels": np.nan, "chord_weights": 0.0}

    def __call__(self, items: list[dict]) -> dict[str, torch.Tensor]:
        length = max(len(item["window_embeddings"]) for item in items)
        batch: dict[str, list] = {name: [] for name in items[0]}
        batch["attention_mask"] = []
        for item in items:
            size = len(item["window_embeddings"])
            for name, value in item.items():
                if isinstance(value, np.ndarray) and value.ndim >= 1 and name != "clip_va":
                    pad = [(0, length - size)] + [(0, 0)] * (value.ndim - 1)
                    value = np.pad(value, pad, constant_values=self._PAD.get(name, 0))
                batch[name].append(value)
            batch["attention_mask"].append(np.arange(length) < size)
        return {name: torch.as_tensor(np.stack(values)) for name, values in batch.items()}
