"""Finding each row's audio file in a release and checking that it decodes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from modeling.base.errors import AudioDecodingError, DatasetBuildError

__all__ = ["AudioFinder", "audio_duration"]


class AudioFinder:
    """Looks a row's audio file up under the audio folders of a release.

    ``candidates`` are the folders (relative to the raw directory) where releases keep their audio,
    in order of preference; those that exist are searched. An explicit ``audio_dir`` replaces them.
    """

    def __init__(self, raw_dir: Path, candidates: Sequence[str], *, audio_dir: Path | None = None, what: str):
        if audio_dir is not None:
            if not Path(audio_dir).is_dir():
                raise DatasetBuildError(
                    f"The audio folder {audio_dir} does not exist. Accepted: an existing folder"
                )
            self.roots = [Path(audio_dir)]
        else:
            self.roots = [raw_dir / c for c in candidates if (raw_dir / c).is_dir()]
        if not self.roots:
            raise DatasetBuildError(
                f"No {what} audio folder under {raw_dir}. Accepted (relative to it): "
                f"{', '.join(c or '.' for c in candidates)}; or name the folder with --audio-dir"
            )

    def find(self, names: Sequence[str]) -> Path | None:
        """The first existing file among ``names`` (relative paths) under the audio folders."""
        for root in self.roots:
            for name in names:
                path = root / name
                if path.is_file():
                    return path.resolve()
        return None

    def describe(self, names: Sequence[str]) -> str:
        return f"no {' or '.join(names)} under {', '.join(str(r) for r in self.roots)}"


def audio_duration(path: Path) -> float:
    """Duration in seconds of an audio file, read from its header; raises AudioDecodingError if the
    file cannot be opened as audio or holds no samples."""
    import soundfile

    try:
        info = soundfile.info(str(path))
        duration = info.frames / info.samplerate if info.samplerate else 0.0
    except RuntimeError:  # soundfile.LibsndfileError: not a format libsndfile reads
        duration = _torchcodec_duration(path)
    if not duration > 0:
        raise AudioDecodingError(f"{path} holds no audio samples. Accepted: a non-empty audio file")
    return duration


def _torchcodec_duration(path: Path) -> float:
    # Formats libsndfile does not read (m4a, opus in mp4...) go through FFmpeg, as `datasets` does.
    from torchcodec.decoders import AudioDecoder

    try:
        metadata = AudioDecoder(str(path)).metadata
    except (RuntimeError, ValueError) as error:
        raise AudioDecodingError(
            f"{path} cannot be decoded as audio ({str(error).splitlines()[0].rsplit(', ', 1)[-1]}). "
            "Accepted: a file FFmpeg decodes (mp3, wav, flac, ogg, m4a, ...)"
        ) from None
    duration = metadata.duration_seconds_from_header or 0.0
    return duration - (metadata.begin_stream_seconds_from_header or 0.0)
