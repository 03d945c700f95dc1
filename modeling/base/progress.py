"""The progress bars of the libraries emotune drives.

transformers, huggingface_hub and datasets draw a bar whenever they load or save a model or a dataset
("Loading weights", "Writing model shards", "Generating train split"), which buries what emotune's
commands print, errors included. emotune's commands and the training loop switch them off
(``--verbose`` keeps them); emotune's own bars (tqdm: files, epochs, segments) are not theirs and stay.
A bar's line ends without a newline until the bar closes: :func:`end_progress_lines` closes what an
error left open, so the error is printed on a line of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from .after_import import after_import

__all__ = ["end_progress_lines", "library_progress_bars"]


def _switch_transformers(enabled: bool):
    """Turn transformers' (and with it huggingface_hub's) bars on or off; returns what undoes it."""
    from transformers.utils import logging

    before = logging.is_progress_bar_enabled()
    (logging.enable_progress_bar if enabled else logging.disable_progress_bar)()
    return lambda: (logging.enable_progress_bar if before else logging.disable_progress_bar)()


def _switch_datasets(enabled: bool):
    """Turn datasets' bars on or off; returns what undoes it."""
    import datasets

    before = datasets.is_progress_bar_enabled()
    (datasets.enable_progress_bars if enabled else datasets.disable_progress_bars)()
    return lambda: (datasets.enable_progress_bars if before else datasets.disable_progress_bars)()


@contextmanager
def library_progress_bars(enabled: bool) -> Iterator[None]:
    """Within the block, the libraries' progress bars are on (``enabled``) or off; then as they were.

    A library is switched the moment the program loads it (at once if it has), so a command that ends
    before it needs transformers or datasets (a bad option, a missing file) never imports them."""
    active, undo = [True], []

    def switch(switcher):
        def apply() -> None:
            if active[0]:
                undo.append(switcher(enabled))

        return apply

    after_import("transformers", ["transformers.utils.logging"], switch(_switch_transformers))
    after_import("datasets", ["datasets"], switch(_switch_datasets))
    try:
        yield
    finally:
        active[0] = False
        for restore in reversed(undo):
            restore()


def end_progress_lines() -> None:
    """End the lines of the tqdm bars an exception left open, so that what is printed next starts on
    a fresh line: each is drawn once more where it stopped, and its line ended (outermost first, so
    nested bars keep their order; a bar that would have been cleared stays, showing where the error
    struck)."""
    import sys

    from tqdm import tqdm

    for bar in sorted(getattr(tqdm, "_instances", ()), key=lambda bar: abs(getattr(bar, "pos", 0))):
        bar.leave = True
        bar.close()
    sys.stderr.flush()
