"""emotune's one training entry point: ``accelerate launch train.py RECIPE --config configs/....yaml``.

The command lives in the package (:mod:`modeling.training.cli`), so an installed emotune runs it as
``python -m modeling.training``; see there for the usage.
"""

import sys

from modeling.training.cli import RECIPES, build_parser, main

__all__ = ["RECIPES", "build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())
