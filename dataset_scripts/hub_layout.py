"""Writing a dataset folder in the Hub's Parquet layout, and pushing it.

::

    OUT/README.md                                   dataset card: YAML ``configs`` + ``dataset_info``
    OUT/<config>/<split>-00000-of-00001.parquet     one folder per config, one or more shards a split
    OUT/<extra files>                               e.g. the skip report

``datasets.load_dataset(OUT, config)`` loads it offline with no loading script; ``push_to_hub``
uploads it as is. Writes are deterministic (fixed row order as given, no timestamps, the Parquet
settings of ``datasets``' own writer), so rebuilding from the same input gives byte-identical
files. A folder is written beside the target and swapped in at the end, so an interrupted build
never leaves a half-written dataset behind.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datasets import Audio, Dataset, DatasetInfo, Features, Image, SplitDict, SplitInfo, Video
from datasets.info import DatasetInfosDict
from datasets.table import embed_table_storage
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard, DatasetCardData

from modeling.base.errors import DatasetBuildError, InvalidInputError

__all__ = ["DatasetFolder", "push_to_hub", "write_dataset_folder"]

MAX_SHARD_BYTES = 500 * 2**20
"""Shards are cut so that each holds about this much data (the Hub's recommended Parquet size)."""

_PARQUET = ".parquet"


@dataclass
class DatasetFolder:
    """What was written: the folder, and per config and split the shard paths and row counts."""

    path: Path
    files: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    num_rows: dict[str, dict[str, int]] = field(default_factory=dict)


def _shard_count(dataset: Dataset, embed: bool, max_shard_bytes: int) -> int:
    """Shards needed to keep each under ``max_shard_bytes``, counting the media files to embed."""
    size = dataset.data.nbytes
    if embed:
        for name, feature in dataset.features.items():
            if isinstance(feature, (Audio, Image, Video)):
                items = dataset.data.column(name).to_pylist()
                size += sum(os.path.getsize(item["path"]) for item in items if item and item["bytes"] is None)
    return max(1, min(len(dataset), math.ceil(size / max_shard_bytes)))


def _check_names(configs: Mapping[str, Mapping[str, Dataset]], combined: Mapping[str, Sequence[str]]) -> None:
    for name in [*configs, *combined]:
        if not name or "/" in name or name.startswith("."):
            raise InvalidInputError(
                f"Config name {name!r} cannot be a folder name. Accepted: e.g. 'deam', 'all'"
            )
    for name, splits in configs.items():
        if not splits:
            raise InvalidInputError(
                f"Config {name!r} has no split; accepted: at least one {{split: Dataset}}"
            )
    clash = set(configs) & set(combined)
    if clash:
        raise InvalidInputError(
            f"Config {sorted(clash)[0]!r} is both written and combined; names must differ"
        )
    for name, members in combined.items():
        unknown = [m for m in members if m not in configs]
        if unknown:
            raise InvalidInputError(
                f"Combined config {name!r} names unknown configs {unknown}; known: {list(configs)}"
            )
        features = {repr(split.features) for m in members for split in configs[m].values()}
        if len(features) > 1:
            raise InvalidInputError(f"Combined config {name!r} mixes configs with different features")


def write_dataset_folder(
    output_dir: str | Path,
    configs: Mapping[str, Mapping[str, Dataset]],
    *,
    card_body: str,
    card_metadata: Mapping[str, Any] | None = None,
    combined: Mapping[str, Sequence[str]] | None = None,
    extra_files: Mapping[str, str] | None = None,
    embed_external_files: bool = False,
    max_shard_bytes: int = MAX_SHARD_BYTES,
    default_config: str | None = None,
) -> DatasetFolder:
    """Write ``configs`` ({config: {split: Dataset}}) as Parquet shards plus a dataset card.

    ``combined`` declares configs that reuse other configs' files (``{"all": ["deam", "pmemo"]}``):
    their ``data_files`` point at the members' shards, nothing is copied. ``card_body`` is the
    Markdown under the card's YAML header; ``card_metadata`` goes into that header (license,
    pretty_name, tags, ...) beside the ``configs`` and ``dataset_info`` written here.
    ``embed_external_files`` stores the bytes of Audio/Image/Video files instead of their paths.
    ``default_config`` is what ``load_dataset(folder)`` loads without a config name.
    ``output_dir`` may exist only if it is empty or holds a dataset folder written before (it is
    replaced); anything else is refused.
    """
    output_dir = Path(output_dir)
    combined = dict(combined or {})
    extra_files = dict(extra_files or {})
    _check_names(configs, combined)
    if default_config is not None and default_config not in {*configs, *combined}:
        raise InvalidInputError(f"default_config {default_config!r} is not one of the configs written")
    _check_replaceable(output_dir, extra_files)
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.", dir=output_dir.parent))
    try:
        folder = DatasetFolder(output_dir)
        infos = DatasetInfosDict()
        metadata_configs = MetadataConfigs()
        for config, splits in configs.items():
            folder.files[config], folder.num_rows[config] = {}, {}
            for split, dataset in splits.items():
                folder.files[config][split] = _write_split(
                    staging, config, split, dataset, embed_external_files, max_shard_bytes
                )
                folder.num_rows[config][split] = len(dataset)
        for config, members in {**{c: [c] for c in configs}, **combined}.items():
            splits = list(dict.fromkeys(split for m in members for split in folder.files[m]))
            metadata_configs[config] = {
                "data_files": [
                    {
                        "split": split,
                        "path": [f"{m}/{split}-*{_PARQUET}" for m in members if split in folder.files[m]],
                    }
                    for split in splits
                ],
                **({"default": True} if config == default_config else {}),
            }
            first = next(iter(configs[members[0]].values()))
            infos[config] = _info(first.features, staging, folder, members, splits)
        data = DatasetCardData(**dict(card_metadata or {}))
        metadata_configs.to_dataset_card_data(data)
        infos.to_dataset_card_data(data)
        card = DatasetCard(f"---\n{data.to_yaml()}\n---\n\n{card_body.strip()}\n")
        (staging / "README.md").write_text(str(card), encoding="utf-8")
        for name, text in extra_files.items():
            (staging / name).write_text(text, encoding="utf-8")
        if output_dir.exists():
            shutil.rmtree(output_dir)
        staging.rename(output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def _write_split(
    staging: Path, config: str, split: str, dataset: Dataset, embed: bool, max_shard_bytes: int
) -> list[str]:
    num_shards = _shard_count(dataset, embed, max_shard_bytes)
    (staging / config).mkdir(exist_ok=True)
    names = []
    for index in range(num_shards):
        shard = dataset.shard(num_shards=num_shards, index=index, contiguous=True)
        if embed:
            shard = shard.with_format("arrow").map(embed_table_storage, batched=True, keep_in_memory=True)
            shard = shard.with_format(None)
        name = f"{config}/{split}-{index:05d}-of-{num_shards:05d}{_PARQUET}"
        shard.to_parquet(staging / name)
        names.append(name)
    return names


def _info(
    features: Features, staging: Path, folder: DatasetFolder, members: Sequence[str], splits
) -> DatasetInfo:
    split_dict = SplitDict()
    total = 0
    for split in splits:
        files = [name for m in members for name in folder.files[m].get(split, [])]
        size = sum((staging / name).stat().st_size for name in files)
        rows = sum(folder.num_rows[m].get(split, 0) for m in members)
        split_dict.add(SplitInfo(name=split, num_bytes=size, num_examples=rows))
        total += size
    return DatasetInfo(features=features, splits=split_dict, download_size=total, dataset_size=total)


def _check_replaceable(output_dir: Path, extra_files: Mapping[str, str]) -> None:
    if not output_dir.exists():
        return
    if not output_dir.is_dir():
        raise DatasetBuildError(
            f"{output_dir} is a file. Accepted: a new or empty folder, or an earlier build"
        )
    foreign = []
    for path in sorted(output_dir.rglob("*")):
        relative = path.relative_to(output_dir)
        if path.is_dir():
            if len(relative.parts) > 1:
                foreign.append(str(relative))
        elif not (
            (len(relative.parts) == 1 and (relative.name == "README.md" or relative.name in extra_files))
            or (len(relative.parts) == 2 and relative.suffix == _PARQUET)
        ):
            foreign.append(str(relative))
    if foreign:
        raise DatasetBuildError(
            f"Refusing to replace {output_dir}: it holds files a dataset build did not write "
            f"({', '.join(foreign[:5])}{', ...' if len(foreign) > 5 else ''}). Accepted: a new or empty "
            "folder, or the folder of an earlier build (which is replaced)"
        )


def push_to_hub(
    folder: str | Path, repo_id: str, *, private: bool | None = None, token: str | None = None, api=None
) -> str:
    """Upload a dataset folder to the Hub as dataset repo ``repo_id`` (created if needed); returns
    the commit URL. ``api`` replaces ``huggingface_hub.HfApi(token=token)`` (tests inject a fake)."""
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi(token=token)
    folder = Path(folder)
    if not (folder / "README.md").is_file():
        raise InvalidInputError(
            f"{folder} is not a dataset folder (no README.md). Accepted: a build's --output-dir"
        )
    api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
    commit = api.upload_folder(
        folder_path=str(folder),
        repo_id=repo_id,
        repo_type="dataset",
        commit_message=f"Upload {folder.name} with emotune",
    )
    return str(getattr(commit, "commit_url", commit))
