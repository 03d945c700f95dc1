"""Music2Emo's training recipes: single-dataset teachers and the multitask student with knowledge
distillation (``train.py teacher`` / ``train.py student``).

Faithful to the original (``trainer.py``, ``data_loader.py`` of AMAAI-Lab/Music2Emotion):

* every step draws a batch of every training dataset (``data.combine``: ``max_size``, the original's
  Lightning ``CombinedLoader`` mode, where a dataset that runs out sits out the rest of the epoch;
  ``max_size_cycle`` reshuffles it and keeps drawing);
* each dataset contributes its supervised loss, each sample only for the heads it has labels for
  (MTG-Jamendo: the tags; DEAM/PMEmo/EmoMusic: annotated valence-arousal; the lexicon VA of
  MTG-Jamendo tracks only with ``data.lexicon_va: true``, which the original does not do);
* with teachers, per dataset: ``weight * distillation + (1 - weight) * supervised``;
* the training embedding is the mean of a random run of consecutive segments; evaluation uses all;
* validation loss = sum over datasets of their supervised losses (no distillation term), which early
  stopping watches; the best epoch per task is kept (``best-mood``, ``best-va``) beside the best
  overall (``best``), and finally evaluated on the test splits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch

from ....base.errors import InvalidInputError
from ....music2emo.configuration_music2emo import Music2EmoConfig
from ....music2emo.model_card import music2emo_model_card
from ....music2emo.modeling_music2emo import Music2EmoModel
from ...engine import LoopConfig, Recipe, read_section, run_training
from ...engine.outputs import BestModelOutputs
from ...engine.sampling import COMBINE_MODES, MultiSourceBatchSampler
from .data import FeatureRows, Music2EmoCollator, Music2EmoItems, load_feature_rows
from .distillation import DISTILLATION_METHODS, distillation_loss
from .evaluation import MODEL_INPUTS, evaluate_models, evaluation_loader, headline, predict, score

__all__ = ["DataConfig", "DistillationConfig", "Music2EmoRecipe", "train_student", "train_teacher"]

_CONFIG_FIELDS = {field.name for field in dataclasses.fields(Music2EmoConfig)}


@dataclasses.dataclass
class DataConfig:
    """The ``data`` section: which features dataset, which sources, how batches are drawn."""

    path: str = ""
    """Features dataset folder or Hub id (written by ``emotune extract-features``)."""
    sources: list[str] = dataclasses.field(
        default_factory=lambda: ["mtg-jamendo", "deam", "pmemo", "emomusic"]
    )
    batch_size: int = 8
    """Per dataset and per process, as in the original."""
    eval_batch_size: int = 64
    num_workers: int = 0
    combine: Literal["max_size", "max_size_cycle"] = "max_size"
    segment_augmentation: Literal["random_run", "none"] = "random_run"
    lexicon_va: bool = False
    train_split: str = "train"
    validation_split: str = "validation"
    test_split: str = "test"

    def check(self) -> None:
        if not self.path:
            raise InvalidInputError("data.path is required: the folder (or Hub id) of a features dataset")
        if not self.sources or len(set(self.sources)) != len(self.sources):
            raise InvalidInputError(f"data.sources must name each source once, got {self.sources}")
        if self.combine not in COMBINE_MODES:
            raise InvalidInputError(f"data.combine must be one of {list(COMBINE_MODES)}")
        if self.batch_size < 1 or self.eval_batch_size < 1:
            raise InvalidInputError("data.batch_size and data.eval_batch_size must be at least 1")


@dataclasses.dataclass
class DistillationConfig:
    """The student's ``distillation`` section. No teachers: plain multitask training."""

    teachers: dict[str, str] = dataclasses.field(default_factory=dict)
    """Source -> teacher model (folder or Hub id) trained on it."""
    weight: float = 0.8
    temperature: float = 1.0
    method: Literal["kl", "sigmoid"] = "kl"

    def check(self) -> None:
        if not 0.0 <= self.weight <= 1.0:
            raise InvalidInputError(f"distillation.weight must be in [0, 1], got {self.weight}")
        if self.temperature <= 0:
            raise InvalidInputError(f"distillation.temperature must be positive, got {self.temperature}")
        if self.method not in DISTILLATION_METHODS:
            raise InvalidInputError(f"distillation.method must be one of {list(DISTILLATION_METHODS)}")


def _tensor(array: np.ndarray, device) -> torch.Tensor:
    return torch.as_tensor(array, device=device)


class Music2EmoRecipe(BestModelOutputs, Recipe):
    """A teacher (``role="teacher"``: one head, from the labels of its data) or the student (both heads)."""

    def __init__(self, role: Literal["teacher", "student"], recipe: Mapping[str, Any]):
        sections = {"training", "data", "model"} | ({"distillation"} if role == "student" else set())
        unknown = sorted(set(recipe) - sections)
        if unknown:
            raise InvalidInputError(
                f"Unknown recipe section(s) {unknown} for `{role}`. Accepted: {sorted(sections)}"
            )
        self.role = self.name = role
        self.recipe = dict(recipe)
        self.data = read_section(DataConfig, recipe, "data")
        self.distillation = (
            read_section(DistillationConfig, recipe, "distillation") if role == "student" else None
        )
        self.model_options = dict(recipe.get("model") or {})
        unknown = sorted(set(self.model_options) - _CONFIG_FIELDS)
        if unknown:
            raise InvalidInputError(
                f"Unknown key(s) {unknown} in recipe section 'model'. Accepted: the fields of Music2EmoConfig "
                f"({', '.join(sorted(_CONFIG_FIELDS - {'transformers_version', 'architectures'}))})"
            )
        if role == "student" and self.model_options.get("tasks", ["mood", "va"]) != ["mood", "va"]:
            raise InvalidInputError(
                "The student predicts both tags and valence-arousal: leave model.tasks out"
            )
        if self.distillation:
            strays = sorted(set(self.distillation.teachers) - set(self.data.sources))
            if strays:
                raise InvalidInputError(
                    f"distillation.teachers names {strays}, not in data.sources {self.data.sources}"
                )

    # ------------------------------------------------------------------ setup
    def _read(self, split: str) -> list[FeatureRows]:
        return [load_feature_rows(self.data.path, s, split, self.data.lexicon_va) for s in self.data.sources]

    def _tasks(self) -> list[str]:
        present = [task for task, flag in (("mood", self.has_tags), ("va", self.has_va)) if flag]
        if self.role == "student":
            return ["mood", "va"]
        tasks = list(self.model_options.get("tasks") or present)
        missing = [task for task in tasks if task not in present]
        if not present or missing:
            raise InvalidInputError(
                f"A teacher learns what its data labels: {self.data.sources} carry {present or 'no labels'}, "
                f"model.tasks asks for {tasks}"
            )
        return tasks

    def _config(self, embedding_dim: int) -> Music2EmoConfig:
        options = dict(self.model_options)
        if options.get("audio_embedding_dim", embedding_dim) != embedding_dim:
            raise InvalidInputError(
                f"model.audio_embedding_dim is {options['audio_embedding_dim']} but the features dataset's "
                f"embeddings have {embedding_dim} values: leave it out, it follows the data"
            )
        if options.get("tag_priors") == "train":  # smoothed share of tagged training rows with each tag
            tagged = np.concatenate([rows.moods[rows.has_moods] for rows in self.train])
            options["tag_priors"] = ((tagged.sum(axis=0) + 0.5) / (len(tagged) + 1.0)).tolist()
        options.update(audio_embedding_dim=embedding_dim, tasks=self._tasks())
        try:
            return Music2EmoConfig(**options)
        except (ValueError, TypeError) as error:
            raise InvalidInputError(f"Invalid recipe section 'model': {error}") from None

    def _teacher(self, source: str, path: str, accelerator) -> Music2EmoModel:
        try:
            teacher = Music2EmoModel.from_pretrained(path)
        except OSError as error:
            raise InvalidInputError(f"Cannot load the teacher for {source} from {path!r}: {error}") from None
        if teacher.config.audio_embedding_dim != self.embedding_dim:
            raise InvalidInputError(
                f"The {source} teacher ({path}) reads {teacher.config.audio_embedding_dim}-value embeddings, "
                f"the features dataset has {self.embedding_dim}: train the teachers on the same features"
            )
        return teacher.to(accelerator.device).eval().requires_grad_(False)

    def setup(self, accelerator, config: LoopConfig) -> None:
        self.accelerator = accelerator
        self.train = self._read(self.data.train_split)
        self.validation = self._read(self.data.validation_split)
        widths = {rows.embedding_dim for rows in self.train + self.validation}
        if len(widths) != 1:
            raise InvalidInputError(
                f"The sources' embeddings differ in width ({sorted(widths)}): extract them alike"
            )
        self.embedding_dim = widths.pop()
        self.has_tags = any(rows.has_tags for rows in self.train)
        self.has_va = any(rows.has_va for rows in self.train)
        self.config = self._config(self.embedding_dim)
        self.model = Music2EmoModel(self.config)
        names = [rows.source for rows in self.train]
        self.train_loader = torch.utils.data.DataLoader(
            Music2EmoItems(self.train, augmentation=self.data.segment_augmentation),
            batch_sampler=MultiSourceBatchSampler(
                [len(rows) for rows in self.train], self.data.batch_size, config.seed, self.data.combine
            ),
            collate_fn=Music2EmoCollator(names),
            num_workers=self.data.num_workers,
            generator=torch.Generator().manual_seed(config.seed),  # keeps the global RNG untouched
        )
        self.validation_loaders = [
            accelerator.prepare(
                evaluation_loader(self.validation, i, self.data.eval_batch_size, self.data.num_workers)
            )
            for i in range(len(self.validation))
        ]
        teachers = self.distillation.teachers if self.distillation else {}
        self.teachers = {
            source: self._teacher(source, path, accelerator) for source, path in teachers.items()
        }
        supervised = [
            task
            for task, flag in (("mood", self.has_tags), ("va", self.has_va))
            if flag and task in self.config.tasks
        ]
        self.best_models = {"best": "val_loss"}
        if len(supervised) > 1:
            self.best_models.update({f"best-{task}": f"val_loss_{task}" for task in supervised})
        self.loss_names = (
            "loss",
            *(f"supervised/{n}" for n in names),
            *(f"distillation/{n}" for n in self.teachers),
        )

    # ------------------------------------------------------------------ steps
    def training_step(self, model, batch):
        total = None
        values = {}
        for name, inputs in batch.items():
            model_inputs = {key: inputs[key] for key in MODEL_INPUTS}
            labels = {}
            for task, keys in (
                ("mood", ("mood_labels", "mood_labels_mask")),
                ("va", ("va_labels", "va_labels_mask")),
            ):
                if task in self.config.tasks:
                    labels.update({key: inputs[key] for key in keys})
            output = model(**model_inputs, **labels)
            term = output.loss
            values[f"supervised/{name}"] = term.item()
            teacher = self.teachers.get(name)
            if teacher is not None:
                with torch.no_grad(), self.accelerator.autocast():
                    target = teacher(**model_inputs)
                distilled = distillation_loss(
                    output, target, self.distillation.method, self.distillation.temperature
                )
                values[f"distillation/{name}"] = distilled.item()
                term = self.distillation.weight * distilled + (1.0 - self.distillation.weight) * term
            total = term if total is None else total + term
        values["loss"] = total.item()
        return total, values

    def validate(self, model, accelerator) -> dict[str, float]:
        model = accelerator.unwrap_model(model)
        device = accelerator.device
        totals: dict[str, float] = {}
        values: dict[str, float] = {}
        for rows, loader in zip(self.validation, self.validation_loaders):
            predictions = predict(model, loader, accelerator)
            order = predictions.rows
            heads = (
                ("mood", predictions.mood_logits, rows.has_tags, rows.moods, rows.has_moods, model.mood_loss),
                ("va", predictions.va, rows.has_va, rows.va, rows.va_usable, model.va_loss),
            )
            for task, outputs, labelled, labels, mask, loss_function in heads:
                if outputs is None or not labelled:
                    continue
                loss = loss_function(
                    _tensor(outputs, device), _tensor(labels[order], device), _tensor(mask[order], device)
                ).item()
                values[f"{rows.source}/loss_{task}"] = loss
                totals[task] = totals.get(task, 0.0) + loss
            for metric, value in headline({rows.source: score(rows, predictions)})[rows.source].items():
                values[f"{rows.source}/{metric}"] = value
        weights = {"mood": self.config.mood_loss_weight, "va": self.config.va_loss_weight}
        result = {"val_loss": sum(weights[task] * total for task, total in totals.items())}
        result.update({f"val_loss_{task}": total for task, total in totals.items()})
        return {**result, **values}

    # ------------------------------------------------------------------ outputs (BestModelOutputs)
    model_class = Music2EmoModel

    @property
    def validation_split(self) -> str:
        return self.data.validation_split

    def model_card(self, config: Music2EmoConfig, name: str, metrics: Mapping[str, Mapping]):
        teachers = ""
        if self.teachers:
            teachers = (
                f", distilled from teachers ({self.distillation.method}, weight {self.distillation.weight:g})"
            )
        origin = (
            f"trained with emotune (`train.py {self.role}`) on {', '.join(self.data.sources)}{teachers}; "
            f"the epoch with the lowest {self.best_models[name]} on the validation split(s)"
        )
        datasets = [] if Path(self.data.path).exists() else [self.data.path]
        return music2emo_model_card(
            config, origin=origin, datasets=datasets, metrics=metrics, recipe=self.recipe
        )

    def test_best(self, model, accelerator):
        results = evaluate_models(
            dict.fromkeys(model.config.tasks, model), self.data.path, self.data.sources, self.data.test_split,
            accelerator, batch_size=self.data.eval_batch_size, num_workers=self.data.num_workers,
        )  # fmt: skip
        return results, headline(results)


def _train(
    role: str, recipe: Mapping, output_dir: str | Path, *, resume: bool, push_to_hub: str | None
) -> dict:
    config = read_section(LoopConfig, recipe, "training")
    return run_training(
        Music2EmoRecipe(role, recipe),
        config,
        output_dir,
        recipe_dict=recipe,
        resume=resume,
        push_to_hub=push_to_hub,
    )


def train_teacher(
    recipe: Mapping, output_dir: str | Path, *, resume: bool = False, push_to_hub: str | None = None
) -> dict:
    """A single-task teacher on its dataset(s): ``tasks`` follow the labels (tags -> mood, VA -> va)."""
    return _train("teacher", recipe, output_dir, resume=resume, push_to_hub=push_to_hub)


def train_student(
    recipe: Mapping, output_dir: str | Path, *, resume: bool = False, push_to_hub: str | None = None
) -> dict:
    """The multitask student on every dataset, distilled from the teachers named in the recipe."""
    return _train("student", recipe, output_dir, resume=resume, push_to_hub=push_to_hub)
