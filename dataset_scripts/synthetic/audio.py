"""Procedural audio: piano-like tones and chord progressions, the instrument of the synthetic corpus.

Used wherever emotune needs music it can make itself: the tests (which may download nothing), the
synthetic corpus, the demo and the benchmarks. The tone is additive (six decaying partials with a
short attack), close enough to a piano for chroma- and CQT-based chord recognition.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from modeling.vocabularies.chords import Chord, parse_chord

__all__ = ["SAMPLING_RATE", "midi_to_hz", "render_notes", "render_progression", "tone"]

SAMPLING_RATE = 22050
"""The rate the procedural instrument renders at, unless asked otherwise (the chord models' rate)."""

_PARTIALS = (1.0, 0.5, 0.3, 0.2, 0.12, 0.08)


def midi_to_hz(pitch: float) -> float:
    return 440.0 * 2.0 ** ((pitch - 69.0) / 12.0)


def tone(
    frequency: float,
    duration: float,
    sampling_rate: int = SAMPLING_RATE,
    *,
    decay: float = 2.5,
    brightness: float = 1.0,
) -> np.ndarray:
    """One piano-like note: decaying harmonic partials, 10 ms attack, 30 ms release; peak about 1.

    ``brightness`` scales partial ``k`` by ``brightness ** (k - 1)``: below 1 the note is darker and,
    since the upper partials lose their energy rather than have it handed to the fundamental, softer.
    """
    n = max(int(round(duration * sampling_rate)), 1)
    t = np.arange(n, dtype=np.float64) / sampling_rate
    wave = np.zeros(n)
    for k, amplitude in enumerate(_PARTIALS, start=1):
        if frequency * k < sampling_rate / 2:
            wave += (
                amplitude
                * brightness ** (k - 1)
                * np.exp(-decay * k**0.5 * t)
                * np.sin(2 * np.pi * frequency * k * t)
            )
    envelope = np.minimum(1.0, t / 0.01) * np.minimum(1.0, (duration - t) / 0.03).clip(0.0, 1.0)
    return (wave * envelope / sum(_PARTIALS)).astype(np.float32)


def render_notes(
    notes: Sequence[tuple[float, float, float, float]], duration: float, sampling_rate: int = SAMPLING_RATE
) -> np.ndarray:
    """Mix ``(start_s, length_s, midi_pitch, velocity 0..1)`` notes into a mono float32 signal.

    Like a piano's, softer notes are darker: the tone's brightness is ``min(1, 0.4 + 2 velocity)``.
    """
    out = np.zeros(int(round(duration * sampling_rate)) + 1, dtype=np.float32)
    for start, length, pitch, velocity in notes:
        begin = int(round(start * sampling_rate))
        if begin >= len(out):
            continue
        note = velocity * tone(
            midi_to_hz(pitch), length, sampling_rate, brightness=min(1.0, 0.4 + 2.0 * velocity)
        )
        end = min(begin + len(note), len(out))
        out[begin:end] += note[: end - begin]
    return out[: int(round(duration * sampling_rate))]


def render_progression(
    chords: Sequence[str | Chord],
    seconds_per_chord: float = 2.0,
    sampling_rate: int = SAMPLING_RATE,
    *,
    octave: int = 4,
    velocity: float = 0.6,
    bass: bool = True,
) -> np.ndarray:
    """A block-chord rendering of a progression: each chord held ``seconds_per_chord``, root-position
    voicing from C``octave``, plus the root an octave lower; ``N`` is silence. Peak below 1."""
    notes = []
    for index, label in enumerate(chords):
        chord = parse_chord(label)
        start = index * seconds_per_chord
        for pitch_class in chord.pitch_classes:
            pitch = 12 * (octave + 1) + chord.root + ((pitch_class - chord.root) % 12)
            notes.append((start, seconds_per_chord, pitch, velocity / 2))
        if bass and not chord.is_no_chord:
            notes.append((start, seconds_per_chord, 12 * octave + chord.root, velocity / 2))
    wave = render_notes(notes, len(chords) * seconds_per_chord, sampling_rate)
    peak = float(np.abs(wave).max()) if wave.size else 0.0
    return wave * (0.9 / peak) if peak > 0.9 else wave
