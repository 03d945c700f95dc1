"""A folder emotune cannot write: EMOTUNE_HOME that is a file (or lies under one), a read-only disk, a disk
that fills during a download or a conversion, a read-only Hugging Face cache. Each is one StorageError line
naming the path and what to do; `emotune weights ...` exits 1 with it; the installed models stay as they
were. The disks are real tmpfs mounts where the tests may mount (tests/weights/disks.py), else simulated."""

from __future__ import annotations

import shutil

import pytest

from modeling.base.errors import StorageError
from modeling.cli import main
from modeling.weights import fetch
from tests.weights.disks import small_disk
from tests.weights.originals import snapshot

BTC = "btc_model_large_voca.pt"


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    assert err.startswith("emotune weights: error: "), err
    return err


def test_emotune_home_that_is_a_file(weights_env, tmp_path, monkeypatch, capsys):
    in_the_way = tmp_path / "not-a-folder"
    in_the_way.write_text("a file\n")
    for home in (in_the_way, in_the_way / "emotune"):  # the file itself; a folder under it (ENOTDIR)
        monkeypatch.setenv("EMOTUNE_HOME", str(home))
        assert main(["weights", "fetch", "btc", "--no-progress"]) == 1
        err = _one_error_line(capsys)
        assert f"{in_the_way} is a file, not a folder" in err and "set EMOTUNE_HOME to a folder" in err, err
        assert "Nothing was downloaded or installed" in err
    assert main(["weights", "fetch", "all", "--no-progress"]) == 1  # one line, not one per source
    assert "is a file, not a folder" in _one_error_line(capsys)
    monkeypatch.setenv("EMOTUNE_HOME", str(in_the_way))
    assert main(["weights", "list"]) == 1
    assert f"EMOTUNE_HOME {in_the_way} is a file" in _one_error_line(capsys)
    assert weights_env.server.requests == [] and in_the_way.read_text() == "a file\n"


def test_a_read_only_home_keeps_its_models(weights_env, tmp_path, monkeypatch, capsys):
    home = tmp_path / "ro"
    with small_disk(home, 1 << 20) as disk:
        monkeypatch.setenv("EMOTUNE_HOME", str(home))
        fetch("btc", progress=False)
        before = snapshot(home)
        disk.read_only()
        capsys.readouterr()
        assert main(["weights", "fetch", "video2music", "--no-progress"]) == 1
        err = _one_error_line(capsys)
        assert f"Cannot write to {home}" in err and "Read-only file system" in err, err
        assert "Set EMOTUNE_HOME to a folder you can write" in err and "Nothing was downloaded" in err
        assert snapshot(home) == before and not any(
            p.startswith("/video2music") for p, _ in weights_env.server.requests
        )


def test_no_write_permission(weights_env, tmp_path, monkeypatch):
    """What a user without permission meets (root ignores modes, so the refusal is the kernel's answer to
    an unprivileged user: EACCES on creating a file)."""
    import errno
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(weights_env.home))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(StorageError) as caught:
        fetch("btc", progress=False)
    message = str(caught.value)
    assert f"Cannot write to {weights_env.home} (Permission denied)" in message
    assert "write permission on" in message and weights_env.server.requests == []


def test_a_disk_that_fills_during_a_download(weights_env, tmp_path, monkeypatch, capsys):
    home = tmp_path / "small"
    with small_disk(home, 512 << 10) as disk:
        monkeypatch.setenv("EMOTUNE_HOME", str(home))
        fetch("btc", progress=False)
        if not disk.mounted:
            disk.fill(300 << 10)
        before = snapshot(home)
        capsys.readouterr()
        # J_all.ckpt (1.3 MB) does not fit
        assert main(["weights", "fetch", "music2emo", "--only", "emotune/music2emo", "--no-progress"]) == 1
        err = _one_error_line(capsys)
        assert f"The disk holding {home} is full" in err and "No space left on device" in err, err
        assert "J_all.ckpt.part" in err and "Free space on that disk, or set EMOTUNE_HOME" in err
        assert "the installed models are as they were" in err
        assert snapshot(home) == before  # the partial download deleted, the room given back


def test_a_disk_that_fills_during_a_conversion(weights_env, tmp_path, monkeypatch, capsys):
    home = tmp_path / "small"
    original = weights_env.originals.files[BTC]
    with small_disk(home, 512 << 10) as disk:
        monkeypatch.setenv("EMOTUNE_HOME", str(home))
        fetch("btc", progress=False)
        disk.fill(16 << 10)
        before = snapshot(home)
        capsys.readouterr()
        assert main(["weights", "fetch", "btc", "--force", "--from", str(original), "--no-progress"]) == 1
        err = _one_error_line(capsys)
        assert f"The disk holding {home} is full" in err and "the installed models are as they were" in err, (
            err
        )
        assert snapshot(home) == before  # the staging folder removed, the installed BTC untouched
        assert not list(home.glob(".staging-*"))


def test_a_read_only_hugging_face_cache(hub_env, monkeypatch):
    from huggingface_hub import constants

    cache = hub_env.cache.parent / "ro-cache"
    with small_disk(cache, 256 << 10) as disk:
        monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
        disk.read_only()
        with pytest.raises(StorageError) as caught:
            fetch("mert", progress=False)
    message = str(caught.value)
    assert f"Cannot write to {cache}" in message and "Set HF_HUB_CACHE (or HF_HOME) to a folder" in message
    assert "\n" not in message
    shutil.rmtree(cache, ignore_errors=True)
