"""Building the unified emotion-label datasets: sources -> one folder of Parquet configs + card.

``build_unified(("deam",), raw, out, options)`` writes ``out/deam/*.parquet``; with several
sources (``emotune build-dataset all``) ``raw`` holds one subfolder per source (``raw/deam``,
``raw/pmemo``, ...) and ``out`` gets one config per source plus an ``all`` config whose data files
are the sources' files (nothing copied). Beside the data: ``skip_report.json`` and
``skip_report.tsv`` list every input row that is not in the output, with the reason.
"""

from __future__ import annotations

from pathlib import Path

from datasets import Dataset

from modeling.base.errors import DatasetBuildError

from .build_types import BuildOptions, BuildSummary
from .hub_layout import write_dataset_folder
from .releases.records import SourceBuild
from .releases.skips import SkipReport
from .schema import SPLITS, unified_features
from .sources import COLLECTORS
from .synthetic.corpus import SYNTHETIC_MARKER
from .unified_card import unified_card

__all__ = ["ALL_CONFIG", "build_unified", "collect_sources"]

ALL_CONFIG = "all"


def collect_sources(sources: tuple[str, ...], raw_dir: Path, options: BuildOptions) -> list[SourceBuild]:
    """Parse every source; with more than one, each is read from ``raw_dir / <source>``."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise DatasetBuildError(f"The raw folder {raw_dir} does not exist. Accepted: the folder of a release")
    nested = len(sources) > 1
    if nested:
        missing = [s for s in sources if not (raw_dir / s).is_dir()]
        if missing:
            raise DatasetBuildError(
                f"{raw_dir} has no {', '.join(missing)} folder. Accepted for `all`: one subfolder per source "
                f"({', '.join(sources)}), as `emotune make-synthetic` writes; build single sources with "
                "`emotune build-dataset SOURCE`"
            )
        if options.audio_dir is not None:
            raise DatasetBuildError(
                "--audio-dir names one source's audio; accepted only when building one source"
            )
    builds = []
    for source in sources:
        source_dir = raw_dir / source if nested else raw_dir
        build = COLLECTORS[source].collect(source_dir, options)
        build.synthetic = (source_dir / SYNTHETIC_MARKER).is_file()
        builds.append(build)
    return builds


def build_unified(
    sources: tuple[str, ...], raw_dir: Path, output_dir: Path, options: BuildOptions
) -> BuildSummary:
    """Build ``sources`` from ``raw_dir`` into the dataset folder ``output_dir``."""
    builds = collect_sources(sources, raw_dir, options)
    features = unified_features()
    configs = {}
    for build in builds:
        splits = {split: [row for row in build.rows if row["split"] == split] for split in SPLITS}
        configs[build.source] = {
            split: Dataset.from_list(rows, features=features) for split, rows in splits.items() if rows
        }
    report = SkipReport([skip for b in builds for skip in b.skipped], {b.source: len(b.rows) for b in builds})
    combined = {ALL_CONFIG: [b.source for b in builds]} if len(sources) > 1 else {}
    metadata, body = unified_card(builds, report, options, combined_config=ALL_CONFIG if combined else None)
    write_dataset_folder(
        output_dir,
        configs,
        card_body=body,
        card_metadata=metadata,
        combined=combined,
        extra_files={"skip_report.json": report.to_json(), "skip_report.tsv": report.to_tsv()},
        embed_external_files=options.embed_audio,
        default_config=ALL_CONFIG if combined else builds[0].source,
    )
    text = (
        f"{report.summary()}\nWrote {output_dir} (configs: {', '.join([*configs, *combined])}); "
        f"skipped rows listed in {Path(output_dir) / 'skip_report.tsv'}"
    )
    return BuildSummary(Path(output_dir), text)
