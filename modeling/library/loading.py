"""Reading an emotion library: the records ``emotune predict --output`` wrote, as Parquet or JSON Lines.

A *usable* row has no ``error`` and a finite ``valence`` and ``arousal``; the others (files that failed,
records without valence-arousal, JSON Lines lines that are not a record) are counted in
:class:`UnusableRows` and reported, never dropped silently. A library needs the columns
:data:`REQUIRED_COLUMNS`; ``duration``, ``embedding`` and ``embedding_encoder`` (``predict --embeddings``:
the clip embedding and the encoder that made it, :mod:`modeling.collection.embeddings`), ``curve``
(``predict --dynamic-model``) and ``segments`` are used when present.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..base.errors import LibraryError

__all__ = [
    "DEFERRED_COLUMNS",
    "FORMATS",
    "REQUIRED_COLUMNS",
    "UnusableRows",
    "jsonl_schema",
    "read_deferred_columns",
    "read_library_table",
    "split_usable",
]

FORMATS = (".parquet", ".jsonl")
"""The library forms read (those ``emotune predict --output`` writes but CSV)."""

REQUIRED_COLUMNS = ("path", "valence", "arousal", "moods")
"""Columns every library has (``error`` too when some file failed)."""

DEFERRED_COLUMNS = ("curve", "segments", "chords")
"""The bulky columns search does not read: :func:`~modeling.library.load_library` reads them from a Parquet
library only when they are needed (matching a video), unless asked for all columns."""

_ACCEPTED = (
    "the records of `emotune predict ... --output LIBRARY.parquet` (or .jsonl): columns path, valence, arousal, "
    "moods (and duration, error, embedding, curve, segments)"
)


def jsonl_schema():
    """The Arrow types of the record keys read from JSON Lines (other keys are not read)."""
    import pyarrow as pa

    mood = pa.struct([("label", pa.string()), ("score", pa.float64())])
    number = pa.float64()
    segment = pa.struct(
        [
            ("start", number),
            ("end", number),
            ("valence", number),
            ("arousal", number),
            ("quadrant", pa.string()),
            ("moods", pa.list_(mood)),
        ]
    )
    return pa.schema(
        [
            ("path", pa.string()),
            ("duration", number),
            ("error", pa.string()),
            ("moods", pa.list_(mood)),
            ("predicted_moods", pa.list_(pa.string())),
            ("valence", number),
            ("arousal", number),
            ("quadrant", pa.string()),
            ("key", pa.string()),
            ("chords", pa.list_(pa.struct([("start", number), ("end", number), ("label", pa.string())]))),
            ("segments", pa.list_(segment)),
            ("embedding", pa.list_(pa.float32())),
            (
                "embedding_encoder",
                pa.struct(
                    [("name", pa.string()), ("layers", pa.list_(pa.int64())), ("segment_seconds", number)]
                ),
            ),
            ("curve", pa.list_(pa.struct([("time", number), ("valence", number), ("arousal", number)]))),
        ]
    )


def read_library_table(path: str | os.PathLike, skip: tuple[str, ...] = ()) -> tuple[object, int]:
    """The Arrow table of a library file and the number of its lines that are not a record (JSON Lines: a
    last line cut short by a kill, a line of something else).

    Args:
        skip: columns not to read from a Parquet file (JSON Lines is parsed whole).

    Raises:
        LibraryError: a missing file, a form other than Parquet/JSON Lines, a file that is not what its
            suffix says.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raise LibraryError(
            f"{path.name} is a CSV library: its nested values (moods, segments, embeddings) are JSON text in "
            f"cells and are not read. Accepted: {' or '.join(FORMATS)} (emotune predict --output "
            "LIBRARY.parquet or LIBRARY.jsonl)"
        )
    if suffix not in FORMATS:
        raise LibraryError(f"Cannot read a library from {path.name}: unknown form. Accepted: {_ACCEPTED}")
    if not path.is_file():
        raise LibraryError(f"The library {path} does not exist (or is not a file). Accepted: {_ACCEPTED}")
    if suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            names = pq.read_schema(path).names
            return pq.read_table(path, columns=[name for name in names if name not in skip]), 0
        except (pa.ArrowException, OSError) as error:
            raise LibraryError(f"{path} is not a Parquet file ({error}). Accepted: {_ACCEPTED}") from None
    return _read_jsonl(path)


def _read_jsonl(path: Path):
    import pyarrow as pa
    import pyarrow.json as pj

    options = pj.ParseOptions(explicit_schema=jsonl_schema(), unexpected_field_behavior="ignore")
    try:
        return pj.read_json(path, parse_options=options), 0
    except (pa.ArrowException, OSError):
        pass  # a line that is not a record: read line by line, counting those
    records, bad = [], 0
    with open(path, "rb") as file:
        for line in file:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if isinstance(record, dict) and isinstance(record.get("path"), str):
                records.append(record)
            else:
                bad += 1
    if not records:
        raise LibraryError(
            f"{path} holds no JSON record a line ({bad} lines that are not). Accepted: {_ACCEPTED}"
        )
    schema = jsonl_schema()
    try:
        table = pa.Table.from_pylist(
            [{name: r.get(name) for name in schema.names} for r in records], schema=schema
        )
    except (pa.ArrowException, TypeError, ValueError) as error:
        raise LibraryError(
            f"{path} holds records of other types than predict writes ({error}). Accepted: {_ACCEPTED}"
        ) from None
    return table, bad


@dataclass
class UnusableRows:
    """The rows of a library that cannot be searched, by reason, and the first few of them."""

    errors: int = 0
    """Records of files that failed (``error`` set)."""
    without_va: int = 0
    """Records without a finite valence or arousal."""
    bad_lines: int = 0
    """JSON Lines lines that are not a record."""
    examples: list[tuple[str, str]] = field(default_factory=list)
    """``(path, reason)`` of the first few unusable records."""

    @property
    def total(self) -> int:
        return self.errors + self.without_va + self.bad_lines

    def describe(self) -> str:
        """One line: how many rows were left out and why (empty when none)."""
        if not self.total:
            return ""
        reasons = (
            (self.errors, "failed file", "failed files", " (error)"),
            (self.without_va, "record", "records", " without valence-arousal"),
            (
                self.bad_lines,
                "line",
                "lines",
                " that is not a record" if self.bad_lines == 1 else " that are not records",
            ),
        )
        parts = [
            f"{count} {one if count == 1 else many}{what}" for count, one, many, what in reasons if count
        ]
        shown = "; ".join(f"{path}: {reason}" for path, reason in self.examples[:3])
        rows = "row" if self.total == 1 else "rows"
        return f"{self.total} unusable {rows} left out: {', '.join(parts)}" + (
            f" (e.g. {shown})" if shown else ""
        )


def split_usable(table, bad_lines: int = 0, source: str = "the library"):
    """``(usable rows, UnusableRows, (rows,) bool mask of the usable rows)`` of a library table (module
    docstring).

    Raises:
        LibraryError: a required column missing, or no usable row.
    """
    import pyarrow as pa

    from .columns import float_values

    if "path" not in table.column_names:
        raise LibraryError(
            f"{source} has no 'path' column (its columns: {', '.join(table.column_names)}). "
            f"Accepted: {_ACCEPTED}"
        )
    rows = table.num_rows
    if "error" in table.column_names:
        failed = table.column("error").is_valid().to_numpy(zero_copy_only=False)
    else:
        failed = np.zeros(rows, bool)
    if rows and failed.all():
        first = table.slice(0, 1).to_pylist()[0]
        raise LibraryError(
            f"{source} has no usable row: all {rows} records are files that failed (the first, "
            f"{first['path']!r}: {first['error']}). Accepted: a library with recognised files"
        )
    missing = [
        name
        for name in REQUIRED_COLUMNS
        if name not in table.column_names or table.column(name).null_count == table.num_rows
    ]
    if missing or not rows:
        what = f"lacks the column(s) {', '.join(missing)}" if missing else "holds no record"
        raise LibraryError(
            f"{source} {what} (its columns: {', '.join(table.column_names)}). Accepted: {_ACCEPTED}"
        )
    valence, arousal = float_values(table, "valence"), float_values(table, "arousal")
    no_va = ~failed & ~(np.isfinite(valence) & np.isfinite(arousal))
    usable = ~failed & ~no_va
    report = UnusableRows(errors=int(failed.sum()), without_va=int(no_va.sum()), bad_lines=bad_lines)
    paths = table.column("path")
    for row in np.flatnonzero(~usable)[:3]:
        reason = table.column("error")[int(row)].as_py() if failed[row] else "no valence-arousal"
        report.examples.append((paths[int(row)].as_py(), reason))
    if not usable.any():
        raise LibraryError(
            f"{source} has no usable row ({report.describe()}). Accepted: records with a valence "
            "and an arousal, as predict writes them for the files it recognised"
        )
    if not usable.all():
        table = table.filter(pa.array(usable))
    return table, report, usable


def read_deferred_columns(path: str | os.PathLike, columns: list[str], usable: np.ndarray):
    """The ``columns`` of a Parquet library that :func:`read_library_table` skipped, for its usable rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path, columns=columns)
    except (pa.ArrowException, OSError) as error:
        raise LibraryError(f"Cannot read the columns {', '.join(columns)} of {path} any more ({error}). Accepted: "
                           "the library file as it was when it was loaded") from None  # fmt: skip
    if table.num_rows != len(usable):
        raise LibraryError(f"{path} changed since it was loaded ({table.num_rows} rows, then {len(usable)}). "
                           "Accepted: the library loaded again")  # fmt: skip
    return table if usable.all() else table.filter(pa.array(usable))
