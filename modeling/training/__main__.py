"""``python -m modeling.training`` (and ``accelerate launch -m modeling.training``): ``train.py``."""

import sys

from .cli import main

sys.exit(main(prog="python -m modeling.training"))
