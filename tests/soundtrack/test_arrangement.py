"""Chords -> MIDI: pitch classes follow the chords in the requested key, velocities follow loudness,
note counts follow density, and the voicing is led as the original leads it."""

from __future__ import annotations

import numpy as np
import pytest

from modeling.base.errors import ChordLabelError, InvalidInputError, InvalidKeyError
from modeling.soundtrack.arrangement import (
    arrange,
    chord_voicing,
    density_levels,
    key_transposition,
    velocities,
    voice_lead,
)
from modeling.vocabularies.chords import KEYS, parse_chord

# The original's transposition table (video2music.py, traspose_key_dic), keyed by our key names.
ORIGINAL_SHIFTS = {
    "F major": -7, "F# major": -6, "G major": -5, "G# major": -4, "A major": -3, "A# major": -2,
    "B major": -1, "C major": 0, "C# major": 1, "D major": 2, "D# major": 3, "E major": 4,
    "D minor": -7, "D# minor": -6, "E minor": -5, "F minor": -4, "F# minor": -3, "G minor": -2,
    "G# minor": -1, "A minor": 0, "A# minor": 1, "B minor": 2, "C minor": 3, "C# minor": 4,
}  # fmt: skip


def notes_by_second(midi, seconds):
    notes = midi.instruments[0].notes
    return [[n for n in notes if second <= n.start < second + 1] for second in range(seconds)]


def test_transposition_matches_the_original_table():
    assert {key.name: key_transposition(key) for key in KEYS} == ORIGINAL_SHIFTS
    assert key_transposition("Bb major") == -2 and key_transposition("Ebm") == -6


@pytest.mark.parametrize("key", ["C major", "E major", "F major", "A minor", "C# minor", "D minor"])
def test_pitch_classes_follow_the_chords_in_the_requested_key(key):
    rng = np.random.default_rng(len(key))
    normalized = [parse_chord(label) for label in rng.choice(["C", "A:min", "F", "G:7", "D:min7", "E:hdim7",
                                                               "B:dim7", "C:maj7", "G:sus4", "A:min6"], 12)]  # fmt: skip
    density = rng.uniform(0, 40, 12)
    midi = arrange(normalized, key, note_density=density, loudness=rng.uniform(0, 0.6, 12))
    shift = key_transposition(key)
    for chord, notes, level in zip(normalized, notes_by_second(midi, 12), density_levels(density)):
        played = {n.pitch % 12 for n in notes}
        assert notes and played <= set(chord.transpose(shift).pitch_classes), (key, chord.label)
        if level >= 2:  # cells that use all four lowest voices sound at least three chord tones
            assert len(played) >= 3, (key, chord.label)


def test_voicing_and_voice_leading_match_the_original_rules():
    # C -> Am -> F -> G worked by hand with the original's rules (bass within a fifth of the previous
    # bass, upper tones to the octave of the closest previous tone, centre = first root + 3 = 63).
    voicings = [chord_voicing(label) for label in ["C", "A:min", "F", "G", "N", "C"]]
    assert voicings[0] == [48, 60, 64, 67] and voicings[1] == [45, 57, 60, 64] and voicings[4] == []
    assert chord_voicing("B:hdim7") == [47, 59, 62, 65, 69]  # B D F A: the quality's own tones
    assert voice_lead(voicings) == [
        [48, 60, 64, 67],
        [45, 60, 64, 69],
        [41, 60, 65, 69],
        [43, 59, 62, 67],
        [],
        [48, 60, 64, 67],
    ]


def test_note_counts_follow_density():
    density = [0, 6, 6.6, 12, 13, 18, 19, 24, 25, 40, 400]
    assert density_levels(density).tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4]
    midi = arrange(["C"] * len(density), note_density=density, loudness=0.3)
    counts = [len(notes) for notes in notes_by_second(midi, len(density))]
    assert counts == [2, 2, 3, 3, 4, 4, 6, 6, 8, 8, 8]
    held = notes_by_second(arrange(["C", "C"], note_density=0, loudness=0.3), 2)
    assert [n.pitch for n in held[0]] == [48, 60] and [n.pitch for n in held[1]] == [64, 67]  # cell variants
    assert all(n.end - n.start == pytest.approx(1.0) for n in midi.instruments[0].notes)  # two beats at 120


def test_density_from_loudness_reproduces_the_released_demo():
    midi = arrange(["C"] * 3, note_density=40, loudness=[0.05, 0.15, 0.3], density_from="loudness")
    assert [len(n) for n in notes_by_second(midi, 3)] == [2, 4, 8]  # levels from 5, 15, 30


def test_velocities_follow_loudness():
    loudness = [-0.2, 0.0, 0.099, 0.25, 0.5, 0.9]
    expected = [49, 49, round(49 + 63 * (9 / 50) ** 0.3), round(49 + 63 * 0.5**0.3), 112, 112]
    assert velocities(loudness).tolist() == expected
    midi = arrange(["G"] * 6, note_density=10, loudness=loudness)
    assert [{n.velocity for n in notes} for notes in notes_by_second(midi, 6)] == [{v} for v in expected]


def test_no_chord_is_a_silent_second():
    midi = arrange(["N", "C", "N", "A:min"], note_density=20, loudness=0.3)
    assert [len(notes) for notes in notes_by_second(midi, 4)] == [0, 6, 0, 6]


def test_tempo_changes_the_arpeggio_speed_and_chords_stay_on_the_seconds():
    fast = arrange(["C", "F"], note_density=0, loudness=0.3, tempo=240)
    slow = arrange(["C", "F"], note_density=0, loudness=0.3, tempo=60)
    assert [len(n) for n in notes_by_second(fast, 2)] == [4, 4]
    assert [len(n) for n in notes_by_second(slow, 2)] == [1, 1]
    assert fast.get_tempo_changes()[1][0] == pytest.approx(240.0)
    assert [n.start for n in notes_by_second(slow, 2)[1]] == [1.0]


def test_instrument_by_program_or_name():
    assert (
        arrange(["C"], note_density=1, loudness=0.1, instrument="String Ensemble 1").instruments[0].program
        == 48
    )
    assert (
        arrange(["C"], note_density=1, loudness=0.1, instrument=24).instruments[0].name
        == "Acoustic Guitar (nylon)"
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"chords": ["C", "Hm"]}, ChordLabelError, "Cannot parse chord label 'Hm'"),
        ({"key": "H major"}, InvalidKeyError, "Cannot parse key 'H major'. Accepted: a tonic and a mode"),
        ({"chords": []}, InvalidInputError, "needs at least one chord"),
        (
            {"note_density": [1, 2, 3]},
            InvalidInputError,
            r"note_density must be one number or one value per chord \(2\)",
        ),
        ({"loudness": [0.1, float("nan")]}, InvalidInputError, "loudness contains NaN"),
        (
            {"instrument": "kazoo"},
            InvalidInputError,
            "Unknown instrument 'kazoo'. Accepted: a General MIDI program",
        ),
        ({"instrument": 128}, InvalidInputError, "out of range"),
        ({"tempo": 0}, InvalidInputError, "tempo must be between 20 and 400"),
        ({"density_from": "energy"}, InvalidInputError, "density_from must be 'note_density' or 'loudness'"),
    ],
)
def test_bad_arrangement_arguments(kwargs, error, message):
    arguments = {"chords": ["C", "G"], "key": "C major", "note_density": 5, "loudness": 0.2, **kwargs}
    with pytest.raises(error, match=message):
        arrange(arguments.pop("chords"), arguments.pop("key"), **arguments)
