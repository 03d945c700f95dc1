"""A soundtrack from the user's own music: the song of an emotion library, and the start in it, whose
emotion follows the video's second by second.

The video's emotion is what Video2Music reads of every second (CLIP's probabilities over the six video
emotions), mapped onto Russell's plane as the affective check does
(:func:`~modeling.vocabularies.emotion.video.video_va`). It is slid over every song's curve (its 0.5 s
curve where ``predict --dynamic-model`` stored one, else its 30 s segments) at every whole-second offset
(:meth:`~modeling.library.EmotionLibrary.match_video`); the lowest mean squared distance wins. The winner
is cut from that offset to the video's length with short fades, loudness-normalised to EBU R128 (ffmpeg's
``loudnorm``), and muxed into the video as a generated soundtrack is (``keep_original_audio`` mixes the
video's own sound under it). The summary lists the next five candidates with their scores.

Used by the ``video-to-music`` pipeline (``library=`` call argument) and by ``emotune score-video
--from-library``, which needs only CLIP (no Video2Music weights).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..base.errors import InvalidInputError
from ..library import EmotionLibrary, load_library
from ..media.rendering import check_video_output, mux_video
from ..soundtrack.outputs import removed_on_error
from ..video2music.feature_extraction_video2music import VideoFeatures
from ..vocabularies.emotion.video import video_va

__all__ = ["CANDIDATES", "library_outputs", "match_library", "open_library", "write_library_soundtrack"]

CANDIDATES = 6
"""The best song and the next five, as the summary lists them."""

_EXCERPT_FORMATS = (".flac", ".wav", ".m4a")


def open_library(library: str | os.PathLike | EmotionLibrary) -> EmotionLibrary:
    """An :class:`~modeling.library.EmotionLibrary` (a path is loaded: Parquet or JSON Lines records of
    ``emotune predict --output``)."""
    return library if isinstance(library, EmotionLibrary) else load_library(library, progress=False)


def match_library(features: VideoFeatures, library: EmotionLibrary, top: int = CANDIDATES) -> list[dict]:
    """The ``top`` songs (and offsets) whose curves follow the video's emotion best, best first; each a
    result dict of the library with ``offset``, ``end`` (s in the song) and ``score``."""
    return library.match_video(video_va(features.emotion), top=top)


def library_outputs(output: str | os.PathLike, audio_format: str = ".flac") -> list[Path]:
    """The files a library soundtrack writes: the video, the excerpt, the JSON summary, the figure."""
    output = Path(output)
    return [output, *(output.with_suffix(suffix) for suffix in (audio_format, ".json", ".png"))]


def write_library_soundtrack(
    features: VideoFeatures,
    library: EmotionLibrary,
    matches: list[dict],
    output: str | os.PathLike,
    *,
    keep_original_audio: bool = False,
    original_audio_db: float = -12.0,
    plot: bool = False,
    audio_format: str = ".flac",
    fade: float = 0.5,
    loudness: float = -16.0,
) -> dict[str, Any]:
    """Cut the best match to the video's length, mux it into ``output`` and write the summary beside it
    (``OUT.json``; with ``plot``, ``OUT.png``: the video's and the excerpt's valence and arousal per second).

    Returns the result: ``video``, ``audio``, ``json``, ``plot``, ``source`` (``"library"``), ``library``,
    ``song`` (the chosen match: path, offset, end, score, VA, moods), ``candidates`` (the best ``CANDIDATES``),
    ``video_va`` and ``song_va`` (per second)."""
    info = features.info
    if info is None:
        raise InvalidInputError(
            "These video features carry no file information. Accepted: features of a file"
        )
    if audio_format.lower() not in _EXCERPT_FORMATS:
        raise InvalidInputError(
            f"Unknown audio_format {audio_format!r} for a library excerpt. Accepted: {', '.join(_EXCERPT_FORMATS)}"
        )
    output = check_video_output(output, info.path)
    best = matches[0]
    paths = {"audio": output.with_suffix(audio_format), "json": output.with_suffix(".json")}
    output.parent.mkdir(parents=True, exist_ok=True)
    with removed_on_error(library_outputs(output, audio_format)):
        library.cut_excerpt(
            {**best, "end": best["offset"] + info.duration}, paths["audio"], fade=fade, loudness=loudness
        )
        mux_video(
            info.path,
            paths["audio"],
            output,
            keep_original_audio=keep_original_audio,
            original_audio_db=original_audio_db,
            video_info=info,
        )
        video_curve = video_va(features.emotion)
        song_curve = library.curves.of(best["row"])[best["offset"] : best["offset"] + len(video_curve)]
        result = {
            "video": str(output),
            "audio": str(paths["audio"]),
            "json": str(paths["json"]),
            "plot": None,
            "source": "library",
            "library": library.source,
            "duration": round(info.duration, 6),
            "song": best,
            "candidates": matches,
            "original_audio": (
                f"mixed at {original_audio_db} dB" if keep_original_audio and info.has_audio else "dropped"
            ),
            "video_va": video_curve.round(4).tolist(),
            "song_va": np.asarray(song_curve).round(4).tolist(),
        }
        if plot:
            result["plot"] = str(plot_match(result, output.with_suffix(".png")))
        paths["json"].write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def plot_match(result: dict, path: str | os.PathLike) -> Path:
    """The video's valence and arousal per second (solid) against the chosen excerpt's (dashed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    video, song = np.asarray(result["video_va"]), np.asarray(result["song_va"])
    figure, ax = plt.subplots(figsize=(max(6.0, 0.25 * len(video)), 3.2))
    for index, (name, colour) in enumerate((("valence", "tab:blue"), ("arousal", "tab:orange"))):
        ax.step(np.arange(len(video)), video[:, index], where="post", color=colour, label=f"video {name}")
        ax.step(np.arange(len(song)), song[:, index], where="post", color=colour, linestyle="--",
                label=f"song {name}")  # fmt: skip
    ax.axhline(5, color="grey", linewidth=0.5)
    ax.set_ylim(1, 9)
    ax.set_xlabel("second of the video")
    song = result["song"]
    ax.set_title(f"{Path(song['path']).name} from {song['offset']} s (score {song['score']:.2f})", fontsize=9)
    ax.legend(fontsize=7, ncol=2, loc="upper right")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return Path(path)
