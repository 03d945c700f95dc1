"""Parsing chord and key labels, and the key normalisation Music2Emo and Video2Music apply.

Chord labels are accepted in Harte syntax (``C:min7``, ``Db:maj``, ``C:maj7/3``, ``C:(1,b3,5)``,
``N``, ``X``) and in common lead-sheet shorthand (``Am``, ``Bb``, ``F#m7``, ``Cmaj7``, ``Dm6``,
``Gsus4``, ``Bm7b5``, ``Cdim7``, ``Caug``). Flats and music21's ``-`` become sharps (``Db`` ->
``C#``). The 157-chord vocabulary has no inversions or extensions, so a bass note (``/3``) and
added degrees in parentheses after a shorthand are dropped, and qualities outside the 13 are
reduced to the nearest one (:data:`REDUCTIONS`); ``X`` (unknown chord) becomes ``N``, as in the
original encoding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ...base.errors import ChordLabelError, InvalidKeyError
from .vocabulary import PITCH_CLASSES, QUALITIES, QUALITY_INTERVALS, Chord

__all__ = [
    "ACCEPTED_CHORD_SYNTAX",
    "ACCEPTED_KEY_SYNTAX",
    "KEYS",
    "REDUCTIONS",
    "Key",
    "denormalize_chords",
    "normalize_chords",
    "parse_chord",
    "parse_key",
    "parse_pitch_class",
    "parse_progression",
]

ACCEPTED_CHORD_SYNTAX = (
    "Harte labels like 'C:min7' or 'Db:maj7/3' (root:quality[/bass]) with quality in "
    + ", ".join(QUALITIES)
    + " (also min9, maj9, 9, 11, 13, minmaj7, which are reduced) or an interval list like 'C:(1,b3,5)'; "
    "shorthand like 'C', 'Am', 'Bb', 'F#m7', 'Cmaj7', 'Dm6', 'Gsus4', 'Bm7b5', 'Cdim', 'Caug', 'G7'; "
    "'N' for no chord, 'X' for unknown"
)
ACCEPTED_KEY_SYNTAX = (
    "a tonic and a mode, like 'C major', 'A minor', 'F# minor', 'Bb major', music21's 'e- minor', "
    "'C:maj', 'A:min', or shorthand 'C' / 'Am'"
)

_NATURALS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ACCIDENTALS = {"#": 1, "♯": 1, "b": -1, "♭": -1, "-": -1}

REDUCTIONS: dict[str, str] = {
    "minmaj7": "min",
    "9": "7",
    "11": "7",
    "13": "7",
    "maj9": "maj7",
    "maj11": "maj7",
    "maj13": "maj7",
    "min9": "min7",
    "min11": "min7",
    "min13": "min7",
    "sus": "sus4",
    "1": "maj",
    "5": "maj",
}
"""Qualities outside the 13-quality vocabulary, and what they are reduced to."""

# Lead-sheet suffixes -> vocabulary (or reducible) quality. Matched exactly, after the root.
_SHORTHAND_SUFFIXES: dict[str, str] = {
    "": "maj",
    "M": "maj",
    "maj": "maj",
    "m": "min",
    "min": "min",
    "mi": "min",
    "-": "min",
    "dim": "dim",
    "o": "dim",
    "°": "dim",
    "aug": "aug",
    "+": "aug",
    "7": "7",
    "dom7": "7",
    "maj7": "maj7",
    "M7": "maj7",
    "Maj7": "maj7",
    "Δ": "maj7",
    "Δ7": "maj7",
    "m7": "min7",
    "min7": "min7",
    "-7": "min7",
    "m7b5": "hdim7",
    "m7-5": "hdim7",
    "ø": "hdim7",
    "ø7": "hdim7",
    "hdim7": "hdim7",
    "dim7": "dim7",
    "o7": "dim7",
    "°7": "dim7",
    "6": "maj6",
    "maj6": "maj6",
    "M6": "maj6",
    "m6": "min6",
    "min6": "min6",
    "sus2": "sus2",
    "sus4": "sus4",
    "sus": "sus4",
    "9": "9",
    "maj9": "maj9",
    "M9": "maj9",
    "m9": "min9",
    "min9": "min9",
    "11": "11",
    "13": "13",
    "mmaj7": "minmaj7",
    "mM7": "minmaj7",
    "minmaj7": "minmaj7",
    "add9": "maj",
    "5": "5",
}

_DEGREES = {"1": 0, "2": 2, "3": 4, "4": 5, "5": 7, "6": 9, "7": 11, "9": 2, "11": 5, "13": 9}
_ROOT_RE = re.compile(r"^([A-Ga-g])([#♯b♭\-]*)")


def parse_pitch_class(text: str) -> int:
    """Pitch class 0..11 of a note name (``C``, ``Db``, ``D-``, ``F#``, ``E#``); case-insensitive letter."""
    match = _ROOT_RE.match(text.strip())
    if not match or match.end() != len(text.strip()):
        raise InvalidKeyError(
            f"Cannot parse note name {text!r}. Accepted: a letter A-G with optional #, b or -"
        )
    return _root_from_match(match)


def _root_from_match(match: re.Match) -> int:
    letter, accidentals = match.group(1).upper(), match.group(2)
    return (_NATURALS[letter] + sum(_ACCIDENTALS[a] for a in accidentals)) % 12


def _reduce(label, quality: str) -> str:
    quality = REDUCTIONS.get(quality, quality)
    if quality not in QUALITY_INTERVALS:
        raise ChordLabelError(label, f"unknown quality {quality!r}", ACCEPTED_CHORD_SYNTAX)
    return quality


def _quality_from_intervals(label, text: str) -> str:
    steps = set()
    for item in text.split(","):
        item = item.strip()
        match = re.fullmatch(r"([#b]*)(\d+)", item)
        if not match or match.group(2) not in _DEGREES:
            raise ChordLabelError(label, f"bad interval {item!r} in {text!r}", ACCEPTED_CHORD_SYNTAX)
        shift = sum(_ACCIDENTALS[a] for a in match.group(1))
        steps.add((_DEGREES[match.group(2)] + shift) % 12)
    steps.add(0)
    for quality, intervals in QUALITY_INTERVALS.items():
        if steps == set(intervals):
            return quality
    raise ChordLabelError(
        label, f"the interval list ({text}) matches none of the 13 qualities", ACCEPTED_CHORD_SYNTAX
    )


def parse_chord(label: str | Chord) -> Chord:
    """Parse one chord label (Harte or shorthand) into a vocabulary :class:`Chord`."""
    if isinstance(label, Chord):
        return label
    if not isinstance(label, str):
        raise ChordLabelError(label, f"expected a string, got {type(label).__name__}", ACCEPTED_CHORD_SYNTAX)
    text = label.strip()
    if not text:
        raise ChordLabelError(label, "the label is empty", ACCEPTED_CHORD_SYNTAX)
    if text in ("N", "X"):
        return Chord.no_chord()
    match = _ROOT_RE.match(text)
    if not match:
        raise ChordLabelError(label, "it does not start with a root note A-G", ACCEPTED_CHORD_SYNTAX)
    root = _root_from_match(match)
    rest = text[match.end() :]
    # A bass note after '/' does not change the vocabulary entry, but must be a valid note/degree.
    if "/" in rest:
        rest, bass = rest.split("/", 1)
        if not re.fullmatch(r"[#b]*\d+|[A-Ga-g][#♯b♭\-]*", bass.strip()):
            raise ChordLabelError(label, f"bad bass {bass!r}", ACCEPTED_CHORD_SYNTAX)
    if rest.startswith(":"):  # Harte
        body = rest[1:]
        paren = re.fullmatch(r"([^()]*)(?:\(([^()]*)\))?", body)
        if not paren:
            raise ChordLabelError(label, f"unbalanced parentheses in {body!r}", ACCEPTED_CHORD_SYNTAX)
        shorthand, intervals = paren.group(1), paren.group(2)
        if shorthand:
            quality = _reduce(label, shorthand)
        elif intervals is not None:
            quality = _quality_from_intervals(label, intervals)
        else:
            raise ChordLabelError(label, "nothing after ':'", ACCEPTED_CHORD_SYNTAX)
        return Chord(root, quality)
    suffix = re.sub(r"\([^()]*\)$", "", rest)  # added degrees in shorthand, e.g. C7(b9)
    if suffix not in _SHORTHAND_SUFFIXES:
        raise ChordLabelError(label, f"unknown chord suffix {rest!r}", ACCEPTED_CHORD_SYNTAX)
    return Chord(root, _reduce(label, _SHORTHAND_SUFFIXES[suffix]))


def parse_progression(progression: str | Iterable[str | Chord]) -> list[Chord]:
    """Parse a progression given as ``"C Am F G"`` / ``"C, Am, F, G"`` or as a list of labels."""
    if isinstance(progression, str):
        items = [item for item in re.split(r"[\s,|]+", progression.strip()) if item]
    else:
        items = list(progression)
    return [parse_chord(item) for item in items]


@dataclass(frozen=True)
class Key:
    """A key: tonic pitch class (0 = C) and mode (``major`` / ``minor``)."""

    tonic: int
    mode: str = "major"

    def __post_init__(self):
        if self.mode not in ("major", "minor"):
            raise InvalidKeyError(f"Key mode must be 'major' or 'minor', got {self.mode!r}")
        if not 0 <= self.tonic < 12:
            raise InvalidKeyError(f"Key tonic must be a pitch class 0..11, got {self.tonic!r}")

    @property
    def name(self) -> str:
        """``C major``, ``F# minor`` (sharp spellings)."""
        return f"{PITCH_CLASSES[self.tonic]} {self.mode}"

    @property
    def mode_id(self) -> int:
        """0 for major, 1 for minor, as the models take it."""
        return 0 if self.mode == "major" else 1

    @property
    def normalization_shift(self) -> int:
        """Semitones to subtract to move this key to C major (major) or A minor (minor)."""
        return self.tonic % 12 if self.mode == "major" else (self.tonic - 9) % 12

    def __str__(self) -> str:
        return self.name


KEYS: tuple[Key, ...] = tuple(Key(pc, mode) for mode in ("major", "minor") for pc in range(12))
"""The 24 major and minor keys."""

_MODE_WORDS = {"major": "major", "maj": "major", "minor": "minor", "min": "minor", "m": "minor"}


def parse_key(text: str | Key) -> Key:
    """Parse a key (``C major``, ``a minor``, ``e- minor``, ``C:maj``, ``Am``, ``C``)."""
    if isinstance(text, Key):
        return text
    if not isinstance(text, str) or not text.strip():
        raise InvalidKeyError(f"Cannot parse key {text!r}. Accepted: {ACCEPTED_KEY_SYNTAX}")
    cleaned = text.strip()
    match = re.fullmatch(
        r"([A-Ga-g][#♯b♭\-]*)\s*(?::|\s)?\s*(major|minor|maj|min|m)?", cleaned, flags=re.IGNORECASE
    )
    if not match:
        raise InvalidKeyError(f"Cannot parse key {text!r}. Accepted: {ACCEPTED_KEY_SYNTAX}")
    tonic_text, mode_text = match.group(1), match.group(2)
    if mode_text is None or mode_text == "M":  # 'C', or shorthand 'CM'
        mode = "major"
    elif mode_text == "m":  # shorthand 'Am'
        mode = "minor"
    else:
        mode = _MODE_WORDS[mode_text.lower()]
    tonic = _root_from_match(_ROOT_RE.match(tonic_text))
    return Key(tonic, mode)


def normalize_chords(chords: Iterable[str | Chord], key: str | Key) -> list[Chord]:
    """Transpose chords so ``key`` becomes C major (major keys) or A minor (minor keys).

    This is the normalisation both originals apply before encoding (Music2Emo's ``chordnorm``).
    """
    shift = parse_key(key).normalization_shift
    return [parse_chord(c).transpose(-shift) for c in chords]


def denormalize_chords(chords: Iterable[str | Chord], key: str | Key) -> list[Chord]:
    """The inverse of :func:`normalize_chords`: from C major / A minor back to ``key``."""
    shift = parse_key(key).normalization_shift
    return [parse_chord(c).transpose(shift) for c in chords]
