"""Train/validation/test splits.

DEAM, PMEmo and EmoMusic use the song-id split files of the Music2Emo paper; MTG-Jamendo its
official split TSVs. emotune ships copies (package data: ``data/splits/``) so a build needs only
the release itself; split files inside the raw folder (``split/`` or ``meta/split/`` in Music2Emo's
preprocessed layout) take precedence over the shipped copies.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from modeling.base.errors import DatasetBuildError

from ..schema import SPLITS
from .raw_tables import locate_optional

__all__ = ["RAW_SPLIT_DIRS", "packaged_split_dir", "read_id_splits"]

RAW_SPLIT_DIRS = ("split", "meta/split")
"""Where Music2Emo's preprocessed layout keeps the split files, relative to a source's folder."""


def packaged_split_dir(source: str) -> Path:
    """The folder of split files shipped with emotune for ``source``."""
    return Path(str(resources.files(__package__).joinpath("data", "splits", source)))


def read_id_splits(source: str, raw_dir: Path) -> tuple[dict[str, str], str]:
    """id -> split name from ``train.txt``/``validation.txt``/``test.txt`` (one id a line), and where
    they came from: the raw folder's own split folder, else the copy shipped with emotune."""
    folder = locate_optional(raw_dir, RAW_SPLIT_DIRS)
    origin = "the Music2Emo paper's split, read from the raw folder"
    if folder is None:
        folder, origin = packaged_split_dir(source), "the Music2Emo paper's split (copy shipped with emotune)"
    assignment: dict[str, str] = {}
    where: dict[str, str] = {}
    for split in SPLITS:
        path = folder / f"{split}.txt"
        if not path.is_file():
            raise DatasetBuildError(
                f"The split folder {folder} has no {split}.txt. Accepted: train.txt, validation.txt and "
                "test.txt with one song id per line"
            )
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            identifier = line.strip()
            if not identifier:
                continue
            if identifier in assignment:
                raise DatasetBuildError(
                    f"{path}, line {number}: id {identifier!r} is already in {where[identifier]}. "
                    "Accepted: each id in one split"
                )
            assignment[identifier] = split
            where[identifier] = f"{path.name}, line {number}"
    return assignment, origin
