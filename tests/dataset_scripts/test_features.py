"""`emotune extract-features` at collection scale: a bad and a missing recording are reported, two processes
of an accelerate launch (gloo) share the recordings, a SIGKILL of the launch and a relaunch with --resume
give the folder one uninterrupted process writes, byte for byte."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess

import pytest

from modeling.cli import main
from modeling.collection.output import read_jsonl
from tests.collection.launches import kill_when, launch

PIECES = 4
"""Synthetic pieces per source (four sources): enough for two processes to share and a run to be killed
half-way."""

FILES = 4 * PIECES
"""Recordings the unified dataset names; two of them are broken, so ``FILES - 2`` feature rows."""


@pytest.fixture(scope="module")
def unified(tmp_path_factory):
    """A unified dataset of the synthetic corpus (4 pieces of 2 s per source), then one recording made
    undecodable and one deleted."""
    from dataset_scripts.build_types import BuildOptions
    from dataset_scripts.builders import BUILDERS
    from dataset_scripts.synthetic.corpus import make_synthetic

    root = tmp_path_factory.mktemp("features")
    make_synthetic(root / "raw", n=PIECES, seed=5, seconds=2.0, progress=False)
    BUILDERS["all"](root / "raw", root / "unified", BuildOptions(progress=False))
    audio = sorted(path for path in (root / "raw").rglob("*") if path.suffix in {".wav", ".mp3", ".flac"})
    audio[3].write_text("not audio\n")
    audio[-2].unlink()
    return root / "unified"


def _args(unified, encoder, output, *more):
    return ["extract-features", str(unified), "--output-dir", str(output), "--audio-encoder", str(encoder),
            "--chord-backend", "dsp", "--no-progress", *more]  # fmt: skip


def _files(folder) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def one_process(unified, mert_dir, tmp_path_factory):
    output = tmp_path_factory.mktemp("one") / "features"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(_args(unified, mert_dir, output)) == 0
    return output, printed.getvalue()


def test_bad_and_missing_recordings_are_reported_and_the_rest_extracted(one_process):
    output, printed = one_process
    report = json.loads((output / "skip_report.json").read_text())
    reasons = sorted(skip["reason"] for skip in report["skipped"])
    assert reasons == ["audio missing", "audio undecodable"], report
    assert (
        f"Wrote {FILES - 2} feature rows" in printed
        and f"{FILES} files in" in printed
        and f"{FILES - 2} succeeded, 2 failed" in printed
    )
    assert not output.with_name("features.parts").exists()


@pytest.mark.slow
def test_two_processes_killed_then_resumed_write_the_one_process_folder(
    unified,
    mert_dir,
    one_process,
    tmp_path,
    capsys,
):
    output = tmp_path / "features"
    parts = tmp_path / "features.parts"
    first_run = launch(*_args(unified, mert_dir, output, "--no-overlap"), stdout=subprocess.DEVNULL)
    half = FILES // 2 - 2
    kill_when(
        first_run, lambda: sum(path.read_bytes().count(b"\n") for path in parts.glob("*.jsonl")) >= half
    )
    journals = [
        [tuple(record["key"]) for _, _, record in read_jsonl(path)] for path in sorted(parts.glob("*.jsonl"))
    ]
    assert len(journals) == 2 and not set(journals[0]) & set(journals[1])  # each recording by one process
    assert half <= len(journals[0] + journals[1]) < FILES and not output.exists()

    assert main(_args(unified, mert_dir, output)) == 1
    assert "holds an interrupted extraction. Accepted: --resume" in capsys.readouterr().err

    resumed = launch(
        *_args(unified, mert_dir, output, "--resume"), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err[-3000:]
    assert "process 1/2: " in out and "process 2/2: " in out and f"Wrote {FILES - 2} feature rows" in out
    assert not parts.exists()
    assert _files(output) == _files(one_process[0])


def test_a_full_disk_while_the_folder_is_written_keeps_the_journals_for_resume(
    unified, mert_dir, tmp_path, monkeypatch, capsys
):
    """The features folder is written at the end, from the journals: a full disk then ends the run with one
    line (exit 1) and the journals stay, so --resume writes the folder without extracting anything again."""
    import errno

    from dataset_scripts.features import extraction

    output = tmp_path / "features"

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(extraction, "_write_features", full)
    assert main(_args(unified, mert_dir, output, "--sources", "pmemo")) == 1
    err = capsys.readouterr().err
    assert (
        f"emotune extract-features: error: The disk holding {output} is full" in err
        and "Traceback" not in err
    )
    assert "the journals in " in err and "are kept: the same command with --resume writes it from them" in err
    journals = list((tmp_path / "features.parts").glob("*.jsonl"))
    rows = sum("row" in record for path in journals for _, _, record in read_jsonl(path))
    assert rows >= PIECES - 2 and not output.exists() and not (tmp_path / "features.lock").exists()
    monkeypatch.undo()
    assert main(_args(unified, mert_dir, output, "--sources", "pmemo", "--resume")) == 0
    printed = capsys.readouterr().out
    assert f"Wrote {rows} feature rows" in printed
    assert "files in" not in printed  # nothing extracted again
    assert not (tmp_path / "features.parts").exists() and (output / "README.md").is_file()
