"""Fixtures of the thread-policy tests (tests/base, tests/pipelines)."""

from __future__ import annotations

import pytest
import torch

from modeling.base import devices


@pytest.fixture
def default_process(monkeypatch):
    """The policy in the state of a process nobody configured on a 2-core machine (the tests run with
    ``OMP_NUM_THREADS=1``): no thread variable set, torch started with 2 threads, and 2 is torch's default."""
    for name in (*devices.THREAD_VARIABLES, devices.THREAD_POLICY_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(devices, "_starting", 2)
    monkeypatch.setattr(devices, "default_thread_counts", lambda: frozenset({2}))
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)
