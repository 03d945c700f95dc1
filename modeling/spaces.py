"""What both Gradio Spaces (``spaces/music2emo``, ``spaces/video2music``) share: limits, error
translation, per-request output folders, launch flags. Gradio is imported only when used."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path

MAX_FILE_SIZE = os.environ.get("EMOTUNE_MAX_FILE_SIZE", "50mb")
"""Largest upload Gradio accepts (``launch(max_file_size=...)``)."""


def request_folder() -> Path:
    """A fresh temporary folder for one request's outputs (only these are served back)."""
    return Path(tempfile.mkdtemp(prefix="emotune-space-"))


def user_errors(function: Callable) -> Callable:
    """Show emotune's own errors (bad audio, bad video, bad key or primer) on the page with ``gr.Error``."""
    import gradio as gr

    from .base.errors import EmotuneError

    @wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except EmotuneError as error:
            raise gr.Error(str(error)) from None

    return wrapper


def launch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
