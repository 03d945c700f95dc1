"""The emotune error family.

Every error emotune raises on purpose derives from :class:`EmotuneError`, and its message says
what was wrong and what is accepted. Errors about a value the caller passed also derive from
:class:`ValueError`, so ``except ValueError`` keeps working for code that does not know emotune.

The ``configuration_*.py`` / ``modeling_*.py`` files of each model are the exception to the
family: they travel to the Hub as remote code and may import only torch and transformers, so
they raise plain ``ValueError`` (as transformers' own models do).
"""

from __future__ import annotations

__all__ = [
    "AudioDecodingError",
    "CheckpointError",
    "ChordLabelError",
    "DatasetBuildError",
    "DecoderStoppedError",
    "EmotuneError",
    "InvalidAudioError",
    "InvalidInputError",
    "InvalidKeyError",
    "InvalidVideoError",
    "LibraryError",
    "MissingDependencyError",
    "ProgramError",
    "StorageError",
    "UnsupportedModelError",
    "WeightsDownloadError",
    "WeightsNotFoundError",
]


class EmotuneError(Exception):
    """Base class of every error emotune raises on purpose."""


class InvalidInputError(EmotuneError, ValueError):
    """A value given by the caller is not one emotune accepts."""


class ChordLabelError(InvalidInputError):
    """A chord label that cannot be parsed or is outside the vocabulary."""

    def __init__(self, label: object, reason: str, accepted: str):
        self.label = label
        super().__init__(f"Cannot parse chord label {label!r}: {reason}. Accepted: {accepted}")


class InvalidKeyError(InvalidInputError):
    """A musical key that cannot be parsed."""


class InvalidAudioError(InvalidInputError):
    """Audio that decodes but cannot be used (too short, NaN samples, no samples...)."""


class AudioDecodingError(InvalidInputError):
    """A path that is missing, empty, or not decodable as audio."""


class InvalidVideoError(InvalidInputError):
    """A video that is missing, not decodable, or has no usable frames."""


class LibraryError(InvalidInputError):
    """An emotion library (``emotune predict --output`` records) or a query on it that cannot be used: a file
    that is not Parquet or JSON Lines, a missing column, embeddings of the wrong size, no usable row, an
    unknown tag, a song file that moved."""


class CheckpointError(EmotuneError):
    """A checkpoint whose format or shapes do not match what a converter expects."""


class DatasetBuildError(EmotuneError):
    """A dataset release that cannot be built (malformed annotation file, wrong layout)."""


class DecoderStoppedError(EmotuneError, RuntimeError):
    """ffmpeg or ffprobe was stopped by a signal (killed, out of memory): the file may be fine, so the run
    stops instead of recording it as undecodable."""


class ProgramError(EmotuneError, RuntimeError):
    """A program emotune drives (ffmpeg, FluidSynth) that failed on what it was given; the message ends with
    the program's last words."""


class MissingDependencyError(EmotuneError, RuntimeError):
    """A program or package emotune needs is not installed."""


class StorageError(EmotuneError):
    """A place emotune has to write that it cannot: ``EMOTUNE_HOME``, the Hugging Face cache, an ``--output``
    file or an output folder with its folder missing, a file in the way, no write permission, a read-only or
    full disk; or an output another run is writing now (the message names that run). The message names the
    path and what to do; what was installed or written before stays as it was (valid for ``--resume``)."""


class UnsupportedModelError(InvalidInputError):
    """A checkpoint of a model family emotune knows, in a variant it cannot run (say which and why)."""


class WeightsNotFoundError(EmotuneError):
    """Model weights that are neither installed locally nor reachable on the Hub; the message names the
    command that installs them."""


class WeightsDownloadError(EmotuneError):
    """A download of original weights that failed, was corrupt or did not verify; nothing was installed."""
