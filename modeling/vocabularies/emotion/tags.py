"""The 56 MTG-Jamendo mood/theme tags, in Music2Emo's output order, and their training priors."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from ...base.errors import InvalidInputError

__all__ = ["MOOD_TAGS", "NUM_MOOD_TAGS", "TAG_PRIORS", "tag_index", "tags_to_multi_hot"]

MTG_TAG_PREFIX = "mood/theme---"


def _data_text(name: str) -> str:
    return resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")


MOOD_TAGS: tuple[str, ...] = tuple(
    line.strip() for line in _data_text("moodtheme_tags.txt").splitlines() if line.strip()
)
"""The 56 tags without the ``mood/theme---`` prefix, index i = model output i."""

NUM_MOOD_TAGS = len(MOOD_TAGS)

_priors = json.loads(_data_text("tag_priors.json"))
TAG_PRIORS: tuple[float, ...] = tuple(float(_priors[tag]) for tag in MOOD_TAGS)
"""Share of MTG-Jamendo split-0 training tracks carrying each tag (``probas_train.npy``)."""


@cache
def _index() -> dict[str, int]:
    return {tag: i for i, tag in enumerate(MOOD_TAGS)}


def tag_index(tag: str) -> int:
    """Output index of a mood/theme tag; accepts ``happy`` or ``mood/theme---happy``."""
    name = tag.removeprefix(MTG_TAG_PREFIX).strip()
    try:
        return _index()[name]
    except KeyError:
        raise InvalidInputError(
            f"Unknown mood/theme tag {tag!r}. Accepted: one of the 56 MTG-Jamendo mood/theme tags "
            f"({', '.join(MOOD_TAGS[:6])}, ...), with or without the '{MTG_TAG_PREFIX}' prefix"
        ) from None


def tags_to_multi_hot(tags) -> list[float]:
    """56 floats, 1.0 at each given tag's index, in model order."""
    vector = [0.0] * NUM_MOOD_TAGS
    for tag in tags:
        vector[tag_index(tag)] = 1.0
    return vector
