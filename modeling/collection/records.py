"""One record per file: what ``emotune predict --output`` writes, in JSON Lines, CSV or Parquet.

A record is ``{"path", "duration", "error", ...}``: a file that was recognised has ``error: None`` and the
documented result keys of the ``music-emotion-recognition`` pipeline (``moods``, ``predicted_moods``,
``valence``, ``arousal``, ``quadrant``, ``key``, ``chords``, ``segments``); a file that failed has the
message of its emotune error and ``duration`` (seconds its header announces, ``None`` when it has none) only.

Options add columns (:data:`OPTIONAL_COLUMNS`, the same for every record of an output):

* ``embedding`` and ``embedding_encoder`` (``predict --embeddings``): the clip embedding the model reads,
  float32 (:mod:`.embeddings`), and ``{"name", "layers", "segment_seconds"}`` of the encoder that made it;
* ``curve`` (``predict --dynamic-model``): ``[{"time", "valence", "arousal"}, ...]`` every 0.5 s.

The forms:

* JSON Lines: one record a line, as it is (the embedding's values written as the shortest text that reads
  back as the same float32).
* CSV: one row a record, the columns :func:`columns`; lists and dicts are JSON text in their cells, an
  absent value is an empty cell, line breaks in text are written ``\\n``.
* Parquet: the columns :func:`columns` typed by :func:`parquet_features` (nested lists and structs; the
  embedding a list of float32), with ``datasets``' feature metadata: ``load_dataset("parquet",
  data_files=PATH)`` reads it back.

The three forms hold the same values: :func:`from_csv_row`, :func:`from_parquet_row` and
:func:`from_jsonl` give back the record that was written, float for float.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "COLUMNS",
    "OPTIONAL_COLUMNS",
    "RESULT_KEYS",
    "columns",
    "error_record",
    "from_csv_row",
    "from_jsonl",
    "from_parquet_row",
    "parquet_features",
    "record_extras",
    "record_line",
    "result_record",
    "to_csv_row",
]

RESULT_KEYS = ("valence", "arousal", "quadrant", "key", "predicted_moods", "moods", "chords", "segments")
"""The pipeline's result keys a record carries (``duration`` is a column of its own)."""

COLUMNS = ("path", "duration", "error", *RESULT_KEYS)
"""The columns of every output."""

OPTIONAL_COLUMNS = ("curve", "embedding", "embedding_encoder")
"""Columns an output has when its run was asked for them (``--dynamic-model``, ``--embeddings``), in this
order after :data:`COLUMNS`."""

_NESTED = ("moods", "predicted_moods", "chords", "segments", *OPTIONAL_COLUMNS)
_FLOATS = ("duration", "valence", "arousal")


def columns(extras: Sequence[str] = ()) -> tuple[str, ...]:
    """The columns of an output whose records have the optional columns ``extras``."""
    unknown = set(extras) - set(OPTIONAL_COLUMNS)
    if unknown:
        raise ValueError(f"Unknown record columns {sorted(unknown)}; optional ones: {OPTIONAL_COLUMNS}")
    return (*COLUMNS, *(name for name in OPTIONAL_COLUMNS if name in extras))


def record_extras(record: dict[str, Any]) -> tuple[str, ...] | None:
    """The optional columns a record of a recognised file holds (``None`` for an error record, which holds
    none whatever the run's options)."""
    if record.get("error") is not None:
        return None
    return tuple(name for name in OPTIONAL_COLUMNS if record.get(name) is not None)


def _float32_values(values) -> list[float]:
    """Values as the floats of their float32 (the value a Parquet float32 column gives back)."""
    return np.asarray(values, dtype=np.float32).tolist()


def result_record(
    path: str, result: dict[str, Any], *, embedding=None, encoder: dict | None = None
) -> dict[str, Any]:
    """The record of a file the pipeline recognised (``result``: its output, with ``curve`` when the pipeline
    has a dynamic model); ``embedding`` (float32 values) and ``encoder`` (its identity) with
    ``--embeddings``."""
    record = {
        "path": path,
        "duration": result["duration"],
        "error": None,
        **{k: result[k] for k in RESULT_KEYS},
    }
    if result.get("curve") is not None:
        record["curve"] = result["curve"]
    if embedding is not None:
        record["embedding"] = _float32_values(embedding)
        record["embedding_encoder"] = dict(encoder or {})
    return record


def error_record(path: str, message: str, duration: float | None = None) -> dict[str, Any]:
    """The record of a file that failed with an emotune error."""
    return {
        "path": path,
        "duration": None if duration is None else round(float(duration), 3),
        "error": message,
    }


def _embedding_text(values) -> str:
    """A float32 list as JSON, each value the shortest text that reads back as the same float32 (half the
    bytes of float64 text)."""
    vector = np.asarray(values, dtype=np.float32)
    if not np.isfinite(vector).all():
        raise ValueError("An embedding holds values that are not finite: it cannot be written as JSON")
    return "[" + ",".join(str(value) for value in vector) + "]"


def record_line(record: dict[str, Any]) -> str:
    """The JSON Lines line of a record (with its newline)."""
    if record.get("embedding") is None:
        return json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n"
    rest = {name: value for name, value in record.items() if name != "embedding"}
    text = json.dumps(rest, ensure_ascii=False, allow_nan=False)
    return f'{text[:-1]}, "embedding": {_embedding_text(record["embedding"])}}}\n'


def from_jsonl(record: dict[str, Any]) -> dict[str, Any]:
    """The record of a parsed JSON Lines line (its embedding's values back to their float32)."""
    if record.get("embedding") is not None:
        record["embedding"] = _float32_values(record["embedding"])
    return record


def to_csv_row(record: dict[str, Any], names: Sequence[str] = COLUMNS) -> list[str]:
    """The cells of a record in the columns ``names``."""
    row = []
    for column in names:
        value = record.get(column)
        if value is None:
            row.append("")
        elif column == "embedding":
            row.append(_embedding_text(value))
        elif column in _NESTED:
            row.append(json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False))
        elif isinstance(value, str):
            row.append(value.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n"))
        else:
            row.append(repr(float(value)))
    return row


def _unescape(text: str) -> str:
    out, chars = [], iter(text)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append({"n": "\n", "r": "\r", "\\": "\\"}.get(following, "\\" + following))
        else:
            out.append(char)
    return "".join(out)


def from_csv_row(row: dict[str, str], names: Sequence[str] = COLUMNS) -> dict[str, Any]:
    """The record of a CSV row (``csv.DictReader``'s dict) of an output with the columns ``names``."""
    record: dict[str, Any] = {}
    failed = row.get("error", "") != ""
    for column in names:
        cell = row.get(column, "")
        if failed and column not in ("path", "duration", "error"):
            continue  # an error record has no result keys
        if cell == "":
            if column not in OPTIONAL_COLUMNS:
                record[column] = None
        elif column in _NESTED:
            record[column] = json.loads(cell)
        elif column in _FLOATS:
            record[column] = float(cell)
        else:
            record[column] = _unescape(cell)
    return from_jsonl(record)


def from_parquet_row(row: dict[str, Any]) -> dict[str, Any]:
    """The record of a Parquet row (``pyarrow``'s ``to_pylist`` dict)."""
    if row.get("error") is not None:
        return {column: row.get(column) for column in ("path", "duration", "error")}
    record = {column: row.get(column) for column in COLUMNS}
    record.update({name: row[name] for name in OPTIONAL_COLUMNS if row.get(name) is not None})
    return record


def parquet_features(extras: Sequence[str] = ()):
    """The ``datasets.Features`` of the Parquet form of an output with the optional columns ``extras``."""
    from datasets import Features, List, Value

    mood = {"label": Value("string"), "score": Value("float64")}
    optional = {
        "curve": List({"time": Value("float64"), "valence": Value("float64"), "arousal": Value("float64")}),
        "embedding": List(Value("float32")),
        "embedding_encoder": {
            "name": Value("string"),
            "layers": List(Value("int64")),
            "segment_seconds": Value("float64"),
        },
    }
    return Features(
        {
            "path": Value("string"),
            "duration": Value("float64"),
            "error": Value("string"),
            "moods": List(mood),
            "predicted_moods": List(Value("string")),
            "valence": Value("float64"),
            "arousal": Value("float64"),
            "quadrant": Value("string"),
            "key": Value("string"),
            "chords": List({"start": Value("float64"), "end": Value("float64"), "label": Value("string")}),
            "segments": List(
                {
                    "start": Value("float64"),
                    "end": Value("float64"),
                    "valence": Value("float64"),
                    "arousal": Value("float64"),
                    "quadrant": Value("string"),
                    "moods": List(mood),
                }
            ),
            **{name: optional[name] for name in columns(extras) if name in optional},
        }
    )
