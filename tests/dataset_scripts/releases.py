"""Raw releases for the dataset tests: the real annotation files from ../shared/reference laid out as
a release, plus short synthesized audio for a handful of ids."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import numpy as np

from dataset_scripts.schema import SPLITS
from dataset_scripts.sources.mtg_jamendo import HEADER, split_file_name
from dataset_scripts.synthetic.audio import render_progression
from modeling.media.audio import write_audio

CLIP_SECONDS = 1.0
CLIP_RATE = 16000


@cache
def _clip() -> np.ndarray:
    return render_progression(["C", "A:min"], CLIP_SECONDS / 2, CLIP_RATE)


def write_clip(path: Path) -> Path:
    """A 1 s mp3 (two chords) at ``path``."""
    return write_audio(path, _clip(), CLIP_RATE)


def write_broken_audio(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not an mp3 file\n" * 20)
    return path


def split_ids(folder: Path) -> dict[str, list[str]]:
    return {split: (folder / f"{split}.txt").read_text().split() for split in SPLITS}


def mtg_rows(folder: Path) -> dict[str, list[list[str]]]:
    """split -> the TSV rows (fields) of an MTG-Jamendo split folder."""
    out = {}
    for split in SPLITS:
        lines = (folder / split_file_name(split)).read_text().splitlines()
        assert lines[0].split("\t") == list(HEADER)
        out[split] = [line.split("\t") for line in lines[1:] if line.strip()]
    return out


def reference_release(reference_dir: Path, dest: Path, source: str) -> Path:
    """The reference files of ``source`` in Music2Emo's preprocessed layout (no audio yet)."""
    dest.mkdir(parents=True, exist_ok=True)
    if source == "mtg-jamendo":
        shutil.copytree(reference_dir / "mtg_jamendo/splits", dest / "splits")
    else:
        shutil.copytree(reference_dir / "music2emo" / source, dest, dirs_exist_ok=True)
    return dest


def pick_ids(release: Path, source: str) -> tuple[dict[str, list[str]], str]:
    """Ids of a reference release to give audio: two train ids, one validation id and one test id
    (in split-file order), and one more train id to give a broken audio file."""
    if source == "mtg-jamendo":
        rows = mtg_rows(release / "splits/split-0")
        ids = {split: [row[0] for row in rows[split]] for split in SPLITS}
    else:
        ids = split_ids(release / "split")
    return {"train": ids["train"][:2], "validation": ids["validation"][:1], "test": ids["test"][:1]}, ids[
        "train"
    ][2]


def audio_path(release: Path, source: str, identifier: str) -> Path:
    """Where the preprocessed layout keeps an id's audio."""
    if source == "mtg-jamendo":
        number = int(identifier.removeprefix("track_"))
        return release / "mp3" / f"{number % 100:02d}" / f"{number}.mp3"
    return release / "mp3" / f"{identifier}.mp3"
