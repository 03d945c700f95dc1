"""Points of the valence-arousal plane a query or a playlist can name.

A *target* is a point on the 1-9 valence-arousal plane, given as

* a Russell quadrant name, ``Q1``..``Q4``: the centre of the quadrant, half-way from the neutral centre
  (5, 5) to the corner: ``Q1`` (7, 7), ``Q2`` (3, 7), ``Q3`` (3, 3), ``Q4`` (7, 3);
* a friendly name of :data:`FRIENDLY_POINTS`: the point of that word on Russell's circumplex, at radius
  0.75 of the bipolar plane (the radius of the video emotions, :mod:`modeling.vocabularies.emotion.video`), so the
  words of the two maps sit at the same places:

  ``happy`` 8° (7.97, 5.42) Q1, ``excited`` 49° (6.97, 7.26) Q1, ``energetic`` 60° (6.50, 7.60) Q1,
  ``tense`` 92° (4.90, 8.00) Q2, ``angry`` 110° (3.97, 7.82) Q2, ``sad`` 208° (2.35, 3.59) Q3,
  ``calm`` 300° (6.50, 2.40) Q4, ``relaxed`` 318° (7.23, 2.99) Q4

  (angles counter-clockwise from the positive-valence axis; Russell (1980) puts *calm* right beside
  *relaxed*: *calm* is moved to 300° here, so a calm end is quieter than a relaxed one);
* one of the 56 mood/theme tags: the tag's point in Music2Emo's lexicon
  (:data:`modeling.vocabularies.emotion.TAG_VA`). A friendly name that is also a tag (``happy``, ``sad``, ``calm``,
  ``energetic``) means the friendly point;
* a valence-arousal pair: ``(7.5, 3)``, ``"7.5,3"``, both in [1, 9].
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from ..base.errors import LibraryError
from ..vocabularies.emotion import MOOD_TAGS, MTG_TAG_PREFIX, SCALE_MAX, SCALE_MIN, TAG_VA
from ..vocabularies.emotion.scales import circumplex_point

__all__ = [
    "FRIENDLY_ANGLES",
    "FRIENDLY_POINTS",
    "FRIENDLY_RADIUS",
    "QUADRANT_POINTS",
    "close_names",
    "target_point",
]

FRIENDLY_RADIUS = 0.75
"""Distance of the friendly points from the centre, on the bipolar [-1, 1] plane."""

FRIENDLY_ANGLES: dict[str, float] = {
    "happy": 8.0,
    "excited": 49.0,
    "energetic": 60.0,
    "tense": 92.0,
    "angry": 110.0,
    "sad": 208.0,
    "calm": 300.0,
    "relaxed": 318.0,
}
"""Degrees counter-clockwise from the positive-valence axis (Russell's circumplex)."""


def _circumplex_point(angle: float) -> tuple[float, float]:
    valence, arousal = circumplex_point(angle, FRIENDLY_RADIUS)
    return round(valence, 2), round(arousal, 2)


FRIENDLY_POINTS: dict[str, tuple[float, float]] = {
    name: _circumplex_point(angle) for name, angle in FRIENDLY_ANGLES.items()
}
"""Friendly name -> (valence, arousal) on the 1-9 scale."""

QUADRANT_POINTS: dict[str, tuple[float, float]] = {
    "Q1": (7.0, 7.0),
    "Q2": (3.0, 7.0),
    "Q3": (3.0, 3.0),
    "Q4": (7.0, 3.0),
}
"""Quadrant name -> its centre (valence, arousal) on the 1-9 scale."""

_ACCEPTED = (
    "a quadrant (Q1..Q4), a friendly name ("
    + ", ".join(FRIENDLY_POINTS)
    + "), one of the 56 mood/theme tags (calm, epic, ...) or a valence,arousal pair on the 1-9 scale "
    "('7.5,3')"
)


def close_names(name: str, names: Sequence[str], count: int = 4) -> list[str]:
    """Up to ``count`` of ``names`` spelled like ``name`` (best first); the first few names when none is."""
    close = difflib.get_close_matches(name.lower(), list(names), n=count, cutoff=0.5)
    return close or list(names[:count])


def _pair(values: Sequence, what: str) -> tuple[float, float]:
    try:
        valence, arousal = (float(value) for value in values)
    except (TypeError, ValueError):
        raise LibraryError(
            f"{what} {values!r} is not a valence-arousal pair. Accepted: {_ACCEPTED}"
        ) from None
    for name, value in (("valence", valence), ("arousal", arousal)):
        if not (SCALE_MIN <= value <= SCALE_MAX):
            raise LibraryError(
                f"{what} has {name} {value:g}, outside the 1-9 scale. Accepted: values from 1 to 9 "
                "(5 is neutral)"
            )
    return valence, arousal


def target_point(target, what: str = "target") -> tuple[float, float]:
    """The (valence, arousal) point, 1-9 scale, of a quadrant, friendly name, tag or pair (module doc).

    Args:
        target: ``"Q4"``, ``"calm"``, ``"melancholic"``, ``"7.5,3"`` or ``(7.5, 3.0)``.
        what: how the message of an error names the value (``"--playlist start"``).
    """
    if isinstance(target, str):
        text = target.strip()
        if "," in text:
            return _pair(text.split(","), what)
        name = text.lower().removeprefix(MTG_TAG_PREFIX)
        if name.upper() in QUADRANT_POINTS:
            return QUADRANT_POINTS[name.upper()]
        if name in FRIENDLY_POINTS:
            return FRIENDLY_POINTS[name]
        if name in TAG_VA:
            return TAG_VA[name]
        known = list(dict.fromkeys([*QUADRANT_POINTS, *FRIENDLY_POINTS, *MOOD_TAGS]))
        raise LibraryError(
            f"Unknown {what} {target!r} (close: {', '.join(close_names(name, known))}). Accepted: {_ACCEPTED}"
        )
    return _pair(target, what)
