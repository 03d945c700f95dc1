"""The error of an emotion library that cannot be used as asked.

:class:`LibraryError` belongs to emotune's error family (:mod:`modeling.errors`): a library file that is
not Parquet or JSON Lines, lacks a column, holds embeddings of the wrong size or no usable row, a query
that names an unknown tag, a song file that moved. Like every emotune error its message says what was
wrong and what is accepted.
"""

from __future__ import annotations

from ..errors import InvalidInputError

__all__ = ["LibraryError"]


class LibraryError(InvalidInputError):
    """An emotion library (``emotune predict --output`` records) or a query on it that cannot be used."""
