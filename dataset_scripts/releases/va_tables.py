"""Valence-arousal annotation tables shared by the DEAM, PMEmo and EmoMusic builders.

* Song-level ("static") tables: one line per song, mean and standard deviation of valence and
  arousal, on 1-9 (DEAM, EmoMusic) or on [0, 1] (PMEmo, converted exactly: mean -> 1 + 8x,
  standard deviation -> 8x).
* Per-time-step ("dynamic") tables, in two shapes: *wide* (DEAM, EmoMusic: one file per dimension,
  one line per song, columns ``sample_15000ms``, ``sample_15500ms``, ... on [-1, 1] -> 5 + 4x) and
  *long* (PMEmo: one line per song and time, ``frameTime`` in seconds, values on [0, 1]).

Parsing never invents a value: a song whose numbers cannot be used gets a *problem* (a sentence
for the skip report) instead of labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from modeling.vocabularies.emotion import SCALE_MAX, SCALE_MIN, bipolar_to_nine, unit_to_nine

from ..build_types import BuildOptions
from .audio_files import AudioFinder
from .raw_tables import Line, parse_number, read_table
from .records import Candidate, SourceBuild, assemble, empty_dynamic, in_scale, va_labels
from .skips import NO_ANNOTATION, UNPARSEABLE_ANNOTATION, Skip
from .splits import read_id_splits

__all__ = [
    "BIPOLAR",
    "MUSIC2EMO_COLUMNS",
    "NINE",
    "UNIT",
    "Scale",
    "StaticRow",
    "collect_va_source",
    "read_long_dynamic",
    "read_static",
    "read_wide_dynamic",
    "static_labels",
]


@dataclass(frozen=True)
class Scale:
    """A release's rating scale: the range its means lie in, their exact map onto 1-9
    (``to_nine``), and the factor that brings its standard deviations onto 1-9."""

    name: str
    low: float
    high: float
    to_nine: Callable[[float], float]
    std_factor: float


NINE = Scale("1-9", SCALE_MIN, SCALE_MAX, float, 1.0)
UNIT = Scale("[0, 1]", 0.0, 1.0, unit_to_nine, SCALE_MAX - SCALE_MIN)
BIPOLAR = Scale("[-1, 1]", -1.0, 1.0, bipolar_to_nine, (SCALE_MAX - SCALE_MIN) / 2)

MUSIC2EMO_COLUMNS = {
    "valence": "valence_mean",
    "valence_std": "valence_std",
    "arousal": "arousal_mean",
    "arousal_std": "arousal_std",
}
"""Song-level columns of Music2Emo's ``static_annotations.csv`` (id column ``song_id``), which are
also DEAM's official column names."""

_SAMPLE_COLUMN = re.compile(r"^sample_(\d+)ms$")


@dataclass(frozen=True)
class StaticRow:
    line: Line
    values: dict[str, str]


def read_static(path: Path, id_column: str, columns: Mapping[str, str]) -> dict[str, StaticRow]:
    """id -> the named fields of a song-level table. ``columns`` maps ``valence``, ``arousal``
    (required) and optionally ``valence_std``, ``arousal_std`` to the file's header names."""
    lines = read_table(path, required=[id_column, *columns.values()], unique=id_column)
    return {
        line.fields[id_column]: StaticRow(
            line, {name: line.fields[column] for name, column in columns.items()}
        )
        for line in lines
    }


def static_labels(values: Mapping[str, str], scale: Scale) -> tuple[dict | None, str]:
    """Labels from a song's static fields on ``scale``, or ``(None, problem)``."""
    numbers: dict[str, float | None] = {}
    for name, text in values.items():
        number = parse_number(text)
        if number is None:
            return None, f"{name} {text!r} is not a number"
        if name in ("valence", "arousal") and not scale.low <= number <= scale.high:
            return None, f"{name} {number:g} is outside the release's {scale.name} scale"
        if name.endswith("_std") and number < 0:
            return None, f"{name} {number:g} is negative"
        numbers[name] = number
    valence, arousal = scale.to_nine(numbers["valence"]), scale.to_nine(numbers["arousal"])
    stds = {
        name: numbers[name] * scale.std_factor if numbers.get(name) is not None else None
        for name in ("valence_std", "arousal_std")
    }
    if not (in_scale(valence) and in_scale(arousal)):
        return None, f"valence {valence:g} / arousal {arousal:g} fall outside 1-9 after conversion"
    return va_labels(valence, arousal, stds["valence_std"], stds["arousal_std"]), ""


Dynamic = dict[str, list[float]]


def _series(times: list[float], valence: list[float], arousal: list[float]) -> Dynamic:
    order = sorted(range(len(times)), key=times.__getitem__)
    return {
        "time": [times[i] for i in order],
        "valence": [valence[i] for i in order],
        "arousal": [arousal[i] for i in order],
    }


def _wide_file(path: Path) -> dict[str, dict[float, str]]:
    """song id -> {time in seconds: cell text} of a wide table (non-empty ``sample_*ms`` cells)."""
    lines = read_table(path, required=["song_id"], allow_short_lines=True, unique="song_id")
    out = {}
    for line in lines:
        cells: dict[float, str] = {}
        for column, text in line.fields.items():
            match = _SAMPLE_COLUMN.match(column)
            if match and text:
                cells[int(match.group(1)) / 1000.0] = text
        out[line.fields["song_id"]] = cells
    return out


def read_wide_dynamic(valence_path: Path, arousal_path: Path) -> tuple[dict[str, Dynamic], dict[str, str]]:
    """Per-time-step VA from DEAM/EmoMusic's pair of wide files on [-1, 1]: (id -> series on 1-9,
    id -> problem). Empty cells (songs shorter than the longest) are no measurement."""
    valence_file, arousal_file = _wide_file(valence_path), _wide_file(arousal_path)
    series: dict[str, Dynamic] = {}
    problems: dict[str, str] = {}
    for song in sorted(set(valence_file) | set(arousal_file)):
        if song not in valence_file or song not in arousal_file:
            missing = valence_path if song not in valence_file else arousal_path
            problems[song] = f"per-time-step annotation missing from {missing.name}"
            continue
        valence_cells, arousal_cells = valence_file[song], arousal_file[song]
        if set(valence_cells) != set(arousal_cells):
            problems[song] = (
                f"per-time-step valence has {len(valence_cells)} steps, arousal {len(arousal_cells)} "
                f"({valence_path.name} / {arousal_path.name}): they must cover the same times"
            )
            continue
        times = sorted(valence_cells)
        values = _convert([(valence_cells[t], arousal_cells[t], t) for t in times], BIPOLAR)
        if isinstance(values, str):
            problems[song] = f"{values} ({valence_path.name} / {arousal_path.name})"
        else:
            series[song] = _series(times, *values)
    return series, problems


def read_long_dynamic(
    path: Path, *, id_column: str, time_column: str, valence_column: str, arousal_column: str, scale: Scale
) -> tuple[dict[str, Dynamic], dict[str, str]]:
    """Per-time-step VA from a long table (PMEmo: one line per song and time step)."""
    lines = read_table(path, required=[id_column, time_column, valence_column, arousal_column])
    grouped: dict[str, list[Line]] = {}
    for line in lines:
        grouped.setdefault(line.fields[id_column], []).append(line)
    series: dict[str, Dynamic] = {}
    problems: dict[str, str] = {}
    for song, song_lines in grouped.items():
        times = [parse_number(line.fields[time_column]) for line in song_lines]
        bad_time = next((line for line, t in zip(song_lines, times) if t is None), None)
        if bad_time is not None:
            problems[song] = (
                f"{time_column} {bad_time.fields[time_column]!r} is not a number ({bad_time.where()})"
            )
            continue
        if len(set(times)) != len(times):
            problems[song] = f"per-time-step annotation repeats a {time_column} ({song_lines[0].path})"
            continue
        values = _convert(
            [
                (line.fields[valence_column], line.fields[arousal_column], t)
                for line, t in zip(song_lines, times)
            ],
            scale,
        )
        if isinstance(values, str):
            problems[song] = f"{values} ({path})"
        else:
            series[song] = _series(times, *values)
    return series, problems


def _convert(steps: list[tuple[str, str, float]], scale: Scale) -> tuple[list[float], list[float]] | str:
    valence, arousal = [], []
    for valence_text, arousal_text, time in steps:
        for name, text, out in (("valence", valence_text, valence), ("arousal", arousal_text, arousal)):
            number = parse_number(text)
            if number is None or not scale.low <= number <= scale.high:
                return f"per-time-step {name} {text!r} at {time:g} s is not a number on {scale.name}"
            out.append(scale.to_nine(number))
    return valence, arousal


def read_file_names(table: Path | None, id_column: str, file_column: str) -> dict[str, str]:
    """Song id -> audio file name, from a release's metadata table (``{}`` when the release has none)."""
    if table is None:
        return {}
    return {
        line.fields[id_column]: line.fields[file_column]
        for line in read_table(table, required=[id_column, file_column], unique=id_column)
    }


def collect_va_source(
    source: str,
    raw_dir: Path,
    options: BuildOptions,
    *,
    static: Mapping[str, StaticRow],
    scale: Scale,
    layout: str,
    audio_dirs: tuple[str, ...],
    file_names: Mapping[str, str] | None = None,
    dynamic: Mapping[str, Dynamic] | None = None,
    dynamic_problems: Mapping[str, str] | None = None,
    listed_elsewhere: Mapping[str, str] | None = None,
) -> SourceBuild:
    """The rows of a valence-arousal source: one candidate per song id named anywhere in the
    release, split from the paper's split files, audio looked up under ``audio_dirs`` (the file a
    metadata table names for the song in ``file_names``, else ``<id>.mp3``).

    ``listed_elsewhere`` maps ids found in other files (metadata, per-time-step tables) to where
    they were found: a song with no song-level annotation is skipped with that explanation.
    """
    dynamic, dynamic_problems = dynamic or {}, dynamic_problems or {}
    splits, split_origin = read_id_splits(source, raw_dir)
    finder = AudioFinder(raw_dir, audio_dirs, audio_dir=options.audio_dir, what=source)
    elsewhere = dict(listed_elsewhere or {})
    for song in list(dynamic) + list(dynamic_problems):
        elsewhere.setdefault(song, "the per-time-step annotations")
    candidates, skips = [], []
    for song, where in elsewhere.items():
        if song not in static:
            skips.append(
                Skip(source, song, NO_ANNOTATION, f"listed in {where} but has no song-level annotation")
            )
    for song, row in static.items():
        labels, problem = static_labels(row.values, scale)
        if labels is None:
            skips.append(Skip(source, song, UNPARSEABLE_ANNOTATION, f"{problem} ({row.line.where()})"))
            continue
        if song in dynamic_problems:  # the message names its file
            skips.append(Skip(source, song, UNPARSEABLE_ANNOTATION, dynamic_problems[song]))
            continue
        names = list(dict.fromkeys(filter(None, ((file_names or {}).get(song), f"{song}.mp3"))))
        candidates.append(
            Candidate(
                id=song,
                split=splits.get(song),
                audio=finder.find(names),
                labels=labels,
                dynamic=dynamic.get(song) or empty_dynamic(),
                audio_detail=finder.describe(names),
            )
        )
    return assemble(
        source, candidates, skips, layout=f"{layout}; splits: {split_origin}", progress=options.progress
    )
