"""The survey catalogue as data and `emotune datasets`; the build/synthetic commands end to end."""

from __future__ import annotations

import csv
import io
import json

import huggingface_hub
import pytest

from dataset_scripts.builders import BUILDERS
from dataset_scripts.catalogue import catalogue, catalogue_path, format_catalogue, load_catalogue
from dataset_scripts.schema import SOURCES
from dataset_scripts.sources import COLLECTORS
from modeling.cli import main
from tests.dataset_scripts.test_hub_layout import FakeHfApi


def test_the_catalogue_is_the_surveys_table():
    entries = catalogue()
    assert len(entries) == 47 and entries[0].name == "MoodsMIREX" and entries[-1].name == "XMIDI"
    deam = next(e for e in entries if e.name == "DEAM")
    assert (deam.year, deam.instances, deam.length, deam.media_type) == (2018, 2058, "45s", "MP3")
    assert (deam.categorical, deam.dimensional, deam.static_dynamic, deam.perceived_induced) == (
        None, "Russell", "Both", "Perceived",
    )  # fmt: skip
    assert deam.link == "http://cvml.unige.ch/databases/DEAM/" and deam.builder == "deam"
    mtg = next(e for e in entries if e.name == "MTG-Jamendo")
    assert (mtg.instances, mtg.categorical, mtg.builder) == (18486, "56 labels", "mtg-jamendo")
    assert next(e for e in entries if e.name == "MoodSwings").link is None  # "Offline" in the survey
    builders = {e.builder for e in entries if e.builder}
    assert builders == set(SOURCES) == set(COLLECTORS) and builders <= set(BUILDERS)
    dataset = load_catalogue()
    assert len(dataset) == 47 and dataset.features["instances"].dtype == "int64"
    assert dataset[0]["categorical"] == "5 labels" and dataset[0]["dimensional"] is None
    with open(catalogue_path(), newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 47


def test_emotune_datasets_prints_the_table(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["dataset", "year", "instances"] and "emotune builder" in lines[0]
    assert any(line.startswith("PMEmo ") and " pmemo " in line for line in lines)
    assert "47 datasets, 4 with an emotune builder" in out
    assert main(["datasets", "--buildable", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["name"] for r in rows] == ["Solymani et al.'s dataset", "DEAM", "PMEmo", "MTG-Jamendo"]
    assert rows[0]["builder"] == "emomusic" and rows[0]["instances"] == "1000"
    assert (
        format_catalogue(catalogue()[:1], style="markdown")
        .splitlines()[2]
        .startswith("| MoodsMIREX | 2007 | 269 |")
    )


def test_make_synthetic_then_build_dataset_all_then_push(tmp_path, capsys, monkeypatch):
    assert (
        main(
            [
                "make-synthetic",
                str(tmp_path / "raw"),
                "--n",
                "3",
                "--seed",
                "1",
                "--seconds",
                "1",
                "--no-progress",
            ]
        )
        == 0
    )
    assert "Wrote 12 synthetic pieces" in capsys.readouterr().out
    fake = FakeHfApi()
    monkeypatch.setattr(huggingface_hub, "HfApi", lambda token=None: fake)
    argv = ["build-dataset", "all", "--raw-dir", str(tmp_path / "raw"), "--output-dir", str(tmp_path / "out")]
    assert main([*argv, "--no-progress", "--push-to-hub", "me/emotions"]) == 0
    out = capsys.readouterr().out
    assert (
        "deam: 3 rows built, 0 skipped" in out
        and "Pushed to https://huggingface.co/datasets/me/x/commit/123" in out
    )
    assert "cannot decode the audio" in out  # paths, not bytes: the command says so
    assert [call[0] for call in fake.calls] == ["create_repo", "upload_folder"]
    assert json.loads((tmp_path / "out/skip_report.json").read_text())["skipped"] == []


def test_build_dataset_reports_bad_input_as_a_message(tmp_path, capsys):
    (tmp_path / "deam").mkdir()
    assert (
        main(
            [
                "build-dataset",
                "deam",
                "--raw-dir",
                str(tmp_path / "deam"),
                "--output-dir",
                str(tmp_path / "o"),
            ]
        )
        == 1
    )
    assert "emotune build-dataset: error: DEAM's song-level annotations not found" in capsys.readouterr().err
    assert (
        main(["build-dataset", "muzak", "--raw-dir", str(tmp_path), "--output-dir", str(tmp_path / "o")]) == 1
    )
    assert (
        "Unknown source 'muzak'. Accepted: mtg-jamendo, deam, pmemo, emomusic, all" in capsys.readouterr().err
    )
    with pytest.raises(SystemExit):
        main(["build-dataset", "deam"])  # --raw-dir and --output-dir are required
