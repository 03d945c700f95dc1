"""The skip report: every input row a builder did not turn into an output row, with the reason.

Builders never drop rows silently. Each skipped row is a :class:`Skip` with one of the
:data:`REASONS`; the report is printed after a build and written beside the data as
``skip_report.json`` (machine-readable, with per-source counts) and ``skip_report.tsv``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from modeling.base.errors import InvalidInputError

__all__ = [
    "AUDIO_MISSING",
    "AUDIO_UNDECODABLE",
    "NOT_IN_SPLIT",
    "NO_ANNOTATION",
    "REASONS",
    "UNPARSEABLE_ANNOTATION",
    "Skip",
    "SkipReport",
]

AUDIO_MISSING = "audio missing"
AUDIO_UNDECODABLE = "audio undecodable"
UNPARSEABLE_ANNOTATION = "unparseable annotation"
NOT_IN_SPLIT = "id not in any split"
NO_ANNOTATION = "no annotation"
REASONS = (AUDIO_MISSING, AUDIO_UNDECODABLE, UNPARSEABLE_ANNOTATION, NOT_IN_SPLIT, NO_ANNOTATION)


@dataclass(frozen=True)
class Skip:
    """One input row left out: its source, id, reason (one of :data:`REASONS`) and the specifics."""

    source: str
    id: str
    reason: str
    detail: str

    def __post_init__(self):
        if self.reason not in REASONS:
            raise InvalidInputError(f"Unknown skip reason {self.reason!r}; accepted: {', '.join(REASONS)}")


class SkipReport:
    """The skipped rows of a build and how many rows each source built."""

    def __init__(self, skips: Iterable[Skip], built: Mapping[str, int]):
        self.skips = list(skips)
        self.built = dict(built)

    def counts(self) -> dict[str, dict[str, int]]:
        """source -> reason -> number of skipped rows (every built source listed, in build order)."""
        per_source: dict[str, Counter] = {source: Counter() for source in self.built}
        for skip in self.skips:
            per_source.setdefault(skip.source, Counter())[skip.reason] += 1
        return {
            source: {reason: counter[reason] for reason in REASONS if counter[reason]}
            for source, counter in per_source.items()
        }

    def to_json(self) -> str:
        counts = self.counts()
        sources = {
            source: {
                "input_rows": self.built.get(source, 0) + sum(reasons.values()),
                "built": self.built.get(source, 0),
                "skipped": sum(reasons.values()),
                "reasons": reasons,
            }
            for source, reasons in counts.items()
        }
        document = {"sources": sources, "skipped": [asdict(skip) for skip in self.skips]}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    def to_tsv(self) -> str:
        lines = ["source\tid\treason\tdetail"]
        lines += [
            "\t".join(
                field.replace("\t", " ").replace("\n", " ") for field in (s.source, s.id, s.reason, s.detail)
            )
            for s in self.skips
        ]
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        """One line per source: rows built, rows skipped and why."""
        lines = []
        for source, reasons in self.counts().items():
            skipped = sum(reasons.values())
            why = ", ".join(f"{count} {reason}" for reason, count in reasons.items())
            lines.append(
                f"{source}: {self.built.get(source, 0)} rows built, {skipped} skipped"
                + (f" ({why})" if why else "")
            )
        return "\n".join(lines)

    def markdown_table(self) -> str:
        """Per source and reason, for the dataset card."""
        lines = ["| source | built | " + " | ".join(REASONS) + " |", "|---" * (len(REASONS) + 2) + "|"]
        for source, reasons in self.counts().items():
            cells = [str(reasons.get(reason, 0)) for reason in REASONS]
            lines.append(f"| {source} | {self.built.get(source, 0)} | " + " | ".join(cells) + " |")
        return "\n".join(lines)
