"""The outputs of a Video2Music render: the video with music, the MIDI, the audio and a JSON summary.

:func:`render_video_music` takes what generation produced (chords one per second in the normalised
key, note density and loudness curves) and the input video, and writes, next to ``output``
(``OUT.mp4``): ``OUT.mid`` and ``OUT.flac`` (the music alone, as long as the video); it returns their
paths with the render's summary (chord per second in the requested key and normalised, key, tempo,
instrument, note density, loudness, density levels and velocities). :func:`save_summary` then writes
``OUT.json`` (the summary and whatever the caller adds to it) and, when asked, ``OUT.png`` (a chord
timeline with the curves). :func:`write_video_music` does both.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np

from ..base.errors import InvalidInputError
from ..media.rendering import DEFAULT_SOUNDFONT, check_video_output, mux_video, render_midi
from ..media.video import VideoInfo, probe_video
from ..vocabularies.chords import QUALITY_IDS, Chord, Key, parse_chord
from .arrangement import DEFAULT_TEMPO, arrangement

__all__ = [
    "AUDIO_FORMATS",
    "VideoMusicOutputs",
    "output_files",
    "plot_timeline",
    "removed_on_error",
    "render_video_music",
    "save_summary",
    "write_video_music",
]

AUDIO_FORMATS = (".flac", ".wav", ".ogg", ".mp3", ".m4a", ".opus")
"""Formats the music alone can be written in (``audio_format``)."""


@dataclass(frozen=True)
class VideoMusicOutputs:
    """Paths of the files of a render (``json`` is written by :func:`save_summary`; ``plot`` is None
    unless one was asked for) and the render's ``summary``."""

    video: Path
    midi: Path
    audio: Path
    json: Path
    plot: Path | None = None
    summary: dict = field(default_factory=dict)


def output_files(output: str | Path, audio_format: str = ".flac") -> list[Path]:
    """Every file a render to ``output`` may write: the video, ``.mid``, the audio, ``.json``, the
    figures (``.png``, ``.affect.png``)."""
    output = Path(output)
    return [output, *(output.with_suffix(s) for s in (".mid", audio_format, ".json", ".png", ".affect.png"))]


def _stamp(path: Path):
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns


@contextmanager
def removed_on_error(paths: Iterable[str | Path]) -> Iterator[None]:
    """If the block fails, the files of ``paths`` it created or rewrote are deleted, so a failed render
    leaves no half-written output beside complete ones (files it did not touch stay)."""
    paths = [Path(path) for path in paths]
    before = {path: _stamp(path) for path in paths}
    try:
        yield
    except BaseException:
        for path in paths:
            if _stamp(path) not in (None, before[path]):
                path.unlink(missing_ok=True)
        raise


def write_video_music(
    video: str | Path, chords: Sequence[str | Chord], output: str | Path, *, plot: bool = False, **options
) -> VideoMusicOutputs:
    """Render (:func:`render_video_music`, which documents ``options``) and save the summary and,
    with ``plot``, the chord timeline (:func:`save_summary`)."""
    with removed_on_error(output_files(output, options.get("audio_format", ".flac"))):
        return save_summary(render_video_music(video, chords, output, **options), plot=plot)


def save_summary(outputs: VideoMusicOutputs, *, plot: bool = False, **extra) -> VideoMusicOutputs:
    """Write ``outputs.json``: the render's summary with ``extra`` fields added; with ``plot``, also the
    chord timeline (``OUT.png``). Returns the outputs with the full summary (and the plot's path)."""
    summary = {**outputs.summary, **extra}
    outputs.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    plot_path = plot_timeline(summary, outputs.video.with_suffix(".png")) if plot else None
    return replace(outputs, summary=summary, plot=plot_path)


def render_video_music(
    video: str | Path | VideoInfo,
    chords: Sequence[str | Chord],
    output: str | Path,
    *,
    key: str | Key = "C major",
    note_density: float | Sequence[float],
    loudness: float | Sequence[float],
    tempo: float = DEFAULT_TEMPO,
    instrument: int | str = 0,
    density_from: Literal["note_density", "loudness"] = "note_density",
    soundfont: str | Path | None = None,
    gain: float | None = None,
    keep_original_audio: bool = False,
    original_audio_db: float = -12.0,
    audio_format: str = ".flac",
) -> VideoMusicOutputs:
    """Arrange, synthesise and mux music for ``video``; write the video, the MIDI and the audio beside
    ``output`` (the summary's JSON is :func:`save_summary`'s).

    ``video``: a path, or what :func:`~modeling.media.video.probe_video` read of it (then it is not read
    again). ``chords``, ``note_density`` and ``loudness`` hold one value per second (the curves may be a
    single number); values past the video's end are dropped, and the chords must cover at least
    its whole seconds. See
    :func:`~modeling.soundtrack.arrangement.arrangement`, :func:`~modeling.media.rendering.render_midi`
    and :func:`~modeling.media.rendering.mux_video` for the other options.
    """
    output = check_video_output(output)
    if audio_format.lower() not in AUDIO_FORMATS:
        raise InvalidInputError(
            f"Unknown audio_format {audio_format!r}. Accepted: {', '.join(AUDIO_FORMATS)}"
        )
    info = video if isinstance(video, VideoInfo) else probe_video(video)
    check_video_output(output, info.path)
    chords = [parse_chord(chord) for chord in chords]
    seconds = max(1, math.ceil(info.duration - 1e-3))
    if len(chords) < math.floor(info.duration + 1e-3):
        raise InvalidInputError(
            f"{len(chords)} chord(s) cannot cover {info.path.name} ({info.duration:.2f} s): give one chord per "
            "second of video"
        )
    chords = chords[:seconds]
    arranged = arrangement(
        chords,
        key,
        note_density=_first(note_density, len(chords)),
        loudness=_first(loudness, len(chords)),
        tempo=tempo,
        instrument=instrument,
        density_from=density_from,
    )
    midi = arranged.midi
    paths = {
        "midi": output.with_suffix(".mid"),
        "audio": output.with_suffix(audio_format),
        "json": output.with_suffix(".json"),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    with removed_on_error([output, *paths.values()]):
        midi.write(str(paths["midi"]))
        render_midi(midi, paths["audio"], soundfont=soundfont, duration=info.duration, gain=gain)
        mux_video(
            info.path,
            paths["audio"],
            output,
            keep_original_audio=keep_original_audio,
            original_audio_db=original_audio_db,
            video_info=info,
        )
    summary = {
        "video": str(info.path),
        "output": str(output),
        "duration": round(info.duration, 6),
        "key": arranged.key.name,
        "tempo": float(tempo),
        "instrument": midi.instruments[0].name,
        "program": midi.instruments[0].program,
        "soundfont": str(soundfont or DEFAULT_SOUNDFONT),
        "gain": gain,
        "original_audio": (
            f"mixed at {original_audio_db} dB" if keep_original_audio and info.has_audio else "dropped"
        ),
        "density_from": density_from,
        "chords": [chord.label for chord in arranged.played_chords],
        "normalized_chords": [chord.label for chord in arranged.chords],
        "note_density": [float(v) for v in arranged.note_density],
        "loudness": [float(v) for v in arranged.loudness],
        "density_level": [int(v) for v in arranged.density_level],
        "velocity": [int(v) for v in arranged.velocity],
    }
    return VideoMusicOutputs(video=output, summary=summary, **paths)


def _first(values, count: int):
    """A per-second curve cut to its first ``count`` values (a single number as it is)."""
    return values if np.ndim(values) == 0 else np.asarray(values)[:count]


def plot_timeline(summary: dict, path: str | Path) -> Path:
    """A chord timeline (one box per chord, coloured by quality) above the note density and
    loudness curves, from a render's JSON summary; saved as an image."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chords = summary["chords"]
    figure, (top, bottom) = plt.subplots(
        2, 1, figsize=(max(6.0, 0.35 * len(chords)), 4.0), sharex=True, gridspec_kw={"height_ratios": [1, 2]}
    )
    colours = plt.get_cmap("tab20")
    start = 0
    for index in range(1, len(chords) + 1):
        if index == len(chords) or chords[index] != chords[start]:
            quality = parse_chord(chords[start]).quality
            top.broken_barh(
                [(start, index - start)], (0, 1), color=colours(QUALITY_IDS[quality] % 20), alpha=0.7
            )
            top.text((start + index) / 2, 0.5, chords[start], ha="center", va="center", fontsize=7)
            start = index
    top.set_yticks([])
    top.set_title(f"{summary['key']}, {summary['tempo']:g} bpm, {summary['instrument']}")
    edges = np.arange(len(chords) + 1)  # each value holds for its whole second
    density, loudness = summary["note_density"], summary["loudness"]
    bottom.step(edges, [*density, density[-1]], where="post", label="note density (notes/s)")
    bottom.set_ylabel("note density (notes/s)")
    right = bottom.twinx()
    right.step(edges, [*loudness, loudness[-1]], where="post", color="tab:red", label="loudness")
    right.set_ylabel("loudness (RMS)")
    bottom.set_xlabel("second")
    bottom.legend(handles=bottom.get_lines() + right.get_lines(), loc="upper left", fontsize=7)
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path
