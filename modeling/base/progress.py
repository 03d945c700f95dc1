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

__all__ = ["end_progress_lines", "library_progress_bars"]


def _set(transformers_bars: bool, datasets_bars: bool) -> None:
    import datasets
    from transformers.utils import logging

    # transformers' switch turns huggingface_hub's bars on and off with its own
    (logging.enable_progress_bar if transformers_bars else logging.disable_progress_bar)()
    (datasets.enable_progress_bars if datasets_bars else datasets.disable_progress_bars)()


@contextmanager
def library_progress_bars(enabled: bool) -> Iterator[None]:
    """Within the block, the libraries' progress bars are on (``enabled``) or off; then as they were."""
    import datasets
    from transformers.utils import logging

    before = (logging.is_progress_bar_enabled(), datasets.is_progress_bar_enabled())
    _set(enabled, enabled)
    try:
        yield
    finally:
        _set(*before)


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
