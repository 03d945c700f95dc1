"""Video2Music's training recipes (``train.py amt`` / ``train.py amt_regression``) and evaluation
(``train.py evaluate`` for models of type ``amt`` and ``amt_regression``), on a MuVi-Sync folder
written by ``emotune build-dataset muvi-sync``.

Faithful to the original (``train.py``, ``train_regression.py``, ``dataset/vevo_dataset.py``):

* per video, the decoder reads the chords of seconds ``0..L-1`` and predicts those of ``1..L``, END
  after the last chord and PAD beyond (the original pads every video to 300 s; batches here pad to
  their longest video, with the same PAD targets and zero video features);
* the AMT's loss is ``0.4 * chord cross-entropy + 0.6 * affective BCE`` (in the model); the recipe
  ``configs/video2music/amt.yaml`` uses Adam (betas 0.9/0.98, eps 1e-9) with the inverse-square-root
  warm-up of 4000 steps at the original's peak rate, ``(512 * 4000) ** -0.5``;
* the bi-GRU learns note density and loudness per second with MSE; Adam lr 1e-3, weight decay 1e-5;
* validation: the loss, chord accuracy, Hits@1/3/5 and the emotion correspondence (AMT), RMSE
  (regression); the best epoch (lowest validation loss) is kept and evaluated on the test split.

Validation and test run on every process over the whole split (MuVi-Sync is small), so every
process reports the same numbers.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch

from ..cards import save_model_card
from ..dataset_folders import load_dataset_folder
from ..errors import InvalidInputError
from ..training import LoopConfig, Recipe, read_section, run_training
from ..training.data import MultiSourceBatchSampler
from .configuration_amt import AMTConfig
from .configuration_amt_regression import AMTRegressionConfig
from .metrics import chord_accuracy, emotion_correspondence, hits_at_k, rmse
from .model_card import amt_model_card
from .modeling_amt import AMTModel
from .modeling_amt_regression import AMTRegressionModel

__all__ = [
    "MuViDataConfig",
    "MuViSyncCollator",
    "evaluate_command",
    "load_split",
    "train_amt",
    "train_amt_regression",
]

PAD, END = 158, 157


@dataclasses.dataclass
class MuViDataConfig:
    """The ``data`` section."""

    path: str = "outputs/video2music/muvi-sync"
    """A folder written by ``emotune build-dataset muvi-sync`` (or its Hub id)."""
    config: str = "muvi-sync"
    batch_size: int = 1
    eval_batch_size: int = 8
    train_split: str = "train"
    validation_split: str = "validation"
    test_split: str = "test"
    max_seconds: int = 300
    emotion_threshold: float = 0.8
    """Emotion probability from which a second counts in the emotion correspondence."""

    def check(self) -> None:
        if self.batch_size < 1 or self.eval_batch_size < 1 or self.max_seconds < 2:
            raise InvalidInputError(
                "data.batch_size and data.eval_batch_size must be >= 1, data.max_seconds >= 2"
            )


def load_split(path: str, config: str, split: str):
    """One split of a MuVi-Sync folder, with a clear error when it is not one."""
    try:
        dataset = load_dataset_folder(path, config, split=split)
    except (FileNotFoundError, ValueError) as error:
        raise InvalidInputError(
            f"Cannot read split {split!r} of {path!r} ({error}). Accepted: a folder written by "
            "emotune build-dataset muvi-sync"
        ) from None
    missing = {"chord_ids", "semantic", "emotion", "scene_offset", "motion", "mode"} - set(
        dataset.column_names
    )
    if missing:
        raise InvalidInputError(f"{path} ({split}) is not a MuVi-Sync dataset: it lacks {sorted(missing)}")
    return dataset.with_format("numpy")


class MuViSyncCollator:
    """Rows -> a padded batch: ``video_features`` (B, T, 776), ``video_attention_mask``, ``chord_ids`` and
    ``labels`` (B, L) as the original shifts them, ``mode_ids``, ``curves`` (B, T, 2), ``step_emotions``."""

    def __init__(self, max_seconds: int = 300):
        self.max_seconds = max_seconds

    def __call__(self, rows: list[dict]) -> dict[str, torch.Tensor]:
        seconds = [min(len(r["chord_ids"]), self.max_seconds) for r in rows]
        width, steps = max(seconds), min(max(seconds), self.max_seconds - 1)
        batch = len(rows)
        features = torch.zeros(batch, width, 776)
        mask = torch.zeros(batch, width, dtype=torch.long)
        full = torch.full((batch, steps + 1), PAD, dtype=torch.long)
        curves = torch.zeros(batch, width, 2)
        for i, (row, n) in enumerate(zip(rows, seconds, strict=True)):
            columns = [np.asarray(row["semantic"])[:n], np.asarray(row["scene_offset"])[:n, None],
                       np.asarray(row["motion"])[:n, None], np.asarray(row["emotion"])[:n]]  # fmt: skip
            features[i, :n] = torch.from_numpy(np.concatenate(columns, axis=1).astype(np.float32))
            mask[i, :n] = 1
            chords = torch.as_tensor(np.asarray(row["chord_ids"])[: steps + 1], dtype=torch.long)
            full[i, : len(chords)] = chords
            curves[i, :n, 0] = torch.as_tensor(np.asarray(row["note_density"])[:n], dtype=torch.float32)
            curves[i, :n, 1] = torch.as_tensor(np.asarray(row["loudness"])[:n], dtype=torch.float32)
        labels = full[:, 1:].clone()
        for i, n in enumerate(seconds):
            if n - 1 < steps:
                labels[i, n - 1] = END  # the step after the last chord
        step_emotions = torch.zeros(batch, steps, 6)
        available = min(steps, width - 1)
        step_emotions[:, :available] = features[:, 1 : 1 + available, -6:]
        return {
            "video_features": features,
            "video_attention_mask": mask,
            "chord_ids": full[:, :-1],
            "labels": labels,
            "mode_ids": torch.as_tensor([int(r["mode"]) for r in rows]),
            "curves": curves,
            "step_emotions": step_emotions,
        }


def _batches(dataset, batch_size: int, collator: MuViSyncCollator):
    for start in range(0, len(dataset), batch_size):
        yield collator([dataset[i] for i in range(start, min(start + batch_size, len(dataset)))])


def evaluate_model(
    model, dataset, batch_size: int, max_seconds: int, threshold: float, device
) -> dict[str, float]:
    """The original's measures over a whole split (AMT: loss, accuracy, Hits@k, emotion correspondence;
    regression: loss and RMSE).

    As in the original's evaluation (one video per batch), each measure is computed per video and
    averaged over the videos; the emotion correspondence over the videos where it is defined. The
    result does not depend on ``batch_size``.
    """
    collator = MuViSyncCollator(max_seconds)
    model.eval()
    per_video: dict[str, list[float]] = {}
    losses, count = 0.0, 0

    def add(name: str, value: float | None) -> None:
        if value is not None:
            per_video.setdefault(name, []).append(value)

    with torch.no_grad():
        for batch in _batches(dataset, batch_size, collator):
            batch = {k: v.to(device) for k, v in batch.items()}
            if model.config.model_type == "amt":
                out = model(
                    batch["video_features"],
                    batch["chord_ids"],
                    batch["mode_ids"],
                    video_attention_mask=batch["video_attention_mask"],
                    labels=batch["labels"],
                )
                for logits, labels, emotions in zip(
                    out.logits.float().cpu(), batch["labels"].cpu(), batch["step_emotions"].cpu(), strict=True
                ):
                    add("accuracy", chord_accuracy(logits, labels))
                    for k in (1, 3, 5):
                        add(f"hits@{k}", hits_at_k(logits, labels, k))
                    add("emotion_correspondence", emotion_correspondence(logits, labels, emotions, threshold))
            else:
                out = model(batch["video_features"], batch["video_attention_mask"], labels=batch["curves"])
                for predictions, curves, mask in zip(
                    out.predictions.float().cpu(),
                    batch["curves"].cpu(),
                    batch["video_attention_mask"].cpu(),
                    strict=True,
                ):
                    add("rmse", rmse(predictions, curves, mask[:, None].expand(-1, 2)))
                    for column, name in enumerate(("note_density", "loudness")):
                        add(f"rmse_{name}", rmse(predictions[:, column], curves[:, column], mask))
            size = len(batch["mode_ids"])
            losses, count = losses + out.loss.item() * size, count + size
    return {"loss": losses / max(count, 1), **{name: sum(v) / len(v) for name, v in per_video.items()}}


class Video2MusicRecipe(Recipe):
    """``kind="amt"`` (chords) or ``kind="amt_regression"`` (note density and loudness)."""

    def __init__(self, kind: Literal["amt", "amt_regression"], recipe: Mapping[str, Any]):
        unknown = sorted(set(recipe) - {"training", "data", "model"})
        if unknown:
            raise InvalidInputError(f"Unknown recipe section(s) {unknown}. Accepted: training, data, model")
        self.kind, self.recipe = kind, dict(recipe)
        self.data = read_section(MuViDataConfig, recipe, "data")
        config_class = AMTConfig if kind == "amt" else AMTRegressionConfig
        try:
            self.config = config_class(**dict(recipe.get("model") or {}))
        except (TypeError, ValueError) as error:
            raise InvalidInputError(f"Invalid recipe section 'model': {error}") from None
        self.model_class = AMTModel if kind == "amt" else AMTRegressionModel
        self.loss_names = ("loss",)

    def setup(self, accelerator, config: LoopConfig) -> None:
        self.train = load_split(self.data.path, self.data.config, self.data.train_split)
        self.validation = load_split(self.data.path, self.data.config, self.data.validation_split)
        self.model = self.model_class(self.config)
        self.train_loader = torch.utils.data.DataLoader(
            _Rows(self.train),
            batch_sampler=MultiSourceBatchSampler([len(self.train)], self.data.batch_size, config.seed),
            collate_fn=MuViSyncCollator(self.data.max_seconds),
            generator=torch.Generator().manual_seed(config.seed),
        )

    def training_step(self, model, batch):
        if self.kind == "amt":
            out = model(
                batch["video_features"],
                batch["chord_ids"],
                batch["mode_ids"],
                video_attention_mask=batch["video_attention_mask"],
                labels=batch["labels"],
            )
        else:
            out = model(batch["video_features"], batch["video_attention_mask"], labels=batch["curves"])
        return out.loss, {"loss": out.loss.item()}

    def _evaluate(self, model, dataset, device) -> dict[str, float]:
        return evaluate_model(
            model,
            dataset,
            self.data.eval_batch_size,
            self.data.max_seconds,
            self.data.emotion_threshold,
            device,
        )

    def validate(self, model, accelerator) -> dict[str, float]:
        scores = self._evaluate(accelerator.unwrap_model(model), self.validation, accelerator.device)
        model.train()
        return {"val_loss": scores.pop("loss"), **{f"muvi-sync/{k}": v for k, v in scores.items()}}

    def _card(self, config, folder: Path, metrics: Mapping[str, Mapping[str, float]]) -> None:
        origin = f"trained with emotune (`train.py {self.kind}`) on MuVi-Sync ({self.data.path})"
        save_model_card(amt_model_card(config, origin=origin, metrics=metrics, recipe=self.recipe), folder)

    def save_model(self, model, folder: Path, validation: Mapping[str, float], name: str) -> None:
        model.save_pretrained(folder)
        metrics = {
            f"muvi-sync/{self.data.validation_split}": {
                k.split("/", 1)[1]: v for k, v in validation.items() if "/" in k
            }
        }
        self._card(model.config, folder, metrics)

    def finish(self, accelerator, folders: Mapping[str, Path]) -> dict[str, Any]:
        test = load_split(self.data.path, self.data.config, self.data.test_split)
        results = {}
        for name, folder in folders.items():
            model = self.model_class.from_pretrained(folder).to(accelerator.device)
            results[name] = {
                f"muvi-sync/{self.data.test_split}": self._evaluate(model, test, accelerator.device)
            }
            if accelerator.is_main_process:
                self._card(model.config, folder, results[name])
        accelerator.print(json.dumps(results, indent=2))
        return results


class _Rows(torch.utils.data.Dataset):
    """The rows of one split, indexed by the batch sampler's ``SourceItem``s."""

    def __init__(self, dataset):
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, item):
        return self.dataset[int(item.row)]


def _train(kind, recipe, output_dir, *, resume, push_to_hub) -> dict:
    config = read_section(LoopConfig, recipe, "training")
    return run_training(Video2MusicRecipe(kind, recipe), config, output_dir, recipe_dict=recipe, resume=resume,
                        push_to_hub=push_to_hub)  # fmt: skip


def train_amt(
    recipe: Mapping, output_dir: str | Path, *, resume: bool = False, push_to_hub: str | None = None
) -> dict:
    """The Affective Multimodal Transformer on MuVi-Sync."""
    return _train("amt", recipe, output_dir, resume=resume, push_to_hub=push_to_hub)


def train_amt_regression(
    recipe: Mapping, output_dir: str | Path, *, resume: bool = False, push_to_hub: str | None = None
) -> dict:
    """The bi-GRU note density / loudness model on MuVi-Sync."""
    return _train("amt_regression", recipe, output_dir, resume=resume, push_to_hub=push_to_hub)


def evaluate_command(model, data, *, split="test", sources=None, batch_size=8, output=None) -> dict:
    """``train.py evaluate`` for AMT and regression models: prints a table and writes JSON."""
    from transformers import AutoModel

    import modeling  # noqa: F401  (registers the model types)

    folder = Path(model)
    if (folder / "best" / "config.json").is_file():
        folder = folder / "best"
    loaded = AutoModel.from_pretrained(str(folder))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    scores = evaluate_model(
        loaded.to(device), load_split(str(data), "muvi-sync", split), batch_size, 300, 0.8, device
    )
    print(f"{'muvi-sync/' + split:<18}" + "  ".join(f"{k} {v:.4f}" for k, v in scores.items()))
    report = {"model": str(folder), "data": str(data), "results": {f"muvi-sync/{split}": scores}}
    target = Path(output) if output else (folder / "evaluation.json" if folder.is_dir() else None)
    if target is not None:
        target.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"written: {target}")
    return report
