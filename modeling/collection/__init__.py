"""Music emotion recognition and feature extraction at the scale of a collection.

* :mod:`.files`: which files (files, folders, ``--glob``, ``--files-from``), in a deterministic order;
* :mod:`.runner`: :class:`FeatureRunner`, the features of many files with decoding, chords and key of the
  next files overlapping the encoder (bounded queues: memory stays flat);
* :mod:`.records` and :mod:`.output`: one record per file, written as it arrives (JSON Lines, CSV,
  Parquet), by one process or each process of an ``accelerate launch``, merged at the end, resumable;
* :mod:`.locations` and :mod:`.lock`: where an output may be written (its folder, a file in the way, a full
  disk: one clear error) and the lock that keeps a second run from writing the same output;
* :mod:`.embeddings`: the clip embedding ``predict --embeddings`` stores and which encoder made it;
* :mod:`.processes`: the processes of a launch and each one's share of the files;
* :mod:`.progress`: the progress bar and the end summary.

``emotune predict`` and ``emotune extract-features`` are built from these. The names below are loaded on
first use: a command checks its inputs and outputs (:mod:`.files`, :mod:`.output`, :mod:`.lock`) without
importing torch, which :mod:`.runner` and :mod:`.processes` need, so its errors come in a blink.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base.lazy import lazy_exports

if TYPE_CHECKING:
    from .files import AUDIO_EXTENSIONS, collect_audio_files
    from .lock import OutputLock
    from .output import RecordOutput
    from .processes import Processes
    from .progress import CollectionProgress
    from .runner import FeatureRunner, Outcome

_EXPORTS = {
    "AUDIO_EXTENSIONS": "files",
    "CollectionProgress": "progress",
    "FeatureRunner": "runner",
    "Outcome": "runner",
    "OutputLock": "lock",
    "Processes": "processes",
    "RecordOutput": "output",
    "collect_audio_files": "files",
}
"""Exported name -> the module of this folder that defines it."""

__all__ = [
    "AUDIO_EXTENSIONS",
    "CollectionProgress",
    "FeatureRunner",
    "Outcome",
    "OutputLock",
    "Processes",
    "RecordOutput",
    "collect_audio_files",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
