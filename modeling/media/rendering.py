"""MIDI to audio with FluidSynth, and music + video to a video with a soundtrack with ffmpeg.

Synthesis runs the ``fluidsynth`` program with a General MIDI soundfont (Debian's
``fluid-soundfont-gm`` by default, as ``make setup`` installs it), at FluidSynth's default gain, as
the original's ``midi2audio`` call does. Muxing keeps the video stream as it is (copied, not
re-encoded, when the output container takes its codec) and gives it the music as its audio track,
cut or padded with silence to the video's duration; the video's own audio can be mixed under it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from ..base.errors import InvalidInputError, MissingDependencyError
from .audio import write_audio
from .programs import run_program
from .video import VideoInfo, probe_video

__all__ = ["DEFAULT_SOUNDFONT", "VIDEO_OUTPUT_SUFFIXES", "check_video_output", "mux_video", "render_midi"]

DEFAULT_SOUNDFONT = os.environ.get("EMOTUNE_SOUNDFONT", "/usr/share/sounds/sf2/FluidR3_GM.sf2")
"""General MIDI soundfont used when none is given (``EMOTUNE_SOUNDFONT`` overrides it)."""

_COPYABLE = {
    ".mp4": {"h264", "hevc", "mpeg4", "av1", "vp9"},
    ".m4v": {"h264", "hevc", "mpeg4"},
    ".mov": {"h264", "hevc", "mpeg4", "prores", "mjpeg"},
    ".mkv": None,  # takes any codec
}
VIDEO_OUTPUT_SUFFIXES = tuple(_COPYABLE)
"""Containers :func:`mux_video` writes."""


def render_midi(
    midi,
    output: str | Path,
    *,
    soundfont: str | Path | None = None,
    sampling_rate: int = 44100,
    duration: float | None = None,
    gain: float | None = None,
) -> Path:
    """Synthesise ``midi`` (a ``pretty_midi.PrettyMIDI`` or a .mid path) to a stereo audio file.

    The format follows ``output``'s suffix (.wav .flac .ogg .mp3 .m4a .opus). With ``duration``
    (seconds) the audio is cut or padded with silence to exactly that length; without it, it runs
    until the last note has sounded (FluidSynth stops when the MIDI file ends). ``gain`` is
    FluidSynth's master gain (0..10); by default FluidSynth's own, 0.2, as the original renders.
    """
    import soundfile

    soundfont = Path(soundfont or DEFAULT_SOUNDFONT)
    if not soundfont.is_file():
        raise MissingDependencyError(
            f"Soundfont not found: {soundfont}. Pass soundfont= a General MIDI .sf2 file, set "
            "EMOTUNE_SOUNDFONT, or install Debian's fluid-soundfont-gm (`make setup` does)"
        )
    if duration is not None and not (np.isfinite(duration) and duration > 0):
        raise InvalidInputError(f"duration must be a positive number of seconds, got {duration!r}")
    if gain is not None and not (np.isfinite(gain) and 0 <= gain <= 10):
        raise InvalidInputError(f"gain must be between 0 and 10 (FluidSynth's range), got {gain!r}")
    with tempfile.TemporaryDirectory(prefix="emotune-render-") as tmp:
        if isinstance(midi, (str, Path)):
            midi_path = Path(midi)
            if not midi_path.is_file():
                raise InvalidInputError(
                    f"MIDI file not found: {midi_path}. Accepted: a .mid file or a PrettyMIDI"
                )
        else:
            midi_path = Path(tmp) / "music.mid"
            midi.write(str(midi_path))
        wav = Path(tmp) / "music.wav"
        run_program(
            ["fluidsynth", "-ni", "-q", "-F", str(wav), "-r", str(sampling_rate), "-T", "wav",
             *(["-g", str(gain)] if gain is not None else []), str(soundfont), str(midi_path)],
            what=f"Rendering {midi_path.name} with FluidSynth", reads=str(midi_path), writes=str(wav),
        )  # fmt: skip
        wave, rate = soundfile.read(wav, dtype="float32", always_2d=True)
    if duration is not None:
        length = int(round(duration * rate))
        wave = np.pad(wave[:length], ((0, max(0, length - len(wave))), (0, 0)))
    return write_audio(output, wave, rate)


def check_video_output(output: str | Path, source: str | Path | None = None) -> Path:
    """``output`` as a Path if its suffix names a container :func:`mux_video` writes and it is not
    the ``source`` video itself (ffmpeg would overwrite what it reads)."""
    output = Path(output)
    if output.suffix.lower() not in VIDEO_OUTPUT_SUFFIXES:
        raise InvalidInputError(
            f"Cannot write a video to {output.name!r}. Accepted suffixes: {', '.join(VIDEO_OUTPUT_SUFFIXES)}"
        )
    if source is not None and output.resolve() == Path(source).resolve():
        raise InvalidInputError(f"The output {output} is the input video; write the result to another file")
    return output


def mux_video(
    video: str | Path,
    audio: str | Path,
    output: str | Path,
    *,
    keep_original_audio: bool = False,
    original_audio_db: float = -12.0,
    video_info: VideoInfo | None = None,
) -> Path:
    """Write ``output``: ``video``'s picture with ``audio`` as its sound, cut or padded to the video's duration.

    With ``keep_original_audio`` the video's own audio track (if it has one; a video without audio
    is fine) is mixed under the music at ``original_audio_db`` decibels; otherwise it is dropped.
    The picture is copied as is when ``output``'s container takes its codec, else re-encoded with
    H.264. Accepted outputs: .mp4 .m4v .mov .mkv.
    """
    info = video_info or probe_video(video)
    output = check_video_output(output, info.path)
    suffix = output.suffix.lower()
    audio = Path(audio)
    if not audio.is_file():
        raise InvalidInputError(f"Audio file not found: {audio}")
    if not np.isfinite(original_audio_db):
        raise InvalidInputError(
            f"original_audio_db must be a finite number of decibels, got {original_audio_db!r}"
        )
    length = f"{info.duration:.6f}"
    music = f"[1:a]apad=whole_dur={length},atrim=end={length}"
    if keep_original_audio and info.has_audio:
        graph = (
            f"{music}[music];[0:a]volume={original_audio_db}dB,apad=whole_dur={length},atrim=end={length}"
            "[original];[music][original]amix=inputs=2:duration=first:normalize=0[out]"
        )
    else:
        graph = f"{music}[out]"
    copyable = _COPYABLE[suffix]
    # H.264 in 4:2:0 needs even sizes: an odd one (a 75x45 GIF) gets one black line, never a rescale
    video_codec = ["-c:v", "copy"] if copyable is None or info.codec in copyable else [
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"
    ]  # fmt: skip
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.stem}.partial{output.suffix}")  # renamed when complete
    try:
        run_program(
            ["ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-i", str(info.path), "-i", str(audio),
             "-filter_complex", graph, "-map", f"0:{info.stream_index}", "-map", "[out]", *video_codec,
             "-c:a", "aac", "-b:a", "192k", "-t", length, str(partial)],
            what=f"Muxing the music into {output.name} with ffmpeg", reads=f"{info.path} and {audio}",
            writes=str(partial),
        )  # fmt: skip
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return output
