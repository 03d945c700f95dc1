"""Key detection from recognised chords.

The faithful default (``method="music21"``) is what Music2Emo does: the chords are rendered to MIDI
(for each pitch class, one note at MIDI pitch 48 + pitch class that lasts while consecutive chords
contain it) and music21 analyses the parsed MIDI with ``analyze("key")``, its Krumhansl-Schmuckler
key finding (music21's default ``key`` weighting is Aarden-Essen's profiles). When nothing can be
analysed (no chord, only ``N``) the original falls back to C major, and so does this.

The original writes the MIDI file to disk and reads it back with ``converter.parse``; emotune keeps the
MIDI bytes in memory and runs music21's own MIDI translation (``midiTrackToStream``: quantisation,
measures, voices, ties) on them, leaving out only the rests music21 fills the measures with, which the
key analysis never reads (it counts notes and chords). The pitch-class durations music21 analyses, and
so the key and its correlation, are the same to the last bit (tests/chords compare the two on random
progressions); it takes a third of the time or less (and no file, nor music21's cache of parsed files).

``method="profiles"`` is a faster option that skips the MIDI round trip: the same pitch-class
durations correlated with the same Aarden-Essen profiles in numpy (music21's algorithm without
MIDI quantisation); it agrees with the default on unambiguous progressions and is measured against
it in ``benchmarks/mer_pipeline.py``.

``method="degrees"`` reads the chords as chords instead of as notes: each of the 24 keys scores the
duration-weighted sum of the diatonic triads it explains (:data:`DEGREE_WEIGHTS`: the tonic triad 1, the
dominant 0.8, the submediant and mediant 0.5, ...; major and minor triads by their third, sevenths
counted as their triads), and the best-scoring key wins. Its weights were chosen on the development part
of ``benchmarks/real_music.py`` (FluidSynth renders of real scores); it is an option, not the default.

``method="chroma"`` reads the audio instead of the chords: the recogniser's chroma (``(12, frames)``, e.g.
:meth:`modeling.chord_recognition.dsp.DSPChordRecognizer.analyse`'s NNLS chroma) is summed over time, the
opening ``opening_seconds`` counting ``opening_weight`` times (a tonal piece states its key at the start),
and correlated (Pearson) with Temperley's Kostka-Payne key profiles (:data:`TEMPERLEY_MAJOR`,
:data:`TEMPERLEY_MINOR`); the best of the 24 keys wins (:func:`chroma_key`). The profiles and the opening
emphasis were chosen on the development part of ``benchmarks/real_music.py``; it is an option, not the default.

Music2Emo's released inference code reads the mode from the key string incorrectly (it always ends
up major); its training data used the detected mode. emotune uses the detected mode.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

from ..base.errors import InvalidInputError
from ..vocabularies.chords.labels import Key, parse_chord, parse_key
from ..vocabularies.chords.timed import TimedChord
from .key_methods import AUDIO_KEY_METHODS, CHORD_KEY_METHODS, KEY_METHODS

__all__ = [
    "AUDIO_KEY_METHODS",
    "CHORD_KEY_METHODS",
    "DEGREE_WEIGHTS",
    "FALLBACK_KEY",
    "KEY_METHODS",
    "TEMPERLEY_MAJOR",
    "TEMPERLEY_MINOR",
    "chord_pitch_intervals",
    "chords_midi_bytes",
    "chroma_key",
    "detect_key",
]

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


def chords_midi_bytes(notes: Sequence[tuple[float, float, int]]) -> bytes:
    """The original's MIDI file of ``notes`` (``(start, end, pitch)``; pretty_midi, piano, velocity 120), as bytes."""
    import pretty_midi

    midi = pretty_midi.PrettyMIDI()
    instrument = pretty_midi.Instrument(program=0)
    instrument.notes = [pretty_midi.Note(velocity=120, pitch=p, start=s, end=e) for s, e, p in notes]
    midi.instruments.append(instrument)
    buffer = io.BytesIO()
    midi.write(buffer)
    return buffer.getvalue()


def music21_key_analysis(notes: Sequence[tuple[float, float, int]]):
    """music21's ``analyze("key")`` (a ``music21.key.Key`` with its correlation and alternatives) of the MIDI
    of ``notes``, parsed as ``converter.parse`` parses the file (``midiFileToStream``'s loop over the
    tracks), without writing it and without filling rests."""
    from music21 import midi, stream
    from music21.midi.translate import midiTrackToStream

    class NotesOnlyPart(stream.Part):
        def makeRests(self, *args, **kwargs):  # music21 fills the measures with rests: no key reads them
            return None

    midi_file = midi.MidiFile()
    midi_file.readstr(chords_midi_bytes(notes))
    score, conductor, first = stream.Score(), stream.Part(), None
    for track in midi_file.tracks:
        if track.hasNotes():
            first = track if first is None else first
            part = NotesOnlyPart()
            score.insert(0, part)
        else:
            part = conductor
        midiTrackToStream(track, ticksPerQuarter=midi_file.ticksPerQuarterNote, quantizePost=True, inputM21=part,
                          conductorPart=conductor, isFirst=track is first)  # fmt: skip
    return score.analyze("key")


def _music21_key(notes: Sequence[tuple[float, float, int]]) -> Key:
    result = music21_key_analysis(notes)
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


DEGREE_WEIGHTS: dict[str, dict[tuple[int, str], float]] = {
    "major": {(0, "maj"): 1.0, (7, "maj"): 0.8, (5, "maj"): 0.4, (9, "min"): 0.5, (2, "min"): 0.4, (4, "min"): 0.3},
    "minor": {(0, "min"): 1.0, (7, "maj"): 0.8, (5, "min"): 0.4, (8, "maj"): 0.5, (3, "maj"): 0.5, (10, "maj"): 0.4,
              (7, "min"): 0.3},
}  # fmt: skip
"""``method="degrees"``: mode -> (semitones from the tonic to the chord's root, triad) -> weight."""


def _degree_key(chords: Sequence[TimedChord]) -> Key:
    durations = {"maj": np.zeros(12), "min": np.zeros(12)}  # triad -> seconds per root
    for timed in chords:
        chord = parse_chord(timed.label)
        if chord.root is None:
            continue
        intervals = {(pitch - chord.root) % 12 for pitch in chord.pitch_classes}
        triad = "maj" if 4 in intervals else "min" if 3 in intervals else None  # sus chords name no mode
        if triad is not None:
            durations[triad][chord.root] += timed.duration
    if not any(values.sum() > 0 for values in durations.values()):
        return FALLBACK_KEY
    best, best_score = FALLBACK_KEY, -np.inf
    for mode, weights in DEGREE_WEIGHTS.items():
        for tonic in range(12):
            score = sum(w * durations[triad][(tonic + step) % 12] for (step, triad), w in weights.items())
            if score > best_score + 1e-12:
                best, best_score = Key(tonic, mode), score
    return best


TEMPERLEY_MAJOR = np.array(
    [0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400]
)
"""Temperley's major-key profile (Kostka-Payne corpus): how often each scale degree from the tonic (C = 0)
occurs in a segment of a major-key piece."""
TEMPERLEY_MINOR = np.array(
    [0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330]
)
"""Temperley's minor-key profile (Kostka-Payne corpus)."""
OPENING_SECONDS = 3.0
"""``method="chroma"``: the opening that counts more (seconds)."""
OPENING_WEIGHT = 4.0
"""``method="chroma"``: how many times an opening frame counts."""


def chroma_key(
    chroma: np.ndarray,
    frame_seconds: float,
    *,
    opening_seconds: float = OPENING_SECONDS,
    opening_weight: float = OPENING_WEIGHT,
) -> Key:
    """The key of a chroma sequence by profile correlation, its opening emphasised (``method="chroma"``).

    Args:
        chroma: non-negative pitch-class energies, shape ``(12, frames)``, row 0 = C (any scale: the
            correlation ignores it).
        frame_seconds: seconds between frames (``hop_length / sampling_rate``); > 0.
        opening_seconds: frames starting before this time (seconds) count ``opening_weight`` times; >= 0.
        opening_weight: >= 1 (1: no emphasis).

    Returns:
        The best of the 24 major/minor keys; :data:`FALLBACK_KEY` for an empty or silent chroma.
    """
    chroma = np.asarray(chroma, dtype=np.float64)
    if chroma.ndim != 2 or chroma.shape[0] != 12 or not np.all(np.isfinite(chroma)) or np.any(chroma < 0):
        raise InvalidInputError(
            f"chroma of shape {chroma.shape} does not fit. Accepted: finite, non-negative, shape (12, frames)"
        )
    if frame_seconds <= 0 or opening_seconds < 0 or opening_weight < 1:
        raise InvalidInputError(
            f"frame_seconds={frame_seconds}, opening_seconds={opening_seconds}, opening_weight={opening_weight} "
            "do not fit. Accepted: frame_seconds > 0, opening_seconds >= 0, opening_weight >= 1"
        )
    starts = np.arange(chroma.shape[1]) * frame_seconds
    profile = chroma @ np.where(starts < opening_seconds, opening_weight, 1.0)
    if not np.any(profile > 0) or np.ptp(profile) == 0:
        return FALLBACK_KEY
    best, best_score = FALLBACK_KEY, -np.inf
    for mode, template in (("major", TEMPERLEY_MAJOR), ("minor", TEMPERLEY_MINOR)):
        for tonic in range(12):
            score = np.corrcoef(profile, np.roll(template, tonic))[0, 1]
            if score > best_score + 1e-12:
                best, best_score = Key(tonic, mode), score
    return best


def detect_key(
    chords: Sequence[TimedChord],
    method: str = "music21",
    *,
    chroma: np.ndarray | None = None,
    frame_seconds: float | None = None,
) -> Key:
    """The key of a recognised chord sequence or of its audio (see the module docstring for the methods).

    Args:
        chords: the recognised chords (read by :data:`CHORD_KEY_METHODS`).
        method: one of :data:`KEY_METHODS`; ``"music21"`` (the faithful default) unless asked.
        chroma: ``method="chroma"`` only: the audio's chroma, shape ``(12, frames)`` (e.g.
            ``DSPChordRecognizer.analyse(waveform).chroma``).
        frame_seconds: ``method="chroma"`` only: seconds between chroma frames.
    """
    if method not in KEY_METHODS:
        raise InvalidInputError(f"Unknown key method {method!r}. Accepted: {', '.join(KEY_METHODS)}")
    if method in AUDIO_KEY_METHODS:
        if chroma is None or frame_seconds is None:
            raise InvalidInputError(
                f"Key method {method!r} reads the audio's chroma, and none was given. Accepted: chroma= (12, "
                "frames) and frame_seconds= (e.g. from DSPChordRecognizer.analyse), or a method of "
                f"{', '.join(CHORD_KEY_METHODS)}"
            )
        return chroma_key(chroma, frame_seconds)
    if method == "degrees":
        return _degree_key(chords)
    notes = chord_pitch_intervals(chords)
    if len({pitch for _, _, pitch in notes}) == 0:
        return FALLBACK_KEY
    return _music21_key(notes) if method == "music21" else _profile_key(notes)
