"""``detect_key(..., method="chroma")``: Temperley profiles on the recogniser's chroma, the opening emphasised."""

from __future__ import annotations

import numpy as np
import pytest

from modeling.base.errors import InvalidInputError
from modeling.chord_recognition.dsp import ChordAnalysis, DSPChordRecognizer
from modeling.chord_recognition.key import (
    AUDIO_KEY_METHODS,
    CHORD_KEY_METHODS,
    FALLBACK_KEY,
    KEY_METHODS,
    chroma_key,
    detect_key,
)
from modeling.vocabularies.chords import TimedChord
from modeling.vocabularies.chords.labels import parse_chord

FRAME = 512 / 22050


def _chroma_of(labels: list[str], frames_each: int = 40) -> np.ndarray:
    """(12, frames) chroma holding each chord's pitch classes for ``frames_each`` frames."""
    columns = []
    for label in labels:
        column = np.zeros(12)
        column[list(parse_chord(label).pitch_classes)] = 1.0
        columns += [column] * frames_each
    return np.array(columns).T


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["C", "F", "G", "C"], "C major"),
        (["A:min", "D:min", "E", "A:min"], "A minor"),
        (["Eb", "Ab", "Bb", "Eb"], "D# major"),  # the vocabulary spells keys with sharps
        (["F#:min", "B:min", "C#", "F#:min"], "F# minor"),
    ],
)
def test_chroma_key_of_cadences(labels, expected):
    assert chroma_key(_chroma_of(labels), FRAME).name == expected


def test_the_opening_decides_between_close_keys():
    """A piece that opens on G major and then dwells on C-major material reads as G with the opening emphasis."""
    chroma = np.hstack([_chroma_of(["G", "D", "G"], 20), _chroma_of(["C", "F", "C", "G", "C", "F", "C"], 40)])
    assert chroma_key(chroma, FRAME, opening_seconds=0.0, opening_weight=1.0).name == "C major"
    assert chroma_key(chroma, FRAME, opening_seconds=60 * FRAME, opening_weight=8.0).name == "G major"


def test_silence_falls_back():
    assert chroma_key(np.zeros((12, 50)), FRAME) == FALLBACK_KEY
    assert chroma_key(np.zeros((12, 0)), FRAME) == FALLBACK_KEY


@pytest.mark.parametrize(
    ("chroma", "kwargs"),
    [
        (np.ones((11, 5)), {}),
        (-np.ones((12, 5)), {}),
        (np.full((12, 5), np.nan), {}),
        (np.ones((12, 5)), {"opening_weight": 0.5}),
        (np.ones((12, 5)), {"opening_seconds": -1.0}),
    ],
)
def test_chroma_key_rejects_bad_input(chroma, kwargs):
    with pytest.raises(InvalidInputError, match="Accepted"):
        chroma_key(chroma, FRAME, **kwargs)


def test_detect_key_chroma_needs_the_chroma():
    chords = [TimedChord(0.0, 1.0, "C")]
    assert KEY_METHODS == CHORD_KEY_METHODS + AUDIO_KEY_METHODS
    with pytest.raises(InvalidInputError, match="chroma"):
        detect_key(chords, "chroma")
    chroma = _chroma_of(["D", "G", "A", "D"])
    assert detect_key(chords, "chroma", chroma=chroma, frame_seconds=FRAME).name == "D major"
    assert detect_key(chords).name == "C major"  # the faithful default still reads the chords


def test_analyse_returns_the_chroma_the_chords_came_from():
    from dataset_scripts.synthetic.audio import render_progression

    labels = ["A:min", "D:min", "E", "A:min"]
    wave = render_progression(labels, 1.5, 22050)
    recognizer = DSPChordRecognizer()
    analysis = recognizer.analyse(wave, 22050)
    assert isinstance(analysis, ChordAnalysis)
    assert analysis.chroma.shape[0] == 12
    assert analysis.chroma.shape[1] == pytest.approx(len(wave) / 512, abs=2)
    assert analysis.frame_seconds == pytest.approx(FRAME)
    assert analysis.chords == recognizer(wave, 22050)
    key = detect_key(analysis.chords, "chroma", chroma=analysis.chroma, frame_seconds=analysis.frame_seconds)
    assert key.name == "A minor"
