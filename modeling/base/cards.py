"""Model cards: one renderer for every emotune model (converted, trained, or tiny test models).

A card is the README.md beside ``config.json``: YAML metadata the Hub reads (license, library,
tags, datasets, base model, pipeline tag) and a body that says what the model is, how to load it,
what it was measured at, and what it cannot do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from huggingface_hub import ModelCard, ModelCardData

__all__ = ["metrics_by_split", "metrics_table", "render_model_card", "save_model_card"]

_CITATIONS = {
    "music2emo": (
        "@article{kang2025music2emo,\n"
        "  title={Towards Unified Music Emotion Recognition across Dimensional and Categorical Models},\n"
        "  author={Kang, Jaeyong and Herremans, Dorien},\n"
        "  journal={arXiv preprint arXiv:2502.03979},\n"
        "  year={2025}\n"
        "}"
    ),
    "video2music": (
        "@article{kang2024video2music,\n"
        "  title={Video2Music: Suitable Music Generation from Videos using an Affective Multimodal Transformer model},\n"
        "  author={Kang, Jaeyong and Poria, Soujanya and Herremans, Dorien},\n"
        "  journal={Expert Systems with Applications},\n"
        "  year={2024}\n"
        "}"
    ),
}


def metrics_table(metrics: Mapping[str, Mapping[str, float]]) -> str:
    """Markdown table, one row per evaluation split, one column per metric."""
    columns: list[str] = []
    for values in metrics.values():
        columns.extend(name for name in values if name not in columns)
    lines = ["| split | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for split, values in metrics.items():
        cells = [
            f"{values[c]:.4f}" if isinstance(values.get(c), float) else str(values.get(c, "–"))
            for c in columns
        ]
        lines.append(f"| {split} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def metrics_by_split(validation: Mapping[str, float], split: str) -> dict[str, dict[str, float]]:
    """``{"deam/loss": 0.3, "val_loss": 0.5}`` -> ``{"deam/<split>": {"loss": 0.3}}``: the per-source values of
    a validation, as a card's metrics table wants them (values without a source are left out)."""
    metrics: dict[str, dict[str, float]] = {}
    for key, value in validation.items():
        source, _, metric = key.rpartition("/")
        if source:
            metrics.setdefault(f"{source}/{split}", {})[metric] = value
    return metrics


def render_model_card(
    *,
    title: str,
    summary: str,
    usage: str,
    paper: str,
    tags: Sequence[str] = (),
    datasets: Sequence[str] = (),
    base_model: str | None = None,
    pipeline_tag: str | None = None,
    license: str = "mit",
    metrics: Mapping[str, Mapping[str, float]] | None = None,
    recipe: Mapping | None = None,
    sections: Mapping[str, str] | None = None,
    limitations: str = "",
) -> ModelCard:
    """Assemble a card. ``paper`` is ``music2emo`` or ``video2music`` (for the citation)."""
    data = ModelCardData(
        license=license,
        library_name="transformers",
        tags=["emotune", *tags],
        datasets=list(datasets) or None,
        base_model=base_model,
        pipeline_tag=pipeline_tag,
        metrics=sorted({name for values in (metrics or {}).values() for name in values}) or None,
    )
    body = [f"# {title}", "", summary.strip(), "", "## How to use", "", usage.strip(), ""]
    for heading, text in (sections or {}).items():
        body += [f"## {heading}", "", text.strip(), ""]
    if metrics:
        body += ["## Evaluation", "", metrics_table(metrics), ""]
    if recipe:
        body += [
            "## Training recipe",
            "",
            "```json",
            json.dumps(recipe, indent=2, sort_keys=True, default=str),
            "```",
            "",
        ]
    if limitations:
        body += ["## Limitations", "", limitations.strip(), ""]
    body += ["## Citation", "", "```bibtex", _CITATIONS[paper], "```", ""]
    return ModelCard("---\n" + data.to_yaml() + "\n---\n\n" + "\n".join(body))


def save_model_card(card: ModelCard, output_dir: str | Path) -> Path:
    path = Path(output_dir) / "README.md"
    card.save(path)
    return path
