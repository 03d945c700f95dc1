"""Batches drawn from several datasets at once, reproducibly and resumably.

Music2Emo's student trains on MTG-Jamendo, DEAM, PMEmo and EmoMusic together: every step holds one
batch of each dataset. :class:`MultiSourceBatchSampler` yields such combined batches as lists of
:class:`SourceItem` (source, row, draw key); a ``torch`` ``DataLoader`` takes it as its
``batch_sampler`` and ``Accelerator.prepare`` shards whole combined batches across processes.

The order is a pure function of (seed, epoch, pass): no global random state is read, so a run
resumed mid-epoch (``accelerate.skip_first_batches``) sees exactly the batches an uninterrupted run
sees. The draw key lets a dataset make per-item random choices (augmentation) the same way.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Literal, NamedTuple

import numpy as np

from ...base.errors import InvalidInputError

__all__ = ["COMBINE_MODES", "MultiSourceBatchSampler", "SourceItem", "evaluation_items"]

COMBINE_MODES = ("max_size", "max_size_cycle")


class SourceItem(NamedTuple):
    source: int
    """Index of the dataset."""
    row: int
    """Row in that dataset."""
    draw: tuple[int, ...] | None
    """Seed material for the item's random choices (``None`` at evaluation: no augmentation)."""


class MultiSourceBatchSampler:
    """Combined batches over several datasets.

    Args:
        sizes: number of rows of each dataset.
        batch_sizes: batch size of each dataset (or one for all).
        seed: the run's seed.
        mode: ``"max_size"`` (the original's Lightning ``CombinedLoader(mode="max_size")``): an epoch
            lasts as many steps as the longest dataset has batches, and a dataset that runs out stops
            contributing until the next epoch. ``"max_size_cycle"``: a dataset that runs out starts a
            new shuffled pass, so every step holds a batch of every dataset.
        shuffle: a new random order every epoch (and pass); ``False`` keeps the row order.

    Set :attr:`epoch` before iterating. ``len()`` is the number of steps of an epoch.
    """

    batch_size = None  # combined batches have varying sizes: accelerate shards them whole

    def __init__(
        self,
        sizes: Sequence[int],
        batch_sizes: Sequence[int] | int,
        seed: int,
        mode: Literal["max_size", "max_size_cycle"] = "max_size",
        shuffle: bool = True,
    ):
        if isinstance(batch_sizes, int):
            batch_sizes = [batch_sizes] * len(sizes)
        if not sizes or len(batch_sizes) != len(sizes):
            raise InvalidInputError("Give one size and one batch size per dataset (at least one dataset)")
        if any(size < 1 for size in sizes):
            raise InvalidInputError(f"Every dataset needs at least one row, got sizes {list(sizes)}")
        if any(batch_size < 1 for batch_size in batch_sizes):
            raise InvalidInputError(f"Batch sizes must be at least 1, got {list(batch_sizes)}")
        if mode not in COMBINE_MODES:
            raise InvalidInputError(f"Unknown combine mode {mode!r}. Accepted: {list(COMBINE_MODES)}")
        self.sizes = [int(size) for size in sizes]
        self.batch_sizes = [int(batch_size) for batch_size in batch_sizes]
        self.seed = seed
        self.mode = mode
        self.shuffle = shuffle
        self.epoch = 0

    def batches_per_pass(self, source: int) -> int:
        return math.ceil(self.sizes[source] / self.batch_sizes[source])

    def __len__(self) -> int:
        return max(self.batches_per_pass(source) for source in range(len(self.sizes)))

    def _pass(self, source: int, number: int) -> Iterator[list[SourceItem]]:
        draw = (self.seed, self.epoch, source, number)
        if self.shuffle:
            order = np.random.default_rng(draw).permutation(self.sizes[source])
        else:
            order = np.arange(self.sizes[source])
        size = self.batch_sizes[source]
        for start in range(0, len(order), size):
            yield [SourceItem(source, int(row), draw) for row in order[start : start + size]]

    def __iter__(self) -> Iterator[list[SourceItem]]:
        streams = {source: self._pass(source, 0) for source in range(len(self.sizes))}
        passes = dict.fromkeys(streams, 0)
        for _ in range(len(self)):
            combined: list[SourceItem] = []
            for source in list(streams):
                batch = next(streams[source], None)
                if batch is None and self.mode == "max_size_cycle":
                    passes[source] += 1
                    streams[source] = self._pass(source, passes[source])
                    batch = next(streams[source])
                if batch is None:
                    del streams[source]
                else:
                    combined.extend(batch)
            yield combined


def evaluation_items(source: int, size: int) -> list[SourceItem]:
    """Every row of one dataset in order, without draw keys: a ``sampler`` for evaluation loaders."""
    return [SourceItem(source, row, None) for row in range(size)]
