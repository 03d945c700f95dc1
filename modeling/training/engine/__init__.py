"""The shared training engine every recipe runs in (model-independent: it imports no model).

* ``config``: recipes as YAML with ``base`` inheritance and ``section.key=value`` overrides, the
  shipped recipes (``RECIPES_DIR``); the ``training`` section (:class:`LoopConfig`).
* ``loop``: :class:`Recipe` (what a model family provides) and :func:`run_training` (Accelerate).
* ``data``: :class:`MultiSourceBatchSampler`, one batch of every dataset per step, resumable.
* ``state``: :class:`TrainingState`, the data position and early-stopping counters in checkpoints.
* ``checkpoints``: atomic checkpoint and best-model folders; ``log``: the JSON log and its plot;
  ``hub``: ``--push-to-hub``; ``best_model_folder``: a run's best model.
"""

from .config import LoopConfig, apply_overrides, load_recipe, read_section
from .loop import Recipe, run_training
from .sampling import MultiSourceBatchSampler, SourceItem
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
