"""One record per file: what ``emotune predict --output`` writes, in JSON Lines, CSV or Parquet.

A record is ``{"path", "duration", "error", ...}``: a file that was recognised has ``error: None`` and the
documented result keys of the ``music-emotion-recognition`` pipeline (``moods``, ``predicted_moods``,
``valence``, ``arousal``, ``quadrant``, ``key``, ``chords``, ``segments``); a file that failed has the
message of its emotune error and ``duration`` (seconds its header announces, ``None`` when it has none) only.

* JSON Lines: one record a line, as it is.
* CSV: one row a record, the columns :data:`COLUMNS`; lists and dicts are JSON text in their cells, an
  absent value is an empty cell, line breaks in text are written ``\\n``.
* Parquet: the columns :data:`COLUMNS` typed by :func:`parquet_features` (nested lists and structs), with
  ``datasets``' feature metadata: ``load_dataset("parquet", data_files=PATH)`` reads it back.

The three forms hold the same values: :func:`from_csv_row` and :func:`from_parquet_row` give back the
record that was written, float for float.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "COLUMNS",
    "RESULT_KEYS",
    "error_record",
    "from_csv_row",
    "from_parquet_row",
    "parquet_features",
    "result_record",
    "to_csv_row",
]

RESULT_KEYS = ("valence", "arousal", "quadrant", "key", "predicted_moods", "moods", "chords", "segments")
"""The pipeline's result keys a record carries (``duration`` is a column of its own)."""

COLUMNS = ("path", "duration", "error", *RESULT_KEYS)
_NESTED = ("moods", "predicted_moods", "chords", "segments")
_FLOATS = ("duration", "valence", "arousal")


def result_record(path: str, result: dict[str, Any]) -> dict[str, Any]:
    """The record of a file the pipeline recognised (``result``: its output)."""
    return {
        "path": path,
        "duration": result["duration"],
        "error": None,
        **{k: result[k] for k in RESULT_KEYS},
    }


def error_record(path: str, message: str, duration: float | None = None) -> dict[str, Any]:
    """The record of a file that failed with an emotune error."""
    return {
        "path": path,
        "duration": None if duration is None else round(float(duration), 3),
        "error": message,
    }


def to_csv_row(record: dict[str, Any]) -> list[str]:
    row = []
    for column in COLUMNS:
        value = record.get(column)
        if value is None:
            row.append("")
        elif column in _NESTED:
            row.append(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
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


def from_csv_row(row: dict[str, str]) -> dict[str, Any]:
    """The record of a CSV row (``csv.DictReader``'s dict)."""
    record: dict[str, Any] = {}
    failed = row.get("error", "") != ""
    for column in COLUMNS:
        cell = row.get(column, "")
        if failed and column in RESULT_KEYS:
            continue  # an error record has no result keys
        if cell == "":
            record[column] = None
        elif column in _NESTED:
            record[column] = json.loads(cell)
        elif column in _FLOATS:
            record[column] = float(cell)
        else:
            record[column] = _unescape(cell)
    return record


def from_parquet_row(row: dict[str, Any]) -> dict[str, Any]:
    """The record of a Parquet row (``pyarrow``'s ``to_pylist`` dict)."""
    if row.get("error") is not None:
        return {column: row.get(column) for column in ("path", "duration", "error")}
    return {column: row.get(column) for column in COLUMNS}


def parquet_features():
    """The ``datasets.Features`` of the Parquet form."""
    from datasets import Features, List, Value

    mood = {"label": Value("string"), "score": Value("float64")}
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
        }
    )
