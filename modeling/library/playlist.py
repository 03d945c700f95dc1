"""Playlists along a mood path: songs that move in a straight line across the valence-arousal plane.

For a playlist of ``n`` songs from point ``start`` to point ``end`` (:mod:`.targets`: quadrants, friendly
names, tags, pairs), the waypoints are ``n`` evenly spaced points of the segment, ``start`` and ``end``
included. Song ``i`` is chosen for waypoint ``i`` among the songs not chosen yet:

* *forward only*: a song whose projection on the path (its progress from ``start`` towards ``end``) is
  behind the previous song's is not a candidate, while one that is not behind exists, so the list never
  turns back;
* among the :data:`CANDIDATES` (200) candidates closest to the waypoint, the one of least cost

      cost = |song - waypoint| + weight * (1 - cosine(song, previous song))

  the Euclidean distance in the plane (1-9 units) plus, when the library has embeddings, the cosine
  distance of the song's embedding to the previous song's, times ``weight`` (:data:`EMBEDDING_WEIGHT`, 2:
  songs of cosine similarity 0.9 and 0.8 to the previous one differ by 0.2 in cost, as two songs 0.2
  apart in the plane), so each step also sounds like the one before. A song without an embedding counts
  as cosine 0; the first song has no previous one.

No song comes twice; a library with fewer songs than ``n`` (after the filters) gives a shorter list.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..base.errors import LibraryError

__all__ = ["CANDIDATES", "EMBEDDING_WEIGHT", "PathStep", "mood_path"]

EMBEDDING_WEIGHT = 2.0
"""Plane units (1-9 scale) one unit of cosine distance to the previous song costs."""

CANDIDATES = 200
"""Songs closest to a waypoint among which the cost chooses."""


@dataclass(frozen=True)
class PathStep:
    """Song ``row`` for the waypoint ``target`` (valence, arousal): ``distance`` to it in the plane, and
    ``cosine`` similarity to the previous song's embedding (None: first song, or no embeddings)."""

    row: int
    target: tuple[float, float]
    distance: float
    cosine: float | None


def mood_path(
    points: np.ndarray,
    start,
    end,
    n: int,
    *,
    allowed: np.ndarray | None = None,
    vectors: np.ndarray | None = None,
    present: np.ndarray | None = None,
    weight: float = EMBEDDING_WEIGHT,
    candidates: int = CANDIDATES,
) -> list[PathStep]:
    """The songs of a path playlist (module docstring).

    Args:
        points: ``(rows, 2)`` valence and arousal of every song (1-9).
        start, end: ``(valence, arousal)`` ends of the path.
        n: number of songs (at least 1).
        allowed: ``(rows,)`` bool, songs that may be chosen (default all).
        vectors: ``(rows, dim)`` unit embeddings (None: no embedding term); present: ``(rows,)`` bool, the
            rows that have one.
        weight: the embedding term's weight (plane units per unit of cosine distance).
    """
    if int(n) < 1:
        raise LibraryError(f"A playlist needs at least one song (n={n}). Accepted: n >= 1")
    if weight < 0:
        raise LibraryError(f"The embedding weight must not be negative (got {weight}). Accepted: 0 or more")
    points = np.asarray(points, np.float64)
    start, end = np.asarray(start, np.float64), np.asarray(end, np.float64)
    targets = start + np.linspace(0.0, 1.0, int(n))[:, None] * (end - start)
    length = float(np.linalg.norm(end - start))
    progress = (points - start) @ ((end - start) / length) if length > 0 else np.zeros(len(points))
    available = np.ones(len(points), bool) if allowed is None else allowed.copy()
    steps: list[PathStep] = []
    previous, reached = None, -np.inf
    for target in targets:
        if not available.any():
            break
        forward = available & (progress >= reached - 1e-9)
        pool = np.flatnonzero(forward if forward.any() else available)
        distance = np.hypot(points[pool, 0] - target[0], points[pool, 1] - target[1])
        if len(pool) > candidates:
            nearest = np.argpartition(distance, candidates - 1)[:candidates]
            pool, distance = pool[nearest], distance[nearest]
        cost, cosine = distance.copy(), None
        if vectors is not None and previous is not None and present[previous]:
            cosine = np.where(present[pool], vectors[pool] @ vectors[previous], 0.0)
            cost += weight * (1.0 - cosine)
        best = np.lexsort((pool, distance, cost))[0]
        row = int(pool[best])
        steps.append(
            PathStep(
                row,
                (float(target[0]), float(target[1])),
                float(distance[best]),
                None if cosine is None else float(cosine[best]),
            )
        )
        available[row] = False
        previous, reached = row, max(reached, progress[row])
    return steps
