"""How emotune's command lines (``emotune`` and ``train.py``) end: the same for every command.

An error of the emotune family ends the command with its message, on a line of its own (progress bars
left open are closed first), and exit status 1; Ctrl-C with "interrupted" and 130; anything else is a
bug and keeps its traceback. The libraries' own progress bars (loading weights, ...) are hidden unless
``verbose``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from .errors import EmotuneError
from .progress import end_progress_lines, library_progress_bars

__all__ = ["run_command"]


def run_command(name: str, work: Callable[[], int | None], *, verbose: bool = False) -> int:
    """Run ``work()`` as the command ``name`` (``"emotune predict"``, ``"train.py teacher"``) and return its
    exit status."""
    try:
        with library_progress_bars(verbose):
            return int(work() or 0)
    except EmotuneError as error:
        end_progress_lines()  # the message starts on a line of its own, not after a bar
        print(f"{name}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        end_progress_lines()
        print("interrupted", file=sys.stderr)
        return 130
