"""Evaluating Video2Music models on a MuVi-Sync split with the original's measures (``train.py
evaluate`` for models of type ``amt`` and ``amt_regression``, and the recipes' validation and test).

AMT: the loss, chord accuracy, Hits@1/3/5 and the emotion correspondence; the bi-GRU: the loss and
the RMSE of both curves and of each. As in the original's evaluation (one video per batch), each
measure is computed per video and averaged over the videos (the emotion correspondence over the
videos where it is defined), so the result does not depend on the batch size. The RMSE counts each
video's real seconds.
"""

from __future__ import annotations

import torch

from ....metrics.video2music import chord_accuracy, emotion_correspondence, hits_at_k, rmse
from ...engine.checkpoints import best_model_folder
from ...engine.reports import EvaluationRequest, results_table, write_report
from .data import MuViDataConfig, collator_for, load_split

__all__ = ["evaluate_command", "evaluate_model", "step_emotions"]


def step_emotions(video_features: torch.Tensor, steps: int, num_emotions: int) -> torch.Tensor:
    """``(B, steps, num_emotions)``: the emotion probabilities of each decoder step's video second
    (second ``t + 1`` for step ``t``, as the AMT's affective target); zero past the features."""
    emotions = torch.zeros(video_features.shape[0], steps, num_emotions, device=video_features.device)
    available = min(steps, max(video_features.shape[1] - 1, 0))
    emotions[:, :available] = video_features[:, 1 : 1 + available, -num_emotions:]
    return emotions


def _amt_scores(model, batch, output, seconds, threshold):
    """Per video: accuracy, Hits@k and the emotion correspondence."""
    emotions = step_emotions(batch["video_features"], batch["labels"].shape[1], model.config.num_emotions)
    for logits, labels, video_emotions in zip(
        output.logits.float().cpu(), batch["labels"].cpu(), emotions.cpu(), strict=True
    ):
        yield {
            "accuracy": chord_accuracy(logits, labels),
            **{f"hits@{k}": hits_at_k(logits, labels, k) for k in (1, 3, 5)},
            "emotion_correspondence": emotion_correspondence(logits, labels, video_emotions, threshold),
        }


def _regression_scores(model, batch, output, seconds, threshold):
    """Per video: the RMSE of both curves and of each, over its real seconds."""
    for predictions, curves, n in zip(output.predictions.float().cpu(), batch["labels"].cpu(), seconds):
        predictions, curves = predictions[:n], curves[:n]
        yield {
            "rmse": rmse(predictions, curves),
            **{
                f"rmse_{name}": rmse(predictions[:, column], curves[:, column])
                for column, name in enumerate(("note_density", "loudness"))
            },
        }


_SCORES = {"amt": _amt_scores, "amt_regression": _regression_scores}


def evaluate_model(
    model, dataset, batch_size: int, threshold: float = MuViDataConfig.emotion_threshold, device="cpu"
) -> dict[str, float]:
    """The loss and the per-video measures of ``model`` (on ``device``) over a whole split."""
    collator = collator_for(model.config)
    scores = _SCORES[model.config.model_type]
    model.eval()
    per_video: dict[str, list[float]] = {}
    losses, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(dataset), batch_size):
            rows = [dataset[i] for i in range(start, min(start + batch_size, len(dataset)))]
            batch = {key: value.to(device) for key, value in collator(rows).items()}
            output = model(**batch)
            for video in scores(model, batch, output, [collator.seconds(row) for row in rows], threshold):
                for name, value in video.items():
                    if value is not None:
                        per_video.setdefault(name, []).append(value)
            losses, count = losses + output.loss.item() * len(rows), count + len(rows)
    return {"loss": losses / max(count, 1), **{name: sum(v) / len(v) for name, v in per_video.items()}}


def evaluate_command(request: EvaluationRequest) -> dict:
    """``train.py evaluate`` for AMT and regression models: prints the measures and writes the JSON report
    (``BEST/evaluation.json`` by default)."""
    from transformers import PretrainedConfig

    from ....video2music import AMTModel, AMTRegressionModel

    folder = best_model_folder(request.model)
    model_type = PretrainedConfig.get_config_dict(folder)[0].get("model_type")
    loaded = {"amt": AMTModel, "amt_regression": AMTRegressionModel}[model_type].from_pretrained(folder)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    name = MuViDataConfig.config
    rows = load_split(str(request.data), name, request.split)
    scores = evaluate_model(loaded.to(device), rows, request.batch_size or 8, device=device)
    results = {f"{name}/{request.split}": scores}
    report = {"model": folder, "data": str(request.data), "split": request.split, "results": results}
    write_report(report, results_table(results, {measure: measure for measure in scores}), request.output)
    return report
