"""Evaluating time-resolved Music2Emo models as the field reports the task: per-song RMSE, Pearson r and
CCC of the valence and arousal curves over their annotated windows, averaged over the songs of each source
(:func:`modeling.metrics.dynamic_mer.dynamic_mer_metrics`, the ``dynamic`` configuration of
``metrics/mer``). Whole clips are evaluated; predictions are padded across processes and gathered with
``gather_for_metrics`` (every song counts once).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch

from ....base.errors import DatasetBuildError, InvalidInputError
from ....metrics.dynamic_mer import DYNAMIC_HEADLINE, dynamic_mer_metrics
from ...engine.checkpoints import best_model_folder
from ...engine.reports import EvaluationRequest, results_table, write_report
from ...engine.sampling import evaluation_items
from .data import WINDOW_INPUTS, DynamicCollator, DynamicItems, WindowRows, load_window_rows

__all__ = [
    "dynamic_evaluation_loader",
    "dynamic_headline",
    "evaluate_dynamic_command",
    "evaluate_dynamic_models",
    "format_dynamic_table",
    "predict_curves",
    "score_curves",
]

_COLUMNS = {
    "ccc_valence": "CCC V",
    "ccc_arousal": "CCC A",
    "r_valence": "r V",
    "r_arousal": "r A",
    "rmse_valence": "RMSE V",
    "rmse_arousal": "RMSE A",
    "num_songs": "songs",
}


def dynamic_evaluation_loader(
    sources: Sequence[WindowRows], index: int, batch_size: int, num_workers: int = 0
) -> torch.utils.data.DataLoader:
    """Every kept row of ``sources[index]`` in order, whole (not yet prepared)."""
    items = DynamicItems(sources)
    items.total_dataset_length = len(sources[index])  # what gather_for_metrics trims the last batch to
    return torch.utils.data.DataLoader(
        items,
        sampler=evaluation_items(index, len(sources[index])),
        batch_size=batch_size,
        collate_fn=DynamicCollator(),
        num_workers=num_workers,
    )


@torch.no_grad()
def predict_curves(model, loader, accelerator, rows: WindowRows) -> list[np.ndarray]:
    """Each kept row's ``(num_windows, 2)`` curve, in row order, gathered from every process."""
    curves: dict[int, np.ndarray] = {}
    for batch in loader:
        inputs = {name: batch[name] for name in WINDOW_INPUTS}
        with accelerator.autocast():
            va = model(**inputs).va.float()
        va = accelerator.pad_across_processes(va, dim=1)
        gathered = accelerator.gather_for_metrics({"rows": batch["rows"], "va": va})
        for row, curve in zip(gathered["rows"].cpu().numpy(), gathered["va"].cpu().numpy()):
            curves[int(row)] = curve[: rows.lengths[int(row)]]
    if sorted(curves) != list(range(len(rows))):
        raise RuntimeError(
            f"Evaluation of {rows.source} saw {len(curves)} distinct rows of {len(rows)}: every song must count once"
        )
    return [curves[row] for row in range(len(rows))]


def score_curves(rows: WindowRows, curves: Sequence[np.ndarray]) -> dict:
    """The per-song metrics of one source's curves against its labelled windows."""
    labelled = [row for row in range(len(rows)) if rows.has_dynamic[row]]
    if not labelled:
        return {"num_songs": 0}
    return dynamic_mer_metrics(
        va_predictions=[curves[row] for row in labelled],
        va_labels=[rows.labels[row] for row in labelled],
        sources=[rows.source] * len(labelled),
    )[rows.source]


def dynamic_headline(results: Mapping[str, Mapping]) -> dict[str, dict]:
    """The figures of each evaluated split a model card shows."""
    return {
        split: {
            name: values[name] for name in (*DYNAMIC_HEADLINE, "num_songs") if values.get(name) is not None
        }
        for split, values in results.items()
    }


def format_dynamic_table(results: Mapping[str, Mapping]) -> str:
    """A plain-text table: one row per evaluated split, the per-song means as columns."""
    return results_table(results, _COLUMNS)


def evaluate_dynamic_models(
    model,
    data: str,
    sources: Sequence[str],
    split: str,
    accelerator,
    batch_size: int = 16,
    num_workers: int = 0,
) -> dict[str, dict]:
    """Score ``model`` (on the accelerator's device) on each source's ``split``: ``{"<source>/<split>": metrics}``."""
    results = {}
    loaded = [load_window_rows(data, source, split) for source in sources]
    for index, rows in enumerate(loaded):
        loader = accelerator.prepare(dynamic_evaluation_loader(loaded, index, batch_size, num_workers))
        results[f"{rows.source}/{split}"] = score_curves(
            rows, predict_curves(model, loader, accelerator, rows)
        )
    return results


def evaluate_dynamic_command(request: EvaluationRequest) -> dict:
    """``train.py evaluate`` for a ``music2emo_dynamic`` model: prints the table, writes the JSON report."""
    model, data, split, sources = request.model, request.data, request.split, request.sources
    import datasets
    from accelerate import Accelerator

    from ....music2emo_dynamic import Music2EmoDynamicModel

    accelerator = Accelerator()
    folder = best_model_folder(model)
    loaded = Music2EmoDynamicModel.from_pretrained(folder).eval().to(accelerator.device)
    if sources is None:
        sources = []
        for name in datasets.get_dataset_config_names(data):
            if name != "all":
                try:
                    load_window_rows(data, name, split)
                except (InvalidInputError, DatasetBuildError):
                    continue  # a source without per-time-step labels (MTG-Jamendo)
                sources.append(name)
        if not sources:
            raise InvalidInputError(
                f"{data} has no source with per-time-step labels in its {split} split; name them with --sources"
            )
    results = evaluate_dynamic_models(
        loaded, data, sources, split, accelerator, batch_size=request.batch_size or 16
    )
    report = {"model": model, "models": {"dynamic": folder}, "data": data, "split": split, "results": results}
    if accelerator.is_main_process:
        write_report(report, format_dynamic_table(results), request.output)
    return report
