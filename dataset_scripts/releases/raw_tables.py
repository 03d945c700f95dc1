"""Reading the annotation tables of the raw releases, with file and line in every error.

The releases are CSV/TSV files with quirks (DEAM puts spaces after the commas, EmoMusic wraps its
fields in tabs, MTG-Jamendo ends lines with CRLF): fields and header names are stripped of
surrounding whitespace. A byte-order mark is ignored (UTF-16 with one is read too), and a
comma-separated table saved by a spreadsheet with semicolons (and decimal commas: ``5,5``) reads
the same. A file whose *structure* is broken (missing columns, a line with the wrong number of
fields, a duplicated id, not UTF-8) raises :class:`~modeling.base.errors.DatasetBuildError` naming the
file and line; a well-formed line whose *values* cannot be used is the builder's business (it
becomes a skip-report entry).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from modeling.base.errors import DatasetBuildError

__all__ = ["Line", "locate", "locate_optional", "parse_number", "read_table", "read_tsv_lines"]


@dataclass(frozen=True)
class Line:
    """One data line of a table: where it is, and its fields by (stripped) header name."""

    path: Path
    number: int
    fields: dict[str, str]

    def where(self) -> str:
        return f"{self.path}, line {self.number}"


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # a spreadsheet's "Unicode text" export: UTF-16
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DatasetBuildError(
            f"{path}: not UTF-8 text ({error.reason} at byte {error.start}). Accepted: the release's "
            "CSV/TSV annotation files as distributed (UTF-8, or UTF-16 with a byte-order mark)"
        ) from None
    except OSError as error:
        raise DatasetBuildError(f"Cannot read {path}: {error.strerror}") from None


def read_table(
    path: Path,
    *,
    required: Sequence[str],
    delimiter: str = ",",
    allow_short_lines: bool = False,
    unique: str | None = None,
) -> list[Line]:
    """Read a delimited table with a header line; every ``required`` column must be in the header.

    Lines with more fields than the header are malformed; lines with fewer are malformed unless
    ``allow_short_lines`` (ragged per-time-step tables, whose songs have different lengths).
    ``unique`` names a column whose values must not repeat (the id column).
    """
    text = _text(path)
    semicolons = delimiter == "," and _semicolon_separated(text, required)
    if semicolons:
        delimiter = ";"
    reader = csv.reader(text.splitlines(), delimiter=delimiter, skipinitialspace=True)
    header: list[str] | None = None
    lines: list[Line] = []
    first_seen: dict[str, int] = {}
    try:
        for row in reader:
            number = reader.line_num
            cells = [cell.strip() for cell in row]
            if semicolons:
                cells = [_DECIMAL_COMMA.sub(r"\1.\2", cell) for cell in cells]
            if not any(cells):
                continue
            if header is None:
                header = cells
                missing = [name for name in required if name not in header]
                if missing:
                    raise DatasetBuildError(
                        f"{path}, line {number}: the header has no column {', '.join(map(repr, missing))}. "
                        f"Found columns: {', '.join(header)}; accepted: a header with {', '.join(required)}"
                    )
                continue
            if len(cells) > len(header) or (len(cells) < len(header) and not allow_short_lines):
                raise DatasetBuildError(
                    f"{path}, line {number}: {len(cells)} fields where the header has {len(header)} "
                    f"({', '.join(header)}). Accepted: one field per header column on every line"
                )
            line = Line(path, number, dict(zip(header, cells)))
            if unique is not None:
                key = line.fields[unique]
                if key in first_seen:
                    raise DatasetBuildError(
                        f"{path}, line {number}: {unique} {key!r} repeats line {first_seen[key]}. "
                        "Accepted: each id once per file"
                    )
                first_seen[key] = number
            lines.append(line)
    except csv.Error as error:
        raise DatasetBuildError(f"{path}, line {reader.line_num}: not valid CSV ({error})") from None
    if header is None:
        raise DatasetBuildError(
            f"{path}: the file is empty. Accepted: a header line with {', '.join(required)}"
        )
    return lines


_DECIMAL_COMMA = re.compile(r"^([+-]?\d+),(\d+)$")


def _semicolon_separated(text: str, required: Sequence[str]) -> bool:
    """Whether a table that should be comma-separated has a header of ``required`` names only when
    split at semicolons (a spreadsheet's export in a locale with decimal commas)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    by_comma = {cell.strip() for cell in first.split(",")}
    by_semicolon = {cell.strip() for cell in first.split(";")}
    return not set(required) <= by_comma and set(required) <= by_semicolon


def read_tsv_lines(path: Path, *, header: Sequence[str]) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line number, fields)`` of a TSV whose first line must be exactly ``header``; lines
    may carry more fields than the header (MTG-Jamendo's TAGS column repeats) but not fewer."""
    lines = _text(path).splitlines()
    if not lines or [cell.strip() for cell in lines[0].split("\t")] != list(header):
        found = lines[0].strip() if lines else "an empty file"
        raise DatasetBuildError(
            f"{path}, line 1: expected the header {' '.join(header)} (tab-separated), found {found!r}"
        )
    for number, text in enumerate(lines[1:], start=2):
        if not text.strip():
            continue
        fields = [cell.strip() for cell in text.split("\t")]
        if len(fields) < len(header):
            raise DatasetBuildError(
                f"{path}, line {number}: {len(fields)} tab-separated fields, expected at least {len(header)} "
                f"({' '.join(header)})"
            )
        yield number, fields


def parse_number(text: str) -> float | None:
    """A finite float, or None for an empty, non-numeric or non-finite field."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def locate(root: Path, candidates: Sequence[str], what: str) -> Path:
    """The first of ``candidates`` (paths relative to ``root``) that exists."""
    found = locate_optional(root, candidates)
    if found is None:
        raise DatasetBuildError(
            f"{what} not found under {root}. Accepted (relative to it): {'; '.join(candidates)}"
        )
    return found


def locate_optional(root: Path, candidates: Sequence[str]) -> Path | None:
    for candidate in candidates:
        path = root / candidate
        if path.exists():
            return path
    return None
