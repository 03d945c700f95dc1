"""The catalogue of music emotion datasets from the MER survey, as data.

The 47 datasets of "Are we there yet? A brief survey of music emotion prediction datasets, models
and outstanding challenges" (Kang & Herremans, arXiv:2406.08809), as listed in the survey's public
table (github.com/AMAAI-Lab/awesome-MER, README at commit b42f8c0): year, number of instances,
excerpt length, media type, categorical labels, dimensional model, static/dynamic annotation,
perceived/induced emotion and link. Empty cells are ``None`` (a ``-`` in the survey, or a link the
survey marks "Offline"). ``builder`` names the ``emotune build-dataset`` source for the datasets
emotune builds.

>>> from dataset_scripts.catalogue import catalogue
>>> [entry.name for entry in catalogue() if entry.builder]
['Solymani et al.'s dataset', 'DEAM', 'PMEmo', 'MTG-Jamendo']
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from functools import cache
from importlib import resources
from pathlib import Path

from datasets import Dataset, Features, Value

from modeling.base.errors import InvalidInputError

__all__ = [
    "BUILDER_FOR",
    "SURVEY",
    "CatalogueEntry",
    "catalogue",
    "catalogue_features",
    "catalogue_path",
    "format_catalogue",
    "load_catalogue",
]

SURVEY = (
    "J. Kang and D. Herremans, Are we there yet? A brief survey of music emotion prediction datasets, "
    "models and outstanding challenges, arXiv:2406.08809 (table: github.com/AMAAI-Lab/awesome-MER)"
)

BUILDER_FOR = {
    "Solymani et al.'s dataset": "emomusic",
    "DEAM": "deam",
    "PMEmo": "pmemo",
    "MTG-Jamendo": "mtg-jamendo",
}
"""Survey name -> ``emotune build-dataset`` source."""


@dataclass(frozen=True)
class CatalogueEntry:
    """One dataset of the survey's table."""

    name: str
    also_known_as: str | None
    year: int
    instances: int
    length: str
    media_type: str
    categorical: str | None
    dimensional: str | None
    static_dynamic: str
    perceived_induced: str
    link: str | None
    builder: str | None


def catalogue_path() -> Path:
    """The CSV shipped with emotune (``datasets.load_dataset("csv", data_files=...)`` reads it too)."""
    return Path(str(resources.files(__package__).joinpath("data", "mer_datasets.csv")))


@cache
def catalogue() -> tuple[CatalogueEntry, ...]:
    """Every dataset of the survey, in the survey's order."""
    text = catalogue_path().read_text(encoding="utf-8")
    entries = []
    for row in csv.DictReader(io.StringIO(text)):
        values = {key: (value or None) for key, value in row.items()}
        values["year"], values["instances"] = int(row["year"]), int(row["instances"])
        entries.append(CatalogueEntry(**values, builder=BUILDER_FOR.get(row["name"])))
    return tuple(entries)


def catalogue_features() -> Features:
    types = {"year": Value("int32"), "instances": Value("int64")}
    return Features({f.name: types.get(f.name, Value("string")) for f in fields(CatalogueEntry)})


def load_catalogue() -> Dataset:
    """The catalogue as a ``datasets.Dataset`` (one row per dataset)."""
    return Dataset.from_list([asdict(entry) for entry in catalogue()], features=catalogue_features())


_HEADINGS = {
    "name": "dataset",
    "year": "year",
    "instances": "instances",
    "length": "length",
    "media_type": "media",
    "categorical": "categorical",
    "dimensional": "dimensional",
    "static_dynamic": "static/dynamic",
    "perceived_induced": "perceived/induced",
    "builder": "emotune builder",
    "link": "link",
}


def format_catalogue(entries: Sequence[CatalogueEntry] | None = None, *, style: str = "text") -> str:
    """The catalogue as an aligned text table, a Markdown table or CSV (``style``)."""
    entries = catalogue() if entries is None else entries
    header = list(_HEADINGS.values())
    rows = [
        [
            f"{value:,}"
            if key == "instances" and style != "csv"
            else str(value)
            if value is not None
            else "-"
            for key in _HEADINGS
            for value in [getattr(entry, key)]
        ]
        for entry in entries
    ]
    if style == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows([list(_HEADINGS), *([c if c != "-" else "" for c in row] for row in rows)])
        return out.getvalue()
    if style == "markdown":
        lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
    if style != "text":
        raise InvalidInputError(f"Unknown catalogue style {style!r}. Accepted: text, markdown, csv")
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
