"""File-system failures of an output (issue 22, point 2): a folder that does not exist, a file in the way, a
folder nobody may write in, a disk that fills up while records are written or merged. Each is one line of
the emotune error family naming the path and what to do, exit status 1, no traceback; what was written
before stays valid, and --resume finishes the job."""

from __future__ import annotations

import errno

import pytest

from modeling.base.errors import StorageError
from modeling.cli import main
from modeling.collection import output as output_module
from modeling.collection.output import RecordOutput, read_records
from tests.collection.clips import read_only_folder, small_disk


def _predict(clips, model_dir, output, *more) -> list[str]:
    return ["predict", str(clips), "--model", str(model_dir), "--chord-backend", "dsp",
            "--key-method", "profiles", "--output", str(output),
            *more]  # fmt: skip


def _one_error_line(capsys, command: str = "predict") -> str:
    """The error line the command ended with (after the lines of the progress bar it may have drawn)."""
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count(f"emotune {command}: error: ") == 1, err
    line = err.rstrip("\n").split("\n")[-1]
    assert line.startswith(f"emotune {command}: error: "), err
    return line


def test_a_folder_that_does_not_exist_or_a_file_in_the_way(clips, tmp_path, capsys):
    """Refused before any model loads: --model names no model, which would be the error otherwise."""
    no_model = str(tmp_path / "no-model")
    (tmp_path / "a-file").write_text("in the way")
    cases = {
        tmp_path / "missing" / "deeper" / "out.jsonl": (
            f"The folder {tmp_path / 'missing' / 'deeper'} of --output",
            f"mkdir -p {tmp_path / 'missing' / 'deeper'}",
        ),
        tmp_path / "a-file" / "out.parquet": (
            f"{tmp_path / 'a-file'} is a file, in the way of the folder",
            "move",
        ),
        tmp_path / "a-file" / "sub" / "out.csv": (f"{tmp_path / 'a-file'} is a file, in the way", "move"),
    }
    for output, (what, todo) in cases.items():
        assert main(_predict(clips, no_model, output)) == 1
        err = _one_error_line(capsys)
        assert what in err and todo in err and str(output) in err
    (tmp_path / "out.parquet.parts").write_text("in the way")
    assert main(_predict(clips, no_model, tmp_path / "out.parquet")) == 1
    assert "out.parquet.parts is a file, in the way of the folder of journals" in _one_error_line(capsys)
    (tmp_path / "features").write_text("in the way")
    assert main(["extract-features", str(clips), "--output-dir", str(tmp_path / "features")]) == 1
    err = _one_error_line(capsys, "extract-features")
    assert f"--output-dir {tmp_path / 'features'} is a file, in the way of the folder" in err
    assert main(["extract-features", str(clips), "--output-dir", str(tmp_path / "nope" / "features")]) == 1
    assert f"The folder {tmp_path / 'nope'} of --output-dir" in _one_error_line(capsys, "extract-features")


def test_a_folder_nobody_may_write_in(clips, model_dir, tmp_path, monkeypatch, capsys):
    with read_only_folder(tmp_path / "read-only", monkeypatch) as folder:
        assert main(_predict(clips, model_dir, folder / "out.jsonl")) == 1
        err = _one_error_line(capsys)
        assert f"Cannot write {folder / 'out.jsonl.lock'} (" in err and "a folder you can write to" in err
        assert main(["extract-features", str(clips), "--output-dir", str(folder / "features")]) == 1
        assert f"Cannot write {folder / 'features.lock'} (" in _one_error_line(capsys, "extract-features")


def test_permission_lost_while_writing_records(clips, model_dir, tmp_path, monkeypatch, capsys):
    output = tmp_path / "out.jsonl"
    real, calls = output_module._write_all, []

    def write_all(fd, data):
        calls.append(len(data))
        if len(calls) == 3:
            raise PermissionError(errno.EACCES, "Permission denied")
        real(fd, data)

    monkeypatch.setattr(output_module, "_write_all", write_all)
    assert main(_predict(clips, model_dir, output)) == 1
    err = _one_error_line(capsys)
    assert f"Cannot write {output} (Permission denied) while writing the records; the 2 records" in err
    assert len(read_records(output)) == 2
    monkeypatch.setattr(output_module, "_write_all", real)
    assert main(_predict(clips, model_dir, output, "--resume")) == 0
    assert [record["path"] for record in read_records(output)] == sorted(str(p) for p in clips.iterdir())


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_disk_that_fills_up_while_records_are_written(
    clips, model_dir, tmp_path, monkeypatch, capsys, suffix
):
    """A tmpfs of 12 kB (the lock file takes a page of it): full after a record or two. The run stops with
    one line; the records before are intact; with space freed, --resume writes the rest, every file once."""
    reference = tmp_path / f"reference{suffix}"
    assert main(_predict(clips, model_dir, reference)) == 0
    capsys.readouterr()
    with small_disk(tmp_path / "disk", monkeypatch) as disk:
        output = disk.folder / f"out{suffix}"
        assert main(_predict(clips, model_dir, output)) == 1
        err = _one_error_line(capsys)
        assert f"The disk holding {output} is full (No space left on device) while writing the records" in err
        assert "Accepted: free some space, then run the same command with --resume" in err
        written = read_records(output)
        assert written == read_records(reference)[: len(written)] and len(written) < 4
        disk.grow()
        assert main(_predict(clips, model_dir, output, "--resume")) == 0
        assert read_records(output) == read_records(reference)
        assert not (disk.folder / f"out{suffix}.lock").exists()


def test_a_disk_that_fills_up_while_the_parquet_merge_writes(tmp_path, monkeypatch):
    """The merge writes beside OUT and swaps it in: a full disk leaves OUT and the journals as they were (and
    no half-written file); the next --resume merges."""
    records = [{"path": f"{n}.wav", "duration": 1.0, "error": "Cannot decode"} for n in range(3)]
    output = RecordOutput(tmp_path / "out.parquet")
    output.done()
    writer = output.writer(0, 1)
    for record in records:
        writer.write(record)
    writer.close()

    def full(path, rows, extras=()):
        path.write_bytes(b"PAR1 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output_module, "_write_parquet", full)
    with pytest.raises(StorageError) as stopped:
        output.finish([record["path"] for record in records])
    message = str(stopped.value)
    assert (
        f"The disk holding {output.path} is full" in message
        and "while merging the records into it" in message
    )
    assert "out.parquet and the journals in out.parquet.parts are unchanged" in message
    assert not output.path.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["out.parquet.parts"]
    monkeypatch.undo()
    resumed = RecordOutput(tmp_path / "out.parquet", resume=True)
    assert resumed.done() == {record["path"] for record in records}
    assert resumed.finish([record["path"] for record in records]) == {"records": 3, "failed": 3}
    assert read_records(output.path) == records
