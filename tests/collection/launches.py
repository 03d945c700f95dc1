"""Two CPU processes of ``accelerate launch -m modeling ...`` (gloo), and a SIGKILL of a whole launch.

accelerate 1.15's ``--cpu --num_processes 2`` starts one process (huggingface/accelerate#2741): two CPU
processes come from ``--multi_gpu --num_processes 2`` with ``ACCELERATE_USE_CPU=1``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from tests.conftest import REPO_ROOT, free_port


def launch(*args: str, **options) -> subprocess.Popen:
    """``accelerate launch`` of two CPU processes running ``python -m modeling ARGS``."""
    command = [sys.executable, "-m", "accelerate.commands.launch", "--num_machines", "1", "--dynamo_backend", "no",
               "--multi_gpu", "--num_processes", "2", "--mixed_precision", "no", "--main_process_port", str(free_port()),
               "-m", "modeling", *args]  # fmt: skip
    env = {**os.environ, "ACCELERATE_USE_CPU": "1"}
    return subprocess.Popen(command, cwd=REPO_ROOT, env=env, text=True, **options)


def kill_when(process: subprocess.Popen, ready: Callable[[], bool], timeout: float = 120) -> None:
    """SIGKILL ``process`` and every process it started (torchrun starts each worker in a session of its
    own) as soon as ``ready()``; fails if it ends first."""
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None and not ready():
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed"
    processes = [*psutil.Process(process.pid).children(recursive=True), psutil.Process(process.pid)]
    for each in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            each.send_signal(signal.SIGKILL)
    process.wait()
    psutil.wait_procs(processes, timeout=30)
