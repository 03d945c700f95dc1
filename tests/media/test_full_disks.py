"""What the media layer writes on a disk that refuses it: one StorageError naming the file, never a
traceback or a verdict on the input (a full disk while ffmpeg muxes, an audio file on a read-only disk, a
Space's temporary folder that cannot be made)."""

from __future__ import annotations

import os
import shutil
import tempfile

import numpy as np
import pytest

from modeling.base.errors import StorageError
from tests.audio_files import lavfi_audio
from tests.video2music.videos import make_video
from tests.weights.disks import Disk


@pytest.fixture
def full_disk(tmp_path, monkeypatch):
    """A folder on a disk with about 1 KB free: a real tmpfs where mounting works, else a folder whose
    ffmpeg (first on PATH) fails as it does on a full disk."""
    disk = Disk(tmp_path / "full", 64 * 1024)
    try:
        if disk.mounted:
            disk.fill(1024)
        else:
            bin_dir = tmp_path / "bin"
            bin_dir.mkdir()
            (bin_dir / "ffmpeg").write_text(
                "#!/bin/sh\necho '[out#0/mp4 @ 0x55d0] Error writing trailer: No space left on device' >&2\nexit 1\n"
            )
            (bin_dir / "ffmpeg").chmod(0o755)
            monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        yield disk.folder
    finally:
        disk.close()


def test_a_full_disk_while_ffmpeg_muxes_is_a_storage_error(tmp_path, full_disk):
    from modeling.media.rendering import mux_video

    video = make_video(tmp_path / "clip.mp4", [("red", 1.0)])
    audio = lavfi_audio(tmp_path / "music.wav", "sine=frequency=440", seconds=1.0)
    with pytest.raises(StorageError, match=r"The disk holding .*full.*\.partial\.mp4 is full"):
        mux_video(video, audio, full_disk / "scored.mp4")
    assert not (full_disk / "scored.mp4").exists()


def test_audio_on_a_disk_that_refuses_it_is_a_storage_error(tmp_path):
    from modeling.media.audio import write_audio

    disk = Disk(tmp_path / "ro", 64 * 1024)
    try:
        disk.read_only()
        with pytest.raises(StorageError, match=r"Cannot write the audio file .*ro/tone.wav"):
            write_audio(disk.folder / "tone.wav", np.zeros(22050, np.float32), 22050)
    finally:
        disk.close()


def test_a_space_temporary_folder_that_cannot_be_made_is_one_message(tmp_path, monkeypatch):
    import gradio as gr  # before the temporary folder moves: gradio keeps the one it sees at import

    from modeling.spaces import request_folder, user_errors

    in_the_way = tmp_path / "tmp"
    in_the_way.write_text("a file where the temporary folder should be")
    monkeypatch.setattr(tempfile, "tempdir", str(in_the_way))
    with pytest.raises(StorageError, match=r"The Space cannot make its folder for this request in .*tmp"):
        request_folder()
    with pytest.raises(gr.Error, match="set TMPDIR before starting the Space"):
        user_errors(request_folder)()
    assert shutil.which("ffmpeg")  # the environment is left as it was
