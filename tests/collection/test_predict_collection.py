"""`emotune predict` on a collection: a folder of 16 clips (3 bad), records as they arrive in JSON Lines, CSV
and Parquet, a SIGKILL and --resume, and two processes of an accelerate launch (gloo on CPU)."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys

import pytest

from modeling.cli import main
from modeling.collection import collect_audio_files
from modeling.collection.output import RecordOutput, read_jsonl
from tests.collection.conftest import BAD, GOOD, TOTAL
from tests.collection.launches import kill_when, launch
from tests.conftest import REPO_ROOT


def _args(collection, model_dir, output, *more):
    return ["predict", str(collection), "--model", str(model_dir), "--chord-backend", "dsp",
            "--output", str(output), *more]  # fmt: skip


def _records(path) -> list[dict]:
    output = RecordOutput(path, resume=True)
    return [record for _, _, record in output._read(output.path)]


@pytest.fixture(scope="module")
def run_once(collection, model_dir, tmp_path_factory):
    """One uninterrupted single-process run (JSON Lines): its records and what it printed."""
    output = tmp_path_factory.mktemp("reference") / "results.jsonl"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(_args(collection, model_dir, output)) == 0
    return _records(output), printed.getvalue()


@pytest.fixture(scope="module")
def reference(run_once):
    return run_once[0]


def test_a_folder_gives_one_record_per_audio_file_in_order(collection, model_dir, run_once):
    reference, out = run_once
    files = collect_audio_files([str(collection)])
    assert len(files) == TOTAL and files == sorted(files)  # cover.txt and the hidden file are not audio
    assert [record["path"] for record in reference] == files
    failed = {record["path"]: record["error"] for record in reference if record["error"] is not None}
    assert sorted(failed) == sorted(str(collection / name) for name in BAD)
    assert "is empty" in failed[str(collection / "empty.mp3")]
    assert "cannot be decoded" in failed[str(collection / "disc 2" / "notes.wav")]
    assert "truncated or corrupt" in failed[str(collection / "truncated.mp3")]
    good = next(record for record in reference if record["error"] is None)
    assert set(good) == {"path", "duration", "error", "valence", "arousal", "quadrant", "key",
                         "predicted_moods", "moods", "chords", "segments"}  # fmt: skip
    assert len(good["moods"]) == 56 and 2.0 <= good["duration"] <= 4.0
    assert f"{TOTAL} files in" in out and f"{GOOD} succeeded, 3 failed" in out and "slowest stage: " in out

    # the same results as the pipeline gives one file at a time
    from transformers import pipeline

    mer = pipeline("music-emotion-recognition", model=str(model_dir), chord_backend="dsp", device="cpu")
    good = [record for record in reference if record["error"] is None]
    for record in (good[0], good[-1]):
        assert {"path": record["path"], **mer(record["path"]), "error": None} == record


def test_an_existing_output_is_refused_and_resume_has_nothing_left_to_do(
    collection, model_dir, tmp_path, capsys
):
    output = tmp_path / "results.jsonl"
    files = collect_audio_files([str(collection)])[:3]
    assert (
        main(
            ["predict", *files, "--model", str(model_dir), "--chord-backend", "dsp", "--output", str(output)]
        )
        == 0
    )
    before = output.read_bytes()
    assert main(_args(files[0], model_dir, output)) == 1
    assert "already exists. Accepted: --resume" in capsys.readouterr().err
    assert main(["predict", *files, "--model", str(model_dir), "--output", str(output), "--resume"]) == 0
    assert output.read_bytes() == before and "3 files already done" in capsys.readouterr().out


@pytest.mark.slow
def test_sigkill_then_resume_gives_every_file_once_and_the_uninterrupted_results(
    collection, model_dir, reference, tmp_path
):
    """A CSV written as results arrive: killed after about half, resumed: every record, none twice, the values
    of the uninterrupted run."""
    output = tmp_path / "results.csv"
    command = [sys.executable, "-m", "modeling", *_args(collection, model_dir, output, "--no-overlap")]
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kill_when(
        process, lambda: output.exists() and output.read_bytes().count(b"\n") >= 1 + TOTAL // 2
    )  # header, half the records
    written = _records(output)
    assert TOTAL // 2 <= len(written) < TOTAL, len(written)
    assert written == reference[: len(written)]  # what was written before the kill is intact

    assert main(_args(collection, model_dir, output, "--resume")) == 0
    records = _records(output)
    assert [record["path"] for record in records] == [record["path"] for record in reference]
    assert records == reference


@pytest.mark.slow
def test_two_processes_killed_then_resumed_share_the_files_and_merge_into_the_one_process_output(
    collection, model_dir, reference, tmp_path, capsys
):
    """Two processes write journals of their own shares (one run: a second run started meanwhile is refused,
    naming the launch's main process); SIGKILL of the whole launch after about half; a relaunch with --resume
    does the rest; the merged Parquet equals the one-process records, record for record."""
    output = tmp_path / "results.parquet"
    parts = tmp_path / "results.parquet.parts"
    first_run = launch(*_args(collection, model_dir, output, "--no-overlap"), stdout=subprocess.DEVNULL)
    second_run = []

    def half_done() -> bool:
        if sum(path.read_bytes().count(b"\n") for path in parts.glob("*.jsonl")) < TOTAL // 2:
            return False
        second_run.append(main(_args(collection, model_dir, output, "--resume")))
        return True

    kill_when(first_run, half_done)
    assert second_run == [1] and "is being written by another run: process " in (
        err := capsys.readouterr().err
    )
    assert "(the main one of 2)" in err
    journals = {
        path.name: [record["path"] for _, _, record in read_jsonl(path)] for path in parts.glob("*.jsonl")
    }
    assert sorted(journals) == ["part-r000-p00000.jsonl", "part-r000-p00001.jsonl"]
    first, second = journals.values()
    assert (
        not set(first) & set(second) and len(first + second) < TOTAL
    )  # each file by one process, none twice
    files = [record["path"] for record in reference]
    half = TOTAL // 2
    assert set(first) <= set(files[:half]) and set(second) <= set(files[half:])  # consecutive shares
    assert not output.exists()

    resumed = launch(
        *_args(collection, model_dir, output, "--resume"), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err[-3000:]
    shares = sorted(re.findall(r"process (\d)/2: (\d+) files already done; (\d+) files? in", out))
    assert [(process, int(done)) for process, done, _ in shares] == [
        ("1", len(first + second)),
        ("2", len(first + second)),
    ]
    counts = [int(count) for _, _, count in shares]
    assert sum(counts) == TOTAL - len(first + second) and min(counts) > 0, out
    assert not parts.exists()
    assert _records(output) == reference

    from datasets import load_dataset

    dataset = load_dataset("parquet", data_files=str(output), split="train")
    assert len(dataset) == TOTAL and dataset[0]["path"] == reference[0]["path"]
    assert dataset.features["moods"].feature["score"].dtype == "float64"
    assert dataset[0]["segments"][0]["moods"][0] == reference[0]["segments"][0]["moods"][0]
