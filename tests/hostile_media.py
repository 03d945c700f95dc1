"""The hostile-input corpus: videos and audio files people have on their disks, made by the tests with
ffmpeg, numpy and soundfile (nothing downloaded), small and short so the whole corpus stays fast.

``hostile_video(case, folder)`` / ``hostile_audio(case, folder)`` write one case (once: an existing
file is reused, so session fixtures share the corpus across test folders). The cases are the keys
of :data:`VIDEO_CASES` / :data:`AUDIO_CASES`; what each one must give (a result or which error) is
stated by the tests that run them.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np

FFMPEG = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y"]
X264 = ["-c:v", "libx264", "-preset", "ultrafast"]


def ffmpeg(*args: str) -> None:
    subprocess.run([*FFMPEG, *args], check=True, capture_output=True)


def _lavfi(source: str, size: str = "160x120", rate: float | str = 25, seconds: float = 2.0) -> list[str]:
    joint = ":" if "=" in source else "="
    return ["-f", "lavfi", "-i", f"{source}{joint}s={size}:r={rate}:d={seconds}"]


def _encode(path: Path, *args: str) -> Path:
    ffmpeg(*args, str(path))
    return path


def _pattern(
    path: Path, *, size="160x120", rate: float | str = 25, seconds=2.0, pix_fmt="yuv420p", codec=X264
):
    return _encode(path, *_lavfi("testsrc", size, rate, seconds), *codec, "-pix_fmt", pix_fmt)


def _rotated(path: Path, degrees: int) -> Path:
    """A 160x96 landscape recording tagged to be shown rotated by ``degrees`` (a phone's portrait video)."""
    source = _pattern(path.with_name(f"{path.stem}-source.mp4"), size="160x96")
    return _encode(path, "-i", str(source), "-c", "copy", "-metadata:s:v:0", f"rotate={degrees}")


def _variable_rate(path: Path) -> Path:
    """1 s at 25 fps, 1 s at 10 fps, 1 s at 30 fps (cuts between them)."""
    parts = [("testsrc", 25), ("smptebars", 10), ("rgbtestsrc", 30)]
    inputs = [arg for source, rate in parts for arg in _lavfi(source, rate=rate, seconds=1.0)]
    graph = "[0:v][1:v][2:v]concat=n=3:v=1:a=0,format=yuv420p[v]"
    return _encode(path, *inputs, "-filter_complex", graph, "-map", "[v]", *X264, "-fps_mode", "vfr")


def _still_frame(path: Path) -> Path:
    """One frame shown for 3 s (a picture exported as a video)."""
    return _encode(
        path, *_lavfi("testsrc", rate="1/3", seconds=3.0), "-frames:v", "1", *X264, "-pix_fmt", "yuv420p"
    )


def _still_image(path: Path) -> Path:
    return _encode(path, *_lavfi("testsrc", seconds=1.0), "-frames:v", "1")


def _with_audio(path: Path, video_seconds: float, audio_seconds: float, audio_codec: str) -> Path:
    return _encode(
        path, *_lavfi("testsrc", seconds=video_seconds), "-f", "lavfi", "-i", f"sine=f=440:d={audio_seconds}",
        *X264, "-pix_fmt", "yuv420p", "-c:a", audio_codec,
    )  # fmt: skip


def _long_black(path: Path) -> Path:
    """30 s of black (no scene cut at all), small and at 5 fps to stay cheap."""
    return _encode(
        path, *_lavfi("color=c=black", size="64x48", rate=5, seconds=30.0), *X264, "-pix_fmt", "yuv420p"
    )


def _static(path: Path) -> Path:
    """12 s of one unchanging test picture."""
    return _encode(
        path, "-f", "lavfi", "-i", "testsrc=s=96x72:r=10:d=0.1", "-vf", "tpad=stop_mode=clone:stop_duration=12",
        *X264, "-pix_fmt", "yuv420p",
    )  # fmt: skip


def _audio_only(path: Path) -> Path:
    return _encode(path, "-f", "lavfi", "-i", "sine=d=3", "-c:a", "aac")


VIDEO_CASES: dict[str, tuple[str, Callable[[Path], Path]]] = {
    # case: (file name, builder)
    "tiny 2x2": ("tiny2.mp4", lambda p: _pattern(p, size="2x2")),
    "tiny 16x16": ("tiny16.mp4", lambda p: _pattern(p, size="16x16")),
    "odd size yuv444": ("odd444.mp4", lambda p: _pattern(p, size="161x121", pix_fmt="yuv444p")),
    "yuv422": ("yuv422.mp4", lambda p: _pattern(p, pix_fmt="yuv422p")),
    "grey": ("grey.mp4", lambda p: _pattern(p, pix_fmt="gray")),
    "rgb": (
        "rgb.mp4",
        lambda p: _pattern(p, pix_fmt="rgb24", codec=["-c:v", "libx264rgb", "-preset", "ultrafast"]),
    ),
    "full-range yuvj420": ("yuvj.mp4", lambda p: _pattern(p, pix_fmt="yuvj420p")),
    "10-bit h264": ("ten-bit.mp4", lambda p: _pattern(p, pix_fmt="yuv420p10le")),
    "10-bit hevc": (
        "ten-bit-hevc.mp4",
        lambda p: _pattern(
            p, pix_fmt="yuv420p10le", codec=["-c:v", "libx265", "-x265-params", "log-level=error"]
        ),
    ),
    "portrait": ("portrait.mp4", lambda p: _pattern(p, size="96x160")),
    "rotated 90": ("rotate90.mp4", lambda p: _rotated(p, 90)),
    "rotated 180": ("rotate180.mp4", lambda p: _rotated(p, 180)),
    "rotated 270": ("rotate270.mp4", lambda p: _rotated(p, 270)),
    "variable frame rate": ("vfr.mp4", _variable_rate),
    "0.5 fps": ("half-fps.mp4", lambda p: _pattern(p, rate=0.5, seconds=6.0)),
    "120 fps": ("fast.mp4", lambda p: _pattern(p, rate=120, seconds=2.0)),
    "one frame held 3 s": ("still-frame.mp4", _still_frame),
    "gif": ("anim.gif", lambda p: _encode(p, *_lavfi("testsrc", rate=10, seconds=2.0))),
    "webm vp9": (
        "clip.webm",
        lambda p: _pattern(p, codec=["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"]),
    ),
    "mkv": ("clip.mkv", lambda p: _pattern(p)),
    "av1": ("av1.mp4", lambda p: _pattern(p, codec=["-c:v", "libaom-av1", "-cpu-used", "8", "-row-mt", "1"])),
    "video shorter than audio": ("short-video.mp4", lambda p: _with_audio(p, 2.0, 5.0, "aac")),
    "mkv video shorter than audio": ("short-video.mkv", lambda p: _with_audio(p, 2.0, 5.0, "libvorbis")),
    "2 seconds": ("two.mp4", lambda p: _pattern(p, seconds=2.0)),
    "long black": ("black.mp4", _long_black),
    "static picture": ("static.mp4", _static),
    "odd-size gif": ("odd.gif", lambda p: _encode(p, *_lavfi("testsrc", size="75x45", rate=10, seconds=2.0))),
    "4k": ("uhd.mp4", lambda p: _pattern(p, size="3840x2160", rate=8, seconds=4.0)),
    # no result possible: one clear error each
    "still image": ("picture.png", _still_image),
    "no video stream": ("sound.mp4", _audio_only),
    "half a second": ("half.mp4", lambda p: _pattern(p, seconds=0.5)),
}


def corpus_folder(tmp_path_factory) -> Path:
    """The session's corpus folder, shared by every test folder (each file is made once)."""
    folder = tmp_path_factory.getbasetemp() / "hostile-corpus"
    folder.mkdir(exist_ok=True)
    return folder


def hostile_video(case: str, folder: Path) -> Path:
    name, build = VIDEO_CASES[case]
    path = Path(folder) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"partial-{name}")
        build(partial).rename(path)
    return path


# ---------------------------------------------------------------------------------------------- audio


def _tone(seconds: float = 3.0, rate: int = 22050, channels: int = 1, amplitude: float = 0.5) -> np.ndarray:
    """A major triad (C E G) as ``(samples, channels)`` float64."""
    t = np.arange(int(seconds * rate)) / rate
    wave = sum(np.sin(2 * np.pi * f * t) for f in (261.63, 329.63, 392.0)) / 3 * amplitude
    return np.repeat(wave[:, None], channels, axis=1)


def _soundfile(path: Path, data: np.ndarray, rate: int, subtype: str, format: str | None = None) -> Path:
    import soundfile

    soundfile.write(path, data, rate, subtype=subtype, format=format)
    return path


def _lying(path: Path, suffix_format: str) -> Path:
    """The triad in one format under a name that says another: an mp3 named ``.wav``, a wav ``.mp3``..."""
    wav = _soundfile(path.with_name(f"{path.stem}-triad.wav"), _tone(), 22050, "PCM_16")
    source = path.with_name(f"{path.stem}-source.{suffix_format}")
    ffmpeg("-i", str(wav), str(source))
    source.rename(path)
    return path


AUDIO_CASES: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "8-bit wav": ("u8.wav", lambda p: _soundfile(p, _tone(), 22050, "PCM_U8")),
    "32-bit float wav": ("float.wav", lambda p: _soundfile(p, _tone(), 22050, "FLOAT")),
    "64-bit float wav": ("double.wav", lambda p: _soundfile(p, _tone(), 22050, "DOUBLE")),
    "24-bit flac": ("deep.flac", lambda p: _soundfile(p, _tone(), 22050, "PCM_24")),
    "7.1 channels": ("surround71.wav", lambda p: _soundfile(p, _tone(channels=8), 22050, "PCM_16")),
    "clipping": (
        "clipped.wav",
        lambda p: _soundfile(p, np.clip(_tone(amplitude=8.0), -1, 1), 22050, "PCM_16"),
    ),
    "float beyond full scale": ("loud.wav", lambda p: _soundfile(p, _tone(amplitude=6.0), 22050, "FLOAT")),
    "dc offset": ("dc.wav", lambda p: _soundfile(p, _tone(amplitude=0.3) + 0.6, 22050, "PCM_16")),
    "mp3 named .wav": ("mp3-inside.wav", lambda p: _lying(p, "mp3")),
    "wav named .mp3": ("wav-inside.mp3", lambda p: _lying(p, "wav")),
    "flac named .ogg": ("flac-inside.ogg", lambda p: _lying(p, "flac")),
    "no extension": ("song", lambda p: _lying(p, "ogg")),
}


def hostile_audio(case: str, folder: Path) -> Path:
    name, build = AUDIO_CASES[case]
    path = Path(folder) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        build(path)
    return path


def two_hour_audio(folder: Path) -> Path:
    """Two hours of a 220 Hz tone at 8 kHz as FLAC (a few MB), made in seconds by ffmpeg."""
    path = Path(folder) / "two-hours.flac"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name("partial-two-hours.flac")
        ffmpeg("-f", "lavfi", "-i", "sine=f=220:r=8000:d=7200", "-c:a", "flac", str(partial))
        partial.rename(path)
    return path
