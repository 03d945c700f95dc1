"""The model-independent training machinery behind ``train.py`` (``python -m modeling.training``).

* ``cli``: the command (recipes by name, ``evaluate`` by model type); ``train.py`` calls it.
* ``config``: recipes as YAML with ``base`` inheritance and ``section.key=value`` overrides, the
  shipped recipes (``RECIPES_DIR``); the ``training`` section (:class:`LoopConfig`).
* ``loop``: :class:`Recipe` (what a model family provides) and :func:`run_training` (Accelerate).
* ``data``: :class:`MultiSourceBatchSampler`, one batch of every dataset per step, resumable.
* ``state``: :class:`TrainingState`, the data position and early-stopping counters in checkpoints.
* ``checkpoints``: atomic checkpoint and best-model folders; ``log``: the JSON log and its plot;
  ``hub``: ``--push-to-hub``; ``best_model_folder``: a run's best model.
"""

from .config import LoopConfig, apply_overrides, load_recipe, read_section
from .data import MultiSourceBatchSampler, SourceItem
from .loop import Recipe, run_training
from .state import TrainingState

__all__ = [
    "LoopConfig",
    "MultiSourceBatchSampler",
    "Recipe",
    "SourceItem",
    "TrainingState",
    "apply_overrides",
    "load_recipe",
    "read_section",
    "run_training",
]
