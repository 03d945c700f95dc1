"""Folders on disks that refuse writes, for the storage tests: a tiny tmpfs (full after a few KB) and a
read-only one, genuinely mounted where the tests may mount (they run as root, so ``chmod`` stops nothing),
else simulated at the points where emotune writes (the same errors the kernel gives: ``ENOSPC`` from a
write, ``EROFS`` from creating a file, safetensors' "No space left on device (os error 28)")."""

from __future__ import annotations

import builtins
import errno
import os
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

_NO_MOUNT = "EMOTUNE_TEST_NO_MOUNT"
"""Set to 1 to use the simulated disks even where mounting works (to test that path)."""


def _mount(folder: Path, *options: str) -> bool:
    if os.environ.get(_NO_MOUNT) == "1":
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(folder)],
                          capture_output=True, timeout=10)  # fmt: skip
    return done.returncode == 0


def _umount(folder: Path) -> None:
    subprocess.run(["umount", str(folder)], capture_output=True, timeout=10, check=True)


def _under(path, folder: Path) -> bool:
    try:
        return Path(os.path.abspath(os.fspath(path))).is_relative_to(folder)
    except TypeError:  # a file descriptor
        return False


class Disk:
    """A folder on a small disk: ``fill(leave)`` leaves ``leave`` bytes free, ``read_only()`` refuses every
    write from then on. ``mounted``: a real tmpfs (else the writes are refused by patched functions)."""

    def __init__(self, folder: Path, size: int):
        import pytest

        self.folder, self.size, self.monkeypatch = folder, size, pytest.MonkeyPatch()
        folder.mkdir(parents=True, exist_ok=True)
        self.mounted = _mount(folder, f"size={size}", "mode=0755")
        self.free: int | None = None  # simulated: bytes writable from now on (None: no limit yet)

    def fill(self, leave: int) -> None:
        """Write a filler file so that only about ``leave`` bytes stay free."""
        import shutil

        filler = self.folder / "filler"
        if self.mounted:
            free = shutil.disk_usage(self.folder).free
            with open(filler, "wb") as handle:
                handle.write(b"\0" * max(0, free - leave))
        else:
            filler.write_bytes(b"")
            self._simulate_full(leave)

    def read_only(self) -> None:
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(self.folder)], capture_output=True, timeout=10,
                           check=True)  # fmt: skip
        else:
            self._simulate_read_only()

    def close(self) -> None:
        self.monkeypatch.undo()
        if self.mounted:
            _umount(self.folder)

    # --- the simulation, where mounting is not allowed ----------------------------------------------

    def _simulate_full(self, leave: int) -> None:
        self.free = leave
        disk, real_open = self, builtins.open

        class Writer:
            def __init__(self, handle):
                self.handle = handle

            def write(self, data):
                if len(data) > disk.free:
                    raise OSError(errno.ENOSPC, "No space left on device")
                disk.free -= len(data)
                return self.handle.write(data)

            def __getattr__(self, name):
                return getattr(self.handle, name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.handle.close()

        def opener(file, mode="r", *args, **kwargs):
            handle = real_open(file, mode, *args, **kwargs)
            return Writer(handle) if any(c in mode for c in "wax") and _under(file, disk.folder) else handle

        def save_file(tensors, filename, *args, **kwargs):
            from safetensors import SafetensorError

            if _under(filename, disk.folder):
                raise SafetensorError(
                    "Error while serializing: I/O error: No space left on device (os error 28)"
                )
            return real_save_file(tensors, filename, *args, **kwargs)

        import transformers.modeling_utils

        real_save_file = transformers.modeling_utils.safe_save_file
        self.monkeypatch.setattr(builtins, "open", opener)
        self.monkeypatch.setattr(transformers.modeling_utils, "safe_save_file", save_file)

    def _simulate_read_only(self) -> None:
        disk, real_mkstemp, real_mkdtemp = self, tempfile.mkstemp, tempfile.mkdtemp

        def refuse(real):
            def wrapper(*args, dir=None, **kwargs):
                if dir is not None and _under(dir, disk.folder):
                    raise OSError(errno.EROFS, "Read-only file system", os.fspath(dir))
                return real(*args, dir=dir, **kwargs)

            return wrapper

        self.monkeypatch.setattr(tempfile, "mkstemp", refuse(real_mkstemp))
        self.monkeypatch.setattr(tempfile, "mkdtemp", refuse(real_mkdtemp))


@contextmanager
def small_disk(folder: Path, size: int):
    """A :class:`Disk` of ``size`` bytes at ``folder``, unmounted (or its simulation undone) afterwards."""
    disk = Disk(folder, size)
    try:
        yield disk
    finally:
        disk.close()
