"""Audio in and out. In: any file ffmpeg decodes, or an array with its sampling rate, as mono float32 at the
sampling rate each consumer wants (24 kHz for MERT, 22.05 kHz for the chord models).

Files are decoded by an ``ffmpeg`` process that mixes to mono and resamples, and are read block by
block (:meth:`AudioInput.blocks`), so memory stays flat however long the file is. Arrays are mixed
and resampled with librosa (soxr). Every unusable input gets one error of the family:

* :class:`~modeling.base.errors.AudioDecodingError`: a missing path, an empty file, a file that is not
  audio (a text file named ``.wav``), a file with no audio stream, a truncated file (fewer seconds
  decode than its header announces);
* :class:`~modeling.base.errors.InvalidAudioError`: audio shorter than :data:`MIN_DURATION` seconds, NaN
  or infinite samples, an array of the wrong shape or type or a bad sampling rate.

Integer arrays are PCM and are scaled to [-1, 1] by their type's range (int16 by 32768).

Silence, any sampling rate ffmpeg reads (8 kHz, 192 kHz), any number of channels and any length are
valid.
"""

from __future__ import annotations

import contextlib
import json
import math
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..base.errors import AudioDecodingError, InvalidAudioError, InvalidInputError, StorageError
from .programs import last_lines, refuse_stopped, run, start

__all__ = ["MIN_DURATION", "TRUNCATION_TOLERANCE", "AudioInput", "load_audio", "write_audio"]

MIN_DURATION = 1.0
"""Shortest audio accepted, in seconds."""

TRUNCATION_TOLERANCE = 0.9
"""A file whose decoded length is below this share of the length its header announces is truncated."""

_ACCEPTED = "a path to an audio file ffmpeg decodes (wav, flac, mp3, ogg, m4a, ...) or an array with its sampling rate"


@dataclass(frozen=True)
class _FileInfo:
    duration: float
    sampling_rate: int
    channels: int


def _probe(path: Path) -> _FileInfo:
    if not path.exists():
        raise AudioDecodingError(f"Audio file not found: {path}. Accepted: {_ACCEPTED}")
    if path.is_dir():
        raise AudioDecodingError(f"{path} is a folder, not an audio file. Accepted: {_ACCEPTED}")
    if path.stat().st_size == 0:
        raise AudioDecodingError(f"{path} is empty (0 bytes). Accepted: {_ACCEPTED}")
    result = run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_type,sample_rate,channels",
         "-of", "json", str(path)],
        what=str(path),
    )  # fmt: skip
    if result.returncode != 0:
        reason = (last_lines(result.stderr, 1) or ["unknown error"])[-1]
        raise AudioDecodingError(f"{path} cannot be decoded as audio ({reason}). Accepted: {_ACCEPTED}")
    document = json.loads(result.stdout or "{}")
    audio = [s for s in document.get("streams", []) if s.get("codec_type") == "audio"]
    if not audio:
        raise AudioDecodingError(
            f"{path} has no audio stream (a video or image without sound?). Accepted: {_ACCEPTED}"
        )
    duration = float(document.get("format", {}).get("duration") or "nan")
    return _FileInfo(duration, int(audio[0].get("sample_rate") or 0), int(audio[0].get("channels") or 0))


def _check_samples(samples: np.ndarray, where: str) -> None:
    if not np.isfinite(samples).all():
        bad = int((~np.isfinite(samples)).sum())
        raise InvalidAudioError(
            f"{where} has {bad} NaN or infinite sample(s). Accepted: finite samples (silence is fine)"
        )


def _too_short(duration: float, where: str) -> InvalidAudioError:
    return InvalidAudioError(
        f"{where} is {duration:.2f} s long; emotune needs at least {MIN_DURATION:g} s of audio. "
        "Accepted: clips of 1 s or longer"
    )


def _as_float(array: np.ndarray) -> np.ndarray:
    """Samples as float32 on [-1, 1]: integer PCM (int16, int32, uint8 as WAV stores 8 bits) is scaled
    by its full range, as soundfile and librosa read it; floats are kept as they are."""
    if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        raise InvalidAudioError(
            f"An audio array must hold real numbers, got dtype {array.dtype}. Accepted: float or integer PCM samples"
        )
    if np.issubdtype(array.dtype, np.unsignedinteger):
        middle = 2.0 ** (8 * array.dtype.itemsize - 1)
        return ((array.astype(np.float64) - middle) / middle).astype(np.float32)
    if np.issubdtype(array.dtype, np.integer):
        return (array.astype(np.float64) / 2.0 ** (8 * array.dtype.itemsize - 1)).astype(np.float32)
    return np.asarray(array, dtype=np.float32)


def _mono(array: np.ndarray) -> np.ndarray:
    """(samples,), (channels, samples) or (samples, channels) -> (samples,): the shorter axis is channels."""
    if array.ndim == 1:
        return array
    if array.ndim != 2 or 0 in array.shape:
        raise InvalidAudioError(
            f"An audio array must have shape (samples,), (channels, samples) or (samples, channels), got "
            f"{array.shape}. Accepted: {_ACCEPTED}"
        )
    channel_axis = 0 if array.shape[0] <= array.shape[1] else 1
    return array.mean(axis=channel_axis)


class AudioInput:
    """One audio source, checked, ready to be read at any sampling rate.

    Args:
        source: a path (``str`` / ``Path``) or an array (``np.ndarray`` or torch tensor) of shape
            ``(samples,)``, ``(channels, samples)`` or ``(samples, channels)``.
        sampling_rate: the array's sampling rate (required for arrays, ignored for paths).

    Attributes:
        duration: seconds of audio (for files, what the header announces until the file is read).
        name: the file name, or ``"<array>"``.
    """

    def __init__(self, source, sampling_rate: int | None = None):
        self.path: Path | None = None
        self._array: np.ndarray | None = None
        if isinstance(source, (str, Path)):
            self.path = Path(source)
            info = _probe(self.path)
            self.name = self.path.name
            self.duration = info.duration
            self.original_sampling_rate = info.sampling_rate
            self.channels = info.channels
        else:
            if hasattr(source, "detach"):  # a torch tensor
                source = source.detach().cpu().float().numpy()
            if not isinstance(source, np.ndarray):
                raise InvalidAudioError(
                    f"Cannot read audio from a {type(source).__name__}. Accepted: {_ACCEPTED}"
                )
            if sampling_rate is None or not (
                isinstance(sampling_rate, (int, np.integer)) and sampling_rate > 0
            ):
                raise InvalidAudioError(
                    f"An audio array needs its sampling rate as a positive integer, got {sampling_rate!r}. "
                    "Accepted: e.g. sampling_rate=44100"
                )
            self.channels = 1 if source.ndim == 1 else min(source.shape)
            self._array = _mono(_as_float(source))
            self.name = "<array>"
            self.original_sampling_rate = int(sampling_rate)
            self.duration = len(self._array) / self.original_sampling_rate
            _check_samples(self._array, "The audio array")
        if not math.isfinite(self.duration):
            self.duration = 0.0 if self._array is not None else self._decoded_duration()
        if self.duration < MIN_DURATION:
            raise _too_short(self.duration, self.name)

    def _decoded_duration(self) -> float:
        return sum(len(block) for block in self.blocks(8000, 60.0)) / 8000

    def blocks(self, sampling_rate: int, seconds: float) -> Iterator[np.ndarray]:
        """Mono float32 blocks of ``seconds`` seconds (the last may be shorter) at ``sampling_rate``.

        Files stream from ffmpeg (memory stays flat); at the end the decoded length is compared with
        the header's, and a truncated or corrupt file raises :class:`AudioDecodingError`.
        """
        size = max(1, int(round(seconds * sampling_rate)))
        if self._array is not None:
            wave = self._resampled(sampling_rate)
            for start in range(0, len(wave), size):
                yield wave[start : start + size]
            return
        yield from self._stream(sampling_rate, size)

    def _resampled(self, sampling_rate: int) -> np.ndarray:
        if sampling_rate == self.original_sampling_rate:
            return self._array
        import librosa

        return librosa.resample(
            self._array, orig_sr=self.original_sampling_rate, target_sr=sampling_rate
        ).astype(np.float32)

    def _stream(self, sampling_rate: int, size: int) -> Iterator[np.ndarray]:
        command = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(self.path), "-vn", "-ac", "1",
                   "-ar", str(sampling_rate), "-f", "f32le", "pipe:1"]  # fmt: skip
        process = start(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        decoded = 0
        try:
            while True:
                data = process.stdout.read(size * 4)
                if not data:
                    break
                block = np.frombuffer(data, dtype=np.float32)
                _check_samples(block, self.name)
                decoded += len(block)
                yield block
        finally:
            process.stdout.close()
            errors = process.stderr.read().decode(errors="replace")
            process.stderr.close()
            returncode = process.wait()
        self._check_decoded(returncode, errors, decoded / sampling_rate)

    def _check_decoded(self, returncode: int, errors: str, seconds: float) -> None:
        """The end of a decode: ffmpeg's failure, or fewer seconds than the header announced, is an error."""
        if returncode != 0:
            refuse_stopped(returncode, "ffmpeg", self.name)
            reason = (errors.strip().splitlines() or ["unknown error"])[-1]
            raise AudioDecodingError(
                f"{self.name} cannot be decoded as audio ({reason}). Accepted: {_ACCEPTED}"
            )
        if self.duration > 0 and seconds < TRUNCATION_TOLERANCE * self.duration:
            raise AudioDecodingError(
                f"{self.name} is truncated or corrupt: its header announces {self.duration:.2f} s but only "
                f"{seconds:.2f} s decode. Accepted: a complete audio file"
            )

    def blocks_at_two_rates(
        self, first: tuple[int, float], second: tuple[int, float]
    ) -> tuple[Iterator[np.ndarray], Iterator[np.ndarray]]:
        """``(self.blocks(*first), self.blocks(*second))`` from ONE decode: a file is decoded once by an
        ffmpeg process that resamples it twice (the samples are those of two separate decodes, bit for bit).

        Read the two iterators from two threads (each waits for the other's side of the process when its
        pipe is full); closing one early stops the process. The checks and errors are :meth:`blocks`'.
        """
        if self._array is not None:
            return self.blocks(*first), self.blocks(*second)
        import os
        import threading

        read_end, write_end = os.pipe()
        command = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(self.path),
                   *(option for rate, fd in ((first[0], 1), (second[0], write_end)) for option in
                     ("-vn", "-ac", "1", "-ar", str(rate), "-f", "f32le", f"pipe:{fd}"))]  # fmt: skip
        try:
            process = start(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(write_end,))
        finally:
            os.close(write_end)
        lock, result = threading.Lock(), []

        def ended() -> tuple[int, str]:
            """ffmpeg's exit status and messages, once both outputs are read (the first side waits here)."""
            with lock:
                if not result:
                    errors = process.stderr.read().decode(errors="replace")
                    process.stderr.close()
                    result.append((process.wait(), errors))
            return result[0]

        return (
            _PipeBlocks(self, process.stdout, *first, ended),
            _PipeBlocks(self, os.fdopen(read_end, "rb"), *second, ended),
        )

    def load(self, sampling_rate: int) -> np.ndarray:
        """The whole signal, mono float32 at ``sampling_rate`` (for short clips; long files: :meth:`blocks`)."""
        wave = np.concatenate(list(self.blocks(sampling_rate, 60.0)) or [np.zeros(0, np.float32)])
        if len(wave) / sampling_rate < MIN_DURATION:
            raise _too_short(len(wave) / sampling_rate, self.name)
        return wave


class _PipeBlocks:
    """The blocks of one output pipe of a decode shared by two readers (:meth:`AudioInput.blocks_at_two_rates`):
    an iterator whose :meth:`close` closes the pipe, which ends the process, whether it was started or not."""

    def __init__(self, source: AudioInput, output, sampling_rate: int, seconds: float, ended):
        self.source, self.output, self.sampling_rate, self.ended = source, output, sampling_rate, ended
        self.size, self.decoded = max(1, int(round(seconds * sampling_rate))), 0

    def __iter__(self) -> _PipeBlocks:
        return self

    def __next__(self) -> np.ndarray:
        if self.output.closed:
            raise StopIteration
        data = self.output.read(self.size * 4)
        if data:
            block = np.frombuffer(data, dtype=np.float32)
            try:
                _check_samples(block, self.source.name)
            except InvalidAudioError:
                self.close()
                raise
            self.decoded += len(block)
            return block
        self.close()
        self.source._check_decoded(*self.ended(), self.decoded / self.sampling_rate)
        raise StopIteration

    def close(self) -> None:
        self.output.close()


def load_audio(source, sampling_rate: int, *, original_sampling_rate: int | None = None) -> np.ndarray:
    """Read ``source`` (a path, or an array at ``original_sampling_rate``) as mono float32 at ``sampling_rate``."""
    return AudioInput(source, original_sampling_rate).load(sampling_rate)


_WRITE_BLOCK = 65536
"""Frames per write of :func:`write_audio` (soundfile)."""


def write_audio(path: str | Path, wave: np.ndarray, sampling_rate: int, *, bitrate: str = "128k") -> Path:
    """Write mono ``(n,)`` or multichannel ``(n, channels)`` float audio. wav/flac/ogg go through
    soundfile; mp3/m4a/opus through ffmpeg (which must be installed)."""
    import soundfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wave = np.asarray(wave, dtype=np.float32)
    suffix = path.suffix.lower()
    if suffix in (".wav", ".flac", ".ogg"):
        try:  # block by block: libsndfile's Vorbis encoder crashes on a single write of minutes of audio
            channels = 1 if wave.ndim == 1 else wave.shape[1]
            with soundfile.SoundFile(path, "w", sampling_rate, channels) as sound:
                for start in range(0, len(wave), _WRITE_BLOCK):
                    sound.write(wave[start : start + _WRITE_BLOCK])
        except (OSError, soundfile.LibsndfileError) as error:  # a full or read-only disk, a folder in the way
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)  # what a full disk left half-written
            raise StorageError(
                f"Cannot write the audio file {path} ({error}). Accepted: a folder you may write in, with free space"
            ) from None
        return path
    if suffix not in (".mp3", ".m4a", ".opus"):
        raise InvalidInputError(
            f"write_audio() cannot write {suffix!r} files. Accepted: .wav .flac .ogg .mp3 .m4a .opus"
        )
    channels = 1 if wave.ndim == 1 else wave.shape[1]
    command = [
        "ffmpeg", "-nostdin", "-loglevel", "error", "-y",
        "-f", "f32le", "-ar", str(sampling_rate), "-ac", str(channels), "-i", "pipe:0",
        "-b:a", bitrate, str(path),
    ]  # fmt: skip
    result = run(command, what=str(path), input=wave.tobytes())
    if result.returncode != 0:
        detail = (
            " | ".join(last_lines(result.stderr.decode(errors="replace")))
            or f"exit status {result.returncode}"
        )
        if "No space left on device" in detail:
            raise StorageError(
                f"The disk holding {path} is full. Accepted: free some space, or write elsewhere"
            )
        raise InvalidInputError(f"Writing {path} with ffmpeg failed: {detail}")
    return path
