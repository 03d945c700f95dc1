"""The registry of ``emotune build-dataset`` sources: one entry per source, name -> folder builder.

A new source (MuVi-Sync, ...) is a module with a :class:`~dataset_scripts.build_types.FolderBuilder`
and one line here.
"""

from __future__ import annotations

from functools import partial

from .build_types import FolderBuilder
from .schema import SOURCES
from .sources.muvi_sync import build_muvi_sync
from .unified import ALL_CONFIG, build_unified

__all__ = ["BUILDERS"]

BUILDERS: dict[str, FolderBuilder] = {
    **{source: partial(build_unified, (source,)) for source in SOURCES},
    ALL_CONFIG: partial(build_unified, SOURCES),
    "muvi-sync": build_muvi_sync,
}
"""Source name -> builder; ``all`` builds every unified source into one folder (one config each
plus an ``all`` config over their files)."""
