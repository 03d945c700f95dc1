"""The thread policy of ``modeling.base.devices``: which count each stage gets, that a user's choice keeps
control, and that a limit changes the calling thread only (BLAS, process-wide, until the last limit ends).

The test process runs with ``OMP_NUM_THREADS=1`` (tests/conftest.py); ``default_process`` puts the policy in
the state of a process nobody configured on a 2-core machine: no variable set, torch at its default of 2.
No test times anything.
"""

from __future__ import annotations

import threading

import pytest
import torch
from threadpoolctl import threadpool_info, threadpool_limits

from modeling.base import devices
from modeling.base.devices import (
    THREAD_POLICY_VARIABLE,
    THREAD_STAGES,
    THREAD_VARIABLES,
    limited_threads,
    stage_threads,
    thread_budget,
    user_thread_choice,
)
from modeling.base.errors import InvalidInputError


def blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_each_stage_gets_its_count_in_a_process_nobody_configured(default_process):
    assert user_thread_choice() is None
    assert thread_budget("cached-generation") == 1
    assert thread_budget("cached-generation", batch_size=2) == 1
    assert thread_budget("cached-generation", batch_size=3) is None  # larger batches: torch's count
    assert thread_budget("cached-generation", cached=False) is None  # recomputation is arithmetic
    assert thread_budget("encoder") == 2  # the count torch started with
    assert thread_budget("background") == 1


@pytest.mark.parametrize("device", ["cuda", "cuda:1", torch.device("meta")])
def test_nothing_changes_off_the_cpu(default_process, device):
    assert all(thread_budget(stage, device=device) is None for stage in THREAD_STAGES)


def test_an_unknown_stage_is_refused(default_process):
    with pytest.raises(InvalidInputError, match="Accepted: cached-generation, encoder, background"):
        thread_budget("decoder")
    with pytest.raises(InvalidInputError, match="at least 1"), limited_threads(0):
        pass


@pytest.mark.parametrize("variable", THREAD_VARIABLES)
def test_a_thread_variable_keeps_control(default_process, monkeypatch, variable):
    monkeypatch.setenv(variable, "2")
    assert variable in user_thread_choice()
    assert all(thread_budget(stage) is None for stage in THREAD_STAGES)
    with stage_threads("cached-generation"), limited_threads(1):
        assert torch.get_num_threads() == 2


def test_the_policy_can_be_switched_off(default_process, monkeypatch):
    monkeypatch.setenv(THREAD_POLICY_VARIABLE, "off")
    assert THREAD_POLICY_VARIABLE in user_thread_choice()
    assert thread_budget("cached-generation") is None


def test_a_set_num_threads_call_keeps_control(default_process):
    torch.set_num_threads(1)  # after the policy first looked
    assert "torch.set_num_threads(1)" in user_thread_choice()
    assert thread_budget("encoder") is None
    torch.set_num_threads(2)
    assert user_thread_choice() is None


def test_a_count_set_before_the_policy_looked_keeps_control(default_process, monkeypatch):
    monkeypatch.setattr(devices, "_starting", 3)  # 3 is not torch's default on this machine
    assert "started with 3 threads" in user_thread_choice()
    assert thread_budget("background") is None


def test_the_default_counts_include_the_cpus_this_process_may_use():
    import os

    assert os.cpu_count() in devices.default_thread_counts()
    if hasattr(os, "sched_getaffinity"):
        assert len(os.sched_getaffinity(0)) in devices.default_thread_counts()


def test_a_limit_sets_the_calling_thread_and_gives_its_count_back(default_process):
    with stage_threads("cached-generation", batch_size=1) as threads:
        assert threads == 1 and torch.get_num_threads() == 1
        assert user_thread_choice() is None  # emotune's own limit is not a user's choice
        with stage_threads("cached-generation"):  # nested: the same
            assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2
    with stage_threads("cached-generation", batch_size=8) as threads:
        assert threads is None and torch.get_num_threads() == 2


def test_a_background_limit_changes_its_thread_only_and_blas_until_the_last_one_ends(default_process):
    """Two background threads at once (the collection runner's reader and chord worker): each runs torch
    with one thread while the main thread keeps two; OpenBLAS (process-wide) is held at one until both end,
    whichever ends last, then gets its count back."""
    seen, inside, first_done, release_second = {}, threading.Barrier(3), threading.Event(), threading.Event()

    def worker(name: str, wait: threading.Event | None) -> None:
        with stage_threads("background"):
            inside.wait()
            torch.ones(64, 64) @ torch.ones(64, 64)  # torch's OpenMP is started in this thread
            seen[name] = torch.get_num_threads()
            if wait is not None:
                wait.wait(10)
                seen["blas while second held"] = blas_threads()

    with threadpool_limits(2, user_api="blas"):
        if not blas_threads():
            pytest.skip("no BLAS library with a thread count is loaded")
        first = threading.Thread(target=worker, args=("first", None))
        second = threading.Thread(target=worker, args=("second", release_second))
        first.start()
        second.start()
        inside.wait()
        seen["main"] = torch.get_num_threads()
        seen["blas during"] = blas_threads()
        first.join(10)
        first_done.set()
        release_second.set()
        second.join(10)
        seen["blas after"] = blas_threads()
    assert seen["first"] == seen["second"] == 1 and seen["main"] == 2
    assert set(seen["blas during"]) == set(seen["blas while second held"]) == {1}
    assert set(seen["blas after"]) == {2}
