"""The 157-chord vocabulary shared by Music2Emo and Video2Music, and AMT's 159-token extension.

Index for index identical to the originals' ``chord.json`` / ``chord_root.json`` /
``chord_attr.json``:

* chord ids: ``N`` = 0, then 12 roots (C, C#, ..., B) x 13 qualities, root-major order, so
  ``id = 1 + 13 * pitch_class + (quality_id - 1)``; the major triad is written as the bare root
  (``C``), every other quality as ``root:quality`` (``C:min7``);
* root ids: ``N`` = 0, C..B = 1..12;
* quality ids: ``N`` = 0, ``maj`` = 1, ``dim``, ``sus4``, ``min7``, ``min``, ``sus2``, ``aug``,
  ``dim7``, ``maj6``, ``hdim7``, ``7``, ``min6``, ``maj7`` = 13.

Music2Emo's ``chord.json`` also lists ``X`` (unknown chord) as 158th entry (id 157); its model
never reads chord ids (only root and quality ids, where ``X`` is encoded like ``N``), so emotune
maps ``X`` to ``N`` and keeps id 157 free for AMT.

AMT adds ``END`` = 157 and ``PAD`` = 158 to the chord ids (159 tokens), and the matching END/PAD
ids to roots (13, 14) and qualities (14, 15).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AMT_CHORD_END",
    "AMT_CHORD_PAD",
    "AMT_NUM_CHORD_TOKENS",
    "AMT_QUALITY_END",
    "AMT_QUALITY_PAD",
    "AMT_ROOT_END",
    "AMT_ROOT_PAD",
    "CHORD_VOCAB",
    "NO_CHORD_ID",
    "NUM_CHORDS",
    "PITCH_CLASSES",
    "QUALITIES",
    "QUALITY_IDS",
    "QUALITY_INTERVALS",
    "ROOT_IDS",
    "Chord",
    "EncodedChords",
    "encode_chords",
]

PITCH_CLASSES: tuple[str, ...] = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")

QUALITIES: tuple[str, ...] = (
    "maj",
    "dim",
    "sus4",
    "min7",
    "min",
    "sus2",
    "aug",
    "dim7",
    "maj6",
    "hdim7",
    "7",
    "min6",
    "maj7",
)
"""The 13 chord qualities, in vocabulary order (quality id = index + 1)."""

QUALITY_INTERVALS: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7),
    "dim": (0, 3, 6),
    "sus4": (0, 5, 7),
    "min7": (0, 3, 7, 10),
    "min": (0, 3, 7),
    "sus2": (0, 2, 7),
    "aug": (0, 4, 8),
    "dim7": (0, 3, 6, 9),
    "maj6": (0, 4, 7, 9),
    "hdim7": (0, 3, 6, 10),
    "7": (0, 4, 7, 10),
    "min6": (0, 3, 7, 9),
    "maj7": (0, 4, 7, 11),
}
"""Semitones above the root of each quality's chord tones."""

ROOT_IDS: dict[str, int] = {"N": 0, **{pc: i + 1 for i, pc in enumerate(PITCH_CLASSES)}}
QUALITY_IDS: dict[str, int] = {"N": 0, **{q: i + 1 for i, q in enumerate(QUALITIES)}}

NO_CHORD_ID = 0
NUM_CHORDS = 1 + len(PITCH_CLASSES) * len(QUALITIES)  # 157

AMT_CHORD_END = NUM_CHORDS  # 157
AMT_CHORD_PAD = NUM_CHORDS + 1  # 158
AMT_NUM_CHORD_TOKENS = NUM_CHORDS + 2  # 159
AMT_ROOT_END, AMT_ROOT_PAD = 13, 14
AMT_QUALITY_END, AMT_QUALITY_PAD = 14, 15


@dataclass(frozen=True)
class Chord:
    """One chord of the vocabulary: a pitch class (0 = C) and a quality, or no chord.

    ``Chord(None, "N")`` is the no-chord symbol (silence, or an unknown chord ``X``).
    """

    root: int | None
    quality: str = "maj"

    def __post_init__(self):
        if self.root is None:
            if self.quality != "N":
                raise ValueError(f"A chord without root must have quality 'N', got {self.quality!r}")
            return
        if not isinstance(self.root, int) or not 0 <= self.root < 12:
            raise ValueError(f"Chord root must be a pitch class 0..11 (0 = C), got {self.root!r}")
        if self.quality not in QUALITY_IDS or self.quality == "N":
            raise ValueError(f"Chord quality must be one of {', '.join(QUALITIES)}; got {self.quality!r}")

    @classmethod
    def no_chord(cls) -> Chord:
        return cls(None, "N")

    @classmethod
    def from_id(cls, chord_id: int) -> Chord:
        """The chord with this vocabulary id (0..156)."""
        if not 0 <= int(chord_id) < NUM_CHORDS:
            raise ValueError(f"Chord id must be in 0..{NUM_CHORDS - 1}, got {chord_id}")
        if chord_id == NO_CHORD_ID:
            return cls.no_chord()
        root, quality = divmod(int(chord_id) - 1, len(QUALITIES))
        return cls(root, QUALITIES[quality])

    @property
    def is_no_chord(self) -> bool:
        return self.root is None

    @property
    def label(self) -> str:
        """The vocabulary's spelling: ``N``, ``C`` (major), ``C:min7``, sharps for black keys."""
        if self.root is None:
            return "N"
        name = PITCH_CLASSES[self.root]
        return name if self.quality == "maj" else f"{name}:{self.quality}"

    @property
    def id(self) -> int:
        """Vocabulary id, 0..156."""
        if self.root is None:
            return NO_CHORD_ID
        return 1 + self.root * len(QUALITIES) + QUALITY_IDS[self.quality] - 1

    @property
    def root_id(self) -> int:
        """Root id as Music2Emo/AMT embed it: N = 0, C..B = 1..12."""
        return 0 if self.root is None else self.root + 1

    @property
    def quality_id(self) -> int:
        """Quality id: N = 0, maj = 1 ... maj7 = 13."""
        return QUALITY_IDS[self.quality]

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        """Sounding pitch classes, root first; empty for no chord."""
        if self.root is None:
            return ()
        return tuple((self.root + step) % 12 for step in QUALITY_INTERVALS[self.quality])

    def transpose(self, semitones: int) -> Chord:
        if self.root is None:
            return self
        return Chord((self.root + semitones) % 12, self.quality)

    def __str__(self) -> str:
        return self.label


CHORD_VOCAB: tuple[str, ...] = tuple(Chord.from_id(i).label for i in range(NUM_CHORDS))
"""Chord labels by id, exactly as in the originals' ``chord_inv.json``."""


@dataclass(frozen=True)
class EncodedChords:
    """A progression encoded for Music2Emo: fixed-length id lists plus the real-chord mask."""

    root_ids: list[int]
    quality_ids: list[int]
    chord_ids: list[int]
    attention_mask: list[int]


def encode_chords(chords, max_length: int = 100) -> EncodedChords:
    """Encode chords as Music2Emo does: truncate to ``max_length``, pad with id 0.

    Padding uses id 0 for root, quality and chord, which is also the no-chord ``N``: the original
    model cannot tell padding from silence. ``attention_mask`` marks the real chords (1) so a model
    configured to mask padding can; a progression of zero chords becomes one ``N`` (as the
    original does for a missing chord file).
    """
    chords = list(chords)[:max_length] or [Chord.no_chord()]
    pad = max_length - len(chords)
    return EncodedChords(
        root_ids=[c.root_id for c in chords] + [0] * pad,
        quality_ids=[c.quality_id for c in chords] + [0] * pad,
        chord_ids=[c.id for c in chords] + [NO_CHORD_ID] * pad,
        attention_mask=[1] * len(chords) + [0] * pad,
    )
