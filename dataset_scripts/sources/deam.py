"""DEAM (MediaEval Database for Emotional Analysis in Music, 1,802 annotated songs) -> unified rows.

Accepted layouts of ``raw_dir``:

* the official release (``DEAM_Annotations.zip`` and ``DEAM_audio.zip`` unpacked side by side,
  with or without their top folders)::

    annotations/annotations averaged per song/song_level/static_annotations_averaged_songs_1_2000.csv
    annotations/annotations averaged per song/song_level/static_annotations_averaged_songs_2000_2058.csv
    annotations/annotations averaged per song/dynamic (per second annotations)/valence.csv, arousal.csv
    MEMD_audio/<song_id>.mp3

* Music2Emo's preprocessed layout: ``static_annotations.csv`` (or ``meta/static_annotations.csv``),
  optional ``split/`` (or ``meta/split/``), audio in ``mp3/<song_id>.mp3``.

Song-level valence/arousal are on 1-9 already; per-second values on [-1, 1] become 5 + 4x.
Splits: the Music2Emo paper's (shipped with emotune).
"""

from __future__ import annotations

from pathlib import Path

from modeling.base.errors import DatasetBuildError

from ..build_types import BuildOptions
from ..releases.raw_tables import locate, locate_optional
from ..releases.records import SourceBuild, SourceInfo
from ..releases.va_tables import MUSIC2EMO_COLUMNS, NINE, collect_va_source, read_static, read_wide_dynamic

__all__ = ["INFO", "collect"]

SOURCE = "deam"
INFO = SourceInfo(
    name="DEAM (MediaEval Database for Emotional Analysis in Music)",
    homepage="https://cvml.unige.ch/databases/DEAM/",
    license="Audio from Creative Commons sources (Free Music Archive, Jamendo, MedleyDB); see the release's terms.",
    citation="Aljanaki, Yang & Soleymani (2017), Developing a benchmark for emotional analysis of music, PLoS ONE.",
    labels="valence-arousal, song-level mean and std on 1-9, per-second (2 Hz) curves",
    conversion="song-level values kept (already 1-9); per-second values on [-1, 1] mapped by 5 + 4x",
)

_ANNOTATION_ROOTS = ("annotations", "DEAM_Annotations/annotations")
_SONG_LEVEL = "annotations averaged per song/song_level"
_STATIC_FILES = (
    "static_annotations_averaged_songs_1_2000.csv",
    "static_annotations_averaged_songs_2000_2058.csv",
)
_DYNAMIC = "annotations averaged per song/dynamic (per second annotations)"
_PREPROCESSED = ("static_annotations.csv", "meta/static_annotations.csv")
_AUDIO_DIRS = ("MEMD_audio", "DEAM_audio/MEMD_audio", "mp3")


def collect(raw_dir: Path, options: BuildOptions) -> SourceBuild:
    """Parse a DEAM release into unified rows and skips."""
    official = locate_optional(raw_dir, [f"{root}/{_SONG_LEVEL}" for root in _ANNOTATION_ROOTS])
    dynamic, dynamic_problems = {}, {}
    if official is not None:
        layout = "official DEAM release"
        static = {}
        for name in _STATIC_FILES:
            part = read_static(locate(official, [name], f"DEAM's {name}"), "song_id", MUSIC2EMO_COLUMNS)
            repeated = sorted(set(part) & set(static))
            if repeated:
                raise DatasetBuildError(
                    f"{official / name}: song {repeated[0]} also appears in {_STATIC_FILES[0]}. "
                    "Accepted: each song in one song-level file"
                )
            static.update(part)
        dynamic_dir = official.parent.parent / _DYNAMIC
        if dynamic_dir.is_dir():
            dynamic, dynamic_problems = read_wide_dynamic(
                dynamic_dir / "valence.csv", dynamic_dir / "arousal.csv"
            )
    else:
        path = locate(
            raw_dir,
            [f"{root}/{_SONG_LEVEL}/{_STATIC_FILES[0]}" for root in _ANNOTATION_ROOTS] + list(_PREPROCESSED),
            "DEAM's song-level annotations",
        )
        layout = "Music2Emo preprocessed layout"
        static = read_static(path, "song_id", MUSIC2EMO_COLUMNS)
    return collect_va_source(
        SOURCE,
        raw_dir,
        options,
        static=static,
        scale=NINE,
        layout=layout,
        audio_dirs=_AUDIO_DIRS,
        dynamic=dynamic,
        dynamic_problems=dynamic_problems,
    )
