"""The emotion schema: tags, priors, lexicon, scales, quadrants."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from modeling.base.errors import InvalidInputError
from modeling.music2emo.configuration_music2emo import DEFAULT_MOOD_TAGS, DEFAULT_TAG_PRIORS
from modeling.vocabularies.emotion import (
    MOOD_TAGS,
    TAG_PRIORS,
    TAG_VA,
    bipolar_to_nine,
    lexicon_va,
    nine_to_bipolar,
    nine_to_unit,
    quadrant,
    tag_index,
    tags_to_multi_hot,
    unit_to_nine,
)


def test_tags_in_model_order(reference_dir):
    tag_list = np.load(reference_dir / "music2emo/meta/tag_list.npy")
    from_release = [t.replace("mood/theme---", "") for t in tag_list[127:]]
    assert list(MOOD_TAGS) == from_release
    assert list(MOOD_TAGS) == (reference_dir / "music2emo/meta/moodtheme_tags.txt").read_text().split()
    assert len(MOOD_TAGS) == 56
    # The configuration file keeps its own copy (it must stand alone on the Hub): the same list.
    assert list(DEFAULT_MOOD_TAGS) == list(MOOD_TAGS)


def test_priors_match_the_release(reference_dir):
    priors = np.load(reference_dir / "music2emo/meta/probas_train.npy")
    np.testing.assert_array_equal(np.array(TAG_PRIORS), priors)
    np.testing.assert_array_equal(np.array(DEFAULT_TAG_PRIORS), priors)


def test_lexicon_matches_the_release(reference_dir):
    with open(reference_dir / "music2emo/meta/moodtag_va_scores.csv") as handle:
        rows = {
            row["MoodTag"]: (float(row["Valence"]), float(row["Arousal"])) for row in csv.DictReader(handle)
        }
    assert rows == TAG_VA
    assert list(TAG_VA) == list(MOOD_TAGS)


def test_lexicon_va_of_a_real_track(reference_dir):
    # The first track of the official test split and its tags, read from the release file.
    with open(reference_dir / "mtg_jamendo/splits/split-0/autotagging_moodtheme-test.tsv") as handle:
        next(handle)
        fields = next(handle).rstrip("\n").split("\t")
    tags = fields[5:]
    valence, arousal = lexicon_va(tags)
    names = [t.replace("mood/theme---", "") for t in tags]
    assert valence == pytest.approx(sum(TAG_VA[n][0] for n in names) / len(names))
    assert arousal == pytest.approx(sum(TAG_VA[n][1] for n in names) / len(names))
    # The mean of two tags, and the lexicon's sign for them.
    assert lexicon_va(["happy", "sad"]) == pytest.approx(
        ((TAG_VA["happy"][0] + TAG_VA["sad"][0]) / 2, (TAG_VA["happy"][1] + TAG_VA["sad"][1]) / 2)
    )
    assert TAG_VA["happy"][0] > 5 > TAG_VA["sad"][0]


def test_tag_lookup_and_errors():
    assert tag_index("action") == 0 and tag_index("mood/theme---uplifting") == 55
    vector = tags_to_multi_hot(["happy", "mood/theme---sad"])
    assert sum(vector) == 2 and vector[tag_index("happy")] == 1.0
    with pytest.raises(InvalidInputError, match="Unknown mood/theme tag 'joyful'"):
        tag_index("joyful")
    with pytest.raises(InvalidInputError, match="at least one"):
        lexicon_va([])


def test_scale_conversions_are_exact_and_invertible():
    assert unit_to_nine(0.0) == 1.0 and unit_to_nine(1.0) == 9.0 and unit_to_nine(0.5) == 5.0
    assert nine_to_unit(1.0) == 0.0 and nine_to_unit(9.0) == 1.0
    assert nine_to_bipolar(5.0) == 0.0 and nine_to_bipolar(9.0) == 1.0 and nine_to_bipolar(1.0) == -1.0
    assert bipolar_to_nine(-1.0) == 1.0 and bipolar_to_nine(0.25) == 6.0
    for x in np.linspace(1, 9, 17):
        assert unit_to_nine(nine_to_unit(x)) == pytest.approx(x)
        assert bipolar_to_nine(nine_to_bipolar(x)) == pytest.approx(x)


def test_quadrants():
    assert quadrant(7, 7) == "Q1"
    assert quadrant(3, 7) == "Q2"
    assert quadrant(3, 3) == "Q3"
    assert quadrant(7, 3) == "Q4"
    assert quadrant(5, 5) == "Q1"  # the midpoint counts as positive / high
    with pytest.raises(InvalidInputError, match="finite valence"):
        quadrant(math.nan, 5)
