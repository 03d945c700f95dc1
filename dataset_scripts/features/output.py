"""The output folder of ``emotune extract-features``, checked before any model loads.

:class:`FeaturesOutput` refuses, in a blink and without importing torch, what would otherwise fail after
the extraction or clash with another run: a file in the way of the folder (or of its journals'
``OUTPUT_DIR.parts``), a folder above it that does not exist, the journals of an interrupted extraction
without ``--resume`` or ``--overwrite``, and another run writing the folder now (its lock,
``OUTPUT_DIR.lock``: :mod:`modeling.collection.lock`).
"""

from __future__ import annotations

import os
from pathlib import Path

from modeling.base.errors import InvalidInputError, StorageError
from modeling.collection.locations import check_output_location
from modeling.collection.lock import OutputLock
from modeling.collection.output import Journals

__all__ = ["FeaturesOutput"]


class FeaturesOutput:
    """The features dataset folder ``output_dir``, its journals and its lock.

    Args:
        output_dir: the folder written at the end (replaced if it holds an earlier build).
        resume: continue the interrupted extraction whose journals are in ``OUTPUT_DIR.parts``.
        overwrite: discard such journals and start again.
        option: how the caller named the folder, for messages.
        lock: the folder's lock when the run has it already (default: a new one, which must be free).
    """

    def __init__(
        self, output_dir: str | os.PathLike, *, resume: bool = False, overwrite: bool = False,
        option: str = "--output-dir", lock: OutputLock | None = None,
    ):  # fmt: skip
        if resume and overwrite:
            raise InvalidInputError(
                "--resume continues an interrupted extraction, --overwrite discards it. Accepted: one of them"
            )
        self.path = Path(output_dir)
        check_output_location(self.path, option, folder=True)
        parts = self.path.with_name(self.path.name + ".parts")
        if parts.exists() and not parts.is_dir():
            raise StorageError(
                f"{parts} is a file, in the way of the journals of {option} {self.path}. Accepted: move the file "
                f"away, or another {option}"
            )
        self.journals = Journals(parts)
        self.lock = lock or OutputLock(self.path, option)
        """Held by the run from before it reads the journals until the folder is written."""
        if not self.lock.held:
            self.lock.check_free()
        if self.journals.files() and not resume and not overwrite:
            raise InvalidInputError(
                f"{self.journals.folder} holds an interrupted extraction. Accepted: --resume to extract only what "
                f"it lacks, --overwrite to start again, or another {option}"
            )
