"""An excerpt of a recording for a video (a soundtrack from a library): cut, faded in and out,
loudness-normalised, by ffmpeg.

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
from pathlib import Path

from ..base.errors import AudioDecodingError, InvalidInputError, StorageError
from ..media.programs import last_lines, run

__all__ = ["EXCERPT_CODECS", "cut_excerpt"]

EXCERPT_CODECS = {
    ".wav": ["-c:a", "pcm_s16le"],
    ".flac": ["-c:a", "flac"],
    ".m4a": ["-c:a", "aac", "-b:a", "192k", "-movflags", "+faststart"],
}
"""Output suffix -> ffmpeg codec options."""

SILENCE_LUFS = -70.0


def _ffmpeg(arguments: list[str], what: str, song: Path):
    result = run(["ffmpeg", "-hide_banner", "-nostdin", *arguments], what=str(song))
    if result.returncode != 0:
        last = (last_lines(result.stderr, 1) or [f"exit status {result.returncode}"])[-1]
        if "No space left on device" in last:
            raise StorageError(
                f"The disk is full while {what} (No space left on device). Accepted: free some space, or "
                "write the excerpt elsewhere"
            )
        raise InvalidInputError(
            f"ffmpeg failed while {what}: {last}. Accepted: an audio file ffmpeg decodes, and an "
            f"output path ending in {', '.join(EXCERPT_CODECS)}"
        )
    return result


def _probe(song: Path) -> tuple[float, int]:
    """``(duration in seconds, sampling rate)`` of the first audio stream of ``song``."""
    result = run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=sample_rate:format=duration",
         "-of", "json", str(song)],
        what=str(song),
    )  # fmt: skip
    try:
        info = json.loads(result.stdout or "{}")
        rate = int(info["streams"][0]["sample_rate"])
        duration = float(info.get("format", {}).get("duration", "nan"))
    except (KeyError, IndexError, ValueError, TypeError):
        last = (last_lines(result.stderr, 1) or ["no audio stream"])[-1]
        raise AudioDecodingError(
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
        song,
    )
    text = result.stderr
    begin, end = text.rfind("{"), text.rfind("}")
    try:
        return json.loads(text[begin : end + 1])
    except ValueError:
        raise InvalidInputError(
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
        AudioDecodingError: a song that is missing or not audio.
        InvalidInputError: an excerpt past the song's end, an output suffix other than
            ``.wav``/``.flac``/``.m4a``, ffmpeg failing (its last message line).
        MissingDependencyError: ffmpeg or ffprobe not installed.
    """
    song, output = Path(song), Path(output)
    codec = EXCERPT_CODECS.get(output.suffix.lower())
    if codec is None:
        raise InvalidInputError(
            f"Cannot write an excerpt to {output.name}. Accepted: a path ending in "
            f"{', '.join(EXCERPT_CODECS)}"
        )
    if not song.is_file():
        raise AudioDecodingError(f"The song {song} does not exist. Accepted: an audio file")
    if not (start >= 0 and duration > 0):
        raise InvalidInputError(
            f"An excerpt needs start >= 0 and duration > 0 (got {start}, {duration}). Accepted: "
            "seconds within the song"
        )
    length, rate = _probe(song)
    if start + duration > length + 0.05:
        raise InvalidInputError(
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
    _ffmpeg([*arguments, "-ar", str(rate), *codec, str(output)], f"cutting {output.name} from {song}", song)
    return output
