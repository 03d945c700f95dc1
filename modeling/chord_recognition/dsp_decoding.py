"""Chord templates and the Viterbi decoding of the weight-free chord recogniser."""

from __future__ import annotations

import numpy as np

from ..vocabularies.chords.labels import parse_chord
from ..vocabularies.chords.vocabulary import PITCH_CLASSES, QUALITY_INTERVALS

__all__ = ["chord_templates", "viterbi_with_switch_penalty"]


def chord_templates(qualities: tuple[str, ...], fifth_weight: float) -> tuple[list[str], np.ndarray]:
    """Vocabulary labels and unit-norm pitch-class templates, shape ``(12 * len(qualities), 12)``.

    The root and the third weigh 1 and every other chord tone ``fifth_weight``: a third alone (two voices
    a minor third apart) then reads as the chord on its lower note, as a score's reduction names it, and a
    fifth that leaks from the harmonics of the root counts for less than the third that decides the mode.
    """
    labels, rows = [], []
    for quality in qualities:
        intervals = QUALITY_INTERVALS[quality]
        for root in range(12):
            row = np.zeros(12)
            for position, interval in enumerate(intervals):
                row[(root + interval) % 12] = 1.0 if position < 2 else fifth_weight
            labels.append(parse_chord(f"{PITCH_CLASSES[root]}:{quality}").label)
            rows.append(row / np.linalg.norm(row))
    return labels, np.array(rows)


def viterbi_with_switch_penalty(scores: np.ndarray, penalty: float) -> np.ndarray:
    """The state path maximising the summed ``scores`` minus ``penalty`` per change of state.

    The same as a Viterbi pass whose transition matrix keeps a state with probability ``p`` and moves to
    any other with ``q`` (``penalty = log(p / q)`` in log-probability units), in ``O(frames * states)``.

    Args:
        scores: per-frame state scores (log-likelihood like), shape ``(states, frames)``.
        penalty: cost of one change of state, in the units of ``scores``; ``>= 0``.

    Returns:
        State index per frame, shape ``(frames,)``.
    """
    states, frames = scores.shape
    if frames == 0:
        return np.zeros(0, dtype=np.int64)
    best = scores[:, 0].astype(np.float64)
    back = np.empty((frames, states), dtype=np.int16 if states < 32000 else np.int32)
    stay_index = np.arange(states)
    for frame in range(1, frames):
        leader = int(np.argmax(best))
        switch = best[leader] - penalty
        stay = best >= switch
        back[frame] = np.where(stay, stay_index, leader)
        best = np.where(stay, best, switch) + scores[:, frame]
    path = np.empty(frames, dtype=np.int64)
    path[-1] = int(np.argmax(best))
    for frame in range(frames - 1, 0, -1):
        path[frame - 1] = back[frame, path[frame]]
    return path
