"""The MER front end: audio -> what :class:`~modeling.music2emo.Music2EmoModel` consumes.

:class:`Music2EmoFeatureExtractor` decodes a clip (any file ffmpeg reads, or an array), cuts it
into 30 s segments for the audio encoder (:class:`~modeling.music2emo.audio_encoder.MertEncoder`),
recognises its chords (:mod:`modeling.chords.recognition`), detects its key
(:func:`modeling.chords.key.detect_key`), transposes the chords to C major / A minor and encodes
them as Music2Emo expects. Both consumers read the audio block by block, so memory stays flat as
the clip grows. :class:`Music2EmoFeatures` holds the result; ``timings`` records the seconds each
stage took (the benchmark reads them).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..audio import AudioInput
from ..chords import EncodedChords, Key, TimedChord, encode_chords, normalize_chords
from ..chords.key import detect_key
from ..chords.recognition import load_chord_recognizer
from ..defaults import MERT_MODEL
from .audio_encoder import MertEncoder

__all__ = ["Music2EmoFeatureExtractor", "Music2EmoFeatures"]


@dataclass
class Music2EmoFeatures:
    """Features of one clip.

    Attributes:
        segment_embeddings: ``(num_segments, embedding_dim)`` float32, one per 30 s segment.
        segments: ``[(start_s, end_s), ...]`` of those segments.
        chords: recognised chords in the clip's own key (``N`` for silence).
        key: the detected key.
        encoded: the key-normalised progression, encoded (at most 100 chords, padded with 0).
        duration: seconds of audio.
        timings: seconds per stage (``decode``, ``encoder``, ``chords``, ``key``).
    """

    segment_embeddings: np.ndarray
    segments: list[tuple[float, float]]
    chords: list[TimedChord]
    key: Key
    encoded: EncodedChords
    duration: float
    max_chords: int = 100
    timings: dict[str, float] = field(default_factory=dict)

    def _chord_tensors(self, encoded: EncodedChords) -> dict:
        import torch

        return {
            "chord_root_ids": torch.tensor([encoded.root_ids]),
            "chord_attr_ids": torch.tensor([encoded.quality_ids]),
            "chord_attention_mask": torch.tensor([encoded.attention_mask]),
        }

    def model_inputs(self) -> dict:
        """Batch-1 tensors for the whole clip: the embedding is the mean over all segments."""
        import torch

        return {
            "audio_embeddings": torch.from_numpy(self.segment_embeddings.mean(axis=0, keepdims=True)),
            "mode_ids": torch.tensor([self.key.mode_id]),
            **self._chord_tensors(self.encoded),
        }

    def segment_inputs(self) -> dict:
        """Batch-``num_segments`` tensors, one row per 30 s segment: its own embedding and the chords
        sounding in it (clip key), for the emotion curve."""
        import torch

        rows = []
        for start, end in self.segments:
            inside = [c for c in self.chords if c.end > start and c.start < end] or [
                TimedChord(start, end, "N")
            ]
            rows.append(self._chord_tensors(self._encode(inside)))
        return {
            "audio_embeddings": torch.from_numpy(self.segment_embeddings),
            "mode_ids": torch.full((len(self.segments),), self.key.mode_id),
            **{name: torch.cat([row[name] for row in rows]) for name in rows[0]},
        }

    def _encode(self, chords: Sequence[TimedChord]) -> EncodedChords:
        return encode_chords(normalize_chords([c.label for c in chords], self.key), self.max_chords)


class _Timed:
    """Wraps an iterator and adds the seconds spent waiting for it to ``timings[name]``."""

    def __init__(self, iterator: Iterator, timings: dict[str, float], name: str):
        self.iterator, self.timings, self.name = iterator, timings, name

    def __iter__(self):
        while True:
            start = time.perf_counter()
            try:
                item = next(self.iterator)
            except StopIteration:
                self.timings[self.name] = self.timings.get(self.name, 0.0) + time.perf_counter() - start
                return
            self.timings[self.name] = self.timings.get(self.name, 0.0) + time.perf_counter() - start
            yield item


class Music2EmoFeatureExtractor:
    """Audio -> :class:`Music2EmoFeatures`.

    Args:
        audio_encoder: Hub id or folder of the MERT encoder (``m-a-p/MERT-v1-95M``).
        layers: encoder layers pooled and concatenated, indices into ``hidden_states[1:]`` ((5, 6)).
        chord_backend: a name of :data:`modeling.chords.recognition.CHORD_BACKENDS` (``"btc"``, the faithful
            default; ``"dsp"`` needs no weights).
        chord_model: Hub id or folder of the chord backend's weights (backends with weights).
        key_method: ``"music21"`` (faithful) or ``"profiles"`` (see :mod:`modeling.chords.key`).
        segment_seconds: length of the encoder's segments (30).
        max_chords: chords kept for the model (100).
        device, dtype, batch_size: where, in which precision and how many segments at a time the
            encoder runs.
        encoder_quantization: ``None`` (default, exact) or ``"dynamic-int8"`` (the encoder's Linear layers
            in int8 on a CPU: faster, not exact; see :class:`~modeling.music2emo.audio_encoder.MertEncoder`).
    """

    progress: bool | None = None
    """A progress bar over the segments of long clips (10 segments or more): ``None`` shows it when
    stderr is a terminal, ``True`` always, ``False`` never."""

    def __init__(
        self,
        audio_encoder: str = MERT_MODEL,
        layers: Sequence[int] = (5, 6),
        chord_backend: str = "btc",
        chord_model: str | None = None,
        key_method: str = "music21",
        segment_seconds: float = 30.0,
        max_chords: int = 100,
        device=None,
        dtype=None,
        batch_size: int | None = None,
        encoder_quantization: str | None = None,
    ):
        self.encoder = MertEncoder(
            audio_encoder,
            layers,
            device=device,
            dtype=dtype,
            batch_size=batch_size,
            encoder_quantization=encoder_quantization,
        )
        self.chord_recognizer = load_chord_recognizer(chord_backend, chord_model, device=device, dtype=dtype)
        self.chord_backend = chord_backend
        self.key_method = key_method
        self.segment_seconds = float(segment_seconds)
        self.max_chords = max_chords

    @classmethod
    def from_model_config(cls, config, **overrides) -> Music2EmoFeatureExtractor:
        """An extractor set up as a Music2Emo config says (encoder, layers, segment length)."""
        settings = {
            "audio_encoder": config.audio_encoder,
            "layers": tuple(config.audio_encoder_layers),
            "segment_seconds": config.segment_seconds,
        }
        settings.update({name: value for name, value in overrides.items() if value is not None})
        return cls(**settings)

    def describe(self) -> str:
        """One paragraph for cards: what this extractor computes."""
        quantization = self.encoder.encoder_quantization
        return (
            f"Audio encoder `{self.encoder.name_or_path}` at {self.encoder.sampling_rate} Hz"
            f"{f' (quantised: {quantization})' if quantization else ''}, layers "
            f"{list(self.encoder.layers)} of `hidden_states[1:]` mean-pooled over time and concatenated "
            f"({self.encoder.embedding_dim} values) per {self.segment_seconds:g} s segment; chords by the "
            f"`{self.chord_backend}` backend; key by `{self.key_method}` analysis of the chords; chords "
            f"transposed to C major / A minor, at most {self.max_chords}."
        )

    def __call__(self, audio, sampling_rate: int | None = None) -> Music2EmoFeatures:
        """Features of ``audio``: a path, an :class:`~modeling.audio.AudioInput`, or an array with
        its ``sampling_rate``."""
        timings: dict[str, float] = {}
        source = audio if isinstance(audio, AudioInput) else AudioInput(audio, sampling_rate)
        segment_embeddings, segments = self._encode_segments(source, timings)

        rate = self.chord_recognizer.sampling_rate
        block_seconds = getattr(self.chord_recognizer, "block_seconds", None)
        decoded_before = timings.get("decode", 0.0)
        start = time.perf_counter()
        blocks = _Timed(iter(source.blocks(rate, block_seconds or 3600.0)), timings, "decode")
        if block_seconds is not None:
            chords = self.chord_recognizer.recognize_blocks(blocks)
        else:
            chords = self.chord_recognizer(np.concatenate(list(blocks)), rate)
        timings["chords"] = time.perf_counter() - start - (timings["decode"] - decoded_before)
        start = time.perf_counter()
        key = detect_key(chords, self.key_method)
        timings["key"] = time.perf_counter() - start
        return Music2EmoFeatures(
            segment_embeddings=segment_embeddings,
            segments=segments,
            chords=chords,
            key=key,
            encoded=encode_chords(normalize_chords([c.label for c in chords], key), self.max_chords),
            duration=segments[-1][1],
            max_chords=self.max_chords,
            timings=timings,
        )

    def _encode_segments(self, source: AudioInput, timings: dict[str, float]):
        """Stream ``segment_seconds`` blocks into the encoder, ``batch_size`` at a time. A last
        segment shorter than 1 s after full ones is too short to encode and is left out (its
        seconds still count in the last segment's span)."""
        from tqdm.auto import tqdm

        rate = self.encoder.sampling_rate
        embeddings, segments, pending, held, position = [], [], [], None, 0.0
        expected = int(np.ceil(source.duration / self.segment_seconds))
        blocks = _Timed(iter(source.blocks(rate, self.segment_seconds)), timings, "decode")
        shown = False if expected < 10 else self.progress  # None: tqdm shows it on a terminal
        bar = tqdm(blocks, total=expected, desc=source.name, unit="segment", leave=False,
                   disable=None if shown is None else not shown)  # fmt: skip
        for block in bar:
            if held is not None:
                pending.append(held)
                if len(pending) == self.encoder.batch_size:
                    embeddings.append(self._embed(pending, timings))
                    pending = []
            held = block
            segments.append((position, position + len(block) / rate))
            position += len(block) / rate
        if held is not None and len(held) < rate and len(segments) > 1:
            last = segments.pop()
            segments[-1] = (segments[-1][0], last[1])
        else:
            pending.append(held)
        if pending:
            embeddings.append(self._embed(pending, timings))
        return np.concatenate(embeddings), segments

    def _embed(self, segments: list[np.ndarray], timings: dict[str, float]) -> np.ndarray:
        start = time.perf_counter()
        embedding = self.encoder.embed(segments)
        timings["encoder"] = timings.get("encoder", 0.0) + time.perf_counter() - start
        return embedding
