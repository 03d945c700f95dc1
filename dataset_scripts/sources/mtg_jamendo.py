"""MTG-Jamendo mood/theme subset (56 tags, official splits) -> unified rows.

Accepted layouts of ``raw_dir``:

* a clone of github.com/MTG/mtg-jamendo-dataset beside the downloaded audio: split files
  ``data/splits/split-N/autotagging_moodtheme-{train,validation,test}.tsv``; audio as unpacked by
  its ``download.py`` (``NN/ID.mp3``, or ``NN/ID.low.mp3`` for the low-quality download) in
  ``raw_dir`` itself or in ``audio/``, ``audio-low/`` or ``mp3/``;
* Music2Emo's layout: ``splits/split-N/...`` and ``mp3/NN/ID.mp3``.

Without split files in ``raw_dir``, split 0 (what Music2Emo trained on) is read from the copy
shipped with emotune. Every track gets its tags as 56 multi-hot floats in model order and
valence-arousal from the tag lexicon (the mean over its tags; ``va_source = "lexicon"``), as
Music2Emo's training did.
"""

from __future__ import annotations

from pathlib import Path

from modeling.base.errors import DatasetBuildError, InvalidInputError
from modeling.vocabularies.emotion import MTG_TAG_PREFIX, tag_index

from ..build_types import BuildOptions
from ..releases.audio_files import AudioFinder
from ..releases.raw_tables import locate_optional, read_tsv_lines
from ..releases.records import Candidate, SourceBuild, SourceInfo, assemble, tag_labels
from ..releases.skips import UNPARSEABLE_ANNOTATION, Skip
from ..releases.splits import packaged_split_dir
from ..schema import SPLITS

__all__ = ["HEADER", "INFO", "NUM_SPLITS", "collect", "split_file_name"]

SOURCE = "mtg-jamendo"
INFO = SourceInfo(
    name="MTG-Jamendo (autotagging_moodtheme subset)",
    homepage="https://github.com/MTG/mtg-jamendo-dataset",
    license="Metadata CC BY-NC-SA 4.0; audio under the Creative Commons license of each track (audio_licenses.txt).",
    citation="Bogdanov, Won, Tovstogan, Porter & Serra (2019), The MTG-Jamendo Dataset for Automatic Music Tagging, ICML ML4MD.",
    labels="56 mood/theme tags (multi-label); no valence-arousal annotation",
    conversion="tags -> 56 multi-hot floats in Music2Emo's output order; valence/arousal = mean of the tags' lexicon values (1-9)",
)

HEADER = ("TRACK_ID", "ARTIST_ID", "ALBUM_ID", "PATH", "DURATION", "TAGS")
NUM_SPLITS = 5
_SPLIT_DIRS = ("data/splits/split-{n}", "splits/split-{n}")
_AUDIO_DIRS = ("audio", "audio-low", "mp3", "")


def split_file_name(split: str) -> str:
    return f"autotagging_moodtheme-{split}.tsv"


def _split_folder(raw_dir: Path, number: int) -> tuple[Path, str]:
    if not 0 <= number < NUM_SPLITS:
        raise InvalidInputError(f"MTG-Jamendo has splits 0-{NUM_SPLITS - 1}; got --split {number}")
    candidates = [d.format(n=number) for d in _SPLIT_DIRS]
    folder = locate_optional(raw_dir, candidates)
    if folder is not None:
        return folder, f"official split TSVs; splits: official split {number}, read from the raw folder"
    if number == 0:
        return packaged_split_dir(
            SOURCE
        ) / "split-0", "official split TSVs; splits: official split 0 (copy shipped with emotune)"
    raise DatasetBuildError(
        f"MTG-Jamendo split {number} not found under {raw_dir}. Accepted (relative to it): "
        f"{'; '.join(candidates)} (from github.com/MTG/mtg-jamendo-dataset); emotune ships split 0 only"
    )


def _tag_problem(tags: list[str]) -> str:
    if not any(tags):
        return "no mood/theme tag"
    for tag in tags:
        if not tag.startswith(MTG_TAG_PREFIX):
            return f"tag {tag!r} is not a mood/theme tag"
        try:
            tag_index(tag)
        except InvalidInputError:
            return f"tag {tag!r} is not one of the 56 mood/theme tags of the splits"
    return ""


def collect(raw_dir: Path, options: BuildOptions) -> SourceBuild:
    """Parse MTG-Jamendo's split TSVs into unified rows and skips."""
    folder, layout = _split_folder(raw_dir, options.mtg_split)
    finder = AudioFinder(raw_dir, _AUDIO_DIRS, audio_dir=options.audio_dir, what="MTG-Jamendo")
    candidates, skips, seen = [], [], {}
    for split in SPLITS:
        path = folder / split_file_name(split)
        if not path.is_file():
            raise DatasetBuildError(f"{folder} has no {path.name}. Accepted: the three official split TSVs")
        for number, fields in read_tsv_lines(path, header=HEADER):
            track, audio_path, tags = fields[0], fields[3], fields[5:]
            if track in seen:
                raise DatasetBuildError(
                    f"{path}, line {number}: track {track} is already listed in {seen[track]}. "
                    "Accepted: each track in one split, once"
                )
            seen[track] = f"{path.name}, line {number}"
            problem = _tag_problem(tags)
            if problem:
                skips.append(
                    Skip(SOURCE, track, UNPARSEABLE_ANNOTATION, f"{problem} ({path}, line {number})")
                )
                continue
            names = [audio_path, audio_path.removesuffix(".mp3") + ".low.mp3"]
            candidates.append(
                Candidate(
                    id=track,
                    split=split,
                    audio=finder.find(names),
                    labels=tag_labels(tags),
                    audio_detail=finder.describe(names),
                )
            )
    return assemble(SOURCE, candidates, skips, layout=layout, progress=options.progress)
