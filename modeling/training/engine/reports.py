"""What ``train.py evaluate`` and the end of a training run print and write, for every model family: a
plain-text table of the results and a JSON report."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["EvaluationRequest", "results_table", "write_report"]


@dataclass(frozen=True)
class EvaluationRequest:
    """What ``train.py evaluate`` asks of a model family's evaluation: the ``model`` (a folder, a training
    output folder with ``best*/`` or a Hub id), the ``data`` (a dataset folder or Hub id), its ``split``,
    the ``sources`` (dataset configs; ``None``: every one the model can be scored on), the ``batch_size``
    (``None``: the family's own) and where the JSON report goes (``output``; ``None``: beside the model)."""

    model: str
    data: str
    split: str = "test"
    sources: Sequence[str] | None = None
    batch_size: int | None = None
    output: str | None = None


def results_table(results: Mapping[str, Mapping], columns: Mapping[str, str]) -> str:
    """A plain-text table: one row per evaluated split (the keys of ``results``), one column per metric of
    ``columns`` (metric -> heading) that any split has; a missing value is ``–``."""
    names = [name for name in columns if any(name in values for values in results.values())]
    lines = [["split", *(columns[name] for name in names)]]
    for split, values in results.items():
        cells = [split]
        for name in names:
            value = values.get(name)
            cells.append("–" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value))
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    text = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines]
    text.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(text)


def write_report(report: dict, table: str, output: str | None) -> Path:
    """Print ``table`` and write ``report`` (whose ``model`` is the evaluated folder or Hub id) as JSON to
    ``output`` (default: ``MODEL/evaluation.json`` for a folder, ``evaluation.json`` for a Hub id)."""
    model = report["model"]
    print(table)
    path = (
        Path(output)
        if output
        else (Path(model) / "evaluation.json" if Path(model).is_dir() else Path("evaluation.json"))
    )
    path.write_text(json.dumps(report, indent=2, sort_keys=True), encoding="utf-8")
    print(f"\nwritten: {path}")
    return path
