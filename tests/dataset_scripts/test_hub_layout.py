"""The Parquet + card folder writer: embedded audio, shards, the output-folder guard, pushing."""

from __future__ import annotations

import shutil

import pytest
from datasets import Audio, Dataset, Features, Value, load_dataset

from dataset_scripts.build_types import BuildOptions
from dataset_scripts.builders import BUILDERS
from dataset_scripts.hub_layout import push_to_hub, write_dataset_folder
from modeling.base.errors import DatasetBuildError, InvalidInputError
from tests.dataset_scripts.releases import write_clip


def test_embedded_audio_decodes_after_the_raw_files_are_gone(synthetic_build, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(synthetic_build.raw_dir / "deam", raw)
    BUILDERS["deam"](raw, tmp_path / "out", BuildOptions(embed_audio=True, progress=False))
    shutil.rmtree(raw)
    dataset = load_dataset(str(tmp_path / "out"), "deam", cache_dir=str(tmp_path / "cache"))["train"]
    dataset = dataset.cast_column("audio", Audio(sampling_rate=24000))
    samples = dataset[0]["audio"].get_all_samples()
    assert samples.sample_rate == 24000 and samples.data.shape[-1] == pytest.approx(2.0 * 24000, rel=0.03)
    assert "audio embedded" in (tmp_path / "out/README.md").read_text()


def _tiny(n: int, tmp_path, offset: int = 0) -> Dataset:
    clips = [str(write_clip(tmp_path / "clips" / f"{offset + i}.mp3")) for i in range(n)]
    features = Features({"id": Value("string"), "audio": Audio()})
    return Dataset.from_list(
        [{"id": str(offset + i), "audio": c} for i, c in enumerate(clips)], features=features
    )


def test_shards_combined_configs_and_the_card(tmp_path):
    a, b = _tiny(5, tmp_path), _tiny(2, tmp_path, offset=10)
    folder = write_dataset_folder(
        tmp_path / "out",
        {"a": {"train": a}, "b": {"train": b, "test": b}},
        card_body="# Tiny\n\nA test.",
        card_metadata={"license": "mit", "pretty_name": "tiny"},
        combined={"both": ["a", "b"]},
        embed_external_files=True,
        max_shard_bytes=8_000,  # each clip is ~4-5 kB embedded: several shards
    )
    assert len(folder.files["a"]["train"]) >= 3 and folder.num_rows["a"]["train"] == 5
    assert folder.files["a"]["train"][0] == f"a/train-00000-of-{len(folder.files['a']['train']):05d}.parquet"
    both = load_dataset(str(tmp_path / "out"), "both", cache_dir=str(tmp_path / "cache"))
    assert sorted(both["train"]["id"]) == sorted(["0", "1", "2", "3", "4", "10", "11"])
    assert both["test"]["id"] == ["10", "11"]
    card = (tmp_path / "out/README.md").read_text()
    assert "license: mit" in card and "config_name: both" in card and card.rstrip().endswith("A test.")
    with pytest.raises(InvalidInputError, match="unknown configs"):
        write_dataset_folder(
            tmp_path / "x", {"a": {"train": a}}, card_body="", combined={"all": ["a", "zzz"]}
        )
    with pytest.raises(InvalidInputError, match="different features"):
        other = Dataset.from_list([{"x": 1}])
        write_dataset_folder(
            tmp_path / "x",
            {"a": {"train": a}, "o": {"train": other}},
            card_body="",
            combined={"all": ["a", "o"]},
        )
    with pytest.raises(InvalidInputError, match="has no split"):
        write_dataset_folder(tmp_path / "x", {"a": {}}, card_body="")
    with pytest.raises(InvalidInputError, match="default_config 'zzz'"):
        write_dataset_folder(tmp_path / "x", {"a": {"train": a}}, card_body="", default_config="zzz")
    assert not (tmp_path / "x").exists()


def test_the_output_folder_is_replaced_only_if_it_is_a_dataset_folder(tmp_path):
    data = {"a": {"train": _tiny(1, tmp_path)}}
    write_dataset_folder(tmp_path / "out", data, card_body="first", extra_files={"notes.json": "{}"})
    write_dataset_folder(tmp_path / "out", data, card_body="second", extra_files={"notes.json": "{}"})
    assert "second" in (tmp_path / "out/README.md").read_text()
    (tmp_path / "out/a/precious.txt").write_text("mine")
    with pytest.raises(DatasetBuildError, match=r"Refusing to replace .*a/precious.txt"):
        write_dataset_folder(tmp_path / "out", data, card_body="third", extra_files={"notes.json": "{}"})
    assert (tmp_path / "out/a/precious.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clips", "out"]  # no staging folder left behind


class FakeHfApi:
    def __init__(self):
        self.calls = []

    def create_repo(self, repo_id, **kwargs):
        self.calls.append(("create_repo", repo_id, kwargs))

    def upload_folder(self, **kwargs):
        self.calls.append(("upload_folder", kwargs))
        return type("Commit", (), {"commit_url": "https://huggingface.co/datasets/me/x/commit/123"})()


def test_push_to_hub_uploads_the_folder(tmp_path):
    write_dataset_folder(tmp_path / "out", {"a": {"train": _tiny(1, tmp_path)}}, card_body="x")
    api = FakeHfApi()
    assert push_to_hub(tmp_path / "out", "me/x", private=True, api=api).endswith("/commit/123")
    assert api.calls[0] == (
        "create_repo",
        "me/x",
        {"repo_type": "dataset", "private": True, "exist_ok": True},
    )
    upload = api.calls[1][1]
    assert (
        upload["folder_path"] == str(tmp_path / "out")
        and upload["repo_id"] == "me/x"
        and upload["repo_type"] == "dataset"
    )
    with pytest.raises(InvalidInputError, match="not a dataset folder"):
        push_to_hub(tmp_path / "clips", "me/x", api=api)


def test_a_folder_rebuilt_in_place_loads_its_new_rows(tmp_path):
    from modeling.hub.datasets import load_dataset_folder

    def build(ids: list[str]) -> None:
        write_dataset_folder(
            tmp_path / "out", {"a": {"train": Dataset.from_list([{"id": i} for i in ids])}}, card_body=""
        )

    build(["1", "2"])
    assert load_dataset_folder(tmp_path / "out", "a", split="train")["id"] == ["1", "2"]
    # same folder, same card (same row count and sizes), new rows: datasets' own cache key is the
    # card's, so plain load_dataset would serve the first build's rows here
    build(["3", "4"])
    assert load_dataset_folder(tmp_path / "out", "a", split="train")["id"] == ["3", "4"]
    assert load_dataset_folder(tmp_path / "out", "a")["train"]["id"] == ["3", "4"]
    with pytest.raises(ValueError, match="'b' not found"):
        load_dataset_folder(tmp_path / "out", "b")

    # the configs and files are resolved once per state of the folder: a config added in place is seen
    from modeling.hub.datasets import dataset_config_names

    assert dataset_config_names(tmp_path / "out", "dataset", "a folder") == ["a"]
    write_dataset_folder(
        tmp_path / "out",
        {name: {"train": Dataset.from_list([{"id": name}])} for name in ("a", "b")},
        card_body="",
    )
    assert dataset_config_names(tmp_path / "out", "dataset", "a folder") == ["a", "b"]
    assert load_dataset_folder(tmp_path / "out", "b", split="train")["id"] == ["b"]
    assert load_dataset_folder(tmp_path / "out", "a", split="train")["id"] == ["a"]
