"""One run at a time writes an output: the lock of ``OUT`` (or of an ``extract-features`` folder).

A run holds an exclusive ``fcntl.flock`` on ``OUT.lock`` (beside ``OUT``) from before it reads what is done
until its records are merged. The lock belongs to the open file, so it ends with the process however the
process ends, SIGKILL included: a killed run never blocks the ``--resume`` that continues its work. The file
itself is only a note: the holder writes its details in it (process id, host, start time, command, number
of processes) for the message a second run prints, and removes it when it is done (one left by a killed
run is taken over).

Under ``accelerate launch`` the processes of a launch are one run: the main process holds the lock for all
of them (:meth:`modeling.collection.processes.Processes.main_decides` gives every process its verdict).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shlex
import socket
import sys
import time
from datetime import datetime
from pathlib import Path

from ..base.errors import StorageError
from .locations import writing_error

__all__ = ["OutputLock", "lock_path"]

_READ_ATTEMPTS = 10
"""Times a second run reads the holder's details (they are written just after the lock is taken)."""


def lock_path(target: str | os.PathLike) -> Path:
    """The lock file of an output: ``OUT.lock`` beside ``OUT`` (or the folder ``OUTPUT_DIR``)."""
    target = Path(target)
    return target.with_name(target.name + ".lock")


def _command() -> str:
    """This process's command line, as a person would type it (``python -m modeling predict ...``)."""
    argv = list(sys.argv)
    if argv and argv[0].endswith("__main__.py"):
        argv[0:1] = ["python", "-m", Path(argv[0]).parent.name]
    return shlex.join(argv)


def _create(path: Path) -> int:
    """The lock file opened for reading and writing (created if need be): the first thing a run writes in the
    folder of its output, so a folder it cannot write to shows here, before any model loads."""
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


def _lock_soon(fd: int, attempts: int = 10) -> bool:
    """Take the exclusive lock of ``fd``, trying a few times in 0.2 s (a second run looking at the lock holds
    it shared for a moment: :meth:`OutputLock.holder`); False when another run holds it."""
    for attempt in range(attempts):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if attempt < attempts - 1:
                time.sleep(0.02)
    return False


class OutputLock:
    """The lock of the output ``target`` (module docstring); a context manager that holds it.

    Args:
        target: ``OUT`` or the output folder.
        option: how the user named it (``"--output"``, ``"--output-dir"``), for messages.
    """

    def __init__(self, target: str | os.PathLike, option: str = "--output"):
        self.target = Path(target)
        self.path = lock_path(self.target)
        self.option = option
        self.fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this process holds the lock."""
        return self.fd is not None

    def acquire(self, processes: int = 1) -> None:
        """Take the lock for this run (``processes``: how many processes the run has), or raise an
        :class:`StorageError` naming the run that holds it (or why the lock file cannot be written)."""
        if self.held:
            return
        while True:
            try:
                fd = _create(self.path)
            except OSError as error:
                raise writing_error(error, self.path, f"creating the lock file of {self.target}",
                                    "nothing was written") from None  # fmt: skip
            if not _lock_soon(fd):
                os.close(fd)
                raise self._held_error(self._details())
            # the holder before us may have removed the file between our open and our lock: then the lock
            # is on a file nobody else will ever open, and the path must be tried again
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        details = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": _command(),
            "processes": int(processes),
        }
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, (json.dumps(details) + "\n").encode(), 0)
        except OSError as error:
            os.close(fd)
            raise writing_error(error, self.path, f"writing the lock file of {self.target}",
                                "nothing was written") from None  # fmt: skip
        self.fd = fd

    def release(self) -> None:
        """Let the lock go (and remove its file) if this process holds it."""
        if self.fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)  # while still holding it: see acquire
        os.close(self.fd)
        self.fd = None

    def holder(self) -> dict | None:
        """The details of the run holding the lock now (``{}`` when it has not written them yet), or ``None``
        when no run holds it. Takes nothing: the lock file is only opened for reading."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        except OSError as error:
            if error.errno in (errno.EACCES, errno.EPERM):
                return None  # the lock file cannot be read: acquire() says why, when it creates it
            raise
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return self._details()
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def check_free(self) -> None:
        """Raise the :class:`StorageError` of :meth:`acquire` if another run holds the lock now."""
        details = self.holder()
        if details is not None and not self.held:
            raise self._held_error(details)

    def _details(self) -> dict:
        for _ in range(_READ_ATTEMPTS):
            try:
                details = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(details, dict):
                    return details
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        return {}

    def _held_error(self, details: dict) -> StorageError:
        if details:
            count = int(details.get("processes") or 1)
            who = (
                f"process {details.get('pid')} on {details.get('host')}"
                f"{f' (the main one of {count})' if count > 1 else ''}, started {details.get('started')}: "
                f"{details.get('command')}"
            )
        else:
            who = "a run that is starting (its details are not written yet)"
        return StorageError(
            f"{self.target} is being written by another run: {who}. Accepted: wait for that run to end (the "
            f"same command with --resume then continues where it stopped), or another {self.option}. The lock "
            f"is {self.path}; it ends with its process, a killed run included"
        )

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()
