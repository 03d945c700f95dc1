"""Test videos made with ffmpeg's lavfi sources: colour fields and test patterns with hard cuts at
known seconds, in any size and frame rate, with or without a sine-tone audio track."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np

FFMPEG = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y"]


def make_video(
    path: Path,
    segments: Sequence[tuple[str, float]],
    *,
    size: str = "160x120",
    fps: float | Sequence[float] = 25,
    audio_hz: float | None = None,
    codec: str = "libx264",
) -> Path:
    """Concatenate lavfi ``(source, seconds)`` segments: a colour name (``"red"``) is a still colour
    field, anything else a lavfi source (``"testsrc"``, ``"smptebars"``); so the hard cuts fall at
    the segments' boundaries. One ``fps`` per segment gives a variable-frame-rate file."""
    rates = list(fps) if isinstance(fps, Sequence) else [fps] * len(segments)
    inputs: list[str] = []
    for (source, seconds), rate in zip(segments, rates):
        if source.isalpha() and source not in ("testsrc", "smptebars", "rgbtestsrc"):
            spec = f"color=c={source}:s={size}:r={rate}:d={seconds}"
        else:
            spec = f"{source}=s={size}:r={rate}:d={seconds}"
        inputs += ["-f", "lavfi", "-i", spec]
    labels = "".join(f"[{i}:v]" for i in range(len(segments)))
    graph = f"{labels}concat=n={len(segments)}:v=1:a=0,format=yuv420p[v]"
    command = [*FFMPEG, *inputs]
    maps = ["-map", "[v]"]
    if audio_hz is not None:
        total = sum(seconds for _, seconds in segments)
        command += ["-f", "lavfi", "-i", f"sine=f={audio_hz}:d={total}"]
        maps += ["-map", f"{len(segments)}:a", "-c:a", "aac"]
    encoder = ["-c:v", codec] + (["-preset", "ultrafast"] if codec == "libx264" else [])
    command += ["-filter_complex", graph, *maps, *encoder, "-fps_mode", "vfr", str(path)]
    subprocess.run(command, check=True, capture_output=True)
    return path


def ffprobe_streams(path: Path) -> dict[str, float]:
    """``{codec_type: duration in seconds}`` of a file's streams (Matroska keeps it in a tag)."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    streams = {}
    for stream in json.loads(out)["streams"]:
        if "duration" in stream:
            seconds = float(stream["duration"])
        else:
            hours, minutes, rest = stream["tags"]["DURATION"].split(":")
            seconds = 3600 * float(hours) + 60 * float(minutes) + float(rest)
        streams[stream["codec_type"]] = seconds
    return streams


def decode_audio(path: Path, sampling_rate: int = 16000) -> np.ndarray:
    """The first audio stream of a file as mono float32."""
    raw = subprocess.run(
        [
            *FFMPEG,
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-ac",
            "1",
            "-ar",
            str(sampling_rate),
            "-f",
            "f32le",
            "-",
        ],
        check=True,
        capture_output=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.float32)
