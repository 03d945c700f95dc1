"""What a video file holds (ffprobe), read once per call and carried to every step that needs it.

:func:`probe_video` is the gate every video passes before anything decodes it: a missing path, a
file ffmpeg cannot read, or a file without a video stream fails here with an
:class:`~modeling.base.errors.InvalidVideoError` that says what was wrong and what is accepted, instead
of a decoder traceback later.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..base.errors import InvalidVideoError
from .programs import run_program

__all__ = ["ACCEPTED_VIDEO", "VideoInfo", "probe_video"]

ACCEPTED_VIDEO = (
    "a video file with a video stream that ffmpeg can decode (mp4, mov, mkv, webm, avi, gif, ...), "
    "at least 1 second long; an audio track is optional"
)


@dataclass(frozen=True)
class VideoInfo:
    """What ffprobe reports about a video file.

    ``width``/``height`` are the displayed size (a rotation tag of +-90 degrees swaps them, as
    decoders that honour it do); ``duration`` is the video stream's duration in seconds (the
    container's when the stream does not say); ``fps`` the average frame rate; ``stream_index``
    the video stream's index in the file (an attached cover picture does not count as video).
    """

    path: Path
    duration: float
    width: int
    height: int
    fps: float
    codec: str
    has_audio: bool
    rotation: int = 0
    stream_index: int = 0


def _rate(text: str | None) -> float:
    if not text or "/" not in text:
        return float(text or 0.0)
    num, den = text.split("/", 1)
    return float(num) / float(den) if float(den) else 0.0


def _rotation(stream: dict) -> int:
    for side_data in stream.get("side_data_list", []):
        if "rotation" in side_data:
            return int(side_data["rotation"])
    return int(stream.get("tags", {}).get("rotate", 0))


def probe_video(path: str | Path) -> VideoInfo:
    """Read a video's streams and duration with ffprobe; refuse what Video2Music cannot use."""
    path = Path(path)
    if not path.exists():
        raise InvalidVideoError(f"Video file not found: {path}. Accepted: {ACCEPTED_VIDEO}")
    if not path.is_file():
        raise InvalidVideoError(f"{path} is not a file. Accepted: {ACCEPTED_VIDEO}")
    if path.stat().st_size == 0:
        raise InvalidVideoError(f"{path} is an empty file (0 bytes). Accepted: {ACCEPTED_VIDEO}")
    output = run_program(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        what=f"Reading {path} as a video",
        error=InvalidVideoError,
        hint=f"Accepted: {ACCEPTED_VIDEO}",
        reads=str(path),
    )
    report = json.loads(output or "{}")
    streams = report.get("streams", [])
    video = [s for s in streams if s.get("codec_type") == "video" and not _is_cover_art(s)]
    if not streams:
        raise InvalidVideoError(
            f"{path} is a zero-length media file: it holds no streams "
            f"(duration {_rate(report.get('format', {}).get('duration')):.2f} s). Accepted: {ACCEPTED_VIDEO}"
        )
    if not video:
        kinds = {"cover picture" if _is_cover_art(s) else s.get("codec_type", "unknown") for s in streams}
        found = ", ".join(sorted(kinds))
        raise InvalidVideoError(
            f"{path} has no video stream (streams found: {found}). Accepted: {ACCEPTED_VIDEO}"
        )
    container = report.get("format", {}).get("format_name", "")
    if container == "image2" or container.endswith("_pipe"):
        raise InvalidVideoError(
            f"{path} is a still image ({video[0].get('codec_name', container)}), not a video: Video2Music makes "
            "one chord per second of video. Accepted: a video; to score a picture, make a video of it first, "
            f"e.g. ffmpeg -loop 1 -i {path.name} -t 10 -pix_fmt yuv420p picture.mp4"
        )
    stream = video[0]
    duration = (
        _rate(stream.get("duration"))
        or _tag_duration(stream)
        or _rate(report.get("format", {}).get("duration"))
    )
    rotation = _rotation(stream)
    width, height = int(stream.get("width", 0)), int(stream.get("height", 0))
    if rotation % 180:
        width, height = height, width
    return VideoInfo(
        path=path,
        duration=duration,
        width=width,
        height=height,
        fps=_rate(stream.get("avg_frame_rate")) or _rate(stream.get("r_frame_rate")),
        codec=stream.get("codec_name", "unknown"),
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
        rotation=rotation,
        stream_index=int(stream.get("index", 0)),
    )


def _tag_duration(stream: dict) -> float:
    """The stream's duration from Matroska/WebM's ``DURATION`` tag (``HH:MM:SS.nnnnnnnnn``), or 0.

    Matroska stores no per-stream duration; without the tag the container's duration, that of the
    longest stream, would make a video track shorter than its audio look as long as the audio."""
    text = next((v for k, v in stream.get("tags", {}).items() if k.upper() == "DURATION"), "")
    match = re.fullmatch(r"(\d+):(\d+):(\d+(?:\.\d*)?)", text.strip())
    if not match:
        return 0.0
    hours, minutes, seconds = match.groups()
    return 3600 * int(hours) + 60 * int(minutes) + float(seconds)


def _is_cover_art(stream: dict) -> bool:
    """An attached picture (album art in an audio file) is a 'video' stream of one still image."""
    return bool(stream.get("disposition", {}).get("attached_pic"))
