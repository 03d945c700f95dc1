"""Where an output may be written, and a file-system failure while writing it as one clear error.

Before any model loads, a command checks the place of its output (:func:`check_output_location`): the
folder it goes into must exist (it is not created: a mistyped path would otherwise grow a stray tree of
folders) and be a folder, not a file in the way. Whether the folder can be written shows when the run's lock
file is created there (:mod:`.lock`), also before any model loads. While the run writes, an ``OSError``
(the disk full, permission denied, a read-only file system) becomes an
:class:`~modeling.base.errors.StorageError` (:func:`writing_error`) naming the path and what to do; what
was written before stays valid for ``--resume``.
"""

from __future__ import annotations

import errno
import re
from pathlib import Path

from ..base.errors import StorageError

__all__ = ["check_output_location", "error_number", "writing_error"]

_FULL = (errno.ENOSPC, errno.EDQUOT)
_DENIED = (errno.EACCES, errno.EPERM, errno.EROFS)
_IN_THE_WAY = (errno.ENOTDIR, errno.EEXIST, errno.EISDIR)


def check_output_location(path: str | Path, option: str, *, folder: bool = False) -> None:
    """Raise an :class:`StorageError` when ``path`` (the value of ``option``; a folder the run creates when
    ``folder``, else a file) cannot be written where it is: a file where the path or one of the folders
    above it must be a folder, or a folder above it that does not exist."""
    path = Path(path)
    if folder and path.exists() and not path.is_dir():
        raise StorageError(
            f"{option} {path} is a file, in the way of the folder this command writes. Accepted: a new folder "
            "path (or the folder of an earlier run), or move the file away"
        )
    parent = path.parent
    if parent.is_dir():
        return
    existing = next((above for above in parent.parents if above.exists()), None)
    in_the_way = parent if parent.exists() else None
    if in_the_way is None and existing is not None and not existing.is_dir():
        in_the_way = existing
    if in_the_way is not None:
        raise StorageError(
            f"{in_the_way} is a file, in the way of the folder {parent} that {option} {path} needs. Accepted: "
            f"{option} in an existing folder, or move the file away"
        )
    raise StorageError(
        f"The folder {parent} of {option} {path} does not exist. Accepted: {option} in an existing folder "
        f"(create this one first: mkdir -p {parent})"
    )


def error_number(error: OSError) -> int | None:
    """The ``errno`` of an ``OSError``; pyarrow raises some without one, with ``[Errno N]`` in the message."""
    if error.errno is not None:
        return error.errno
    found = re.search(r"\[Errno (\d+)\]", str(error))
    if found:
        return int(found.group(1))
    return errno.ENOSPC if "No space left on device" in str(error) else None


def writing_error(error: OSError, path: str | Path, doing: str, kept: str) -> StorageError:
    """The :class:`StorageError` of ``error``, raised while ``doing`` (``"writing the records"``) to ``path``;
    ``kept`` says what stays valid for ``--resume`` (``"the 12 records written before are kept"``)."""
    number = error_number(error)
    reason = error.strerror or str(error)
    if number in _FULL:
        return StorageError(
            f"The disk holding {path} is full ({reason}) while {doing}; {kept}. Accepted: free some space, then "
            "run the same command with --resume"
        )
    if number in _DENIED:
        return StorageError(
            f"Cannot write {path} ({reason}) while {doing}; {kept}. Accepted: an output in a folder you can write "
            "to (or the permission given back, then the same command with --resume)"
        )
    if number in _IN_THE_WAY:
        return StorageError(
            f"Cannot write {path} ({reason}: a file is where a folder must be, or the other way round) while "
            f"{doing}; {kept}. Accepted: move what is in the way, then run the same command with --resume"
        )
    return StorageError(
        f"Cannot write {path} ({reason}) while {doing}; {kept}. Accepted: fix the cause, then run the same "
        "command with --resume"
    )
