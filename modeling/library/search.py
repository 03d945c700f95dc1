"""Ranking the songs of a library by mood, valence-arousal and sound.

A search ranks the rows that pass the filters (``min_duration``, ``max_duration`` in seconds,
``quadrant``) by the criteria it is given, each a score in [0, 1]:

* ``mood=["calm", "relaxing"]``: the mean of the named tags' scores (``mood_score``);
* ``va=(7.5, 3.0)``: ``1 - distance / (8 sqrt 2)``: the Euclidean distance in the 1-9 plane
  (``va_distance``) over the plane's diagonal;
* ``like=`` an embedding, or the path of a song of the library: ``(1 + cosine) / 2`` (``similarity``: the
  cosine similarity of the L2-normalised embeddings, :mod:`.index`).

``score`` is the mean of the criteria given (equal weights); ties keep the library's order. ``like`` alone
goes through the FAISS index (``dataset.search``, filters as an ID selector); with ``mood`` or ``va``
every filtered row's cosine is needed: the same products of the index's unit vectors, in numpy.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np

from ..base.errors import LibraryError
from ..vocabularies.emotion import MTG_TAG_PREFIX
from .index import unit_rows
from .targets import close_names, target_point

__all__ = ["QUADRANTS", "VA_DIAGONAL", "filter_rows", "query_vector", "rank", "tag_columns"]

QUADRANTS = ("Q1", "Q2", "Q3", "Q4")
VA_DIAGONAL = 8.0 * math.sqrt(2.0)
"""The longest distance in the 1-9 valence-arousal plane."""


def filter_rows(library, *, min_duration=None, max_duration=None, quadrant=None) -> np.ndarray:
    """``(rows,)`` bool: the rows of at least ``min_duration`` and at most ``max_duration`` seconds (an
    unknown duration passes neither) in the quadrant(s) given (``"Q4"``, ``"Q1,Q4"`` or a list)."""
    allowed = np.ones(len(library), bool)
    for bound, name, passes in (
        (min_duration, "min_duration", np.greater_equal),
        (max_duration, "max_duration", np.less_equal),
    ):
        if bound is not None:
            if not (float(bound) >= 0):
                raise LibraryError(
                    f"{name} must be a number of seconds >= 0 (got {bound!r}). Accepted: seconds"
                )
            allowed &= passes(library.duration, float(bound))  # NaN (unknown) passes neither
    if quadrant is not None:
        names = [q.strip().upper() for q in (quadrant.split(",") if isinstance(quadrant, str) else quadrant)]
        wrong = [q for q in names if q not in QUADRANTS]
        if wrong or not names:
            raise LibraryError(f"Unknown quadrant {(wrong or [''])[0]!r}. Accepted: {', '.join(QUADRANTS)}")
        allowed &= np.isin(library.quadrants, [QUADRANTS.index(q) for q in names])
    return allowed


def tag_columns(tags: Sequence[str], mood: str | Sequence[str]) -> list[int]:
    """Indices in ``tags`` of the tags ``mood`` names (``"calm,relaxing"`` or a list); an unknown tag is an
    error listing close ones."""
    names = mood.split(",") if isinstance(mood, str) else list(mood)
    names = [name.strip().lower().removeprefix(MTG_TAG_PREFIX) for name in names if name.strip()]
    if not names:
        raise LibraryError(
            "mood names no tag. Accepted: one or more of the 56 mood/theme tags ('calm,relaxing')"
        )
    for name in names:
        if name not in tags:
            raise LibraryError(
                f"Unknown mood/theme tag {name!r} (close: {', '.join(close_names(name, tags))}). Accepted: the 56 "
                "MTG-Jamendo mood/theme tags (calm, relaxing, energetic, ...)"
            )
    return [list(tags).index(name) for name in names]


def query_vector(library, like) -> np.ndarray:
    """``(dim,)`` float32 unit query of ``like``: an embedding, or the path of a song of the library."""
    if isinstance(like, (str, os.PathLike)):
        row = library.find(like)
        if row is None:
            raise LibraryError(
                f"{like} is not a song of {library.source}. Accepted: a song of the library, or the embedding "
                "of another (emotune search --like computes it)"
            )
        return library.embedding(row)
    index = library.build_index()
    query = np.array(like, np.float32).reshape(-1)
    if query.size != index.dim or not np.isfinite(query).all() or not query.any():
        raise LibraryError(
            f"like= has {query.size} values{'' if query.size != index.dim else ' (not finite, or all zero)'}; "
            f"the library's embeddings have {index.dim}. Accepted: a finite embedding of the encoder the library "
            "was written with"
        )
    return unit_rows(query.reshape(1, -1))[0]


def rank(library, *, mood=None, va=None, like=None, n: int = 10, **filters) -> list[dict]:
    """The ``n`` best rows of ``library`` (module docstring), best first: ``library.song`` dicts with
    ``rank``, ``score`` and the criteria's ``mood_score``, ``va_distance``, ``similarity``."""
    if mood is None and va is None and like is None:
        raise LibraryError(
            "A search needs mood, va or like. Accepted: mood=['calm'], va=(7.5, 3), like=an embedding or a song "
            "of the library"
        )
    if int(n) < 1:
        raise LibraryError(f"n must be at least 1 (got {n}). Accepted: the number of songs wanted")
    n = int(n)
    allowed = filter_rows(library, **filters)
    columns = {}
    if mood is not None:
        columns["mood_score"] = library.moods[:, tag_columns(library.tags, mood)].mean(
            axis=1, dtype=np.float64
        )
    if va is not None:
        point = target_point(va, "va")
        columns["va_distance"] = np.hypot(library.valence - point[0], library.arousal - point[1])
    if like is not None:
        query = query_vector(library, like)
        index = library.build_index()
        allowed &= index.present
        if mood is None and va is None:
            rows, cosine = index.search(library.dataset, query, n, allowed)
            return [
                library.song(r, rank=i + 1, score=(1 + float(c)) / 2, similarity=float(c))
                for i, (r, c) in enumerate(zip(rows, cosine))
            ]
        columns["similarity"] = index.vectors @ query
    parts = [columns["mood_score"]] if "mood_score" in columns else []
    parts += [1 - columns["va_distance"] / VA_DIAGONAL] if "va_distance" in columns else []
    parts += [(1 + columns["similarity"]) / 2] if "similarity" in columns else []
    score = np.mean(parts, axis=0)
    rows = np.flatnonzero(allowed)
    if len(rows) > n:  # the n best and every row tied with the n-th, then in order
        rows = rows[score[rows] >= -np.partition(-score[rows], n - 1)[n - 1]]
    rows = rows[np.lexsort((rows, -score[rows]))][:n]
    return [
        library.song(r, rank=i + 1, score=float(score[r]), **{k: float(v[r]) for k, v in columns.items()})
        for i, r in enumerate(rows)
    ]
