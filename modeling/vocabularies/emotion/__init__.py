"""The emotion label schema: the 56 mood/theme tags, VA scales, quadrants, tag <-> VA lexicon, and
Video2Music's six video emotions."""

from .lexicon import TAG_VA, lexicon_va
from .scales import (
    QUADRANT_DESCRIPTIONS,
    SCALE_MAX,
    SCALE_MID,
    SCALE_MIN,
    bipolar_to_nine,
    nine_to_bipolar,
    nine_to_unit,
    quadrant,
    unit_to_nine,
)
from .tags import MOOD_TAGS, MTG_TAG_PREFIX, NUM_MOOD_TAGS, TAG_PRIORS, tag_index, tags_to_multi_hot
from .video import VIDEO_EMOTIONS

__all__ = [
    "MOOD_TAGS",
    "MTG_TAG_PREFIX",
    "NUM_MOOD_TAGS",
    "QUADRANT_DESCRIPTIONS",
    "SCALE_MAX",
    "SCALE_MID",
    "SCALE_MIN",
    "TAG_PRIORS",
    "TAG_VA",
    "VIDEO_EMOTIONS",
    "bipolar_to_nine",
    "lexicon_va",
    "nine_to_bipolar",
    "nine_to_unit",
    "quadrant",
    "tag_index",
    "tags_to_multi_hot",
    "unit_to_nine",
]
