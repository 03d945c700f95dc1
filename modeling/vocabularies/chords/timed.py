"""Timed chord labels: what every chord recognition backend returns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ...base.errors import InvalidInputError


@dataclass(frozen=True)
class TimedChord:
    """One recognised chord segment.

    Attributes:
        start: Onset in seconds.
        end: Offset in seconds (``end > start``).
        label: Harte label (``"C:maj"``, ``"A:min7"``) or ``"N"`` for no chord / silence.
    """

    start: float
    end: float
    label: str

    def __post_init__(self) -> None:
        if not self.end > self.start:
            raise InvalidInputError(
                f"A timed chord must end after it starts, got start={self.start} end={self.end} "
                f"for {self.label!r}. Accepted: end > start (seconds)."
            )

    @property
    def duration(self) -> float:
        return self.end - self.start

    def to_dict(self) -> dict[str, float | str]:
        return {"start": float(self.start), "end": float(self.end), "label": self.label}


def merge_repeats(chords: Iterable[TimedChord]) -> list[TimedChord]:
    """Join consecutive segments that carry the same label into one segment."""
    merged: list[TimedChord] = []
    for chord in chords:
        if merged and merged[-1].label == chord.label and abs(merged[-1].end - chord.start) < 1e-6:
            merged[-1] = TimedChord(merged[-1].start, chord.end, chord.label)
        else:
            merged.append(chord)
    return merged


def frames_to_timed_chords(labels: Sequence[str], frame_seconds: float) -> list[TimedChord]:
    """Turn one label per frame (each ``frame_seconds`` long) into merged timed segments."""
    if frame_seconds <= 0:
        raise InvalidInputError(f"frame_seconds must be positive, got {frame_seconds}. Accepted: > 0.")
    return merge_repeats(
        TimedChord(i * frame_seconds, (i + 1) * frame_seconds, label) for i, label in enumerate(labels)
    )
