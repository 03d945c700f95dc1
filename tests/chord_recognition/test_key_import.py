"""music21's key of long progressions without its quadratic MIDI import: the same key as the
original's ``converter.parse(midi).analyze("key")``, on progressions with odd timings."""

from __future__ import annotations

import random

import pytest

from modeling.chord_recognition.key import _music21_key, chord_pitch_intervals, chords_midi_bytes
from modeling.vocabularies.chords import TimedChord, parse_key
from modeling.vocabularies.chords.vocabulary import CHORD_VOCAB


def _parsed_key(notes, tmp_path):
    from music21 import converter

    path = tmp_path / "chords.mid"
    path.write_bytes(chords_midi_bytes(notes))
    result = converter.parse(str(path)).analyze("key")
    return f"{result.tonic.name} {result.mode}"


def _progression(seed: int) -> list[TimedChord]:
    rng = random.Random(seed)
    labels = [label for label in CHORD_VOCAB if label not in ("N", "X")]
    start, chords = rng.choice([0.0, 0.013, 0.37]), []
    for _ in range(rng.randint(2, 40)):
        length = rng.choice([0.05, 0.1, 0.23, 0.5, 1.0, 1.7, 2.0, 3.33])  # below, on and off the grid
        chords.append(TimedChord(start, start + length, rng.choice(labels)))
        start += length
    return chords


@pytest.mark.parametrize("seed", range(0, 120, 6))
def test_the_key_is_music21s_own(seed, tmp_path):
    notes = chord_pitch_intervals(_progression(seed))
    assert _music21_key(notes) == parse_key(_parsed_key(notes, tmp_path))
