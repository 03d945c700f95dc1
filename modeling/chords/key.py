"""Key detection from recognised chords.

The faithful default (``method="music21"``) is what Music2Emo does: the chords are rendered to MIDI
(for each pitch class, one note at MIDI pitch 48 + pitch class that lasts while consecutive chords
contain it) and music21 analyses the parsed MIDI with ``analyze("key")``, its Krumhansl-Schmuckler
key finding (music21's default ``key`` weighting is Aarden-Essen's profiles). When nothing can be
analysed (no chord, only ``N``) the original falls back to C major, and so does this.

``method="profiles"`` is a faster option that skips the MIDI round trip: the same pitch-class
durations correlated with the same Aarden-Essen profiles in numpy (music21's algorithm without
MIDI quantisation); it agrees with the default on unambiguous progressions and is measured against
it in ``benchmarks/mer_pipeline.py``.

Music2Emo's released inference code reads the mode from the key string incorrectly (it always ends
up major); its training data used the detected mode. emotune uses the detected mode.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import InvalidInputError
from .labels import Key, parse_chord, parse_key
from .timed import TimedChord

__all__ = ["FALLBACK_KEY", "KEY_METHODS", "chord_pitch_intervals", "chords_midi", "detect_key"]

KEY_METHODS = ("music21", "profiles")
FALLBACK_KEY = Key(0, "major")
"""The key used when the chords give nothing to analyse (the original's "C major")."""


def chord_pitch_intervals(chords: Sequence[TimedChord]) -> list[tuple[float, float, int]]:
    """The original's MIDI rendering of a chord sequence: ``(start, end, pitch)`` notes, one voice per
    pitch class (MIDI 48..59) held across consecutive chords that contain it."""
    notes = []
    for pitch_class in range(12):
        start = None
        for index, timed in enumerate(chords):
            sounding = pitch_class in parse_chord(timed.label).pitch_classes
            if sounding and start is None:
                start = timed.start
            if start is not None and (not sounding or index == len(chords) - 1):
                end = timed.end if sounding else timed.start
                if end > start:
                    notes.append((start, end, 48 + pitch_class))
                start = None
    return sorted(notes)


def chords_midi(notes: list[tuple[float, float, int]]):
    """The ``(start, end, pitch)`` notes of :func:`chord_pitch_intervals` as a ``PrettyMIDI`` (one piano,
    velocity 120, 120 bpm), as the original writes them for music21."""
    import pretty_midi

    midi = pretty_midi.PrettyMIDI()
    instrument = pretty_midi.Instrument(program=0)
    instrument.notes = [pretty_midi.Note(velocity=120, pitch=p, start=s, end=e) for s, e, p in notes]
    midi.instruments.append(instrument)
    return midi


def _music21_key(notes: list[tuple[float, float, int]]) -> Key:
    """music21's key of the MIDI rendering of ``notes``: ``converter.parse(midi).analyze("key")``.

    music21's MIDI import ends by filling every measure with rests, which takes time quadratic in the
    number of measures (40 minutes of chords: 40 s, two hours: several minutes). Rests do not count
    in the key analysis (it sums the quarter lengths of each pitch class's notes), so each track is
    imported by music21's own function into a part that skips that last step: the same notes, the
    same key, in time linear in the length.
    """
    from music21 import stream
    from music21.midi import MidiFile
    from music21.midi.translate import midiTrackToStream

    class _PartWithoutRests(stream.Part):
        def makeRests(self, *args, **kwargs):
            return None

    with tempfile.TemporaryDirectory(prefix="emotune-key-") as folder:
        path = Path(folder) / "chords.mid"
        chords_midi(notes).write(str(path))
        midi_file = MidiFile()
        midi_file.open(str(path))
        midi_file.read()
        midi_file.close()
    score = stream.Score()
    for track in midi_file.tracks:
        if track.hasNotes():
            part = midiTrackToStream(
                track, ticksPerQuarter=midi_file.ticksPerQuarterNote, inputM21=_PartWithoutRests()
            )
            score.insert(0, part)
    result = score.analyze("key")
    return parse_key(f"{result.tonic.name} {result.mode}")


_AARDEN_MAJOR = np.array(
    [
        17.7661,
        0.145624,
        14.9265,
        0.160186,
        19.8049,
        11.3587,
        0.291248,
        22.062,
        0.145624,
        8.15494,
        0.232998,
        4.95122,
    ]
)
_AARDEN_MINOR = np.array([18.2648, 0.737619, 14.0499, 16.8599, 0.702494, 14.4362, 0.702494, 18.6161, 4.56621, 1.93186, 7.37619, 1.75623])  # fmt: skip


def _profile_key(notes: list[tuple[float, float, int]]) -> Key:
    histogram = np.zeros(12)
    for start, end, pitch in notes:
        histogram[pitch % 12] += end - start
    best, best_score = FALLBACK_KEY, -np.inf
    for mode, profile in (("major", _AARDEN_MAJOR), ("minor", _AARDEN_MINOR)):
        for tonic in range(12):
            score = np.corrcoef(histogram, np.roll(profile, tonic))[0, 1]
            if score > best_score + 1e-12:
                best, best_score = Key(tonic, mode), score
    return best


def detect_key(chords: Sequence[TimedChord], method: str = "music21") -> Key:
    """The key of a recognised chord sequence (see the module docstring for the two methods)."""
    if method not in KEY_METHODS:
        raise InvalidInputError(f"Unknown key method {method!r}. Accepted: {', '.join(KEY_METHODS)}")
    notes = chord_pitch_intervals(chords)
    if len({pitch for _, _, pitch in notes}) == 0:
        return FALLBACK_KEY
    return _music21_key(notes) if method == "music21" else _profile_key(notes)
