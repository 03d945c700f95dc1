"""Video2Music's training recipes (``train.py amt`` / ``train.py amt_regression``) on a MuVi-Sync
folder written by ``emotune build-dataset muvi-sync``.

Faithful to the original (``train.py``, ``train_regression.py``, ``dataset/vevo_dataset.py``):

* batches as :mod:`.muvi_sync_data` makes them: chords shifted as the original shifts them, videos
  padded as the model's ``video_padding`` says (``"zeros"``, the default: to ``max_sequence_length``
  seconds of zero features, as the original trains);
* the AMT's loss is ``0.4 * chord cross-entropy + 0.6 * affective BCE`` (in the model); the recipe
  ``configs/video2music/amt.yaml`` uses Adam (betas 0.9/0.98, eps 1e-9) with the inverse-square-root
  warm-up of 4000 steps at the original's peak rate, ``(512 * 4000) ** -0.5``;
* the bi-GRU learns note density and loudness per second with MSE; Adam lr 1e-3, weight decay 1e-5;
* validation: the measures of :mod:`.evaluation`; the best epoch (lowest validation loss) is kept and
  evaluated on the test split.

Validation and test run on every process over the whole split (MuVi-Sync is small), so every
process reports the same numbers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import torch

from ....base.errors import InvalidInputError
from ....video2music.model_card import amt_model_card
from ....video2music.modeling_amt import AMTModel
from ....video2music.modeling_amt_regression import AMTRegressionModel
from ...engine import LoopConfig, Recipe, read_section, run_training
from ...engine.outputs import BestModelOutputs
from ...engine.sampling import MultiSourceBatchSampler
from .data import MuViDataConfig, collator_for, load_split
from .evaluation import evaluate_model

__all__ = ["Video2MusicRecipe", "train_amt", "train_amt_regression"]

MODELS = {"amt": AMTModel, "amt_regression": AMTRegressionModel}
"""Recipe kind (the model type) -> model class."""


class Video2MusicRecipe(BestModelOutputs, Recipe):
    """``kind="amt"`` (chords) or ``kind="amt_regression"`` (note density and loudness)."""

    def __init__(self, kind: Literal["amt", "amt_regression"], recipe: Mapping[str, Any]):
        unknown = sorted(set(recipe) - {"training", "data", "model"})
        if unknown:
            raise InvalidInputError(f"Unknown recipe section(s) {unknown}. Accepted: training, data, model")
        self.kind, self.recipe = kind, dict(recipe)
        self.name = kind
        self.data = read_section(MuViDataConfig, recipe, "data")
        self.model_class = MODELS[kind]
        try:
            self.config = self.model_class.config_class(**dict(recipe.get("model") or {}))
        except (TypeError, ValueError) as error:
            raise InvalidInputError(f"Invalid recipe section 'model': {error}") from None
        self.loss_names = ("loss",)

    def setup(self, accelerator, config: LoopConfig) -> None:
        self.train = load_split(self.data.path, self.data.config, self.data.train_split)
        self.validation = load_split(self.data.path, self.data.config, self.data.validation_split)
        self.model = self.model_class(self.config)
        self.train_loader = torch.utils.data.DataLoader(
            _Rows(self.train),
            batch_sampler=MultiSourceBatchSampler([len(self.train)], self.data.batch_size, config.seed),
            collate_fn=collator_for(self.config),
            generator=torch.Generator().manual_seed(config.seed),
        )

    def training_step(self, model, batch):
        loss = model(**batch).loss
        return loss, {"loss": loss.item()}

    def _evaluate(self, model, dataset, device) -> dict[str, float]:
        return evaluate_model(model, dataset, self.data.eval_batch_size, self.data.emotion_threshold, device)

    def validate(self, model, accelerator) -> dict[str, float]:
        scores = self._evaluate(accelerator.unwrap_model(model), self.validation, accelerator.device)
        model.train()
        return {"val_loss": scores.pop("loss"), **{f"{self.data.config}/{k}": v for k, v in scores.items()}}

    # ------------------------------------------------------------------ outputs (BestModelOutputs)
    @property
    def validation_split(self) -> str:
        return self.data.validation_split

    def model_card(self, config, name: str, metrics: Mapping[str, Mapping[str, float]]):
        origin = f"trained with emotune (`train.py {self.kind}`) on MuVi-Sync ({self.data.path})"
        return amt_model_card(config, origin=origin, metrics=metrics, recipe=self.recipe)

    def test_best(self, model, accelerator):
        test = load_split(self.data.path, self.data.config, self.data.test_split)
        results = {
            f"{self.data.config}/{self.data.test_split}": self._evaluate(model, test, accelerator.device)
        }
        accelerator.print(json.dumps(results, indent=2))
        return results, results


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
