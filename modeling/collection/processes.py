"""The processes of a launch: ``accelerate launch -m modeling predict ...`` on one machine or several.

Without a launcher this is one process. Under ``accelerate launch`` (any number of processes and machines;
CPU processes on gloo with ``ACCELERATE_USE_CPU=1 accelerate launch --multi_gpu --num_processes N``)
every process takes its own part of the work (``PartialState.split_between_processes``: consecutive
shares, one per process of every machine), and waits for the others where the output is merged.

:func:`launched_processes` reads how many processes the launch has from the launcher's environment, without
importing accelerate (or torch): a command checks its output, and takes its lock, before any of that when it
runs alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["Processes", "launched_processes"]

T = TypeVar("T")

_WORLD_SIZE = ("WORLD_SIZE", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE")
"""Where launchers say how many processes a launch has (torchrun / ``accelerate launch``, then MPI's), the
variables accelerate itself reads."""


def launched_processes() -> int:
    """How many processes this launch has, as its launcher's environment says (1 without a launcher)."""
    for name in _WORLD_SIZE:
        value = os.environ.get(name, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return 1


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

    def main_decides(self, work: Callable[[], T]) -> T | None:
        """Run ``work()`` on the main process only, and give every process its outcome: an emotune error it
        raises (the output is locked by another run, ...) is raised in every process of the launch, which then
        ends as one; otherwise the main process gets ``work()``'s value and the others ``None``."""
        from ..base.errors import EmotuneError

        if self.count == 1:
            return work()
        self.wait_for_everyone()  # every process has made its own checks before the main one acts
        from accelerate.utils import broadcast_object_list

        verdict: list = [None]
        value = None
        if self.is_main:
            try:
                value = work()
            except EmotuneError as error:
                verdict = [error]
        broadcast_object_list(verdict, from_process=0)
        if verdict[0] is not None:
            raise verdict[0]
        return value

    def share(self, items: Sequence[T]) -> list[T]:
        """This process's consecutive share of ``items`` (every process passes the same list)."""
        if self.count == 1:
            return list(items)
        with self.state.split_between_processes(list(items)) as mine:
            return list(mine)
