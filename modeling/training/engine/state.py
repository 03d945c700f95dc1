"""What a resumed run must know besides weights and optimizer: where it is and how it is doing.

:class:`TrainingState` is registered with ``Accelerator.register_for_checkpointing``, so every
checkpoint carries the data position (epoch, batches done in it), the running sums of the epoch's
training losses, the best validation values (for best-model saving) and the early-stopping counters.
"""

from __future__ import annotations

import dataclasses
import math

__all__ = ["TrainingState"]


@dataclasses.dataclass
class TrainingState:
    epoch: int = 0
    """Epochs finished (so the epoch in progress, 0-based)."""
    step_in_epoch: int = 0
    """Batches done in the epoch in progress: a resumed run skips these."""
    global_step: int = 0
    loss_sums: dict[str, float] = dataclasses.field(default_factory=dict)
    loss_counts: dict[str, float] = dataclasses.field(default_factory=dict)
    best: dict[str, float] = dataclasses.field(default_factory=dict)
    """Best (lowest) value of each monitored validation quantity so far."""
    best_epoch: dict[str, int] = dataclasses.field(default_factory=dict)
    stopping_best: float = math.inf
    stopping_wait: int = 0
    stopped_early: bool = False

    def state_dict(self) -> dict:
        return dataclasses.asdict(self)

    def load_state_dict(self, state: dict) -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, state[field.name])

    def add_losses(self, sums: dict[str, float], counts: dict[str, float]) -> None:
        """Adds a step's loss values (summed over processes) and how many values each sum holds."""
        for name, value in sums.items():
            if counts[name]:
                self.loss_sums[name] = self.loss_sums.get(name, 0.0) + value
                self.loss_counts[name] = self.loss_counts.get(name, 0.0) + counts[name]

    def mean_losses(self) -> dict[str, float]:
        """Mean of each training loss over the epoch so far."""
        return {name: total / self.loss_counts[name] for name, total in self.loss_sums.items()}

    def finish_epoch(self) -> None:
        self.epoch += 1
        self.step_in_epoch = 0
        self.loss_sums = {}
        self.loss_counts = {}

    def improves(self, name: str, value: float) -> bool:
        """Records ``value`` of ``name`` if it is the lowest yet (for best-model saving)."""
        if value < self.best.get(name, math.inf):
            self.best[name] = value
            self.best_epoch[name] = self.epoch
            return True
        return False

    def should_stop(self, value: float, patience: int | None, min_delta: float) -> bool:
        """Early stopping as Lightning's ``EarlyStopping(mode="min")``: an epoch improves when the value
        drops below the best by more than ``min_delta``; ``patience`` epochs without one stop."""
        if value < self.stopping_best - min_delta:
            self.stopping_best = value
            self.stopping_wait = 0
        else:
            self.stopping_wait += 1
        self.stopped_early = patience is not None and self.stopping_wait >= patience
        return self.stopped_early
