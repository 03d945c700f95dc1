"""The ``dynamic`` recipe (``train.py dynamic``): a :class:`Music2EmoDynamicModel` on the time-resolved
columns of a features dataset (``emotune extract-features --dynamic``).

* every step draws a batch of clips of every source (``data.combine`` as Music2Emo's recipes), padded to
  the longest; a clip longer than ``data.max_windows`` is cut to a random run of that many windows;
* the loss counts only annotated windows (``model.dynamic_loss``: ``mse``, or ``ccc``): a clip without
  per-time-step labels adds nothing to it;
* optional consistency (off by default): the mean of each clip's curve against a static Music2Emo model's
  valence-arousal of the clip (``consistency.student``, weight ``consistency.weight``); with
  ``data.unlabelled: true`` clips that have windows but no per-time-step labels (``extract-features
  --dynamic all``) train through this term alone;
* validation loss = sum over sources of the per-window loss over their annotated windows (early stopping
  watches it); the per-song RMSE, r and CCC of each source are logged; the best epoch is saved (``best``) and
  finally evaluated on the test splits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch

from ....base.errors import InvalidInputError
from ....music2emo_dynamic.configuration_music2emo_dynamic import Music2EmoDynamicConfig
from ....music2emo_dynamic.model_card import dynamic_model_card
from ....music2emo_dynamic.modeling_music2emo_dynamic import Music2EmoDynamicModel
from ...engine import LoopConfig, Recipe, read_section, run_training
from ...engine.outputs import BestModelOutputs
from ...engine.sampling import COMBINE_MODES, MultiSourceBatchSampler, SourceItem
from ..music2emo.data import Music2EmoItems, load_feature_rows
from ..music2emo.evaluation import MODEL_INPUTS
from .data import WINDOW_INPUTS, DynamicCollator, DynamicItems, WindowRows, load_window_rows
from .evaluation import (
    dynamic_evaluation_loader,
    dynamic_headline,
    evaluate_dynamic_models,
    predict_curves,
    score_curves,
)

__all__ = ["ConsistencyConfig", "DynamicDataConfig", "Music2EmoDynamicRecipe", "train_dynamic"]

_CONFIG_FIELDS = {field.name for field in dataclasses.fields(Music2EmoDynamicConfig)}


@dataclasses.dataclass
class DynamicDataConfig:
    """The ``data`` section of the dynamic recipe."""

    path: str = ""
    """Features dataset folder or Hub id with time-resolved columns (``emotune extract-features --dynamic``)."""
    sources: list[str] = dataclasses.field(default_factory=lambda: ["deam", "pmemo", "emomusic"])
    batch_size: int = 8
    """Clips per source and per process."""
    eval_batch_size: int = 16
    num_workers: int = 0
    combine: Literal["max_size", "max_size_cycle"] = "max_size"
    max_windows: int = 240
    """Longest run of windows a training clip keeps (240 at 0.5 s: 2 minutes); evaluation takes whole clips."""
    unlabelled: bool = False
    """Also train on clips that have windows but no per-time-step labels (consistency term only)."""
    train_split: str = "train"
    validation_split: str = "validation"
    test_split: str = "test"

    def check(self) -> None:
        if not self.path:
            raise InvalidInputError(
                "data.path is required: the folder (or Hub id) of a features dataset with time-resolved columns"
            )
        if not self.sources or len(set(self.sources)) != len(self.sources):
            raise InvalidInputError(f"data.sources must name each source once, got {self.sources}")
        if self.combine not in COMBINE_MODES:
            raise InvalidInputError(f"data.combine must be one of {list(COMBINE_MODES)}")
        if self.batch_size < 1 or self.eval_batch_size < 1 or self.max_windows < 1:
            raise InvalidInputError(
                "data.batch_size, data.eval_batch_size and data.max_windows must be at least 1"
            )


@dataclasses.dataclass
class ConsistencyConfig:
    """The ``consistency`` section: the curve's mean against a static model's clip valence-arousal."""

    student: str = ""
    """A Music2Emo model (folder or Hub id) with a VA head, trained on the same clip features."""
    weight: float = 0.0
    """0: off (the default)."""

    def check(self) -> None:
        if self.weight < 0:
            raise InvalidInputError(f"consistency.weight must be 0 or more, got {self.weight}")
        if self.weight > 0 and not self.student:
            raise InvalidInputError(
                "consistency.weight > 0 needs consistency.student: a Music2Emo model whose clip valence-arousal "
                "the curve's mean should match"
            )


class Music2EmoDynamicRecipe(BestModelOutputs, Recipe):
    """Train a :class:`Music2EmoDynamicModel` (see the module docstring)."""

    loss_names = ("loss", "dynamic", "consistency")

    def __init__(self, recipe: Mapping[str, Any]):
        sections = {"training", "data", "model", "consistency"}
        unknown = sorted(set(recipe) - sections)
        if unknown:
            raise InvalidInputError(
                f"Unknown recipe section(s) {unknown} for `dynamic`. Accepted: {sorted(sections)}"
            )
        self.recipe = dict(recipe)
        self.data = read_section(DynamicDataConfig, recipe, "data")
        self.consistency = read_section(ConsistencyConfig, recipe, "consistency")
        self.model_options = dict(recipe.get("model") or {})
        unknown = sorted(set(self.model_options) - _CONFIG_FIELDS)
        if unknown:
            raise InvalidInputError(
                f"Unknown key(s) {unknown} in recipe section 'model'. Accepted: the fields of "
                f"Music2EmoDynamicConfig ({', '.join(sorted(_CONFIG_FIELDS - {'transformers_version', 'architectures'}))})"
            )
        if "consistency_loss_weight" in self.model_options:
            raise InvalidInputError(
                "Set the consistency term with consistency.weight, not model.consistency_loss_weight"
            )
        if self.data.unlabelled and not self.consistency.weight:
            raise InvalidInputError(
                "data.unlabelled: true trains clips without per-time-step labels through the consistency term "
                "alone: give consistency.weight and consistency.student too"
            )

    # ------------------------------------------------------------------ setup
    def _read(self, split: str, unlabelled: bool = False) -> list[WindowRows]:
        return [load_window_rows(self.data.path, source, split, unlabelled) for source in self.data.sources]

    def _config(self, embedding_dim: int) -> Music2EmoDynamicConfig:
        options = dict(self.model_options)
        if options.get("audio_embedding_dim", embedding_dim) != embedding_dim:
            raise InvalidInputError(
                f"model.audio_embedding_dim is {options['audio_embedding_dim']} but the features dataset's "
                f"windows have {embedding_dim} values: leave it out, it follows the data"
            )
        options.update(audio_embedding_dim=embedding_dim, consistency_loss_weight=self.consistency.weight)
        try:
            return Music2EmoDynamicConfig(**options)
        except (ValueError, TypeError) as error:
            raise InvalidInputError(f"Invalid recipe section 'model': {error}") from None

    def _student_targets(self, rows: WindowRows, split: str, device) -> None:
        """Set ``rows.clip_va`` to the consistency student's valence-arousal of each clip (all segments)."""
        from ....music2emo.modeling_music2emo import Music2EmoModel

        try:
            student = Music2EmoModel.from_pretrained(self.consistency.student).to(device).eval()
        except OSError as error:
            raise InvalidInputError(
                f"Cannot load the consistency student from {self.consistency.student!r}: {error}"
            ) from None
        if "va" not in student.config.tasks or student.config.audio_embedding_dim != self.embedding_dim:
            raise InvalidInputError(
                f"The consistency student {self.consistency.student} must predict valence-arousal from "
                f"{self.embedding_dim}-value embeddings (it has tasks {student.config.tasks}, "
                f"{student.config.audio_embedding_dim}-value embeddings)"
            )
        clips = Music2EmoItems([load_feature_rows(self.data.path, rows.source, split)], augmentation="none")
        values = []
        with torch.no_grad():
            for start in range(0, len(rows), 256):
                items = [clips[SourceItem(0, int(row), None)] for row in rows.rows[start : start + 256]]
                inputs = {name: torch.as_tensor(np.stack([item[name] for item in items])).to(device)
                          for name in MODEL_INPUTS}  # fmt: skip
                values.append(student(**inputs).va.float().cpu().numpy())
        rows.clip_va = np.concatenate(values).astype(np.float32)

    def setup(self, accelerator, config: LoopConfig) -> None:
        self.accelerator = accelerator
        self.train = self._read(self.data.train_split, unlabelled=self.data.unlabelled)
        self.validation = self._read(self.data.validation_split)
        widths = {rows.embedding_dim for rows in self.train + self.validation}
        if len(widths) != 1:
            raise InvalidInputError(
                f"The sources' windows differ in width ({sorted(widths)}): extract them alike"
            )
        self.embedding_dim = widths.pop()
        self.config = self._config(self.embedding_dim)
        if self.consistency.weight:
            for rows in self.train:
                self._student_targets(rows, self.data.train_split, accelerator.device)
        self.model = Music2EmoDynamicModel(self.config)
        self.train_loader = torch.utils.data.DataLoader(
            DynamicItems(self.train, max_windows=self.data.max_windows),
            batch_sampler=MultiSourceBatchSampler(
                [len(rows) for rows in self.train], self.data.batch_size, config.seed, self.data.combine
            ),
            collate_fn=DynamicCollator(),
            num_workers=self.data.num_workers,
            generator=torch.Generator().manual_seed(config.seed),
        )
        self.validation_loaders = [
            accelerator.prepare(
                dynamic_evaluation_loader(
                    self.validation, i, self.data.eval_batch_size, self.data.num_workers
                )
            )
            for i in range(len(self.validation))
        ]

    # ------------------------------------------------------------------ steps
    def training_step(self, model, batch):
        inputs = {name: batch[name] for name in WINDOW_INPUTS}
        labels = {"va_labels": batch["va_labels"], "va_labels_mask": batch["va_labels_mask"]}
        if self.consistency.weight:
            labels["clip_va"] = batch["clip_va"]
        output = model(**inputs, **labels)
        values = {"loss": output.loss.item(), "dynamic": output.dynamic_loss.item()}
        if output.consistency_loss is not None:
            values["consistency"] = output.consistency_loss.item()
        return output.loss, values

    def validate(self, model, accelerator) -> dict[str, float]:
        model = accelerator.unwrap_model(model)
        total, values = 0.0, {}
        for rows, loader in zip(self.validation, self.validation_loaders):
            curves = predict_curves(model, loader, accelerator, rows)
            labelled = [row for row in range(len(rows)) if rows.has_dynamic[row]]
            predicted = torch.as_tensor(np.concatenate([curves[row] for row in labelled]))[None]
            targets = torch.as_tensor(np.concatenate([rows.labels[row] for row in labelled]))[None]
            loss = model.dynamic_loss(predicted, targets).item()
            values[f"{rows.source}/loss"] = loss
            total += loss
            for metric, value in dynamic_headline({rows.source: score_curves(rows, curves)})[
                rows.source
            ].items():
                values[f"{rows.source}/{metric}"] = value
        return {"val_loss": total, **values}

    # ------------------------------------------------------------------ outputs (BestModelOutputs)
    model_class = Music2EmoDynamicModel

    @property
    def validation_split(self) -> str:
        return self.data.validation_split

    def model_card(self, config: Music2EmoDynamicConfig, name: str, metrics: Mapping[str, Mapping]):
        consistency = ""
        if self.consistency.weight:
            consistency = f", consistent with {self.consistency.student} (weight {self.consistency.weight:g})"
        origin = (
            f"trained with emotune (`train.py dynamic`) on the per-time-step labels of {', '.join(self.data.sources)}"
            f"{consistency}; the epoch with the lowest validation loss"
        )
        datasets = [] if Path(self.data.path).exists() else [self.data.path]
        return dynamic_model_card(
            config, origin=origin, datasets=datasets, metrics=metrics, recipe=self.recipe
        )

    def test_best(self, model, accelerator):
        results = evaluate_dynamic_models(
            model, self.data.path, self.data.sources, self.data.test_split, accelerator,
            batch_size=self.data.eval_batch_size, num_workers=self.data.num_workers,
        )  # fmt: skip
        return results, dynamic_headline(results)


def train_dynamic(
    recipe: Mapping, output_dir: str | Path, *, resume: bool = False, push_to_hub: str | None = None
) -> dict:
    """Train a time-resolved Music2Emo model with ``recipe`` (see the module docstring)."""
    config = read_section(LoopConfig, recipe, "training")
    return run_training(
        Music2EmoDynamicRecipe(recipe),
        config,
        output_dir,
        recipe_dict=recipe,
        resume=resume,
        push_to_hub=push_to_hub,
    )
