"""Evaluating Music2Emo models on a features dataset: predictions gathered across processes, scored
with the MER metrics (:func:`modeling.metrics.mer.mer_metrics`, the computation of ``metrics/mer``).

The paper's protocol: PR-AUC and ROC-AUC on MTG-Jamendo's test split, R² (and RMSE) of valence
and arousal on each VA dataset's test split. Evaluation averages all segments of a clip.
Predictions are gathered with ``gather_for_metrics``, which drops the samples Accelerate repeats
to give every process full batches, so each test sample counts exactly once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ....base.errors import InvalidInputError
from ....hub.datasets import dataset_config_names
from ....metrics.mer import mer_metrics
from ...engine.checkpoints import best_model_folder
from ...engine.reports import EvaluationRequest, results_table, write_report
from ...engine.sampling import evaluation_items
from .data import FEATURES_ACCEPTED, FeatureRows, Music2EmoCollator, Music2EmoItems, load_feature_rows

__all__ = [
    "HEADLINE_METRICS",
    "Predictions",
    "evaluate_command",
    "evaluate_models",
    "evaluation_loader",
    "format_table",
    "headline",
    "predict",
    "score",
]

MODEL_INPUTS = ("audio_embeddings", "chord_root_ids", "chord_attr_ids", "chord_attention_mask", "mode_ids")
HEADLINE_METRICS = ("pr_auc", "roc_auc", "r2_valence", "r2_arousal", "rmse_valence", "rmse_arousal")
_COLUMNS = {
    "pr_auc": "PR-AUC",
    "roc_auc": "ROC-AUC",
    "r2_valence": "R² V",
    "r2_arousal": "R² A",
    "rmse_valence": "RMSE V",
    "rmse_arousal": "RMSE A",
    "num_samples": "n",
}


@dataclass
class Predictions:
    """A model's outputs for one source's split, every row exactly once."""

    rows: np.ndarray
    mood_logits: np.ndarray | None
    va: np.ndarray | None


def evaluation_loader(
    sources: Sequence[FeatureRows], index: int, batch_size: int, num_workers: int = 0
) -> torch.utils.data.DataLoader:
    """Every row of ``sources[index]`` in order, all segments averaged (not yet prepared)."""
    items = Music2EmoItems(sources, augmentation="none")
    # Accelerate trims the last gathered batch to len(dataset) % batch size unless told the length the
    # loader really covers: one source's rows, not every source's.
    items.total_dataset_length = len(sources[index])
    return torch.utils.data.DataLoader(
        items,
        sampler=evaluation_items(index, len(sources[index])),
        batch_size=batch_size,
        collate_fn=Music2EmoCollator([rows.source for rows in sources]),
        num_workers=num_workers,
    )


@torch.no_grad()
def predict(model, loader, accelerator) -> Predictions:
    """Run ``model`` (unwrapped, on the accelerator's device) over a prepared evaluation ``loader``;
    returns the predictions gathered from every process."""
    parts: dict[str, list[np.ndarray]] = {"rows": [], "mood_logits": [], "va": []}
    for batch in loader:
        (inputs,) = batch.values()
        with accelerator.autocast():
            output = model(**{key: inputs[key] for key in MODEL_INPUTS})
        outputs = {"rows": inputs["rows"]}
        for name in ("mood_logits", "va"):
            if getattr(output, name) is not None:
                outputs[name] = getattr(output, name).float()
        for name, value in accelerator.gather_for_metrics(outputs).items():
            parts[name].append(value.cpu().numpy())
    return Predictions(
        rows=np.concatenate(parts["rows"]),
        mood_logits=np.concatenate(parts["mood_logits"]) if parts["mood_logits"] else None,
        va=np.concatenate(parts["va"]) if parts["va"] else None,
    )


def score(rows: FeatureRows, predictions: Predictions) -> dict:
    """MER metrics of one source: tags where it has tags, VA where it has annotated VA."""
    order = predictions.rows
    if len(order) != len(rows) or len(np.unique(order)) != len(rows):
        raise RuntimeError(
            f"Evaluation of {rows.source} saw {len(order)} predictions for {len(np.unique(order))} distinct "
            f"rows of {len(rows)}: every sample must count exactly once"
        )
    kwargs = {}
    if predictions.mood_logits is not None and rows.has_tags:
        kwargs.update(
            mood_scores=1.0 / (1.0 + np.exp(-predictions.mood_logits)), mood_labels=rows.moods[order]
        )
    if predictions.va is not None and rows.va_annotated.any():
        labels = np.where(rows.va_annotated[order, None], rows.va[order], np.nan)
        kwargs.update(va_predictions=predictions.va, va_labels=labels)
    if not kwargs:
        return {"num_samples": len(order)}
    metrics = mer_metrics(**kwargs, sources=[rows.source] * len(order))[rows.source]
    return {**metrics, "num_samples": len(order)}


def headline(results: Mapping[str, Mapping]) -> dict[str, dict]:
    """The paper's figures of each evaluated split (what a model card shows)."""
    return {
        split: {name: values[name] for name in HEADLINE_METRICS if values.get(name) is not None}
        for split, values in results.items()
    }


def format_table(results: Mapping[str, Mapping]) -> str:
    """A plain-text table: one row per evaluated split, the paper's figures as columns."""
    return results_table(results, {name: _COLUMNS[name] for name in (*HEADLINE_METRICS, "num_samples")})


def evaluate_models(
    models: Mapping[str, torch.nn.Module],
    data: str,
    sources: Sequence[str],
    split: str,
    accelerator,
    batch_size: int = 64,
    num_workers: int = 0,
) -> dict[str, dict]:
    """Score each source's ``split``: tag sources with ``models["mood"]``, VA sources with ``models["va"]``.

    ``models`` maps a task to a model (on the accelerator's device) that has that head. Returns ``{"<source>/<split>": metrics}``.
    """
    results = {}
    loaded = [load_feature_rows(data, source, split) for source in sources]
    for index, rows in enumerate(loaded):
        labelled = [
            task for task, present in (("mood", rows.has_tags), ("va", rows.va_annotated.any())) if present
        ]
        tasks = [task for task in labelled if task in models]
        if not tasks:
            raise InvalidInputError(
                f"{rows.source} ({split}) is labelled for {labelled or 'nothing'}; the model(s) predict {sorted(models)}"
            )
        merged: dict = {}
        for model in {id(models[task]): models[task] for task in tasks}.values():
            heads = [task for task in tasks if models[task] is model]
            loader = accelerator.prepare(evaluation_loader(loaded, index, batch_size, num_workers))
            predictions = predict(model, loader, accelerator)
            predictions.mood_logits = predictions.mood_logits if "mood" in heads else None
            predictions.va = predictions.va if "va" in heads else None
            merged.update(score(rows, predictions))
        results[f"{rows.source}/{split}"] = merged
    return results


def _task_folders(path: str) -> dict[str, str]:
    """Model folder per task: a training output evaluates ``best-mood`` on tags and ``best-va`` on VA
    (the paper's protocol), falling back to ``best``; a model folder or Hub id serves every task."""
    return {task: best_model_folder(path, (f"best-{task}", "best")) for task in ("mood", "va")}


def evaluate_command(request: EvaluationRequest) -> dict:
    """``train.py evaluate``: prints the table, writes the JSON report, returns it."""
    model, data, split, sources = request.model, request.data, request.split, request.sources
    from accelerate import Accelerator

    from ....music2emo import Music2EmoModel

    accelerator = Accelerator()
    folders = _task_folders(model)
    models, cache = {}, {}
    for task, folder in folders.items():
        if folder not in cache:
            cache[folder] = Music2EmoModel.from_pretrained(folder).eval()
        if task in cache[folder].config.tasks:
            models[task] = cache[folder]
    models = {task: m.to(accelerator.device) for task, m in models.items()}
    if sources is None:
        configs = dataset_config_names(data, "features dataset", FEATURES_ACCEPTED)
        sources = [name for name in configs if name != "all"]
        if not sources:
            raise InvalidInputError(f"{data} has no per-source configs to evaluate; name them with --sources")
    results = evaluate_models(models, data, sources, split, accelerator, batch_size=request.batch_size or 64)
    report = {
        "model": model,
        "models": {task: folders[task] for task in models},
        "data": data,
        "split": split,
        "results": results,
    }
    if accelerator.is_main_process:
        write_report(report, format_table(results), request.output)
    return report
