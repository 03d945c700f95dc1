"""EmoMusic ("1000 songs", MediaEval 2013 Emotion in Music: 744 distinct 45 s clips) -> unified rows.

Accepted layouts of ``raw_dir``:

* the official release::

    annotations/static_annotations.csv       song_id, mean_arousal, std_arousal, mean_valence, std_valence (1-9)
    annotations/arousal_cont_average.csv     song_id, sample_15000ms, sample_15500ms, ...  (2 Hz, [-1, 1])
    annotations/valence_cont_average.csv
    annotations/songs_info.csv (or songs_info.csv)   song_id, file_name, ...  (fields padded with tabs)
    clips_45seconds/<file_name>

* Music2Emo's preprocessed layout: ``static_annotations.csv`` (song_id, valence_mean, valence_std,
  arousal_mean, arousal_std), ``songs_info.csv`` (each also under ``meta/``), optional ``split/``,
  audio in ``mp3/<song_id>.mp3``.

Song-level values are on 1-9 already; per-time-step values on [-1, 1] become 5 + 4x. Splits: the
Music2Emo paper's (shipped with emotune). Songs in ``songs_info.csv`` without annotation are
reported in the skip report.
"""

from __future__ import annotations

from pathlib import Path

from ..build_types import BuildOptions
from ..releases.raw_tables import locate, locate_optional
from ..releases.records import SourceBuild, SourceInfo
from ..releases.va_tables import (
    MUSIC2EMO_COLUMNS,
    NINE,
    collect_va_source,
    read_file_names,
    read_static,
    read_wide_dynamic,
)

__all__ = ["INFO", "collect"]

SOURCE = "emomusic"
INFO = SourceInfo(
    name="EmoMusic (Emotion in Music Database, 1000 songs)",
    homepage="https://cvml.unige.ch/databases/emoMusic/",
    license="Audio from the Free Music Archive under Creative Commons licenses; see the release's terms.",
    citation="Soleymani, Caro, Schmidt, Sha & Yang (2013), 1000 Songs for Emotional Analysis of Music, CrowdMM.",
    labels="valence-arousal, song-level mean and std on 1-9, per-time-step (2 Hz) curves",
    conversion="song-level values kept (already 1-9); per-time-step values on [-1, 1] mapped by 5 + 4x",
)

_OFFICIAL = "annotations/static_annotations.csv"
_PREPROCESSED = ("static_annotations.csv", "meta/static_annotations.csv")
_SONGS_INFO = ("annotations/songs_info.csv", "songs_info.csv", "meta/songs_info.csv")
_AUDIO_DIRS = ("clips_45seconds", "mp3")
_OFFICIAL_COLUMNS = {
    "valence": "mean_valence",
    "valence_std": "std_valence",
    "arousal": "mean_arousal",
    "arousal_std": "std_arousal",
}


def collect(raw_dir: Path, options: BuildOptions) -> SourceBuild:
    """Parse an EmoMusic release into unified rows and skips."""
    path = locate(raw_dir, [_OFFICIAL, *_PREPROCESSED], "EmoMusic's song-level annotations")
    dynamic, dynamic_problems = {}, {}
    if path == raw_dir / _OFFICIAL:
        layout = "official EmoMusic release"
        static = read_static(path, "song_id", _OFFICIAL_COLUMNS)
        valence_path, arousal_path = (path.with_name(f"{d}_cont_average.csv") for d in ("valence", "arousal"))
        if valence_path.is_file() or arousal_path.is_file():
            dynamic, dynamic_problems = read_wide_dynamic(valence_path, arousal_path)
    else:
        layout = "Music2Emo preprocessed layout"
        static = read_static(path, "song_id", MUSIC2EMO_COLUMNS)
    songs_info = locate_optional(raw_dir, _SONGS_INFO)
    file_names = read_file_names(songs_info, "song_id", "file_name")
    return collect_va_source(
        SOURCE,
        raw_dir,
        options,
        static=static,
        scale=NINE,
        layout=layout,
        audio_dirs=_AUDIO_DIRS,
        file_names=file_names,
        dynamic=dynamic,
        dynamic_problems=dynamic_problems,
        listed_elsewhere=dict.fromkeys(file_names, songs_info.name if songs_info else ""),
    )
