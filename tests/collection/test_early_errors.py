"""Errors that need no model come before any model, torch or transformers is imported (issue 22, point 9):
a missing input, a bad option, an output that exists (without --resume/--overwrite) or that another run is
writing. Each case runs the command in a fresh process and looks at what it imported.

The wrapper switches off the libraries' progress bars without importing them: `run_command` switches them
off by importing transformers and datasets before any command runs (`modeling/base/progress.py`), a cost of
its own, outside the commands' order of work that is tested here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from modeling.collection.lock import OutputLock
from tests.conftest import REPO_ROOT

WRAPPER = """
import contextlib, json, sys
import modeling.base.command_line as command_line
command_line.library_progress_bars = lambda verbose: contextlib.nullcontext()
from modeling.cli import main
try:
    status = main(sys.argv[1:])
except SystemExit as stop:  # argparse
    status = stop.code
heavy = [name for name in ("torch", "transformers", "accelerate", "datasets") if name in sys.modules]
print(json.dumps({"status": status, "imported": heavy}), file=sys.stderr)
"""

HEAVY = ("torch", "transformers", "accelerate")


@pytest.fixture(scope="module")
def place(tmp_path_factory, clips):
    """A folder with an existing output, an output another run holds (this test process), and the journals of
    an interrupted extraction."""
    folder = tmp_path_factory.mktemp("early")
    (folder / "done.jsonl").write_text('{"path": "x.wav", "duration": null, "error": "gone"}\n')
    (folder / "features.parts").mkdir()
    (folder / "features.parts" / "part-r000-p00000.jsonl").write_text("")
    return folder


CASES = {
    "missing file": (["predict", "{place}/missing.wav"], "{place}/missing.wav does not exist. Accepted: audio files"),
    "missing folder": (["predict", "{clips}", "{place}/gone/"], "{place}/gone/ does not exist"),
    "missing list": (["predict", "--files-from", "{place}/list.txt"], "The file list {place}/list.txt does not exist"),
    "threshold": (["predict", "{clips}", "--threshold", "2"], "--threshold must be between 0 and 1, got 2.0"),
    "embeddings alone": (["predict", "{clips}", "--embeddings"], "--embeddings stores each file's clip embedding"),
    "json with output": (["predict", "{clips}", "--json", "--output", "{place}/o.jsonl"], "Accepted: one or the other"),
    "output exists": (["predict", "{clips}", "--output", "{place}/done.jsonl"], "done.jsonl already exists"),
    "output folder missing": (["predict", "{clips}", "--output", "{place}/no/o.jsonl"], "The folder {place}/no of"),
    "output locked": (
        ["predict", "{clips}", "--output", "{place}/held.jsonl", "--resume"],
        "{place}/held.jsonl is being written by another run: process {pid} on",
    ),
    "chord backend": (["predict", "{clips}", "--chord-backend", "nope"], "Unknown chord backend 'nope'. Accepted: "),
    "chord qualities for btc": (
        ["predict", "{clips}", "--chord-qualities", "maj,min,7"],
        "Chord qualities ('maj', 'min', '7') were given for the 'btc' backend, which decodes a vocabulary of its "
        "own. Accepted: qualities with the dsp backend",
    ),
    "chord qualities": (
        ["extract-features", "{clips}", "--output-dir", "{place}/f", "--chord-backend", "dsp", "--chord-qualities",
         "maj, minor,7"],
        "Unknown chord qualities ['minor']. Accepted: one or more of maj, dim, sus4, min7, min, sus2, aug, dim7, "
        "maj6, hdim7, 7, min6, maj7 (default: maj, min)",
    ),
    "batch size": (["extract-features", "{clips}", "--output-dir", "{place}/f", "--batch-size", "0"], "--batch-size"),
    "no dataset": (["extract-features", "/nowhere/unified", "--output-dir", "{place}/f"], "No dataset folder at"),
    "journals": (["extract-features", "{clips}", "--output-dir", "{place}/features"], "holds an interrupted extraction"),
    "features locked": (
        ["extract-features", "{clips}", "--output-dir", "{place}/held-features", "--resume"],
        "{place}/held-features is being written by another run: process {pid} on",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_errors_that_need_no_model_come_before_torch(case, place, clips):
    argv, expected = CASES[case]
    values = {"place": place, "clips": clips, "pid": os.getpid()}
    command = [part.format(**values) for part in argv]
    if command[0] == "predict":
        command += [
            "--model",
            str(place / "no-model"),
        ]  # a model would be the error if it were looked at first
    else:
        command += ["--audio-encoder", str(place / "no-encoder")]
    with OutputLock(place / "held.jsonl"), OutputLock(place / "held-features"):
        done = subprocess.run([sys.executable, "-c", WRAPPER, *command], cwd=REPO_ROOT, capture_output=True,
                              text=True, timeout=60)  # fmt: skip
    *lines, last = done.stderr.strip().splitlines()
    report = json.loads(last)
    assert report["status"] == 1, done.stderr
    assert lines == [f"emotune {command[0]}: error: " + lines[0].partition(": error: ")[2]], done.stderr
    assert expected.format(**values) in lines[0]
    assert not set(report["imported"]) & set(HEAVY), report["imported"]


def test_a_bad_choice_is_argparse_s_usage_error_before_torch():
    done = subprocess.run([sys.executable, "-c", WRAPPER, "predict", "x.wav", "--key-method", "nope"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)  # fmt: skip
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["status"] == 2 and "invalid choice: 'nope'" in done.stderr
    assert not set(report["imported"]) & set(HEAVY)
