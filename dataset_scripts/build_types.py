"""What every dataset builder takes and returns, so ``emotune build-dataset`` can drive any of them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

__all__ = ["BuildOptions", "BuildSummary", "FolderBuilder"]


@dataclass(frozen=True)
class BuildOptions:
    """How to build.

    ``mtg_split``: which official MTG-Jamendo split (0-4) to use. ``audio_dir``: the folder holding
    the audio when it is not inside the raw folder (single-source builds). ``embed_audio``: store
    the audio bytes in the Parquet files instead of paths to the raw files. ``progress``: tqdm bars.
    """

    mtg_split: int = 0
    audio_dir: Path | None = None
    embed_audio: bool = False
    progress: bool = True


@dataclass(frozen=True)
class BuildSummary:
    """A finished build: where it is, and the text printed for the user (counts, skips)."""

    output_dir: Path
    text: str


class FolderBuilder(Protocol):
    """Builds one dataset folder (Parquet + card) from a raw release folder."""

    def __call__(self, raw_dir: Path, output_dir: Path, options: BuildOptions) -> BuildSummary: ...
