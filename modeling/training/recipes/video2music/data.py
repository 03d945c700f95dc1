"""Reading a MuVi-Sync folder (``emotune build-dataset muvi-sync``) for Video2Music training and
evaluation: the recipe's ``data`` section, the splits, and collators that turn rows into the keyword
arguments of the model's ``forward``, so every call is ``model(**batch)``.

Faithful to the original (``dataset/vevo_dataset.py``): per video, the decoder reads the chords of
seconds ``0..L-1`` and predicts those of ``1..L``, END after the last chord and PAD beyond. How the
videos of a batch are padded follows the model's ``config.video_padding``: ``"zeros"`` (the
original's) pads every video to ``config.max_sequence_length`` seconds of zero features and PAD chords
and passes no mask; ``"mask"`` pads to the batch's longest video and passes ``video_attention_mask``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from ....base.errors import InvalidInputError
from ....hub.datasets import load_dataset_folder
from ....video2music.configuration_amt import AMTConfig
from ....video2music.configuration_amt_regression import AMTRegressionConfig
from ....video2music.feature_extraction_video2music import FEATURE_COLUMNS, model_input_rows
from ....vocabularies.chords import AMT_CHORD_END, AMT_CHORD_PAD

__all__ = [
    "AMTCollator",
    "AMTRegressionCollator",
    "MuViDataConfig",
    "VideoCollator",
    "collator_for",
    "load_split",
]


@dataclasses.dataclass
class MuViDataConfig:
    """The ``data`` section of the Video2Music recipes."""

    path: str = "outputs/video2music/muvi-sync"
    """A folder written by ``emotune build-dataset muvi-sync`` (or its Hub id)."""
    config: str = "muvi-sync"
    batch_size: int = 1
    eval_batch_size: int = 8
    train_split: str = "train"
    validation_split: str = "validation"
    test_split: str = "test"
    emotion_threshold: float = 0.8
    """Emotion probability from which a second counts in the emotion correspondence (the original's)."""

    def check(self) -> None:
        if self.batch_size < 1 or self.eval_batch_size < 1:
            raise InvalidInputError("data.batch_size and data.eval_batch_size must be >= 1")


def load_split(path: str, config: str, split: str):
    """One split of a MuVi-Sync folder, with a clear error when it is not one."""
    try:
        dataset = load_dataset_folder(path, config, split=split)
    except (
        FileNotFoundError,
        ValueError,
        ConnectionError,
    ) as error:  # ConnectionError: not a folder, offline
        raise InvalidInputError(
            f"Cannot read split {split!r} of {path!r} ({error}). Accepted: a folder written by "
            "emotune build-dataset muvi-sync"
        ) from None
    missing = {"chord_ids", "mode", "note_density", "loudness", *FEATURE_COLUMNS} - set(dataset.column_names)
    if missing:
        raise InvalidInputError(f"{path} ({split}) is not a MuVi-Sync dataset: it lacks {sorted(missing)}")
    return dataset.with_format("numpy")


class VideoCollator:
    """Rows -> a batch of the model's keyword arguments; the video part, padded as ``config.video_padding``
    says: ``video_features`` ``(B, T, video_feature_dim)`` and, with ``"mask"``, ``video_attention_mask``."""

    def __init__(self, config: AMTConfig | AMTRegressionConfig):
        self.max_seconds = config.max_sequence_length
        self.padding = config.video_padding
        self.feature_dim = config.video_feature_dim

    def seconds(self, row) -> int:
        """The seconds of ``row`` the model reads: all, up to ``config.max_sequence_length``."""
        return min(len(row["chord_ids"]), self.max_seconds)

    def width(self, rows) -> int:
        """Seconds of the padded batch."""
        return self.max_seconds if self.padding == "zeros" else max(self.seconds(row) for row in rows)

    def video(self, rows) -> dict[str, torch.Tensor]:
        width = self.width(rows)
        seconds = torch.as_tensor([self.seconds(row) for row in rows])
        features = torch.zeros(len(rows), width, self.feature_dim)
        for i, (row, n) in enumerate(zip(rows, seconds.tolist(), strict=True)):
            features[i, :n] = torch.from_numpy(model_input_rows(row, n))
        batch = {"video_features": features}
        if self.padding == "mask":
            batch["video_attention_mask"] = (torch.arange(width)[None] < seconds[:, None]).long()
        return batch


class AMTCollator(VideoCollator):
    """The AMT's arguments: the video, ``chord_ids`` and ``labels`` ``(B, steps)`` shifted as the original
    shifts them (``steps``: one fewer than the padded seconds) and ``mode_ids`` ``(B,)``."""

    def __call__(self, rows: list[dict]) -> dict[str, torch.Tensor]:
        batch = self.video(rows)
        steps = min(self.width(rows), self.max_seconds - 1)
        chords = torch.full((len(rows), steps + 1), AMT_CHORD_PAD, dtype=torch.long)
        for i, row in enumerate(rows):
            ids = torch.as_tensor(np.asarray(row["chord_ids"])[: steps + 1], dtype=torch.long)
            chords[i, : len(ids)] = ids
        labels = chords[:, 1:].clone()
        for i, row in enumerate(rows):
            if self.seconds(row) - 1 < steps:
                labels[i, self.seconds(row) - 1] = AMT_CHORD_END  # the step after the last chord
        mode_ids = torch.as_tensor([int(row["mode"]) for row in rows])
        return {**batch, "chord_ids": chords[:, :-1], "mode_ids": mode_ids, "labels": labels}


class AMTRegressionCollator(VideoCollator):
    """The bi-GRU's arguments: the video and ``labels`` ``(B, T, 2)``, note density and loudness per second
    (zero on padding, as the original pads them)."""

    def __call__(self, rows: list[dict]) -> dict[str, torch.Tensor]:
        batch = self.video(rows)
        labels = torch.zeros(len(rows), batch["video_features"].shape[1], 2)
        for i, row in enumerate(rows):
            n = self.seconds(row)
            for column, name in enumerate(("note_density", "loudness")):
                labels[i, :n, column] = torch.as_tensor(np.asarray(row[name])[:n], dtype=torch.float32)
        return {**batch, "labels": labels}


_COLLATORS = {"amt": AMTCollator, "amt_regression": AMTRegressionCollator}


def collator_for(config: AMTConfig | AMTRegressionConfig) -> VideoCollator:
    """The collator whose batches ``model(**batch)`` takes, for a model with ``config``."""
    return _COLLATORS[config.model_type](config)
