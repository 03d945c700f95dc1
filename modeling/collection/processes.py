"""The processes of a launch: ``accelerate launch -m modeling predict ...`` on one machine or several.

Without a launcher this is one process. Under ``accelerate launch`` (any number of processes and machines;
CPU processes on gloo with ``ACCELERATE_USE_CPU=1 accelerate launch --multi_gpu --num_processes N``)
every process takes its own part of the work (``PartialState.split_between_processes``: consecutive
shares, one per process of every machine), and waits for the others where the output is merged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

__all__ = ["Processes"]

T = TypeVar("T")


class Processes:
    """This process's place in the launch (Accelerate's ``PartialState``)."""

    def __init__(self):
        from accelerate import PartialState
        from accelerate.utils import parse_flag_from_env

        # CPU processes (gloo) when the launch says so (ACCELERATE_USE_CPU=1, or `accelerate launch --cpu`)
        self.state = PartialState(cpu=parse_flag_from_env("ACCELERATE_USE_CPU"))

    @property
    def index(self) -> int:
        return self.state.process_index

    @property
    def count(self) -> int:
        return self.state.num_processes

    @property
    def is_main(self) -> bool:
        return self.state.is_main_process

    @property
    def device(self):
        return self.state.device

    def label(self) -> str:
        """``""`` for one process, else ``"process 2/4"``."""
        return "" if self.count == 1 else f"process {self.index + 1}/{self.count}"

    def main_first(self):
        """A context in which the main process runs first, then the others (e.g. to fill a cache once)."""
        return self.state.main_process_first()

    def wait_for_everyone(self) -> None:
        self.state.wait_for_everyone()

    def share(self, items: Sequence[T]) -> list[T]:
        """This process's consecutive share of ``items`` (every process passes the same list)."""
        if self.count == 1:
            return list(items)
        with self.state.split_between_processes(list(items)) as mine:
            return list(mine)
