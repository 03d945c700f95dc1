"""Small collections for the fast collection and library tests: a few clips of 1-2 s, and file systems that
fail (a tiny disk that fills up, a read-only folder)."""

from __future__ import annotations

import contextlib
import errno
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile


def write_clips(
    folder: Path, count: int = 4, seconds: float = 1.5, seed: int = 0, prefix: str = "clip"
) -> list[Path]:
    """``count`` WAV clips of ``seconds`` (three sines each, 16 kHz) in ``folder``; their paths, sorted."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for number in range(count):
        time = np.arange(int(seconds * 16000)) / 16000
        pitches = 220 * 2 ** (rng.integers(0, 12, 3) / 12)
        wave = (0.2 * sum(np.sin(2 * np.pi * p * time) for p in pitches)).astype(np.float32)
        paths.append(folder / f"{prefix} {number:02d}.wav")
        soundfile.write(paths[-1], wave, 16000)
    return sorted(paths)


def _mount(folder: Path, options: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    return done.returncode == 0


def _unmount(folder: Path) -> None:
    subprocess.run(["umount", str(folder)], capture_output=True, check=False)


class SmallDisk:
    """A folder on a disk of a few kilobytes: a real tmpfs where this machine lets the tests mount one (they
    run as root), else the record writer's writes fail with ENOSPC once they pass the same budget (the code
    under test sees the same ``OSError`` either way). :meth:`grow` frees space, as a user would."""

    def __init__(self, folder: Path, monkeypatch, kilobytes: int = 12):
        self.folder = folder
        self.real = _mount(folder, f"size={kilobytes}k,mode=0755")
        if not self.real:
            self._budget = [kilobytes * 1024 - 4096]  # one page for the lock file, as on tmpfs
            import modeling.collection.output as output

            real_write = output._write_all

            def write_all(fd: int, data: bytes) -> None:
                if self._budget[0] is not None and len(data) > self._budget[0]:
                    raise OSError(errno.ENOSPC, "No space left on device")
                if self._budget[0] is not None:
                    self._budget[0] -= len(data)
                real_write(fd, data)

            monkeypatch.setattr(output, "_write_all", write_all)

    def grow(self) -> None:
        if self.real:
            subprocess.run(["mount", "-o", "remount,size=4m", str(self.folder)], check=True)
        else:
            self._budget[0] = None

    def close(self) -> None:
        if self.real:
            _unmount(self.folder)


@contextlib.contextmanager
def small_disk(folder: Path, monkeypatch, kilobytes: int = 12) -> Iterator[SmallDisk]:
    disk = SmallDisk(folder, monkeypatch, kilobytes)
    try:
        yield disk
    finally:
        disk.close()


@contextlib.contextmanager
def read_only_folder(folder: Path, monkeypatch) -> Iterator[Path]:
    """A folder nobody may write in, root included: a read-only tmpfs where the tests may mount one, else the
    lock file (the first thing a run writes there) cannot be created: ``PermissionError``."""
    if _mount(folder, "ro,size=64k"):
        try:
            yield folder
        finally:
            _unmount(folder)
        return
    import modeling.collection.lock as lock

    def denied(path: Path) -> int:
        if Path(path).parent == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    real = lock._create
    monkeypatch.setattr(lock, "_create", denied)
    yield folder
