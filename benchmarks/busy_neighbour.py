"""A busy neighbour for the benchmarks: another process spinning on one core while figures are taken.

    from busy_neighbour import busy_neighbour
    with busy_neighbour() as where:   # where: "a process spinning on CPU 1"
        ...                           # measure

On a shared machine some core is often taken by someone else's work; torch's intra-op threads then wait at
every operation for the thread that lost its core. The spinner is a Python loop pinned with
``os.sched_setaffinity`` to the last CPU this process may run on (CPU 1 of a 2-core machine), at the normal
priority; where pinning is not available it runs unpinned. It is stopped when the block ends, also on an
error or Ctrl-C.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["busy_neighbour"]


@contextmanager
def busy_neighbour(cpu: int | None = None) -> Iterator[str]:
    """Run the block beside a process spinning on ``cpu`` (default: the last CPU this process may use);
    yields a description of where it spins."""
    spinner = subprocess.Popen(
        [sys.executable, "-c", "while True: pass"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL
    )
    try:
        where = "a process spinning (unpinned)"
        if hasattr(os, "sched_setaffinity"):
            cpu = sorted(os.sched_getaffinity(0))[-1] if cpu is None else cpu
            os.sched_setaffinity(spinner.pid, {cpu})
            where = f"a process spinning on CPU {cpu}"
        time.sleep(0.3)  # started and spinning
        if spinner.poll() is not None:
            raise RuntimeError(f"the busy neighbour exited at once (status {spinner.returncode})")
        yield where
    finally:
        spinner.terminate()
        try:
            spinner.wait(timeout=5)
        except subprocess.TimeoutExpired:
            spinner.kill()
            spinner.wait()
