"""One run at a time writes an output (issue 22, point 8): a second run is refused while the first holds the
output's lock, naming it; a run killed by SIGKILL holds nothing, so --resume continues its work."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from modeling.base.errors import StorageError
from modeling.cli import main
from modeling.collection.lock import OutputLock
from modeling.collection.output import RecordOutput, read_records
from tests.collection.launches import kill_when
from tests.conftest import REPO_ROOT

PAUSED_RUN = """
import sys, time
from pathlib import Path

import modeling.collection.output as output

signals = Path(sys.argv.pop(1))
write = output.JsonlWriter.write


def write_then_wait(self, record):  # the run stops after its first record until the test lets it go on
    write(self, record)
    if self.written == 1:
        (signals / "paused").touch()
        while not (signals / "go").exists():
            time.sleep(0.02)


output.JsonlWriter.write = write_then_wait
from modeling.cli import main

sys.argv[0] = "emotune"
sys.exit(main(sys.argv[1:]))
"""
"""``python -c PAUSED_RUN SIGNALS ARGS``: ``emotune ARGS``, held open after its first record."""


def _predict(clips, model_dir, output, *more) -> list[str]:
    return ["predict", str(clips), "--model", str(model_dir), "--chord-backend", "dsp",
            "--key-method", "profiles", "--output", str(output),
            "--no-overlap", *more]  # fmt: skip


def _wait_for(condition, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the run ended first: {process.communicate()}"
        assert time.monotonic() < deadline, "the run did not get there in time"
        time.sleep(0.02)


@pytest.mark.slow
def test_a_second_run_is_refused_while_the_first_writes_naming_it(clips, model_dir, tmp_path, capsys):
    """The issue's case: a second `--resume` run started while the first still writes OUT. It is refused
    (exit 1, the holder's process id, host, start time and command), so OUT ends with every file once."""
    output = tmp_path / "results.jsonl"
    signals = tmp_path / "signals"
    signals.mkdir()
    first = subprocess.Popen(
        [sys.executable, "-c", PAUSED_RUN, str(signals), *_predict(clips, model_dir, output)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for(lambda: (signals / "paused").exists(), first)
        assert main(_predict(clips, model_dir, output, "--resume")) == 1  # this process is the second run
        message = capsys.readouterr().err.strip()
        assert message.startswith(f"emotune predict: error: {output} is being written by another run: ")
        assert f"process {first.pid} on {socket.gethostname()}, started 20" in message
        assert f"emotune predict {clips}" in message and "Accepted: wait for that run to end" in message
        assert len(message.splitlines()) == 1
        # neither --overwrite nor a run without --resume gets past the lock (the first never loses its records)
        for more in (["--overwrite"], []):
            assert main(_predict(clips, model_dir, output, *more)) == 1
            assert f"process {first.pid} on" in capsys.readouterr().err
        assert len(read_records(output)) == 1
    finally:
        (signals / "go").touch()
        _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err[-3000:]
    assert [record["path"] for record in read_records(output)] == sorted(
        str(path) for path in clips.iterdir()
    )
    assert not output.with_name("results.jsonl.lock").exists()  # removed at the end
    assert main(_predict(clips, model_dir, output, "--resume")) == 0
    assert "4 files already done" in capsys.readouterr().out


def _note(lock) -> dict:
    try:
        return json.loads(lock.read_text())
    except (OSError, ValueError):
        return {}


def test_a_run_killed_by_sigkill_does_not_block_resume(clips, model_dir, tmp_path, capsys):
    """Killed as soon as it holds the lock (records written before a kill are kept: test_predict_collection's
    SIGKILL test): the note it leaves names it, but its lock died with it, and --resume runs."""
    output = tmp_path / "results.csv"
    lock = output.with_name("results.csv.lock")
    run = subprocess.Popen([sys.executable, "-m", "modeling", *_predict(clips, model_dir, output)], cwd=REPO_ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    kill_when(run, lambda: _note(lock).get("pid") == run.pid)
    left = _note(lock)  # the killed run's note stays; its lock died with it
    assert left["host"] == socket.gethostname() and left["processes"] == 1 and "predict" in left["command"]
    assert OutputLock(output).holder() is None

    assert main(_predict(clips, model_dir, output, "--resume")) == 0
    assert [record["path"] for record in read_records(output)] == sorted(
        str(path) for path in clips.iterdir()
    )
    assert not lock.exists()


def test_the_lock_belongs_to_one_holder_at_a_time(tmp_path):
    target = tmp_path / "results.parquet"
    first, second = OutputLock(target), OutputLock(target)
    assert first.holder() is None
    first.acquire(processes=3)
    assert first.held and second.holder()["pid"] == os.getpid()
    with pytest.raises(StorageError) as refused:
        second.acquire()
    message = str(refused.value)
    assert f"process {os.getpid()} on {socket.gethostname()} (the main one of 3)" in message
    assert f"The lock is {tmp_path / 'results.parquet.lock'}" in message
    with pytest.raises(StorageError, match="is being written by another run"):
        RecordOutput(target, resume=True)  # an output is checked before its run loads anything
    first.release()
    assert not first.held and not (tmp_path / "results.parquet.lock").exists()
    with second:
        assert second.held and json.loads((tmp_path / "results.parquet.lock").read_text())["processes"] == 1
    assert not second.held


def test_a_note_left_by_a_dead_run_is_taken_over(tmp_path):
    lock_file = tmp_path / "results.jsonl.lock"
    lock_file.write_text(json.dumps({"pid": 999_999, "host": "elsewhere", "started": "then", "command": "x"}))
    lock = OutputLock(tmp_path / "results.jsonl")
    assert lock.holder() is None
    lock.acquire()
    assert json.loads(lock_file.read_text())["pid"] == os.getpid()
    lock.release()
