"""An excerpt of a song for a video: cut, faded in and out, loudness-normalised, by ffmpeg.

The excerpt runs from ``start`` for ``duration`` seconds of the song (the offset and length curve
matching chose), and is normalised to ``loudness`` LUFS integrated (-16, the usual level for online
video), ``true_peak`` -1.5 dBTP and ``loudness_range`` 11 LU by ffmpeg's EBU R128 ``loudnorm`` filter in
two passes: the first measures the excerpt, the second applies one linear gain from those measurements
(the dynamics of the music are kept; ``loudnorm`` falls back to dynamic normalisation only where a linear
gain would break the true-peak limit). A silent excerpt (below -70 LUFS) is left at its level. Then
``fade`` seconds (0.5) fade in at the start and out at the end. The output's suffix chooses the format:
``.wav`` (16-bit PCM), ``.flac`` or ``.m4a`` (AAC 192 kb/s), at the song's sampling rate (``loudnorm``
works at 192 kHz: the output is resampled back).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from ..errors import MissingDependencyError
from ..video2music.media import require_program
from .errors import LibraryError

__all__ = ["EXCERPT_CODECS", "cut_excerpt"]

EXCERPT_CODECS = {
    ".wav": ["-c:a", "pcm_s16le"],
    ".flac": ["-c:a", "flac"],
    ".m4a": ["-c:a", "aac", "-b:a", "192k", "-movflags", "+faststart"],
}
"""Output suffix -> ffmpeg codec options."""

SILENCE_LUFS = -70.0
_LOG_PREFIX = re.compile(r"^\[[^\]]* @ 0x[0-9a-f]+\] ")


def _ffmpeg(arguments: list[str], what: str) -> subprocess.CompletedProcess:
    program = require_program("ffmpeg")
    try:
        result = subprocess.run(
            [program, "-hide_banner", "-nostdin", *arguments],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
    except OSError as error:
        raise MissingDependencyError(
            f"ffmpeg could not be started ({error}). Accepted: a working ffmpeg (Debian package 'ffmpeg')"
        ) from None
    if result.returncode != 0:
        lines = [_LOG_PREFIX.sub("", line) for line in result.stderr.strip().splitlines() if line.strip()]
        last = lines[-1] if lines else f"exit status {result.returncode}"
        raise LibraryError(
            f"ffmpeg failed while {what}: {last}. Accepted: an audio file ffmpeg decodes, and an "
            f"output path ending in {', '.join(EXCERPT_CODECS)}"
        )
    return result


def _probe(song: Path) -> tuple[float, int]:
    """``(duration in seconds, sampling rate)`` of the first audio stream of ``song``."""
    program = require_program("ffprobe")
    result = subprocess.run(
        [
            program,
            "-v",
            "error",
            "-select_streams",
            "a:0",
            "-show_entries",
            "stream=sample_rate:format=duration",
            "-of",
            "json",
            str(song),
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    try:
        info = json.loads(result.stdout or "{}")
        rate = int(info["streams"][0]["sample_rate"])
        duration = float(info.get("format", {}).get("duration", "nan"))
    except (KeyError, IndexError, ValueError, TypeError):
        last = (result.stderr.strip().splitlines() or ["no audio stream"])[-1]
        raise LibraryError(
            f"{song} has no audio ffprobe reads ({last}). Accepted: an audio file ffmpeg decodes"
        ) from None
    return duration, rate


def _measure(song: Path, start: float, duration: float, target: str) -> dict:
    """loudnorm's first-pass measurements of the excerpt."""
    result = _ffmpeg(
        [
            "-ss",
            f"{start:.3f}",
            "-t",
            f"{duration:.3f}",
            "-i",
            str(song),
            "-vn",
            "-af",
            f"{target}:print_format=json",
            "-f",
            "null",
            "-",
        ],
        f"measuring the loudness of {song}",
    )
    text = result.stderr
    begin, end = text.rfind("{"), text.rfind("}")
    try:
        return json.loads(text[begin : end + 1])
    except ValueError:
        raise LibraryError(
            f"ffmpeg's loudnorm printed no measurement for {song}. Accepted: an ffmpeg with the "
            "loudnorm filter (4.0 or later)"
        ) from None


def cut_excerpt(
    song: str | os.PathLike,
    output: str | os.PathLike,
    *,
    start: float,
    duration: float,
    fade: float = 0.5,
    loudness: float = -16.0,
    true_peak: float = -1.5,
    loudness_range: float = 11.0,
) -> Path:
    """Cut ``duration`` s of ``song`` from ``start`` s to ``output`` (module docstring); returns ``output``.

    Raises:
        LibraryError: a song that is missing or not audio, an excerpt past the song's end, an output suffix
            other than ``.wav``/``.flac``/``.m4a``, ffmpeg failing (its last message line).
        MissingDependencyError: ffmpeg or ffprobe not installed.
    """
    song, output = Path(song), Path(output)
    codec = EXCERPT_CODECS.get(output.suffix.lower())
    if codec is None:
        raise LibraryError(
            f"Cannot write an excerpt to {output.name}. Accepted: a path ending in "
            f"{', '.join(EXCERPT_CODECS)}"
        )
    if not song.is_file():
        raise LibraryError(f"The song {song} does not exist. Accepted: an audio file")
    if not (start >= 0 and duration > 0):
        raise LibraryError(
            f"An excerpt needs start >= 0 and duration > 0 (got {start}, {duration}). Accepted: "
            "seconds within the song"
        )
    length, rate = _probe(song)
    if start + duration > length + 0.05:
        raise LibraryError(
            f"The excerpt {start:g}-{start + duration:g} s runs past the end of {song} "
            f"({length:.2f} s). Accepted: an excerpt within the song"
        )
    target = f"loudnorm=I={loudness}:TP={true_peak}:LRA={loudness_range}"
    measured = _measure(song, start, duration, target)
    filters = []
    try:
        level = float(measured["input_i"])
    except (KeyError, ValueError):
        level = float("-inf")
    if level > SILENCE_LUFS:
        filters.append(
            f"{target}:measured_I={measured['input_i']}:measured_TP={measured['input_tp']}"
            f":measured_LRA={measured['input_lra']}:measured_thresh={measured['input_thresh']}"
            f":offset={measured['target_offset']}:linear=true"
        )
    fade = min(fade, duration / 4)
    if fade > 0:
        filters.append(f"afade=t=in:st=0:d={fade:.3f}")
        filters.append(f"afade=t=out:st={duration - fade:.3f}:d={fade:.3f}")
    output.parent.mkdir(parents=True, exist_ok=True)
    arguments = [
        "-y",
        "-loglevel",
        "error",
        "-ss",
        f"{start:.3f}",
        "-t",
        f"{duration:.3f}",
        "-i",
        str(song),
        "-vn",
        "-map_metadata",
        "-1",
    ]
    arguments += ["-af", ",".join(filters)] if filters else []
    _ffmpeg([*arguments, "-ar", str(rate), *codec, str(output)], f"cutting {output.name} from {song}")
    return output
