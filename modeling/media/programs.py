"""Running the programs emotune drives (ffmpeg, ffprobe, FluidSynth): one place for finding them, their
errors, and the one verdict a program cannot give: a program stopped by a signal (killed, out of memory)
says nothing about its file.

* :func:`require_program`: the program's path, or a :class:`~modeling.base.errors.MissingDependencyError`
  naming the Debian package;
* :func:`run`: run to completion (stdout and stderr captured); a program stopped by a signal raises
  :class:`~modeling.base.errors.DecoderStoppedError`, so a kill never becomes "this file is bad";
* :func:`run_program`: :func:`run`, and a non-zero exit raised as the caller's error class with the
  program's last message lines;
* :func:`start`: a streaming process (decoders read block by block); its end is checked with
  :func:`refuse_stopped` and the caller's own verdict;
* :func:`last_lines`: the program's messages without ffmpeg's ``[demuxer @ 0x...]`` prefixes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence

from ..base.errors import DecoderStoppedError, MissingDependencyError, ProgramError, StorageError

__all__ = ["last_lines", "refuse_stopped", "require_program", "run", "run_program", "start"]

_DEBIAN_PACKAGES = {"ffmpeg": "ffmpeg", "ffprobe": "ffmpeg", "fluidsynth": "fluidsynth"}
_LOG_PREFIX = re.compile(r"^\[[^\]]* @ 0x[0-9a-f]+\] ")


def require_program(name: str) -> str:
    """The full path of a command-line program emotune drives, or a :class:`MissingDependencyError`."""
    path = shutil.which(name)
    if path is None:
        package = _DEBIAN_PACKAGES.get(name, name)
        raise MissingDependencyError(
            f"emotune needs the program {name!r} (Debian package {package!r}); `make setup` installs it"
        )
    return path


def refuse_stopped(returncode: int, program: str, what: str) -> None:
    """A negative exit status is a signal that stopped ``program`` while it worked on ``what``: not a
    verdict on the file, so :class:`DecoderStoppedError` (the run stops instead of recording a bad file)."""
    if returncode < 0:
        raise DecoderStoppedError(
            f"{program} was stopped by signal {-returncode} while reading {what}; the file was not judged. "
            "Accepted: run it again (a collection run: the same command with --resume)"
        )


def last_lines(stderr: str, count: int = 3) -> list[str]:
    """The last ``count`` message lines of a program, ffmpeg's ``[demuxer @ 0x55d0...] `` prefixes removed."""
    lines = [_LOG_PREFIX.sub("", line) for line in stderr.strip().splitlines() if line.strip()]
    return lines[-count:]


def run(
    command: Sequence[str], *, what: str, input: bytes | None = None, text: bool = True
) -> subprocess.CompletedProcess:
    """Run ``command`` (its first item is looked up with :func:`require_program`) to its end; ``what`` names
    the file it reads, for the message when a signal stops it."""
    program = require_program(command[0])
    result = subprocess.run(
        [program, *command[1:]],
        input=input,
        capture_output=True,
        text=text and input is None,
        stdin=subprocess.DEVNULL if input is None else None,
        check=False,
    )
    refuse_stopped(result.returncode, command[0], what)
    return result


def run_program(
    command: Sequence[str],
    *,
    what: str,
    error: type[Exception] = ProgramError,
    hint: str = "",
    reads: str | None = None,
    writes: str | None = None,
) -> str:
    """Run ``command`` and return its stdout; a non-zero exit raises ``error`` with ``what``, the program's
    last message lines and ``hint``. ``reads``: the file it reads (for the stopped-by-a-signal message;
    default ``what``); ``writes``: the file it writes: a full disk there is a
    :class:`~modeling.base.errors.StorageError` naming it, not a verdict on the input."""
    result = run(command, what=reads or what)
    if result.returncode != 0:
        lines = last_lines(result.stderr)
        if writes is not None and any("No space left on device" in line for line in lines):
            raise StorageError(
                f"The disk holding {writes} is full ({what} failed: No space left on device). Accepted: free "
                "some space (or write the output elsewhere: TMPDIR for temporary files), then run it again"
            )
        detail = " | ".join(lines) or f"exit status {result.returncode}"
        raise error(f"{what} failed: {detail}" + (f". {hint}" if hint else ""))
    return result.stdout


def start(command: Sequence[str], **popen_options) -> subprocess.Popen:
    """Start ``command`` (its first item looked up with :func:`require_program`) with ``popen_options``."""
    return subprocess.Popen([require_program(command[0]), *command[1:]], **popen_options)
