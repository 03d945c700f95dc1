"""Load a dataset folder written by emotune (Parquet shards + a card whose YAML lists the configs).

``datasets.load_dataset(folder, config)`` caches such a folder under a key made from its card
(datasets 5.2), not from the Parquet files' modification times: a folder rebuilt in place, or another
build of the same name elsewhere, whose card is unchanged (same configs, row counts and sizes) is
served from the cache of the earlier build.
:func:`load_dataset_folder` resolves the config's files from the card and loads them as Parquet by
their paths, which datasets keys on the files' paths and modification times. Hub ids load as usual.
"""

from __future__ import annotations

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
    builder = datasets.load_dataset_builder(str(path), config)
    return datasets.load_dataset("parquet", data_files=dict(builder.config.data_files), split=split)


def dataset_config_names(path: str | Path, what: str, accepted: str) -> list[str]:
    """The configs of the dataset folder or Hub id ``path``; a path that is neither (a missing folder, or
    a name the Hub does not have or cannot be asked about offline) is an
    :class:`~modeling.base.errors.InvalidInputError`: "No {what} at {path}... Accepted: {accepted}"."""
    import datasets

    from ..base.errors import InvalidInputError

    try:
        return datasets.get_dataset_config_names(str(path))
    except (FileNotFoundError, ConnectionError) as error:  # ConnectionError: not a folder, and offline
        reason = "" if isinstance(error, FileNotFoundError) else f" (not a folder; {error})"
        raise InvalidInputError(f"No {what} at {str(path)!r}{reason}. Accepted: {accepted}") from None
