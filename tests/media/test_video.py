"""Videos Video2Music cannot use fail with one clear InvalidVideoError; odd but valid ones pass."""

from __future__ import annotations

import subprocess

import pytest

from modeling.base.errors import EmotuneError, InvalidInputError, InvalidVideoError
from modeling.media.video import probe_video
from tests.video2music.videos import FFMPEG, make_video


def _zero_length(path):
    subprocess.run(
        [*FFMPEG, "-f", "lavfi", "-i", "color=c=red:s=64x64:r=25", "-t", "0", str(path)], check=True
    )
    return path


def _audio_only(path):
    subprocess.run([*FFMPEG, "-f", "lavfi", "-i", "sine=d=2", "-c:a", "aac", str(path)], check=True)
    return path


def _song_with_cover(path):
    """An audio file whose only 'video' stream is an attached cover picture."""
    cover = path.with_suffix(".png")
    subprocess.run(
        [*FFMPEG, "-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1", str(cover)], check=True
    )
    subprocess.run(
        [*FFMPEG, "-f", "lavfi", "-i", "sine=d=2", "-i", str(cover), "-map", "0", "-map", "1", "-c:a", "aac",
         "-c:v", "png", "-disposition:v", "attached_pic", str(path)],
        check=True,
    )  # fmt: skip
    return path


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _faststart(path, folder):
    """The same video with its index (moov atom) first, so that its header survives a cut."""
    moved = folder / "faststart.mp4"
    subprocess.run(
        [*FFMPEG, "-i", str(path), "-c", "copy", "-movflags", "+faststart", str(moved)], check=True
    )
    return moved


BAD_VIDEOS = {
    "missing": (lambda d, src: d / "nope.mp4", r"Video file not found: .*nope\.mp4"),
    "directory": (lambda d, src: d, r"is not a file"),
    "empty": (lambda d, src: _write(d / "empty.mp4", b""), r"empty file \(0 bytes\)"),
    "corrupt": (
        lambda d, src: _write(d / "noise.mp4", bytes(range(256)) * 20),
        r"Reading .*noise\.mp4 as a video failed: .*Invalid data",
    ),
    "truncated": (lambda d, src: _write(d / "cut.mp4", src.read_bytes()[:3000]), r"as a video failed"),
    "cut after its header": (
        lambda d, src: _write(d / "partial.mp4", _faststart(src, d).read_bytes()[:50000]),
        r"Cannot decode the video frames of .*partial\.mp4; the file is truncated or corrupt \(Error: av_read",
    ),
    "no video stream": (
        lambda d, src: _audio_only(d / "sound.mp4"),
        r"has no video stream \(streams found: audio\)",
    ),
    "song with cover art": (
        lambda d, src: _song_with_cover(d / "song.m4a"),
        r"has no video stream \(streams found: audio, cover picture\)",
    ),
    "zero length": (lambda d, src: _zero_length(d / "zero.mp4"), r"zero-length media file"),
    "one frame": (
        lambda d, src: make_video(d / "one.mp4", [("green", 0.04)]),
        r"too short: 1 frame\(s\) over 0\.04 s",
    ),
    "half a second": (
        lambda d, src: make_video(d / "half.mp4", [("green", 0.5)]),
        r"too short: 13 frame\(s\) over 0\.5\d s",
    ),
}


@pytest.mark.parametrize("case", list(BAD_VIDEOS))
def test_bad_video_gets_one_clear_error(case, tmp_path, extractor, cuts_video):
    make, message = BAD_VIDEOS[case]
    path = make(tmp_path, cuts_video)
    with pytest.raises(InvalidVideoError, match=message) as raised:
        extractor(path)
    assert isinstance(raised.value, (EmotuneError, ValueError))
    assert "Accepted: a video file" in str(raised.value)


def test_probe_reports_rotation_as_displayed_size(tmp_path, extractor):
    landscape = make_video(tmp_path / "land.mp4", [("red", 1.2)], size="160x96")
    rotated = tmp_path / "phone.mp4"
    subprocess.run(
        [*FFMPEG, "-i", str(landscape), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(rotated)],
        check=True,
    )
    info = probe_video(rotated)
    assert (info.rotation % 180, info.width, info.height) == (90, 96, 160)
    features = extractor(rotated)  # decord turns the frames upright: portrait, as displayed
    assert (features.width, features.height, features.num_seconds) == (96, 160, 2)


def test_extractor_arguments_are_checked(clip_dir, extractor, cuts_video):
    from modeling.video2music.feature_extraction_video2music import VideoFeatureExtractor

    with pytest.raises(InvalidInputError, match="batch_size must be a positive integer"):
        VideoFeatureExtractor(clip_dir, batch_size=0)
    with pytest.raises(InvalidInputError, match="max_seconds must be a positive integer"):
        extractor(cuts_video, max_seconds=0)


@pytest.mark.parametrize("stage", ["probe", "lossless copy"])
def test_a_program_killed_by_a_signal_is_not_a_bad_video(tmp_path, monkeypatch, stage):
    """ffprobe or ffmpeg stopped by a signal (a kill of the whole run, the OOM killer) says nothing about the
    video: DecoderStoppedError, never InvalidVideoError ("corrupt")."""
    import os
    import shutil

    from modeling.base.errors import DecoderStoppedError
    from modeling.video2music.feature_extraction_video2music import _lossless_copy

    video = make_video(tmp_path / "clip.mp4", [("red", 2.0)])
    info = probe_video(video)
    program = "ffprobe" if stage == "probe" else "ffmpeg"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("ffmpeg", "ffprobe"):
        body = "kill -9 $$\n" if name == program else f'exec {shutil.which(name)} "$@"\n'
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}")
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(
        DecoderStoppedError, match=f"{program} was stopped by signal 9 while reading .*clip.mp4"
    ):
        if stage == "probe":
            probe_video(video)
        else:  # the copy the feature extractor makes of a video decord cannot read (AV1, GIF)
            _lossless_copy(info, tmp_path)
