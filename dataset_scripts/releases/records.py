"""From parsed annotations to unified rows.

A source builder parses its release into :class:`Candidate` rows (labels already on the unified
scales) plus the :class:`~dataset_scripts.releases.skips.Skip` entries of lines it could not parse;
:func:`assemble` then checks each candidate's split and audio (probing the file) and returns the
:class:`SourceBuild`: the rows that made it and the skip entries of those that did not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from modeling.base.errors import AudioDecodingError, DatasetBuildError
from modeling.vocabularies.emotion import (
    NUM_MOOD_TAGS,
    SCALE_MAX,
    SCALE_MIN,
    lexicon_va,
    quadrant,
    tags_to_multi_hot,
)

from ..schema import SPLITS
from .audio_files import audio_duration
from .skips import AUDIO_MISSING, AUDIO_UNDECODABLE, NOT_IN_SPLIT, Skip, SkipReport

__all__ = [
    "Candidate",
    "SourceBuild",
    "SourceInfo",
    "assemble",
    "empty_dynamic",
    "in_scale",
    "natural_key",
    "tag_labels",
    "va_labels",
]


def natural_key(identifier: str) -> tuple:
    """Sort key: numeric ids in numeric order ("2" < "10"), others as text after them."""
    return (0, int(identifier), "") if identifier.isdigit() else (1, 0, identifier)


def in_scale(value: float) -> bool:
    """Whether a value lies on the canonical 1-9 scale."""
    return SCALE_MIN <= value <= SCALE_MAX


def va_labels(
    valence: float, arousal: float, valence_std: float | None = None, arousal_std: float | None = None
) -> dict[str, Any]:
    """Label columns of an annotated valence-arousal row (1-9 scale); no tags."""
    return {
        "moods": [0.0] * NUM_MOOD_TAGS,
        "has_moods": False,
        "valence": valence,
        "arousal": arousal,
        "valence_std": valence_std,
        "arousal_std": arousal_std,
        "va_source": "annotated",
        "quadrant": quadrant(valence, arousal),
    }


def tag_labels(tags: Sequence[str]) -> dict[str, Any]:
    """Label columns of a tagged row: multi-hot tags, valence-arousal from the tag lexicon."""
    valence, arousal = lexicon_va(tags)
    return {
        "moods": tags_to_multi_hot(tags),
        "has_moods": True,
        "valence": valence,
        "arousal": arousal,
        "valence_std": None,
        "arousal_std": None,
        "va_source": "lexicon",
        "quadrant": quadrant(valence, arousal),
    }


def empty_dynamic() -> dict[str, list[float]]:
    return {"time": [], "valence": [], "arousal": []}


@dataclass(frozen=True)
class SourceInfo:
    """What the dataset card says about a source: name, where it comes from, its terms, its labels
    and how they were brought onto the unified scales."""

    name: str
    homepage: str
    license: str
    citation: str
    labels: str
    conversion: str


@dataclass
class Candidate:
    """A parsed input row: id, split (None when in no split file), audio file (None when missing,
    with ``audio_detail`` saying where it was looked for), labels, per-time-step VA."""

    id: str
    split: str | None
    audio: Path | None
    labels: dict[str, Any]
    dynamic: dict[str, list[float]] = field(default_factory=empty_dynamic)
    audio_detail: str = ""


@dataclass
class SourceBuild:
    """What one source's builder produced: unified rows (dicts, ``audio`` a file path) and skips."""

    source: str
    rows: list[dict[str, Any]]
    skipped: list[Skip]
    layout: str
    synthetic: bool = False

    def split_counts(self) -> dict[str, int]:
        return {split: sum(row["split"] == split for row in self.rows) for split in SPLITS}


def assemble(
    source: str,
    candidates: Iterable[Candidate],
    skipped: Iterable[Skip],
    *,
    layout: str,
    progress: bool = True,
) -> SourceBuild:
    """Check split and audio of every candidate; rows sorted by split then id, skips by id."""
    rows, skips = [], list(skipped)
    candidates = list(candidates)
    for candidate in tqdm(candidates, desc=f"{source}: checking audio", unit="row", disable=not progress):
        if candidate.split is None:
            skips.append(
                Skip(source, candidate.id, NOT_IN_SPLIT, "not listed in the train/validation/test files")
            )
        elif candidate.audio is None:
            skips.append(Skip(source, candidate.id, AUDIO_MISSING, candidate.audio_detail))
        else:
            try:
                duration = audio_duration(candidate.audio)
            except AudioDecodingError as error:
                skips.append(Skip(source, candidate.id, AUDIO_UNDECODABLE, str(error)))
                continue
            rows.append(
                {
                    "id": candidate.id,
                    "source": source,
                    "split": candidate.split,
                    "audio": str(candidate.audio),
                    "duration": duration,
                    **candidate.labels,
                    "dynamic": candidate.dynamic,
                }
            )
    if not rows:
        report = SkipReport(skips, {source: 0})
        raise DatasetBuildError(
            f"Nothing to build for {source}: every input row was skipped ({report.summary()}). "
            f"First: {skips[0].id}: {skips[0].reason}, {skips[0].detail}"
            if skips
            else f"Nothing to build for {source}: the release lists no rows"
        )
    rows.sort(key=lambda row: (SPLITS.index(row["split"]), natural_key(row["id"])))
    skips.sort(key=lambda skip: natural_key(skip.id))
    return SourceBuild(source, rows, skips, layout)
