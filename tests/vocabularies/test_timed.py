import pytest

from modeling.base.errors import InvalidInputError
from modeling.vocabularies.chords import TimedChord, frames_to_timed_chords, merge_repeats


def test_frames_merge_into_segments():
    chords = frames_to_timed_chords(["C:maj", "C:maj", "N", "A:min", "A:min", "A:min"], 0.5)
    assert [c.to_dict() for c in chords] == [
        {"start": 0.0, "end": 1.0, "label": "C:maj"},
        {"start": 1.0, "end": 1.5, "label": "N"},
        {"start": 1.5, "end": 3.0, "label": "A:min"},
    ]


def test_merge_keeps_gaps_apart():
    chords = merge_repeats([TimedChord(0, 1, "C:maj"), TimedChord(2, 3, "C:maj")])
    assert len(chords) == 2


def test_end_before_start_is_rejected():
    with pytest.raises(InvalidInputError, match="end > start"):
        TimedChord(2.0, 1.0, "C:maj")
