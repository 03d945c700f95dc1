"""Chords, one per second, into MIDI: Video2Music's arrangement.

The AMT model generates chords in the normalised key (C major or A minor) and its bi-GRU a note
density and a loudness per second. The original demo (``video2music.py``) turns them into MIDI as
follows, and :func:`arrange` does the same:

* **Voicing.** Each chord is laid out with its root between A3 and G#4 (MIDI 57..68), its other
  tones stacked above the root, and the root doubled an octave lower as a bass; successive chords
  are then voice-led (:func:`voice_lead`): the bass moves an octave towards the previous bass when
  they are more than a fifth apart, and every upper tone moves to the octave nearest the previous
  upper tone closest to it in pitch class, unless that takes it more than 8 semitones from the
  first chord's centre (its root + 3) while a closer match (at most 2 semitones) existed.
* **Key.** The voiced chords are shifted from the normalised key to the requested key by -7..+4
  semitones (F major is C major moved down a fourth, E major up a third), so the register stays put.
* **Rhythm.** Each second holds a two-beat arpeggio cell over the four lowest notes of the voicing
  (:data:`ARPEGGIO_PATTERNS`), with 2, 3, 4, 6 or 8 onsets for density levels 0..4, each note two
  beats long; a chord held over several seconds alternates two variants of its cell. At the
  original 120 bpm a cell fills exactly one second; ``tempo`` changes the length of a beat, so the
  cells repeat (faster tempo) or are cut short (slower) within each chord's second, and chords stay
  on the video's seconds.
* **Density level.** The note density (notes per second) is rounded and clipped to 0..40, then
  levels split at 6, 12, 18 and 24. The released demo computes the level from the *loudness*
  level instead (a slip in its loop, ``for item in y_loudness_np_lv``); ``density_from="loudness"``
  reproduces that exactly.
* **Velocity.** The loudness (linear RMS amplitude, 0..1, as in MuVi-Sync) is scaled to an integer
  level ``int(100 * loudness)`` clipped to 0..50, and the velocity is
  ``round(49 + 63 * (level / 50) ** 0.3)`` (49..112).
* ``N`` (no chord) is a silent second.

One deliberate difference: the original spells chords for a chord-name parser that misreads two
qualities (``hdim7`` sounds as a dominant seventh, ``dim7`` as a half-diminished seventh) and
doubles the fourth/second of ``sus4``/``sus2`` chords; here every chord sounds exactly the tones of
its vocabulary quality (:data:`~modeling.vocabularies.chords.QUALITY_INTERVALS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..base.errors import InvalidInputError
from ..vocabularies.chords import QUALITY_INTERVALS, Chord, Key, parse_chord, parse_key

__all__ = [
    "ARPEGGIO_PATTERNS",
    "DEFAULT_TEMPO",
    "Arrangement",
    "arpeggio_levels",
    "arrange",
    "arrangement",
    "chord_voicing",
    "density_levels",
    "key_transposition",
    "loudness_levels",
    "per_second_values",
    "velocities",
    "voice_lead",
]

DEFAULT_TEMPO = 120.0
"""The original's tempo: a two-beat arpeggio cell lasts one second."""

CELL_BEATS = 2.0
"""Length of an arpeggio cell and of each note, in beats."""

DENSITY_THRESHOLDS = (6, 12, 18, 24)
MAX_NOTE_DENSITY = 40
MAX_LOUDNESS_LEVEL = 50
VELOCITY_RANGE = (49, 112)
VELOCITY_EXPONENT = 0.3

ARPEGGIO_PATTERNS: dict[int, tuple[tuple[tuple[float, int], ...], tuple[tuple[float, int], ...]]] = {
    0: (((0, 0), (1, 1)), ((0, 2), (1, 3))),
    1: (((0, 0), (0.5, 1), (1, 2)), ((0, 3), (0.5, 1), (1, 2))),
    2: (((0, 0), (0.5, 1), (1, 2), (1.5, 3)), ((0, 2), (0.5, 1), (1, 2), (1.5, 3))),
    3: (
        ((0, 0), (0.25, 1), (0.5, 2), (0.75, 1), (1, 3), (1.5, 2)),
        ((0, 1), (0.25, 0), (0.5, 1), (0.75, 2), (1, 3), (1.5, 2)),
    ),
    4: (
        ((0, 0), (0.25, 1), (0.5, 2), (0.75, 1), (1, 3), (1.25, 2), (1.5, 1), (1.75, 2)),
        ((0, 1), (0.25, 0), (0.5, 1), (0.75, 2), (1, 3), (1.25, 2), (1.5, 1), (1.75, 2)),
    ),
}
"""Per density level, the cell of a chord's first second (and every other second while it is held)
and of the seconds in between: ``(onset in beats, index into the voicing sorted low to high)``."""

_ACCEPTED_INSTRUMENT = (
    "a General MIDI program number 0-127 or its name, like 'Acoustic Grand Piano' (0), "
    "'Electric Piano 1' (4), 'Acoustic Guitar (nylon)' (24), 'String Ensemble 1' (48)"
)


def key_transposition(key: str | Key) -> int:
    """Semitones (-7..+4) from the normalised key (C major / A minor) to ``key``, as the original."""
    return (parse_key(key).normalization_shift + 7) % 12 - 7


def chord_voicing(chord: str | Chord) -> list[int]:
    """MIDI pitches of a chord before voice leading: bass (root an octave down), then the root in
    57..68 (A3..G#4) and the other tones above it. Empty for ``N``."""
    chord = parse_chord(chord)
    if chord.is_no_chord:
        return []
    root = 48 + (chord.root if chord.root >= 9 else chord.root + 12)
    return [root - 12] + [root + step for step in QUALITY_INTERVALS[chord.quality]]


def _octave_towards(note: int, target: int) -> int:
    """``note`` moved by whole octaves to within a tritone of ``target`` (exactly a tritone away, it
    crosses to the other side of ``target``)."""
    if note <= target:
        return note + 12 * ((target - note + 6) // 12)
    return note - 12 * ((note - target + 6) // 12)


def voice_lead(voicings: Sequence[Sequence[int]]) -> list[list[int]]:
    """Voice-lead successive chord voicings (:func:`chord_voicing`) as the original does; each result
    is sorted low to high, silent chords stay empty and are skipped over."""
    result: list[list[int]] = []
    previous: list[int] | None = None
    centre = 0
    for voicing in voicings:
        if not voicing:
            result.append([])
            continue
        if previous is None:
            previous = list(voicing)
            centre = voicing[1] + 3
            result.append(list(voicing))
            continue
        bass = voicing[0]
        if abs(bass - previous[0]) > 7:
            bass += 12 if bass < previous[0] else -12
        led = [bass]
        for note in voicing[1:]:
            distance, neighbour = _closest_pitch_class(note, previous[1:])
            moved = _octave_towards(note, neighbour)
            led.append(moved if abs(moved - centre) <= 8 or distance > 2 else note)
        previous = sorted(led)
        result.append(previous)
    return result


def _closest_pitch_class(note: int, candidates: Sequence[int]) -> tuple[int, int]:
    """``(pitch-class distance, first candidate at that distance)``, the distance counted 0..6."""
    best = min(range(len(candidates)), key=lambda i: (_pc_distance(note, candidates[i]), i))
    return _pc_distance(note, candidates[best]), candidates[best]


def _pc_distance(a: int, b: int) -> int:
    step = abs(a - b) % 12
    return min(step, 12 - step)


def density_levels(note_density: Sequence[float] | np.ndarray) -> np.ndarray:
    """Arpeggio level 0..4 of each second from its note density (notes per second)."""
    counts = np.clip(np.round(np.asarray(note_density, dtype=np.float64)).astype(int), 0, MAX_NOTE_DENSITY)
    return _levels(counts)


def _levels(values: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.asarray(DENSITY_THRESHOLDS), values, side="left").astype(int)


def arpeggio_levels(
    note_density: np.ndarray, loudness: np.ndarray, density_from: Literal["note_density", "loudness"]
) -> np.ndarray:
    """Arpeggio level 0..4 of each second from the note density (default) or, as the released demo
    does, from the loudness level."""
    if density_from == "note_density":
        return density_levels(note_density)
    if density_from == "loudness":
        return _levels(loudness_levels(loudness))
    raise InvalidInputError(f"density_from must be 'note_density' or 'loudness', got {density_from!r}")


def loudness_levels(loudness: Sequence[float] | np.ndarray) -> np.ndarray:
    """Integer loudness level 0..50 of each second: ``int(100 * loudness)`` clipped, as the original."""
    return np.clip((np.asarray(loudness, dtype=np.float64) * 100).astype(int), 0, MAX_LOUDNESS_LEVEL)


def velocities(loudness: Sequence[float] | np.ndarray) -> np.ndarray:
    """MIDI velocity 49..112 of each second from its loudness (linear RMS amplitude, 0..1)."""
    low, high = VELOCITY_RANGE
    scaled = (loudness_levels(loudness) / MAX_LOUDNESS_LEVEL) ** VELOCITY_EXPONENT
    return np.round(scaled * (high - low) + low).astype(int)


def per_second_values(values: float | Sequence[float], count: int, name: str) -> np.ndarray:
    """``values`` as ``count`` finite floats: one number is repeated, a sequence must have ``count`` items."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0:
        array = np.full(count, float(array))
    if array.ndim != 1 or len(array) != count:
        raise InvalidInputError(
            f"{name} must be one number or one value per chord ({count}), got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise InvalidInputError(f"{name} contains NaN or infinite values; accepted: finite numbers")
    return array


def _program(instrument: int | str) -> int:
    import pretty_midi

    if isinstance(instrument, str) and not instrument.strip().isdigit():
        try:
            return pretty_midi.instrument_name_to_program(instrument.strip())
        except ValueError:
            raise InvalidInputError(
                f"Unknown instrument {instrument!r}. Accepted: {_ACCEPTED_INSTRUMENT}"
            ) from None
    if isinstance(instrument, bool) or not 0 <= int(instrument) <= 127:
        raise InvalidInputError(
            f"Instrument {instrument!r} is out of range. Accepted: {_ACCEPTED_INSTRUMENT}"
        )
    return int(instrument)


def _run_positions(chords: Sequence[Chord]) -> list[int]:
    """For each second, how many seconds the same chord has already been held (0 on a change)."""
    positions = []
    for index, chord in enumerate(chords):
        held = index > 0 and chord == chords[index - 1]
        positions.append(positions[-1] + 1 if held else 0)
    return positions


@dataclass(frozen=True)
class Arrangement:
    """An arrangement and the per-second values it was made from, each computed once.

    ``chords``: one :class:`~modeling.vocabularies.chords.Chord` per second in the normalised key;
    ``key`` and ``shift`` (semitones from the normalised key to ``key``); ``note_density``, ``loudness``:
    the per-second curves (``(T,)`` float64); ``density_level`` (0..4) and ``velocity`` (49..112): what
    each second's notes were given; ``midi``: the ``pretty_midi.PrettyMIDI``."""

    midi: Any
    chords: list[Chord]
    key: Key
    shift: int
    note_density: np.ndarray
    loudness: np.ndarray
    density_level: np.ndarray
    velocity: np.ndarray

    @property
    def played_chords(self) -> list[Chord]:
        """The chords as they sound, in :attr:`key`."""
        return [chord.transpose(self.shift) for chord in self.chords]


def arrange(chords: Sequence[str | Chord], key: str | Key = "C major", **options):
    """Arrange one chord per second into a ``pretty_midi.PrettyMIDI`` (one instrument): the ``midi`` of
    :func:`arrangement`, which documents the arguments."""
    return arrangement(chords, key, **options).midi


def arrangement(
    chords: Sequence[str | Chord],
    key: str | Key = "C major",
    *,
    note_density: float | Sequence[float],
    loudness: float | Sequence[float],
    tempo: float = DEFAULT_TEMPO,
    instrument: int | str = 0,
    density_from: Literal["note_density", "loudness"] = "note_density",
) -> Arrangement:
    """Arrange one chord per second into MIDI; returns the :class:`Arrangement` with its per-second values.

    Args:
        chords: chord labels or :class:`~modeling.vocabularies.chords.Chord`, one per second, in the normalised
            key (C major for a major ``key``, A minor for a minor one), as the AMT model generates them.
        key: the key the music is played in (the chords are transposed into it).
        note_density: notes per second, one value per chord or one for all (the bi-GRU's output).
        loudness: linear RMS loudness 0..1, one value per chord or one for all (the bi-GRU's output).
        tempo: beats per minute (120, the original's, fits one arpeggio cell per second).
        instrument: General MIDI program number or name (0, Acoustic Grand Piano).
        density_from: ``"note_density"`` (default) or ``"loudness"`` (the released demo's behaviour).
    """
    import pretty_midi

    chords = [parse_chord(chord) for chord in chords]
    if not chords:
        raise InvalidInputError("arrange() needs at least one chord (one per second of music)")
    if not np.isfinite(tempo) or not 20 <= float(tempo) <= 400:
        raise InvalidInputError(f"tempo must be between 20 and 400 beats per minute, got {tempo!r}")
    key = parse_key(key)
    density = per_second_values(note_density, len(chords), "note_density")
    loud = per_second_values(loudness, len(chords), "loudness")
    levels = arpeggio_levels(density, loud, density_from)
    velocity = velocities(loud)
    shift = key_transposition(key)
    program = _program(instrument)

    midi = pretty_midi.PrettyMIDI(initial_tempo=float(tempo))
    track = pretty_midi.Instrument(program=program, name=pretty_midi.program_to_instrument_name(program))
    beat = 60.0 / float(tempo)
    voicings = voice_lead([chord_voicing(chord) for chord in chords])
    for second, (voicing, held) in enumerate(zip(voicings, _run_positions(chords))):
        if len(voicing) < 4:
            continue
        cell = ARPEGGIO_PATTERNS[int(levels[second])][held % 2]
        cell_start = float(second)
        while cell_start < second + 1 - 1e-9:
            for onset, voice in cell:
                start = cell_start + onset * beat
                if start < second + 1 - 1e-9:
                    track.notes.append(
                        pretty_midi.Note(
                            velocity=int(velocity[second]),
                            pitch=voicing[voice] + shift,
                            start=start,
                            end=start + CELL_BEATS * beat,
                        )
                    )
            cell_start += CELL_BEATS * beat
    midi.instruments.append(track)
    return Arrangement(
        midi=midi,
        chords=chords,
        key=key,
        shift=shift,
        note_density=density,
        loudness=loud,
        density_level=np.asarray(levels),
        velocity=np.asarray(velocity),
    )
