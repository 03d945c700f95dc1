"""The Music2Emo tag -> valence/arousal lexicon (1-9 scale).

MTG-Jamendo has mood/theme tags but no valence-arousal annotation; Music2Emo gives each track the
mean valence and arousal of its tags from this lexicon (``moodtag_va_scores.csv``).
"""

from __future__ import annotations

import csv
import io
from importlib import resources

from ...base.errors import InvalidInputError
from .tags import MOOD_TAGS, tag_index

__all__ = ["TAG_VA", "lexicon_va"]


def _load() -> dict[str, tuple[float, float]]:
    text = resources.files(__package__).joinpath("data", "moodtag_va_scores.csv").read_text(encoding="utf-8")
    table = {
        row["MoodTag"]: (float(row["Valence"]), float(row["Arousal"]))
        for row in csv.DictReader(io.StringIO(text))
    }
    return {tag: table[tag] for tag in MOOD_TAGS}


TAG_VA: dict[str, tuple[float, float]] = _load()
"""tag -> (valence, arousal) on the 1-9 scale, in model order."""


def lexicon_va(tags) -> tuple[float, float]:
    """Mean (valence, arousal) over a track's mood/theme tags; raises if it has none."""
    names = [MOOD_TAGS[tag_index(tag)] for tag in tags]
    if not names:
        raise InvalidInputError("lexicon_va() needs at least one mood/theme tag; got none")
    valence = sum(TAG_VA[name][0] for name in names) / len(names)
    arousal = sum(TAG_VA[name][1] for name in names) / len(names)
    return valence, arousal
