"""Time-resolved MER features: the clip's features plus, every hop (0.5 s), a window of MERT frame states
and the chords sounding in it (what :class:`~modeling.music2emo_dynamic.Music2EmoDynamicModel` reads).

:class:`Music2EmoDynamicFeatureExtractor` wraps a :class:`Music2EmoFeatureExtractor`: while that
extractor encodes the clip's 30 s segments, it receives the frame states of the pooled layers from the
same forward pass (:meth:`MertEncoder.observing_frames`) and pools them into windows on the fly
(:class:`WindowPooler`), so the encoder runs once per segment for the clip embedding and the windows, and
memory grows with the number of windows, not frames.

Windows are centred on the grid ``0, hop, 2 hop, ...`` up to the clip's end and span ``window_seconds``
(frames whose centre lies in ``[t - w/2, t + w/2)``); a frame's centre is where its receptive field is
(MERT: 320-sample hop, 400-sample field, 75 frames per second at 24 kHz). The annotation grids of DEAM
and EmoMusic (every 0.5 s from 15 s) and PMEmo (``frameTime`` every 0.5 s from 15.5 s) lie on this grid,
so their labels fall on windows exactly (:mod:`dataset_scripts.features.dynamic` aligns them). A window
holds the ``chords_per_window`` chords that overlap it longest (key-normalised, Music2Emo's ids) and the
share of the window each covers.
"""

from __future__ import annotations

import bisect
import dataclasses
from dataclasses import dataclass

import numpy as np

from ..base.errors import InvalidInputError, UnsupportedModelError
from ..music2emo.feature_extraction_music2emo import Music2EmoFeatureExtractor, Music2EmoFeatures
from ..vocabularies.chords import TimedChord, normalize_chords

__all__ = [
    "Music2EmoDynamicFeatureExtractor",
    "Music2EmoDynamicFeatures",
    "WindowPooler",
    "window_chords",
    "window_times",
]


def window_times(duration: float, hop_seconds: float) -> np.ndarray:
    """Centres of the windows of a clip: ``0, hop, 2 hop, ...`` up to ``duration`` (float64)."""
    return np.arange(int(np.floor(duration / hop_seconds + 1e-6)) + 1, dtype=np.float64) * hop_seconds


@dataclass
class Music2EmoDynamicFeatures(Music2EmoFeatures):
    """A clip's features (:class:`Music2EmoFeatures`) and its windows.

    Attributes:
        window_times: ``(num_windows,)`` centre of each window in seconds (0, hop, 2 hop, ...).
        window_embeddings: ``(num_windows, embedding_dim)`` float32, the pooled layers' frame states
            averaged over each window.
        window_chord_root_ids, window_chord_attr_ids: ``(num_windows, chords_per_window)`` int64, the
            key-normalised chords overlapping each window longest (0 pads).
        window_chord_weights: ``(num_windows, chords_per_window)`` float32, the share of the window each
            chord covers (0 for padding).
        window_seconds, hop_seconds: the windows' length and spacing.
    """

    window_times: np.ndarray | None = None
    window_embeddings: np.ndarray | None = None
    window_chord_root_ids: np.ndarray | None = None
    window_chord_attr_ids: np.ndarray | None = None
    window_chord_weights: np.ndarray | None = None
    window_seconds: float = 1.0
    hop_seconds: float = 0.5

    def window_inputs(self) -> dict:
        """Batch-1 tensors for :class:`~modeling.music2emo_dynamic.Music2EmoDynamicModel`."""
        import torch

        return {
            "window_embeddings": torch.from_numpy(self.window_embeddings[None]),
            "chord_root_ids": torch.from_numpy(self.window_chord_root_ids[None]),
            "chord_attr_ids": torch.from_numpy(self.window_chord_attr_ids[None]),
            "chord_weights": torch.from_numpy(self.window_chord_weights[None]),
            "mode_ids": torch.tensor([self.key.mode_id]),
        }


def _frame_geometry(encoder) -> tuple[float, float]:
    """(seconds between frames, seconds from a segment's start to its first frame's centre) of a
    wav2vec2-style encoder: the product of the convolution strides, half the receptive field."""
    config = encoder.model.config
    kernels, strides = getattr(config, "conv_kernel", None), getattr(config, "conv_stride", None)
    if not kernels or not strides or len(kernels) != len(strides):
        raise UnsupportedModelError(
            f"{encoder.name_or_path} does not say how its frames are spaced (config conv_kernel / conv_stride). "
            "Accepted for time-resolved features: a MERT/HuBERT-style encoder"
        )
    field, jump = 1, 1
    for kernel, stride in zip(kernels, strides):
        field += (kernel - 1) * jump
        jump *= stride
    return jump / encoder.sampling_rate, (field - 1) / 2 / encoder.sampling_rate


class WindowPooler:
    """Averages frame states into windows centred every ``hop_seconds``, fed one segment at a time.

    Args:
        embedding_dim: width of a frame state.
        window_seconds, hop_seconds: the windows.
        segment_seconds: segment ``k`` starts at ``k * segment_seconds``.
        frame_seconds, first_frame_seconds: frame spacing and the first frame's centre within a segment.
    """

    def __init__(
        self,
        embedding_dim: int,
        window_seconds: float,
        hop_seconds: float,
        segment_seconds: float,
        frame_seconds: float,
        first_frame_seconds: float,
    ):
        self.window_seconds, self.hop_seconds = float(window_seconds), float(hop_seconds)
        self.segment_seconds = float(segment_seconds)
        self.frame_seconds, self.first_frame_seconds = frame_seconds, first_frame_seconds
        self.sums = np.zeros((0, embedding_dim), dtype=np.float64)
        self.counts = np.zeros(0, dtype=np.int64)
        self.segments = 0

    def _grow(self, size: int) -> None:
        if size > len(self.counts):
            capacity = max(size, 2 * len(self.counts))
            self.sums = np.concatenate([self.sums, np.zeros((capacity - len(self.sums), self.sums.shape[1]))])
            self.counts = np.concatenate([self.counts, np.zeros(capacity - len(self.counts), dtype=np.int64)])

    def __call__(self, frames: np.ndarray) -> None:
        """Add the ``(num_frames, embedding_dim)`` states of the next segment."""
        start = self.segments * self.segment_seconds
        self.segments += 1
        if len(frames) == 0:
            return
        centres = start + self.first_frame_seconds + np.arange(len(frames)) * self.frame_seconds
        half = self.window_seconds / 2
        first = max(0, int(np.ceil((centres[0] - half) / self.hop_seconds - 1e-9)))
        last = int(np.floor((centres[-1] + half) / self.hop_seconds + 1e-9))
        if last < first:
            return
        times = np.arange(first, last + 1) * self.hop_seconds
        low = np.searchsorted(centres, times - half, side="left")
        high = np.searchsorted(centres, times + half, side="left")
        cumulative = np.zeros((len(frames) + 1, frames.shape[1]), dtype=np.float64)
        np.cumsum(frames, axis=0, dtype=np.float64, out=cumulative[1:])
        self._grow(last + 1)
        self.sums[first : last + 1] += cumulative[high] - cumulative[low]
        self.counts[first : last + 1] += high - low

    def windows(self, duration: float) -> tuple[np.ndarray, np.ndarray]:
        """``(times, embeddings)`` of every window of a ``duration``-second clip. A window no frame
        fell into (the clip's last fraction of a second, which the encoder may not see) takes the
        states of the nearest window that has frames."""
        times = window_times(duration, self.hop_seconds)
        self._grow(len(times))
        counts = self.counts[: len(times)]
        filled = np.flatnonzero(counts)
        if len(filled) == 0:
            raise InvalidInputError(
                f"No encoder frame fell into any window of this {duration:.2f} s clip. Accepted: audio of at "
                "least a second"
            )
        embeddings = self.sums[: len(times)] / np.maximum(counts, 1)[:, None]
        nearest = filled[np.clip(np.searchsorted(filled, np.arange(len(times))), 0, len(filled) - 1)]
        before = filled[np.clip(np.searchsorted(filled, np.arange(len(times))) - 1, 0, len(filled) - 1)]
        use_before = np.abs(before - np.arange(len(times))) < np.abs(nearest - np.arange(len(times)))
        source = np.where(counts > 0, np.arange(len(times)), np.where(use_before, before, nearest))
        return times, embeddings[source].astype(np.float32)


def window_chords(
    chords: list[TimedChord], key, times: np.ndarray, window_seconds: float, chords_per_window: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The chords overlapping each window longest: ``(root_ids, quality_ids, weights)``, each
    ``(num_windows, chords_per_window)``; ids of the chords transposed to C major / A minor (Music2Emo's),
    weights the share of the window each covers. A window no chord overlaps holds ``N`` with weight 1."""
    normalized = normalize_chords([chord.label for chord in chords], key)
    starts = [chord.start for chord in chords]
    shape = (len(times), chords_per_window)
    roots, qualities = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
    weights = np.zeros(shape, dtype=np.float32)
    half = window_seconds / 2
    for index, time in enumerate(times):
        low, high = time - half, time + half
        overlaps = []
        for position in range(max(0, bisect.bisect_right(starts, low) - 1), bisect.bisect_left(starts, high)):
            chord = chords[position]
            overlap = min(high, chord.end) - max(low, chord.start)
            if overlap > 0:
                overlaps.append((-overlap, position))
        if not overlaps:
            weights[index, 0] = 1.0
            continue
        for slot, (negative, position) in enumerate(sorted(overlaps)[:chords_per_window]):
            roots[index, slot] = normalized[position].root_id
            qualities[index, slot] = normalized[position].quality_id
            weights[index, slot] = -negative / window_seconds
    return roots, qualities, weights


class Music2EmoDynamicFeatureExtractor:
    """Audio -> :class:`Music2EmoDynamicFeatures`: the clip's features and its windows, one encoder pass.

    Args:
        extractor: the clip-level :class:`Music2EmoFeatureExtractor` (its encoder, layers, chord backend,
            key method and segments are used as they are).
        window_seconds, hop_seconds: window length and spacing (1.0 and 0.5: 2 Hz, the annotations' rate).
        chords_per_window: chords kept per window (2).
        card_note: a paragraph :meth:`describe` adds (what the dataset does with the windows).
    """

    def __init__(
        self,
        extractor: Music2EmoFeatureExtractor,
        window_seconds: float = 1.0,
        hop_seconds: float = 0.5,
        chords_per_window: int = 2,
        card_note: str = "",
    ):
        if not (window_seconds > 0 and hop_seconds > 0) or chords_per_window < 1:
            raise InvalidInputError(
                f"Windows need a positive length and hop and at least one chord, got window {window_seconds}, "
                f"hop {hop_seconds}, chords per window {chords_per_window}"
            )
        self.extractor = extractor
        self.window_seconds, self.hop_seconds = float(window_seconds), float(hop_seconds)
        self.chords_per_window = int(chords_per_window)
        self.card_note = card_note
        self.frame_seconds, self.first_frame_seconds = _frame_geometry(extractor.encoder)

    @classmethod
    def for_model(cls, config, extractor: Music2EmoFeatureExtractor) -> Music2EmoDynamicFeatureExtractor:
        """Windows as a :class:`~modeling.music2emo_dynamic.Music2EmoDynamicConfig` says, on ``extractor``; the
        extractor's encoder and layers must be the ones the model was trained on."""
        encoder = extractor.encoder
        if encoder.embedding_dim != config.audio_embedding_dim or list(encoder.layers) != list(
            config.audio_encoder_layers
        ):
            raise InvalidInputError(
                f"The dynamic model reads {config.audio_embedding_dim}-value windows of layers "
                f"{list(config.audio_encoder_layers)}; the audio encoder {encoder.name_or_path} gives "
                f"{encoder.embedding_dim} values of layers {list(encoder.layers)}. Accepted: the encoder and "
                "layers the dynamic model was trained with"
            )
        return cls(extractor, config.window_seconds, config.hop_seconds, config.chords_per_window)

    def describe(self) -> str:
        """One paragraph for cards: the clip features and the windows."""
        return (
            f"{self.extractor.describe()} Time-resolved: windows of {self.window_seconds:g} s centred every "
            f"{self.hop_seconds:g} s from 0 s, the same layers' frame states averaged over each window (from the "
            f"same encoder pass), and the {self.chords_per_window} key-normalised chords that overlap each "
            "window longest, with the share of the window each covers."
        ) + (f"\n\n{self.card_note}" if self.card_note else "")

    @property
    def segment_seconds(self) -> float:
        """The clip extractor's segment length (what :class:`~modeling.collection.FeatureRunner` reads)."""
        return self.extractor.segment_seconds

    def __call__(self, audio, sampling_rate: int | None = None) -> Music2EmoDynamicFeatures:
        """Features and windows of ``audio`` (a path, an :class:`~modeling.media.audio.AudioInput`, or an array
        with its ``sampling_rate``)."""
        return self.extract(audio, sampling_rate)

    def extract(
        self, audio, sampling_rate: int | None = None, *, overlap: bool | None = None
    ) -> Music2EmoDynamicFeatures:
        """:meth:`__call__` with the clip's stages overlapped or not (``None``: as the clip extractor says;
        the windows come from the encoder, which runs in the calling thread either way)."""
        encoder = self.extractor.encoder
        pooler = WindowPooler(
            encoder.embedding_dim, self.window_seconds, self.hop_seconds, self.extractor.segment_seconds,
            self.frame_seconds, self.first_frame_seconds,
        )  # fmt: skip
        with encoder.observing_frames(pooler):
            features = self.extractor.extract(audio, sampling_rate, overlap=overlap)
        starts = [round(start, 6) for start, _ in features.segments]
        expected = [round(k * self.extractor.segment_seconds, 6) for k in range(pooler.segments)]
        if starts != expected:
            raise RuntimeError(
                f"The encoder saw {pooler.segments} segments starting at {expected} s, but the features list "
                f"segments at {starts} s: the windows would be misplaced"
            )
        times, embeddings = pooler.windows(features.duration)
        roots, qualities, weights = window_chords(
            features.chords, features.key, times, self.window_seconds, self.chords_per_window
        )
        values = {field.name: getattr(features, field.name) for field in dataclasses.fields(features)}
        return Music2EmoDynamicFeatures(
            **values,
            window_times=times,
            window_embeddings=embeddings,
            window_chord_root_ids=roots,
            window_chord_attr_ids=qualities,
            window_chord_weights=weights,
            window_seconds=self.window_seconds,
            hop_seconds=self.hop_seconds,
        )
