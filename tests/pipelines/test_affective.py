import json

import numpy as np
import pytest

from modeling.base.errors import InvalidInputError
from modeling.pipelines.affective import affective_check, plot_affective_check
from modeling.vocabularies.emotion import VIDEO_EMOTIONS, quadrant
from modeling.vocabularies.emotion.video import VIDEO_EMOTION_VA, video_va


def one_hot(emotion: str, seconds: int) -> np.ndarray:
    probs = np.zeros((seconds, len(VIDEO_EMOTIONS)))
    probs[:, VIDEO_EMOTIONS.index(emotion)] = 1.0
    return probs


def test_the_map_puts_each_emotion_in_its_russell_quadrant():
    expected = {"exciting": "Q1", "fearful": "Q2", "sad": "Q3", "relaxing": "Q4"}
    for emotion, q in expected.items():
        assert quadrant(*VIDEO_EMOTION_VA[emotion]) == q
    assert VIDEO_EMOTION_VA["neutral"] == (5.0, 5.0)
    assert VIDEO_EMOTION_VA["tense"][1] > 7.5  # tense: the highest arousal, valence near neutral


def test_video_va_is_the_expectation_of_the_map():
    probs = np.zeros((1, 6))
    probs[0, VIDEO_EMOTIONS.index("exciting")] = 0.5
    probs[0, VIDEO_EMOTIONS.index("sad")] = 0.5
    expected = (np.array(VIDEO_EMOTION_VA["exciting"]) + np.array(VIDEO_EMOTION_VA["sad"])) / 2
    np.testing.assert_allclose(video_va(probs)[0], expected)


def test_matching_music_agrees_and_opposite_music_does_not():
    probs = np.concatenate([one_hot("exciting", 30), one_hot("sad", 15)])
    v1, a1 = VIDEO_EMOTION_VA["exciting"]
    v2, a2 = VIDEO_EMOTION_VA["sad"]
    matching = [
        {"start": 0.0, "end": 30.0, "valence": v1, "arousal": a1},
        {"start": 30.0, "end": 45.0, "valence": v2, "arousal": a2},
    ]
    check = affective_check(probs, matching)
    assert check.agreement == 1.0 and check.quadrant_agreement == 1.0
    assert [s.video_emotion for s in check.segments] == ["exciting", "sad"]

    swapped = [dict(matching[0], valence=v2, arousal=a2), dict(matching[1], valence=v1, arousal=a1)]
    check = affective_check(probs, swapped)
    assert check.agreement == 0.0 and check.quadrant_agreement == 0.0
    assert check.segments[0].distance == pytest.approx(np.hypot(v1 - v2, a1 - a2), abs=1e-3)
    assert json.loads(json.dumps(check.to_dict()))["segments"][1]["video_emotion"] == "sad"
    assert "agreement 0.00" in check.table()


def test_bad_probabilities_are_refused():
    with pytest.raises(InvalidInputError, match=r"shape \(seconds, 6\)"):
        video_va(np.ones((4, 5)))
    with pytest.raises(InvalidInputError, match="at least one music segment"):
        affective_check(one_hot("sad", 3), [])


def test_plot_is_written(tmp_path):
    probs = one_hot("relaxing", 40)
    check = affective_check(
        probs,
        [
            {"start": 0, "end": 30, "valence": 6, "arousal": 3},
            {"start": 30, "end": 40, "valence": 4, "arousal": 6},
        ],
    )
    path = plot_affective_check(check, probs, tmp_path / "check.png")
    assert path.stat().st_size > 5000
