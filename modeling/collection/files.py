"""Which files a collection command processes: files, folders (recursive), ``--glob``, ``--files-from``.

The order is deterministic: inputs in the order given, each folder's files sorted by path; a file reached
twice is processed once (its first place counts). Paths are kept as given (``music/a.mp3`` when the folder
``music`` was given), since they name the records of the output and what ``--resume`` skips.

A file or folder named on the command line that does not exist is an error at once, before any model
loads (a mistyped folder must not become one failed record); an entry of a ``--files-from`` list that does
not exist gets its error record when it is processed, like a file that cannot be decoded (a list of a
collection may name files that went away).
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..base.errors import InvalidInputError

__all__ = ["AUDIO_EXTENSIONS", "collect_audio_files", "read_file_list"]

AUDIO_EXTENSIONS = frozenset(
    ".aac .aif .aifc .aiff .alac .ape .au .caf .flac .m4a .mka .mp2 .mp3 .oga .ogg .opus .wav .weba .wma .wv".split()
)
"""Extensions (lower case) of the files a folder contributes when no ``glob`` is given."""


def read_file_list(list_path: str | os.PathLike) -> list[str]:
    """The entries of a ``--files-from`` list: one path per line (``-`` reads standard input); blank lines
    and lines starting with ``#`` are skipped; relative paths are relative to the current folder."""
    if str(list_path) == "-":
        lines = sys.stdin.read().splitlines()
    else:
        path = Path(list_path)
        if not path.is_file():
            raise InvalidInputError(
                f"The file list {list_path} does not exist. Accepted: a text file with one audio path per line"
            )
        lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _folder_files(folder: Path, glob: str | None) -> list[str]:
    """Files under ``folder`` (hidden files and folders left out), sorted: audio extensions, or ``glob``
    matched against the file name (a pattern without ``/``) or the path below ``folder``."""
    found = []
    for root, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in names:
            if name.startswith("."):
                continue
            path = Path(root) / name
            if glob is None:
                chosen = path.suffix.lower() in AUDIO_EXTENSIONS
            else:
                target = path.relative_to(folder).as_posix() if "/" in glob else name
                chosen = fnmatch.fnmatchcase(target, glob)
            if chosen:
                found.append(str(path))
    return sorted(found)


def collect_audio_files(
    inputs: Sequence[str] = (), *, glob: str | None = None, files_from: str | os.PathLike | None = None
) -> list[str]:
    """The files to process, in order: each input that is a folder contributes its audio files (or those
    matching ``glob``) recursively; any other input is a file, taken as given; ``files_from`` adds the
    entries of a list file after them (one that does not exist gets its error record when it is processed).

    Raises:
        InvalidInputError: no input, an input that does not exist, folders without audio files.
    """
    missing = [entry for entry in inputs if not os.path.exists(entry)]
    if missing:
        more = (
            f" (and {len(missing) - 1} more: {', '.join(missing[1:4])}{', ...' if len(missing) > 4 else ''})"
        )
        raise InvalidInputError(
            f"{missing[0]} does not exist{more if len(missing) > 1 else ''}. Accepted: audio files and folders "
            "that exist (a --files-from list may name files that are gone: they get an error record)"
        )
    entries: list[str] = list(inputs) + (read_file_list(files_from) if files_from is not None else [])
    if not entries:
        raise InvalidInputError("No input. Accepted: audio files, folders of them, or --files-from LIST")
    files: dict[str, None] = {}
    empty_folders = []

    def add(paths: Iterable[str]) -> None:
        for path in paths:
            files.setdefault(path, None)

    for entry in entries:
        if Path(entry).is_dir():
            inside = _folder_files(Path(entry), glob)
            if not inside:
                empty_folders.append(entry)
            add(inside)
        else:
            add([entry])
    if not files:
        wanted = (
            f"files matching {glob!r}" if glob else "audio files (" + " ".join(sorted(AUDIO_EXTENSIONS)) + ")"
        )
        raise InvalidInputError(
            f"No {wanted} in {', '.join(empty_folders)}. Accepted: folders holding {wanted}"
        )
    return list(files)
