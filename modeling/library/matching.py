"""The song and start offset whose emotion follows a video's best: curve matching for soundtracks.

The video's curve is one valence-arousal point per second (``(T, 2)`` on the 1-9 scale: Video2Music's
per-second CLIP emotion probabilities times :data:`~modeling.vocabularies.emotion.video.VIDEO_EMOTION_VA`, see
:func:`video_curve`); every song's is its per-second curve (:mod:`.curves`). The video's curve is slid
over each song's at every whole-second offset ``o`` from 0 to ``seconds - T``, and the offset is scored by

    score(o) = 1/T * sum over s < T of ((v_s - V_{o+s})**2 + (a_s - A_{o+s})**2)

the mean squared Euclidean distance in the valence-arousal plane (squared 1-9 units: 0 is the same curve;
its square root is the typical distance per second). Each song keeps its best offset (the earliest on a
tie); songs are ranked by that score.

The work is batched: songs sorted by length, a block of them padded to the block's longest, each video
second one vectorised subtract-square-add over the whole block and every offset; offsets past a song's end
are masked out: ``T * rows * offsets`` subtract-square-adds in all, no Python loop per song
(``benchmarks/library_search.py`` times it; ``benchmarks/LIBRARY_RESULTS.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..base.errors import LibraryError
from ..vocabularies.emotion.video import video_va
from .curves import SongCurves

__all__ = ["CurveMatch", "match_curve", "video_curve"]

BLOCK_ROWS = 512
"""Songs scored together (a block's arrays stay in the CPU caches)."""


def video_curve(emotion_probs) -> np.ndarray:
    """Per-second video emotion probabilities ``(T, 6)`` (:data:`~modeling.vocabularies.emotion.VIDEO_EMOTIONS` order) ->
    the video's ``(T, 2)`` valence-arousal curve on the 1-9 scale."""
    return video_va(emotion_probs)


@dataclass(frozen=True)
class CurveMatch:
    """A song and where the video fits it best: ``row`` of the library, ``offset`` (s) of the excerpt's
    start in the song, ``score`` (mean squared VA distance, squared 1-9 units; lower is better)."""

    row: int
    offset: int
    score: float


def _check_video(video) -> np.ndarray:
    video = np.asarray(video, dtype=np.float64)
    if video.ndim != 2 or video.shape[1] != 2 or len(video) == 0 or not np.isfinite(video).all():
        raise LibraryError(
            f"The video curve has shape {video.shape}. Accepted: one finite (valence, arousal) pair on the 1-9 "
            "scale per second, shape (seconds, 2) (video_curve() makes it from the emotion probabilities)"
        )
    return video


def match_curve(
    video, curves: SongCurves, top: int = 6, allowed: np.ndarray | None = None
) -> list[CurveMatch]:
    """The ``top`` songs (distinct, best first) whose curves follow ``video`` best, each at its best offset.

    Args:
        video: ``(T, 2)`` valence-arousal, one point per second.
        curves: every row's per-second curve.
        top: how many songs (the best and the next ``top - 1``).
        allowed: ``(rows,)`` bool, the rows that may be chosen (default all).

    Raises:
        LibraryError: no song (allowed) has a curve as long as the video.
    """
    video = _check_video(video)
    seconds = len(video)
    lengths = curves.lengths
    candidates = lengths >= seconds
    if allowed is not None:
        candidates &= allowed
    if not candidates.any():
        longest = (
            int(lengths[allowed].max())
            if allowed is not None and allowed.any()
            else int(lengths.max(initial=0))
        )
        raise LibraryError(
            f"The video is {seconds} s long and the longest song curve of the library is {longest} s. Accepted: a "
            "video no longer than a song of the library (or a library with longer songs, with curves or segments)"
        )
    rows = np.flatnonzero(candidates)
    rows = rows[np.argsort(-lengths[rows], kind="stable")]  # blocks of similar lengths: little padding
    best_score = np.empty(len(rows))
    best_offset = np.empty(len(rows), np.int64)
    for first in range(0, len(rows), BLOCK_ROWS):
        block = rows[first : first + BLOCK_ROWS]
        score, offset = _score_block(video, curves, block)
        best_score[first : first + len(block)] = score
        best_offset[first : first + len(block)] = offset
    order = np.lexsort((rows, best_score))[:top]
    return [CurveMatch(int(rows[i]), int(best_offset[i]), float(best_score[i])) for i in order]


def _score_block(video: np.ndarray, curves: SongCurves, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best score and offset of each song of ``block`` (rows whose curves are at least ``T`` long)."""
    seconds = len(video)
    lengths = curves.lengths[block]
    longest = int(lengths.max())
    span = np.arange(longest)
    inside = span[None, :] < lengths[:, None]
    where = np.where(inside, curves.offsets[block][:, None] + span[None, :], 0)
    valence = np.where(inside, curves.values[where, 0], 0.0)
    arousal = np.where(inside, curves.values[where, 1], 0.0)
    count = longest - seconds + 1  # offsets of the longest song
    total = np.zeros((len(block), count))
    step = np.empty_like(total)
    for s in range(seconds):
        np.subtract(valence[:, s : s + count], video[s, 0], out=step)
        np.multiply(step, step, out=step)
        total += step
        np.subtract(arousal[:, s : s + count], video[s, 1], out=step)
        np.multiply(step, step, out=step)
        total += step
    total[np.arange(count)[None, :] > (lengths - seconds)[:, None]] = np.inf  # past the song's end
    offset = np.argmin(total, axis=1)
    return total[np.arange(len(block)), offset] / seconds, offset
