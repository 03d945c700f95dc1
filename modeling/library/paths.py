"""Where the song files of a library are.

``emotune predict`` stores each ``path`` as it was given on its command line: absolute, or relative to
the folder the command ran in, which the library does not record. A relative path is looked up in

* ``base_dir``, when given (and only there);
* else the library file's folder, when the file is there (a library written beside the music with
  ``predict . --output library.parquet``);
* else the current folder (a library written elsewhere, read from the folder predict ran in).

Nothing is checked when a library is loaded: a file that moved is reported when it is needed (an
excerpt to cut), naming the stored path, the library and the places it was looked for.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..base.errors import LibraryError

__all__ = ["PathResolver"]


class PathResolver:
    """Turns the stored ``path`` of a record into the song file (module docstring).

    Args:
        library: the library file (``None`` for a library made in memory).
        base_dir: the folder relative paths are relative to (default: see the module docstring).
        cwd: the current folder (default: the one at construction).
    """

    def __init__(
        self,
        library: str | os.PathLike | None = None,
        base_dir: str | os.PathLike | None = None,
        cwd: str | os.PathLike | None = None,
    ):
        self.library = Path(library).absolute() if library is not None else None
        self.base_dir = Path(base_dir).absolute() if base_dir is not None else None
        self.cwd = Path(cwd).absolute() if cwd is not None else Path.cwd()

    def places(self, stored: str) -> list[Path]:
        """The absolute paths ``stored`` may mean, in the order they are tried."""
        path = Path(stored).expanduser()
        if path.is_absolute():
            return [path]
        if self.base_dir is not None:
            return [self.base_dir / path]
        folders = [self.library.parent] if self.library is not None else []
        folders += [self.cwd] if self.cwd not in folders else []
        return [folder / path for folder in folders]

    def resolve(self, stored: str) -> Path:
        """The file ``stored`` names: the first place where it exists, else the last place tried."""
        places = self.places(stored)
        for place in places[:-1]:
            if place.exists():
                return place
        return places[-1]

    def require(self, stored: str) -> Path:
        """:meth:`resolve`, or a :class:`LibraryError` naming the path, the library and the places tried."""
        places = self.places(stored)
        for place in places:
            if place.is_file():
                return place
        library = f"the library {self.library}" if self.library is not None else "the library"
        tried = " and ".join(str(place) for place in places)
        raise LibraryError(
            f"The song {stored!r} of {library} is not there any more (looked for {tried}). Accepted: the "
            "song files where predict found them, base_dir (--base-dir) set to the folder the relative paths "
            "start from, or the library written again (emotune predict ... --output)"
        )

    def same_file(self, stored: str, target: Path) -> bool:
        """Whether ``stored`` resolves to the file ``target`` (compared after following links)."""
        return os.path.realpath(self.resolve(stored)) == os.path.realpath(target)
