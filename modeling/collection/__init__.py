"""Music emotion recognition and feature extraction at the scale of a collection.

* :mod:`.files`: which files (files, folders, ``--glob``, ``--files-from``), in a deterministic order;
* :mod:`.runner`: :class:`FeatureRunner`, the features of many files with decoding, chords and key of the
  next files overlapping the encoder (bounded queues: memory stays flat);
* :mod:`.records` and :mod:`.output`: one record per file, written as it arrives (JSON Lines, CSV,
  Parquet), by one process or each process of an ``accelerate launch``, merged at the end, resumable;
* :mod:`.processes`: the processes of a launch and each one's share of the files;
* :mod:`.progress`: the progress bar and the end summary.

``emotune predict`` and ``emotune extract-features`` are built from these.
"""

from .files import AUDIO_EXTENSIONS, collect_audio_files
from .output import RecordOutput
from .processes import Processes
from .progress import CollectionProgress
from .runner import FeatureRunner, Outcome

__all__ = [
    "AUDIO_EXTENSIONS",
    "CollectionProgress",
    "FeatureRunner",
    "Outcome",
    "Processes",
    "RecordOutput",
    "collect_audio_files",
]
