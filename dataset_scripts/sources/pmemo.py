"""PMEmo (PMEmo2019: 794 pop-song choruses, 767 annotated) -> unified rows.

Accepted layouts of ``raw_dir`` (the ``PMEmo2019`` folder or its parent):

* the official release::

    metadata.csv                                  musicId, fileName, title, ...
    annotations/static_annotations.csv            musicId, Arousal(mean), Valence(mean)   on [0, 1]
    annotations/static_annotations_std.csv        musicId, Arousal(std), Valence(std)     on [0, 1]
    annotations/dynamic_annotations.csv           musicId, frameTime, Arousal(mean), Valence(mean) (2 Hz)
    chorus/<fileName>

* Music2Emo's preprocessed layout: ``static_annotations.csv`` (song_id, valence_mean, valence_std,
  arousal_mean, arousal_std; means already on 1-9, standard deviations still on [0, 1]),
  ``dynamic_annotations.csv``, ``metadata.csv`` (each also under ``meta/``), optional ``split/``,
  audio in ``mp3/<song_id>.mp3``.

Scales convert exactly: a mean x on [0, 1] becomes 1 + 8x, a standard deviation s becomes 8s.
Songs in ``metadata.csv`` without annotation are reported in the skip report.
"""

from __future__ import annotations

from pathlib import Path

from modeling.vocabularies.emotion import SCALE_MAX, SCALE_MIN

from ..build_types import BuildOptions
from ..releases.raw_tables import locate, locate_optional
from ..releases.records import SourceBuild, SourceInfo
from ..releases.va_tables import (
    MUSIC2EMO_COLUMNS,
    UNIT,
    Scale,
    StaticRow,
    collect_va_source,
    read_file_names,
    read_long_dynamic,
    read_static,
)

__all__ = ["INFO", "collect"]

SOURCE = "pmemo"
INFO = SourceInfo(
    name="PMEmo (Popular Music with Emotional annotations, 2019)",
    homepage="https://github.com/HuiZhangDB/PMEmo",
    license="Research use; the audio is commercial music (Billboard, iTunes, UK charts) and must not be redistributed.",
    citation="Zhang, Zhang, Li, Yang & Sun (2018), The PMEmo Dataset for Music Emotion Recognition, ICMR.",
    labels="valence-arousal (induced), song-level mean and std, per-time-step (2 Hz) curves",
    conversion="[0, 1] -> 1-9 exactly: mean 1 + 8x, standard deviation 8s, per-time-step 1 + 8x",
)

PREPROCESSED_SCALE = Scale(
    "1-9 (standard deviations on [0, 1])", SCALE_MIN, SCALE_MAX, float, UNIT.std_factor
)
"""Music2Emo's preprocessed PMEmo file rescaled the means to 1-9 but left the standard deviations
on [0, 1]; they are multiplied by 8 like the official release's."""

_OFFICIAL = "annotations/static_annotations.csv"
_PREPROCESSED = ("static_annotations.csv", "meta/static_annotations.csv")
_DYNAMIC = ("annotations/dynamic_annotations.csv", "dynamic_annotations.csv", "meta/dynamic_annotations.csv")
_METADATA = ("metadata.csv", "meta/metadata.csv")
_AUDIO_DIRS = ("chorus", "mp3")


def collect(raw_dir: Path, options: BuildOptions) -> SourceBuild:
    """Parse a PMEmo release into unified rows and skips."""
    root = raw_dir / "PMEmo2019" if (raw_dir / "PMEmo2019").is_dir() else raw_dir
    path = locate(root, [_OFFICIAL, *_PREPROCESSED], "PMEmo's song-level annotations")
    elsewhere: dict[str, str] = {}
    if path == root / _OFFICIAL:
        layout, scale = "official PMEmo2019 release", UNIT
        static = read_static(path, "musicId", {"valence": "Valence(mean)", "arousal": "Arousal(mean)"})
        std_path = path.with_name("static_annotations_std.csv")
        if std_path.is_file():
            stds = read_static(
                std_path, "musicId", {"valence_std": "Valence(std)", "arousal_std": "Arousal(std)"}
            )
            static = {
                song: StaticRow(row.line, {**row.values, **(stds[song].values if song in stds else {})})
                for song, row in static.items()
            }
            elsewhere.update(dict.fromkeys(stds, std_path.name))
    else:
        layout, scale = "Music2Emo preprocessed layout", PREPROCESSED_SCALE
        static = read_static(path, "song_id", MUSIC2EMO_COLUMNS)
    dynamic, dynamic_problems = {}, {}
    dynamic_path = locate_optional(root, _DYNAMIC)
    if dynamic_path is not None:
        dynamic, dynamic_problems = read_long_dynamic(
            dynamic_path,
            id_column="musicId",
            time_column="frameTime",
            valence_column="Valence(mean)",
            arousal_column="Arousal(mean)",
            scale=UNIT,
        )
    metadata = locate_optional(root, _METADATA)
    file_names = read_file_names(metadata, "musicId", "fileName")
    elsewhere.update(dict.fromkeys(file_names, metadata.name if metadata else ""))
    return collect_va_source(
        SOURCE,
        root,
        options,
        static=static,
        scale=scale,
        layout=layout,
        audio_dirs=_AUDIO_DIRS,
        file_names=file_names,
        dynamic=dynamic,
        dynamic_problems=dynamic_problems,
        listed_elsewhere=elsewhere,
    )
