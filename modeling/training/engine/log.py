"""The training log: one JSON object per line in ``OUTPUT/log.jsonl``, and its plot.

Each record carries ``global_step``; a resumed run first drops the records written after the
checkpoint it resumes from, so the log reads as if the run had never been interrupted.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

__all__ = ["TrainingLog", "plot_training_curves"]


class TrainingLog:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    def records(self) -> list[dict]:
        if not self.path.is_file():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        records = []
        for line in lines:
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:  # a line cut short by a kill
                continue
        return records

    def append(self, record: dict) -> None:
        with self.path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(record, sort_keys=True) + "\n")

    def truncate(self, global_step: int) -> None:
        """Keep only the records up to ``global_step`` (the step a resumed run continues from)."""
        kept = [record for record in self.records() if record.get("global_step", 0) <= global_step]
        self.path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in kept), encoding="utf-8")


def plot_training_curves(records: list[dict], path: str | Path) -> Path | None:
    """Training and validation losses per epoch (log scale where positive); ``None`` without epochs."""
    epochs = [record for record in records if record.get("kind") == "epoch"]
    if not epochs:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [record["epoch"] for record in epochs]
    figure, axis = plt.subplots(figsize=(7, 4))
    for section, style in (("train", "-"), ("validation", "--")):
        names = sorted({name for record in epochs for name in record.get(section, {}) if "loss" in name})
        for name in names:
            values = [record.get(section, {}).get(name, math.nan) for record in epochs]
            axis.plot(x, values, style, marker="o", markersize=3, label=f"{section} {name}")
    if all(v > 0 for line in axis.get_lines() for v in line.get_ydata() if math.isfinite(v)):
        axis.set_yscale("log")
    axis.set_xlabel("epoch")
    axis.set_ylabel("loss")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return Path(path)
