"""The ``emotune`` command line.

Each subcommand lives in its own module under :mod:`modeling.commands` and defines ``NAME``,
``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``; this file only discovers and
dispatches them. Errors from the emotune family end the command with their message (on a line of its
own: progress bars left open are closed first) and exit status 1; anything else is a bug and keeps
its traceback. The libraries' own progress bars (loading
weights, ...) are hidden unless ``--verbose``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from . import commands
from .base.command_line import run_command


def _command_modules():
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"{commands.__name__}.{info.name}")


def build_parser() -> argparse.ArgumentParser:
    from .base.version import __version__

    parser = argparse.ArgumentParser(
        prog="emotune",
        description="Affective music AI on the Hugging Face Hub: music emotion recognition (Music2Emo), "
        "unified emotion datasets, and Video2Music.",
    )
    parser.add_argument("--version", action="version", version=f"emotune {__version__}")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="also show the progress bars of transformers, huggingface_hub and datasets (loading weights, ...)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _command_modules():
        sub = subparsers.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_command(f"emotune {args.command}", lambda: args._run(args), verbose=args.verbose)


if __name__ == "__main__":
    sys.exit(main())
