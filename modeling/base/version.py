"""emotune's version (the distribution's, ``pyproject.toml``), readable without importing anything else."""

__version__ = "0.1.0"
