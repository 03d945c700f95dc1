"""Combined multi-dataset batches: the original's max_size mode, the cycling mode, reproducible
orders, resuming mid-epoch and sharding across processes."""

from __future__ import annotations

from collections import Counter

import pytest
from accelerate.data_loader import BatchSamplerShard, SkipBatchSampler

from modeling.base.errors import InvalidInputError
from modeling.training.engine import MultiSourceBatchSampler
from modeling.training.engine.sampling import evaluation_items


def _sources(batch) -> Counter:
    return Counter(item.source for item in batch)


def test_max_size_lasts_as_long_as_the_longest_dataset_and_drops_exhausted_ones():
    sampler = MultiSourceBatchSampler([20, 7, 3], batch_sizes=4, seed=0)
    batches = list(sampler)
    assert len(sampler) == len(batches) == 5
    assert [_sources(b) for b in batches] == [
        Counter({0: 4, 1: 4, 2: 3}), Counter({0: 4, 1: 3}), Counter({0: 4}), Counter({0: 4}), Counter({0: 4}),
    ]  # fmt: skip
    for source, size in enumerate([20, 7, 3]):
        rows = [item.row for batch in batches for item in batch if item.source == source]
        assert sorted(rows) == list(range(size))  # every row exactly once per epoch


def test_max_size_cycle_keeps_every_dataset_in_every_step_with_fresh_passes():
    sampler = MultiSourceBatchSampler([20, 7], batch_sizes=[4, 2], seed=0, mode="max_size_cycle")
    batches = list(sampler)
    assert [_sources(b) for b in batches] == [Counter({0: 4, 1: 2})] * 3 + [Counter({0: 4, 1: 1})] + [
        Counter({0: 4, 1: 2})
    ]
    short = [item for batch in batches for item in batch if item.source == 1]
    first, second = short[:7], short[7:]
    assert sorted(i.row for i in first) == list(range(7))
    assert {i.draw for i in first} == {(0, 0, 1, 0)} and {i.draw for i in second} == {(0, 0, 1, 1)}


def test_orders_depend_on_seed_and_epoch_only():
    def order(seed, epoch):
        sampler = MultiSourceBatchSampler([30, 10], batch_sizes=4, seed=seed)
        sampler.epoch = epoch
        return [(i.source, i.row) for batch in sampler for i in batch]

    assert order(1, 0) == order(1, 0)
    assert order(1, 0) != order(1, 1)
    assert order(1, 0) != order(2, 0)
    unshuffled = MultiSourceBatchSampler([5], batch_sizes=2, seed=0, shuffle=False)
    assert [[i.row for i in b] for b in unshuffled] == [[0, 1], [2, 3], [4]]


def test_skipping_batches_resumes_the_same_epoch():
    sampler = MultiSourceBatchSampler([25, 9, 4], batch_sizes=3, seed=5, mode="max_size_cycle")
    sampler.epoch = 3
    full = list(sampler)
    assert list(SkipBatchSampler(sampler, skip_batches=4)) == full[4:]


def test_two_processes_share_out_whole_combined_batches():
    sampler = MultiSourceBatchSampler([9, 5], batch_sizes=2, seed=0)  # 5 combined batches
    full = list(sampler)
    shards = [list(BatchSamplerShard(sampler, num_processes=2, process_index=i)) for i in range(2)]
    assert len(shards[0]) == len(shards[1]) == 3
    assert shards[0] == [full[0], full[2], full[4]]
    assert shards[1] == [
        full[1],
        full[3],
        full[0],
    ]  # the last one repeats the first: accelerate's even batches


def test_evaluation_items_have_no_draw():
    assert [(i.source, i.row, i.draw) for i in evaluation_items(2, 3)] == [
        (2, 0, None),
        (2, 1, None),
        (2, 2, None),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([], 2), "at least one dataset"),
        (([3, 0], 2), "at least one row"),
        (([3], 0), "Batch sizes must be at least 1"),
        (([3, 4], [1]), "one batch size per dataset"),
    ],
)
def test_bad_arguments(args, message):
    with pytest.raises(InvalidInputError, match=message):
        MultiSourceBatchSampler(*args, seed=0)
    with pytest.raises(InvalidInputError, match="Unknown combine mode 'min_size'"):
        MultiSourceBatchSampler([3], 1, seed=0, mode="min_size")
