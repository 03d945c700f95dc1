"""Extended M3U playlists: what media players (VLC, mpv, foobar2000, iTunes, Rhythmbox) open.

The file is UTF-8 text::

    #EXTM3U
    #EXTINF:214,Song title
    relative/or/absolute/path/song.mp3

``#EXTINF`` gives the length in whole seconds (-1 when unknown) and the title shown (the file name
without its suffix). Paths are relative to the playlist's folder (default: the playlist and the music can
move together) or absolute (``relative=False``; a file on another drive is always absolute).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..base.errors import LibraryError

__all__ = ["PlaylistEntry", "read_m3u", "write_m3u"]


@dataclass(frozen=True)
class PlaylistEntry:
    """One entry of an M3U file: ``seconds`` (-1: unknown), ``title``, ``location`` as written."""

    seconds: int
    title: str
    location: str


def _line(text: str) -> str:
    return " ".join(str(text).splitlines()).strip()


def write_m3u(songs: Iterable[Mapping], path: str | os.PathLike, *, relative: bool = True) -> Path:
    """Write the extended M3U ``path`` of ``songs`` (dicts with ``file``: the song's path, absolute or
    relative to the current folder; ``duration`` in seconds or None; ``title`` optional)."""
    path = Path(path)
    if path.suffix.lower() not in (".m3u", ".m3u8"):
        raise LibraryError(
            f"Cannot write a playlist to {path.name}. Accepted: a path ending in .m3u or .m3u8"
        )
    folder = path.absolute().parent
    lines = ["#EXTM3U"]
    for song in songs:
        file = Path(song["file"]).absolute()
        duration = song.get("duration")
        seconds = int(round(duration)) if duration is not None and math.isfinite(duration) else -1
        title = _line(song.get("title") or file.stem)
        location = str(file)
        if relative:
            with contextlib.suppress(ValueError):  # another drive (Windows): absolute
                location = os.path.relpath(file, folder)
        lines += [f"#EXTINF:{seconds},{title}", location]
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_m3u(path: str | os.PathLike) -> list[PlaylistEntry]:
    """The entries of an M3U file (extended or plain; ``#`` lines other than ``#EXTINF`` are skipped)."""
    entries, info = [], None
    for raw in Path(path).read_text(encoding="utf-8-sig").splitlines():
        line = raw.strip()
        if line.startswith("#EXTINF:"):
            seconds, _, title = line[len("#EXTINF:") :].partition(",")
            try:
                info = (int(float(seconds.split()[0])), title)
            except (ValueError, IndexError):
                info = (-1, title)
        elif line and not line.startswith("#"):
            seconds, title = info or (-1, Path(line).stem)
            entries.append(PlaylistEntry(seconds, title, line))
            info = None
    return entries
