"""The six video emotions of Video2Music.

Video2Music describes each second of video by CLIP's zero-shot probabilities over six one-word
prompts. The order is the order of the probabilities in the per-second features, in MuVi-Sync and
in the AMT model's input (and of the emotion-to-chord-quality map its loss uses).
"""

from __future__ import annotations

import numpy as np

from ...base.errors import InvalidInputError
from .scales import circumplex_point

__all__ = [
    "VIDEO_EMOTIONS",
    "VIDEO_EMOTION_ANGLES",
    "VIDEO_EMOTION_VA",
    "VIDEO_EMOTION_VA_RADIUS",
    "video_va",
]

VIDEO_EMOTIONS: tuple[str, ...] = ("exciting", "fearful", "tense", "sad", "relaxing", "neutral")
"""The zero-shot prompts, verbatim (CLIP text inputs, no template), in feature order."""

VIDEO_EMOTION_ANGLES: dict[str, float | None] = {
    "exciting": 49.0,
    "fearful": 117.0,
    "tense": 92.0,
    "sad": 208.0,
    "relaxing": 318.0,
    "neutral": None,
}
"""Where each video emotion sits on Russell's circumplex, in degrees counter-clockwise from the
positive-valence axis: the angles of *excited*, *afraid*, *tense*, *sad* and *relaxed* in Russell's
(1980) circular ordering of affect words; ``neutral`` is the origin."""

VIDEO_EMOTION_VA_RADIUS = 0.75
"""Distance of the five non-neutral emotions from the origin on the bipolar [-1, 1] plane."""


def _emotion_va(angle: float | None) -> tuple[float, float]:
    if angle is None:
        return (5.0, 5.0)
    valence, arousal = circumplex_point(angle, VIDEO_EMOTION_VA_RADIUS)
    return round(valence, 4), round(arousal, 4)


VIDEO_EMOTION_VA: dict[str, tuple[float, float]] = {
    emotion: _emotion_va(angle) for emotion, angle in VIDEO_EMOTION_ANGLES.items()
}
"""The fixed map from the six video emotions to (valence, arousal) on the 1-9 scale, used by the
affective check: a second's VA is its emotion probabilities times these points."""


def video_va(emotion_probs: np.ndarray) -> np.ndarray:
    """Per-second emotion probabilities ``(T, 6)`` -> per-second (valence, arousal) ``(T, 2)`` on 1-9."""
    probs = np.asarray(emotion_probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[1] != len(VIDEO_EMOTIONS) or probs.shape[0] == 0:
        raise InvalidInputError(
            f"emotion_probs must have shape (seconds, {len(VIDEO_EMOTIONS)}) with at least one second, got "
            f"{probs.shape}. Accepted: one row of probabilities over {', '.join(VIDEO_EMOTIONS)} per second"
        )
    if not np.isfinite(probs).all() or (probs < 0).any():
        raise InvalidInputError("emotion_probs must be finite and non-negative. Accepted: probabilities")
    weights = probs / np.clip(probs.sum(axis=1, keepdims=True), 1e-12, None)
    points = np.array([VIDEO_EMOTION_VA[emotion] for emotion in VIDEO_EMOTIONS])
    return weights @ points
