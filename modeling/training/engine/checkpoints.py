"""Checkpoints that survive a kill: written under a temporary name, then renamed.

Resumable state (``Accelerator.save_state``: model, optimizer, scheduler, RNG states, the
:class:`~modeling.training.engine.state.TrainingState`) goes to ``OUTPUT/checkpoints/step-<global step>``.
A kill while one is written leaves a ``.partial`` folder that is ignored and cleared, and the
previous checkpoint intact. Best models (``save_pretrained`` folders) are swapped in the same way.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

__all__ = ["CHECKPOINTS", "best_model_folder", "latest_checkpoint", "replace_directory", "save_checkpoint"]

CHECKPOINTS = "checkpoints"
_NAME = re.compile(r"^step-(\d+)$")
_PARTIAL = ".partial"


def _complete(output_dir: Path) -> list[tuple[int, Path]]:
    folder = output_dir / CHECKPOINTS
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match and path.is_dir():
            found.append((int(match.group(1)), path))
    return sorted(found)


def best_model_folder(path: str | Path, folders: tuple[str, ...] = ("best",)) -> str:
    """The model to load for ``path``: in a training run's output folder, the first of its best-model
    ``folders`` that holds a saved model (``best``; ``("best-va", "best")`` prefers the best VA epoch);
    otherwise ``path`` itself (a model folder or a Hub id)."""
    for name in folders:
        if (Path(path) / name / "config.json").is_file():
            return str(Path(path) / name)
    return str(path)


def latest_checkpoint(output_dir: str | Path) -> Path | None:
    """The complete checkpoint with the highest step under ``output_dir``, or ``None``."""
    found = _complete(Path(output_dir))
    return found[-1][1] if found else None


def replace_directory(target: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(folder)`` on a fresh temporary sibling of ``target``, then put it in ``target``'s place.

    Readers see the old folder or the new one, never a half-written one: the old one is renamed
    aside, the new one renamed in, and only then is the old one deleted.
    """
    target = Path(target)
    staging = target.with_name(target.name + _PARTIAL)
    retired = target.with_name(target.name + ".old")
    for leftover in (staging, retired):
        shutil.rmtree(leftover, ignore_errors=True)
    staging.mkdir(parents=True)
    write(staging)
    if target.exists():
        os.replace(target, retired)
    os.replace(staging, target)
    shutil.rmtree(retired, ignore_errors=True)
    return target


def save_checkpoint(accelerator, output_dir: str | Path, global_step: int, keep: int = 1) -> Path:
    """``accelerator.save_state`` to ``checkpoints/step-N`` atomically; keeps the ``keep`` newest.

    Every process calls this (each saves its RNG state); the main process renames and prunes.
    """
    folder = Path(output_dir) / CHECKPOINTS
    target = folder / f"step-{global_step:08d}"
    staging = folder / f"step-{global_step:08d}{_PARTIAL}"
    if accelerator.is_main_process:
        folder.mkdir(parents=True, exist_ok=True)
        for leftover in folder.glob(f"*{_PARTIAL}"):
            shutil.rmtree(leftover, ignore_errors=True)
    accelerator.wait_for_everyone()
    accelerator.save_state(str(staging))
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        if target.exists():  # the same step saved again after a resume: identical state
            shutil.rmtree(target)
        os.replace(staging, target)
        for _, old in _complete(Path(output_dir))[:-keep]:
            shutil.rmtree(old, ignore_errors=True)
    accelerator.wait_for_everyone()
    return target
