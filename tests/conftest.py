"""Fixtures shared by every test folder.

Fixtures are made by the tests or read from ``../shared/reference`` (real files from the original
releases). ``EMOTUNE_REFERENCE_DIR`` points elsewhere if the checkout is not beside ``shared/``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO_ROOT = Path(__file__).resolve().parents[1]


def _find_reference_dir() -> Path:
    """``shared/reference`` beside the checkout (CI's layout) or beside any folder above it (worktrees)."""
    if "EMOTUNE_REFERENCE_DIR" in os.environ:
        return Path(os.environ["EMOTUNE_REFERENCE_DIR"])
    for parent in REPO_ROOT.parents:
        if (parent / "shared" / "reference" / "README.md").is_file():
            return parent / "shared" / "reference"
    return REPO_ROOT.parent / "shared" / "reference"


REFERENCE_DIR = _find_reference_dir()

# Fixtures shared across folders (each built once per session, when a test first asks for it): the tiny
# MERT and Music2Emo models and their pipeline; the tiny Video2Music models, CLIP and test videos; the
# Music2Emo training fixtures (a features dataset, four teachers, a student); the original weights files.
pytest_plugins = [
    "tests.music2emo.fixtures",
    "tests.video2music.fixtures",
    "tests.music2emo.training_fixtures",
    "tests.weights.fixtures",
    "tests.base.fixtures",
]

# Tests never touch the network: the Hub is offline for every test and every subprocess it starts.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

# One intra-op thread, in this process and the ones it starts: the tests' models are tiny, and on a
# busy 2-core machine a second thread makes torch many times slower instead of faster (a 20-minute
# file through the tiny MERT: 34 s with one thread, 116 s with two, at load 4). Set
# OMP_NUM_THREADS to give the tests more. Speed is measured by benchmarks/, never by the tests.
os.environ.setdefault("OMP_NUM_THREADS", "1")
torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def pytest_collection_modifyitems(items) -> None:
    """Files with a ``slow`` test first, every file's tests together and in order: ``-n 2 --dist loadfile``
    hands the files to the two workers in this order, so the long ones start early and the workers end
    together instead of one finishing a long file while the other waits."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)  # a stable sort keeps each file's order


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    if not (REFERENCE_DIR / "README.md").is_file():
        pytest.fail(
            f"The reference files are missing at {REFERENCE_DIR}: the checkout must sit beside shared/ "
            "(or set EMOTUNE_REFERENCE_DIR)"
        )
    return REFERENCE_DIR


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory) -> Path:
    """A folder for the audio files the tests make."""
    return tmp_path_factory.mktemp("audio")


def run_python(
    code: str, *, cwd: Path, timeout: float = 300, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh Python process (the project's interpreter) and return the finished process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout
    )


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` now (for a server or a process group the test starts)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]
