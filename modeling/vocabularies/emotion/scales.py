"""Valence-arousal scales and Russell's circumplex quadrants.

emotune's canonical scale is the 1-9 self-assessment-manikin scale used by DEAM, PMEmo (after
rescaling) and EmoMusic, with 5 as the neutral midpoint. The unit scale [0, 1] is PMEmo's raw
scale; the bipolar scale [-1, 1] is the circumplex plane.
"""

from __future__ import annotations

import math

from ...base.errors import InvalidInputError

__all__ = [
    "QUADRANT_DESCRIPTIONS",
    "SCALE_MAX",
    "SCALE_MID",
    "SCALE_MIN",
    "bipolar_to_nine",
    "circumplex_point",
    "nine_to_bipolar",
    "nine_to_unit",
    "quadrant",
    "unit_to_nine",
]

SCALE_MIN, SCALE_MID, SCALE_MAX = 1.0, 5.0, 9.0

QUADRANT_DESCRIPTIONS = {
    "Q1": "positive valence, high arousal (happy, excited)",
    "Q2": "negative valence, high arousal (angry, tense)",
    "Q3": "negative valence, low arousal (sad, depressed)",
    "Q4": "positive valence, low arousal (calm, relaxed)",
}


def unit_to_nine(x: float) -> float:
    """[0, 1] -> [1, 9] (PMEmo's scale to the canonical one): 1 + 8x."""
    return SCALE_MIN + (SCALE_MAX - SCALE_MIN) * x


def nine_to_unit(x: float) -> float:
    """[1, 9] -> [0, 1]: (x - 1) / 8."""
    return (x - SCALE_MIN) / (SCALE_MAX - SCALE_MIN)


def nine_to_bipolar(x: float) -> float:
    """[1, 9] -> [-1, 1]: (x - 5) / 4."""
    return (x - SCALE_MID) / (SCALE_MAX - SCALE_MID)


def bipolar_to_nine(x: float) -> float:
    """[-1, 1] -> [1, 9]: 5 + 4x."""
    return SCALE_MID + (SCALE_MAX - SCALE_MID) * x


def circumplex_point(angle: float, radius: float) -> tuple[float, float]:
    """The (valence, arousal) on the 1-9 scale of the point at ``angle`` degrees counter-clockwise from the
    positive-valence axis and ``radius`` from the centre of the bipolar [-1, 1] plane (Russell's circumplex)."""
    radians = math.radians(angle)
    return bipolar_to_nine(radius * math.cos(radians)), bipolar_to_nine(radius * math.sin(radians))


def quadrant(valence: float, arousal: float) -> str:
    """Russell quadrant ``Q1``..``Q4`` of a point on the 1-9 scale.

    The midpoint 5 counts as positive/high, so every point has exactly one quadrant.
    """
    for name, value in (("valence", valence), ("arousal", arousal)):
        if value is None or not math.isfinite(float(value)):
            raise InvalidInputError(f"quadrant() needs a finite {name} on the 1-9 scale, got {value!r}")
    positive, high = valence >= SCALE_MID, arousal >= SCALE_MID
    if high:
        return "Q1" if positive else "Q2"
    return "Q4" if positive else "Q3"
