"""What both Gradio Spaces (``spaces/music2emo``, ``spaces/video2music``) share: their settings (a flag,
else an environment variable, else a default), the command line that launches them, limits, error
translation and per-request output folders. Gradio is imported only when used."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from pathlib import Path

from .base.errors import EmotuneError, InvalidInputError, StorageError

MAX_FILE_SIZE = os.environ.get("EMOTUNE_MAX_FILE_SIZE", "50mb")
"""Largest upload Gradio accepts (``launch(max_file_size=...)``)."""


def request_folder() -> Path:
    """A fresh temporary folder for one request's outputs (only these are served back). A temporary folder
    that cannot be written (missing, read-only, full, a file in the way) is a
    :class:`~modeling.base.errors.StorageError` naming it, which the page shows."""
    try:
        return Path(tempfile.mkdtemp(prefix="emotune-space-"))
    except OSError as error:
        raise StorageError(
            f"The Space cannot make its folder for this request in {tempfile.gettempdir()} "
            f"({error.strerror or error}). Accepted: a temporary folder it may write in, with free space "
            "(set TMPDIR before starting the Space)"
        ) from None


def user_errors(function: Callable) -> Callable:
    """Show emotune's own errors (bad audio, bad video, bad key or primer) on the page with ``gr.Error``."""
    import gradio as gr

    @wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except EmotuneError as error:
            raise gr.Error(str(error)) from None

    return wrapper


@dataclass(frozen=True)
class Setting:
    """One setting of a Space: the ``build_app`` argument ``name`` (the flag ``--name-with-dashes``), the
    environment variable read when it is not given, its default and its type."""

    name: str
    env: str
    help: str
    default: object = None
    type: Callable[[str], object] = str

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def value(self, given):
        """``given``, else the environment variable (converted with :attr:`type`), else the default."""
        if given is not None:
            return given
        if os.environ.get(self.env):
            return self.type(os.environ[self.env])
        return self.default


def resolve_settings(settings: Sequence[Setting], given: dict) -> dict:
    """Every setting's value (``given`` by the caller of ``build_app``, else the environment, else the
    default); a name that is not a setting is refused."""
    unknown = set(given) - {setting.name for setting in settings}
    if unknown:
        raise InvalidInputError(
            f"Unknown Space setting(s) {sorted(unknown)}. Accepted: {', '.join(s.name for s in settings)}"
        )
    return {setting.name: setting.value(given.get(setting.name)) for setting in settings}


def launch_space(build_app: Callable, description: str, settings: Sequence[Setting], argv=None) -> None:
    """The command line of a Space: its settings as flags (each documented with its environment
    variable), ``--host`` and ``--port``; builds the app and serves it."""
    parser = argparse.ArgumentParser(description=description)
    for setting in settings:
        parser.add_argument(
            setting.flag, dest=setting.name, type=setting.type, help=f"{setting.help} ({setting.env})"
        )
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    args = vars(parser.parse_args(argv))
    host, port = args.pop("host"), args.pop("port")
    build_app(**args).launch(server_name=host, server_port=port, max_file_size=MAX_FILE_SIZE)
