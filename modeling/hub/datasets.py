"""Load a dataset folder written by emotune (Parquet shards + a card whose YAML lists the configs).

``datasets.load_dataset(folder, config)`` caches such a folder under a key made from its card
(datasets 5.2), not from the Parquet files' modification times: a folder rebuilt in place, or another
build of the same name elsewhere, whose card is unchanged (same configs, row counts and sizes) is
served from the cache of the earlier build.
:func:`load_dataset_folder` resolves the config's files from the card and loads them as Parquet by
their paths, which datasets keys on the files' paths and modification times. Hub ids load as usual.

A local folder's configs and their files are resolved once per process for each state of the folder
(its card's text and the names of its files, which are all the resolution reads): datasets parses the
card's YAML in pure Python on every call, about 0.1 s for a features card, and training loads a folder's
splits dozens of times.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

__all__ = ["dataset_config_names", "load_dataset_folder"]


def load_dataset_folder(path: str | Path, config: str, split: str | None = None):
    """``datasets.load_dataset(path, config, split=split)``, without stale caches for local folders.

    Raises what ``load_dataset`` raises: ``ValueError`` for an unknown config or split,
    ``FileNotFoundError`` for a path that is neither a folder nor a Hub id.
    """
    import datasets

    if not Path(path).is_dir():
        return datasets.load_dataset(str(path), config, split=split)
    data_files = _folder_data_files(str(path), config, _folder_state(Path(path)))
    return datasets.load_dataset(
        "parquet", data_files={key: list(files) for key, files in data_files}, split=split
    )


def dataset_config_names(path: str | Path, what: str, accepted: str) -> list[str]:
    """The configs of the dataset folder or Hub id ``path``; a path that is neither (a missing folder, or
    a name the Hub does not have or cannot be asked about offline) is an
    :class:`~modeling.base.errors.InvalidInputError`: "No {what} at {path}... Accepted: {accepted}"."""
    import datasets

    from ..base.errors import InvalidInputError

    try:
        if Path(path).is_dir():
            return list(_folder_config_names(str(path), _folder_state(Path(path))))
        return datasets.get_dataset_config_names(str(path))
    except (FileNotFoundError, ConnectionError) as error:  # ConnectionError: not a folder, and offline
        reason = "" if isinstance(error, FileNotFoundError) else f" (not a folder; {error})"
        raise InvalidInputError(f"No {what} at {str(path)!r}{reason}. Accepted: {accepted}") from None


def _folder_state(folder: Path) -> tuple[bytes, tuple[str, ...]]:
    """What resolving ``folder``'s configs reads: the SHA-256 of its card and the names of its files."""
    card = folder / "README.md"
    digest = hashlib.sha256(card.read_bytes()).digest() if card.is_file() else b""
    return digest, tuple(
        sorted(str(file.relative_to(folder)) for file in folder.rglob("*") if file.is_file())
    )


@functools.lru_cache(maxsize=64)
def _folder_config_names(folder: str, state: tuple) -> tuple[str, ...]:
    import datasets

    return tuple(datasets.get_dataset_config_names(folder))


@functools.lru_cache(maxsize=64)
def _folder_data_files(folder: str, config: str, state: tuple) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``config``'s files per split, as ``load_dataset_builder`` resolves them (a ``ValueError`` for an
    unknown config is raised again on every call: lru_cache keeps no exceptions)."""
    import datasets

    builder = datasets.load_dataset_builder(folder, config)
    return tuple((split, tuple(files)) for split, files in builder.config.data_files.items())
