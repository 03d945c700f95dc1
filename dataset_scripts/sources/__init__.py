"""The unified sources (``schema.SOURCES``): name -> builder module, which has ``INFO`` (what the
dataset card says) and ``collect(raw_dir, options) -> SourceBuild``."""

from __future__ import annotations

from types import ModuleType

from . import deam, emomusic, mtg_jamendo, pmemo

__all__ = ["COLLECTORS"]

COLLECTORS: dict[str, ModuleType] = {
    "mtg-jamendo": mtg_jamendo,
    "deam": deam,
    "pmemo": pmemo,
    "emomusic": emomusic,
}
