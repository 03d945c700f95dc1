"""The training loop every emotune recipe runs in (Music2Emo teachers and student, AMT, ...).

A model family describes what is specific to it as a :class:`Recipe` (data, model, the loss of a
step, validation, how a best model is saved and finally evaluated); :func:`run_training` does the
rest with Accelerate: one CPU, one GPU or several processes (``accelerate launch``), mixed
precision, resumable checkpoints written atomically, early stopping, best-model folders, a JSON
log, a plot of the curves, and the upload to the Hub.

Output folder::

    OUTPUT/recipe.yaml              the resolved recipe
    OUTPUT/run.json                 which recipe (``teacher``, ``amt``, ...) the run trains
    OUTPUT/log.jsonl                one record per epoch (and every N steps if asked)
    OUTPUT/checkpoints/step-N/      the latest resumable state (``--resume``)
    OUTPUT/<best folder>/           save_pretrained + model card, one per monitored quantity
    OUTPUT/metrics.json             the final evaluation of each best folder
    OUTPUT/training_curves.png
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

import torch
import yaml

from ...base.errors import InvalidInputError
from ...base.progress import library_progress_bars
from .checkpoints import CHECKPOINTS, latest_checkpoint, replace_directory, save_checkpoint
from .config import LoopConfig
from .log import TrainingLog, plot_training_curves
from .state import TrainingState

__all__ = ["Recipe", "run_training"]


class Recipe(ABC):
    """What a model family brings to :func:`run_training`.

    :meth:`setup` sets :attr:`model` (the module to train) and :attr:`train_loader` (a plain
    ``DataLoader``; the loop prepares it), whose ``batch_sampler`` may have an ``epoch`` attribute
    the loop sets before each epoch (see :class:`~modeling.training.engine.sampling.MultiSourceBatchSampler`).
    """

    name: str = ""
    """The recipe's name (``teacher``, ``amt``; the class name if empty), written to ``OUTPUT/run.json``
    so that ``--resume`` refuses a run of another recipe before any work starts."""
    best_models: Mapping[str, str] = {"best": "val_loss"}
    """Folder name -> validation quantity (lower is better) whose best epoch is saved there."""
    root_model: str = "best"
    """The folder pushed to the top of the Hub repository."""
    loss_names: tuple[str, ...] = ("loss",)
    """Every name :meth:`training_step` may report."""

    model: torch.nn.Module
    train_loader: torch.utils.data.DataLoader

    @abstractmethod
    def setup(self, accelerator, config: LoopConfig) -> None:
        """Build the data and the model (the random state is already seeded with ``config.seed``)."""

    @abstractmethod
    def training_step(self, model, batch) -> tuple[torch.Tensor, dict[str, float]]:
        """The loss to minimise for ``batch``, and loss values to log (a subset of :attr:`loss_names`)."""

    @abstractmethod
    def validate(self, model, accelerator) -> dict[str, float]:
        """Validation quantities, the same on every process (computed from gathered predictions)."""

    @abstractmethod
    def save_model(self, model, folder: Path, validation: dict[str, float], name: str) -> None:
        """Write ``model`` (unwrapped) to ``folder`` with ``save_pretrained`` and a card, as the best
        model ``name`` (a key of :attr:`best_models`); main process only."""

    @abstractmethod
    def finish(self, accelerator, folders: Mapping[str, Path]) -> dict[str, Any]:
        """Evaluate the best folders (on every process) and rewrite their cards; returns the metrics."""


def _optimizer(parameters, config: LoopConfig) -> torch.optim.Optimizer:
    optimizer_class = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[config.optimizer]
    return optimizer_class(
        parameters, lr=config.learning_rate, weight_decay=config.weight_decay, betas=tuple(config.adam_betas),
        eps=config.adam_epsilon,
    )  # fmt: skip


def inverse_sqrt_factor(step: int, warmup_steps: int) -> float:
    """The Transformer schedule as a factor of the peak rate: ``step / warmup`` up to the warm-up's end,
    ``sqrt(warmup / step)`` after (0 at step 0, as Video2Music's LambdaLR)."""
    if step <= warmup_steps:
        return step / warmup_steps
    return (warmup_steps / step) ** 0.5


def _scheduler(optimizer, config: LoopConfig, training_steps: int):
    if config.lr_scheduler == "inverse_sqrt":
        from functools import partial

        return torch.optim.lr_scheduler.LambdaLR(
            optimizer, partial(inverse_sqrt_factor, warmup_steps=config.warmup_steps)
        )
    from transformers import get_scheduler

    return get_scheduler(
        config.lr_scheduler,
        optimizer,
        num_warmup_steps=config.warmup_steps,
        num_training_steps=training_steps,
    )


_RUN = "run.json"


def _recipe_name(recipe: Recipe) -> str:
    return recipe.name or type(recipe).__name__


def _check_output_dir(output_dir: Path, resume: bool, recipe_name: str) -> None:
    """Refuse, before any work, an output folder holding checkpoints (without ``--resume``), or
    (with it) the checkpoints of another recipe's run."""
    if output_dir.exists() and not output_dir.is_dir():
        raise InvalidInputError(
            f"The output folder {output_dir} is a file. Accepted: a folder (new or a run's)"
        )
    has_checkpoints = (output_dir / CHECKPOINTS).is_dir() and any((output_dir / CHECKPOINTS).iterdir())
    if not resume and has_checkpoints:
        raise InvalidInputError(
            f"{output_dir} already holds a training run's checkpoints. Pass --resume to continue it, "
            "or choose another --output-dir"
        )
    run = output_dir / _RUN
    if resume and has_checkpoints and run.is_file():
        try:
            started = json.loads(run.read_text(encoding="utf-8")).get("recipe")
        except (ValueError, AttributeError):
            raise InvalidInputError(
                f"{run} is not the JSON emotune writes; remove it to resume anyway"
            ) from None
        if started != recipe_name:
            raise InvalidInputError(
                f"{output_dir} holds a run of the `{started}` recipe; --resume continues a run only with the "
                f"recipe it was started with. Accepted: `train.py {started} ... --resume`, or another --output-dir "
                f"for `{recipe_name}`"
            )


def _report_recipe_changes(output_dir: Path, recipe: Mapping, accelerator) -> None:
    path = output_dir / "recipe.yaml"
    if path.is_file():
        before = yaml.safe_load(path.read_text(encoding="utf-8"))
        if before != recipe:
            accelerator.print(
                f"note: the recipe differs from the one {output_dir} was started with; using the new one"
            )
    if accelerator.is_main_process:
        path.write_text(yaml.safe_dump(dict(recipe), sort_keys=False), encoding="utf-8")


def _reduced_losses(accelerator, names: tuple[str, ...], values: dict[str, float]) -> tuple[dict, dict]:
    unknown = set(values) - set(names)
    if unknown:
        raise RuntimeError(f"training_step reported {sorted(unknown)}, not declared in loss_names {names}")
    packed = torch.tensor(
        [values.get(name, 0.0) for name in names] + [float(name in values) for name in names],
        dtype=torch.float64,
        device=accelerator.device,
    )
    packed = accelerator.reduce(packed, reduction="sum").tolist()
    return dict(zip(names, packed[: len(names)])), dict(zip(names, packed[len(names) :]))


def _make_accelerator(config: LoopConfig):
    from accelerate import Accelerator, DistributedDataParallelKwargs

    # Heads without labels in a step (a teacher's missing head, a dataset that ran out) leave
    # parameters unused: DDP must not wait for their gradients.
    return Accelerator(
        mixed_precision=config.mixed_precision,
        kwargs_handlers=[DistributedDataParallelKwargs(find_unused_parameters=True)],
    )


def _resume(
    accelerator, output_dir: Path, state: TrainingState, log: TrainingLog, steps_per_epoch: int
) -> None:
    checkpoint = latest_checkpoint(output_dir)
    if checkpoint is None:
        accelerator.print(f"no checkpoint under {output_dir}: starting from scratch")
        if accelerator.is_main_process and log.path.exists():
            log.path.unlink()
        return
    try:
        accelerator.load_state(str(checkpoint))
    except (
        RuntimeError,
        KeyError,
        ValueError,
        OSError,
        EOFError,
    ) as error:  # another model's state, a cut file
        detail = " ".join(str(error).split()) or type(error).__name__
        detail = detail if len(detail) <= 240 else detail[:240] + "..."
        raise InvalidInputError(
            f"Cannot resume from {checkpoint}: it does not hold this recipe's model and optimizer state "
            f"({detail}). Accepted: --resume with the recipe and model settings the run was started with, or "
            "another --output-dir"
        ) from None
    accelerator.print(
        f"resuming from {checkpoint}: epoch {state.epoch + 1}, {state.step_in_epoch} of "
        f"{steps_per_epoch} batches done, global step {state.global_step}"
    )
    if accelerator.is_main_process:
        log.truncate(state.global_step)
        log.append({"kind": "resume", "global_step": state.global_step, "epoch": state.epoch,
                    "step_in_epoch": state.step_in_epoch, "checkpoint": checkpoint.name})  # fmt: skip


class _Loop:
    """The prepared objects of one run, and what it does each step and at each epoch's end."""

    def __init__(self, recipe: Recipe, config: LoopConfig, output_dir: Path, accelerator):
        self.recipe, self.config, self.output_dir, self.accelerator = recipe, config, output_dir, accelerator
        optimizer = _optimizer(recipe.model.parameters(), config)
        scheduler = _scheduler(optimizer, config, config.max_epochs * len(recipe.train_loader))
        self.model, self.optimizer, self.train_loader, self.scheduler = accelerator.prepare(
            recipe.model, optimizer, recipe.train_loader, scheduler
        )
        self.sampler = recipe.train_loader.batch_sampler
        self.state = TrainingState()
        accelerator.register_for_checkpointing(self.state)
        self.log = TrainingLog(output_dir / "log.jsonl")
        self.folders = {name: output_dir / name for name in recipe.best_models}

    def _checkpoint(self) -> None:
        save_checkpoint(
            self.accelerator, self.output_dir, self.state.global_step, self.config.keep_checkpoints
        )

    def train_epoch(self) -> None:
        from tqdm.auto import tqdm

        accelerator, config, state = self.accelerator, self.config, self.state
        if hasattr(self.sampler, "epoch"):
            self.sampler.epoch = state.epoch
        loader = self.train_loader
        if state.step_in_epoch:
            loader = accelerator.skip_first_batches(self.train_loader, state.step_in_epoch)
        self.model.train()
        bar = tqdm(
            total=len(self.train_loader),
            initial=state.step_in_epoch,
            desc=f"epoch {state.epoch + 1}/{config.max_epochs}",
            disable=not (config.progress and accelerator.is_local_main_process),
            dynamic_ncols=True,
        )
        for batch in loader:
            loss, values = self.recipe.training_step(self.model, batch)
            accelerator.backward(loss)
            if config.max_grad_norm is not None:
                accelerator.clip_grad_norm_(self.model.parameters(), config.max_grad_norm)
            self.optimizer.step()
            self.scheduler.step()
            self.optimizer.zero_grad()
            state.step_in_epoch += 1
            state.global_step += 1
            state.add_losses(*_reduced_losses(accelerator, self.recipe.loss_names, values))
            running = state.mean_losses()
            bar.update()
            bar.set_postfix(loss=f"{running.get('loss', float('nan')):.4f}")
            if (
                accelerator.is_main_process
                and config.log_every_steps
                and state.global_step % config.log_every_steps == 0
            ):
                self.log.append({"kind": "step", "global_step": state.global_step, "epoch": state.epoch + 1,
                                 "train": running, "lr": self.scheduler.get_last_lr()[0]})  # fmt: skip
            mid_epoch = state.step_in_epoch < len(self.train_loader)
            if (
                config.checkpoint_every_steps
                and state.global_step % config.checkpoint_every_steps == 0
                and mid_epoch
            ):
                self._checkpoint()
        bar.close()

    def close_epoch(self, seconds: float) -> None:
        """Validate, save improved best models, log, count towards early stopping, checkpoint."""
        accelerator, config, state = self.accelerator, self.config, self.state
        self.model.eval()
        validation = self.recipe.validate(self.model, accelerator)
        if config.monitor not in validation:
            raise InvalidInputError(
                f"training.monitor is {config.monitor!r}, but validation reports {sorted(validation)}"
            )
        best = self.recipe.best_models
        improved = [name for name, quantity in best.items() if state.improves(name, validation[quantity])]
        if accelerator.is_main_process:
            unwrapped = accelerator.unwrap_model(self.model)
            for name in improved:
                save = partial(self.recipe.save_model, unwrapped, validation=validation, name=name)
                replace_directory(self.folders[name], save)
        accelerator.wait_for_everyone()
        stop = state.should_stop(
            validation[config.monitor], config.early_stopping_patience, config.early_stopping_min_delta
        )
        if accelerator.is_main_process:
            self.log.append({
                "kind": "epoch", "epoch": state.epoch + 1, "global_step": state.global_step,
                "train": state.mean_losses(), "validation": validation, "lr": self.scheduler.get_last_lr()[0],
                "num_processes": accelerator.num_processes, "saved": improved,
                "epochs_without_improvement": state.stopping_wait, "seconds": round(seconds, 3),
            })  # fmt: skip
        summary = ", ".join(f"{k} {v:.4f}" for k, v in validation.items() if isinstance(v, float))
        saved = f" (saved {', '.join(improved)})" if improved else ""
        accelerator.print(f"epoch {state.epoch + 1}: {summary}{saved}")
        state.finish_epoch()
        self._checkpoint()
        if stop:
            accelerator.print(
                f"early stopping: {config.monitor} has not improved by {config.early_stopping_min_delta:g} "
                f"for {config.early_stopping_patience} epochs"
            )

    def finish(self, push_to_hub: str | None) -> dict[str, Any]:
        """Evaluate the best folders; write metrics.json and the curves; push if asked."""
        accelerator = self.accelerator
        missing = {name: self.recipe.best_models[name] for name, f in self.folders.items() if not f.is_dir()}
        if missing:
            raise InvalidInputError(
                f"No epoch ended with a finite validation value for {missing}, so no best model was "
                f"saved; see {self.log.path}"
            )
        metrics = self.recipe.finish(accelerator, self.folders)
        if accelerator.is_main_process:
            (self.output_dir / "metrics.json").write_text(
                json.dumps(metrics, indent=2, sort_keys=True), encoding="utf-8"
            )
            plot_training_curves(self.log.records(), self.output_dir / "training_curves.png")
            if push_to_hub:
                from .hub import push_models

                for url in push_models(self.folders, push_to_hub, root=self.recipe.root_model):
                    accelerator.print(f"pushed: {url}")
        accelerator.wait_for_everyone()
        return metrics


def run_training(
    recipe: Recipe,
    config: LoopConfig,
    output_dir: str | Path,
    *,
    recipe_dict: Mapping,
    resume: bool = False,
    push_to_hub: str | None = None,
) -> dict[str, Any]:
    """Train ``recipe`` to the end (or early stop), evaluate its best folders, return their metrics."""
    # Saving and loading models every epoch would print bars of their own: keep the loop's.
    with library_progress_bars(False):
        return _run_training(recipe, config, Path(output_dir), recipe_dict, resume, push_to_hub)


def _run_training(recipe, config, output_dir: Path, recipe_dict, resume, push_to_hub) -> dict[str, Any]:
    from accelerate.utils import set_seed

    _check_output_dir(output_dir, resume, _recipe_name(recipe))
    accelerator = _make_accelerator(config)
    accelerator.print(
        f"training on {accelerator.num_processes} process(es), device {accelerator.device}, "
        f"mixed precision {accelerator.mixed_precision}; output {output_dir}"
    )
    set_seed(config.seed)
    # data, model and the checkpoint to resume first: a run that cannot start writes nothing
    recipe.setup(accelerator, config)
    loop = _Loop(recipe, config, output_dir, accelerator)
    if resume:
        _resume(accelerator, output_dir, loop.state, loop.log, len(loop.train_loader))
    if accelerator.is_main_process:
        output_dir.mkdir(parents=True, exist_ok=True)
        (output_dir / _RUN).write_text(json.dumps({"recipe": _recipe_name(recipe)}) + "\n", encoding="utf-8")
    accelerator.wait_for_everyone()
    _report_recipe_changes(output_dir, recipe_dict, accelerator)
    while loop.state.epoch < config.max_epochs and not loop.state.stopped_early:
        started = time.perf_counter()
        loop.train_epoch()
        loop.close_epoch(time.perf_counter() - started)
    return loop.finish(push_to_hub)
