"""Audio files the MER tests make: synthesized progressions and ffmpeg's lavfi generators."""

from __future__ import annotations

import subprocess
from pathlib import Path


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def lavfi_audio(
    path: Path, source: str, *, rate: int = 44100, channels: int = 1, seconds: float = 3.0
) -> Path:
    """``source`` (``sine=f=440``, ``anullsrc``) as ``seconds`` of audio at ``rate`` with ``channels``."""
    layout = {1: "mono", 2: "stereo", 6: "5.1"}[channels]
    if source == "anullsrc":
        source = f"anullsrc=r={rate}:cl={layout}"
        ffmpeg("-f", "lavfi", "-i", source, "-t", str(seconds), str(path))
    else:
        ffmpeg("-f", "lavfi", "-i", f"{source}:sample_rate={rate}:duration={seconds}",
               "-af", f"aformat=channel_layouts={layout}", str(path))  # fmt: skip
    return path
