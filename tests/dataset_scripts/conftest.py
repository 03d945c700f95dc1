from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from dataset_scripts.build_types import BuildOptions
from dataset_scripts.builders import BUILDERS
from dataset_scripts.schema import SOURCES
from tests.dataset_scripts.releases import (
    audio_path,
    pick_ids,
    reference_release,
    write_broken_audio,
    write_clip,
)


@dataclass
class ReferenceBuild:
    raw_dir: Path  # one subfolder per source: the reference annotation files + audio for a few ids
    output_dir: Path
    built: dict[str, dict[str, list[str]]]  # source -> split -> ids given audio
    broken: dict[str, str]  # source -> the id whose audio file does not decode
    summary: str


def make_reference_raw(reference_dir: Path, raw_dir: Path) -> tuple[dict, dict]:
    built, broken = {}, {}
    for source in SOURCES:
        release = reference_release(reference_dir, raw_dir / source, source)
        built[source], broken[source] = pick_ids(release, source)
        for ids in built[source].values():
            for identifier in ids:
                write_clip(audio_path(release, source, identifier))
        write_broken_audio(audio_path(release, source, broken[source]))
    return built, broken


@pytest.fixture(scope="session")
def reference_build(reference_dir, tmp_path_factory) -> ReferenceBuild:
    """`emotune build-dataset all` over every source's reference files, with audio for 4 ids each
    (2 train, 1 validation, 1 test) and a broken audio file for one more."""
    root = tmp_path_factory.mktemp("reference_build")
    built, broken = make_reference_raw(reference_dir, root / "raw")
    summary = BUILDERS["all"](root / "raw", root / "out", BuildOptions(progress=False))
    return ReferenceBuild(root / "raw", root / "out", built, broken, summary.text)


@dataclass
class SyntheticBuild:
    raw_dir: Path
    output_dir: Path
    pieces: dict  # source -> list[Piece]
    summary: str


@pytest.fixture(scope="session")
def synthetic_build(tmp_path_factory) -> SyntheticBuild:
    """`emotune make-synthetic` (6 pieces per source, 2 s) then `build-dataset all` over it."""
    from dataset_scripts.synthetic.corpus import make_synthetic

    root = tmp_path_factory.mktemp("synthetic_build")
    pieces = make_synthetic(root / "raw", n=6, seed=3, seconds=2.0, progress=False)
    summary = BUILDERS["all"](root / "raw", root / "out", BuildOptions(progress=False))
    return SyntheticBuild(root / "raw", root / "out", pieces, summary.text)
