"""The MER front end: audio -> what :class:`~modeling.music2emo.Music2EmoModel` consumes.

:class:`Music2EmoFeatureExtractor` decodes a clip (any file ffmpeg reads, or an array), cuts it
into 30 s segments for the audio encoder (:class:`~modeling.music2emo.audio_encoder.MertEncoder`),
recognises its chords (:mod:`modeling.chord_recognition.backends`), detects its key
(:func:`modeling.chord_recognition.key.detect_key`), transposes the chords to C major / A minor and encodes
them as Music2Emo expects. Both consumers read the audio block by block, so memory stays flat as
the clip grows. :class:`Music2EmoFeatures` holds the result; ``timings`` records the seconds each
stage took (the benchmark reads them).

With ``overlap=True`` (the default) a file is decoded once (one ffmpeg process resampling to both
rates) and its chords and key are found in a background thread while the encoder runs in the calling
thread; without, the stages run one after another and the file is decoded twice (the path before
overlap). The features are the same either way, to the last bit (tests/music2emo compare them).
:mod:`modeling.collection` runs many files with the next files' decoding and chords overlapping too.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..base.defaults import MERT_MODEL
from ..base.devices import lower_thread_priority, stage_threads
from ..base.errors import InvalidInputError
from ..chord_recognition.backends import check_chord_backend, load_chord_recognizer
from ..chord_recognition.key import detect_key
from ..chord_recognition.key_methods import AUDIO_KEY_METHODS, KEY_METHODS
from ..media.audio import AudioInput
from ..vocabularies.chords import EncodedChords, Key, TimedChord, encode_chords, normalize_chords
from .audio_encoder import MertEncoder
from .configuration_music2emo import Music2EmoConfig

__all__ = ["Music2EmoFeatureExtractor", "Music2EmoFeatures", "SegmentCutter"]


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


class SegmentCutter:
    """Consecutive encoder blocks (``segment_seconds`` long, the last may be shorter) -> the segments encoded.

    Every block is a segment, except a last block shorter than 1 s after full ones: too short to encode,
    it is left out and its seconds join the previous segment's span. So a block is released one block late
    (:meth:`push` returns what can be encoded now, :meth:`finish` the rest); :attr:`spans` are the segments'
    ``(start_s, end_s)``, final after :meth:`finish`.
    """

    def __init__(self, sampling_rate: int):
        self.sampling_rate = sampling_rate
        self.spans: list[tuple[float, float]] = []
        self._held: np.ndarray | None = None
        self._position = 0.0

    def push(self, block: np.ndarray) -> list[np.ndarray]:
        ready = [] if self._held is None else [self._held]
        self._held = block
        self.spans.append((self._position, self._position + len(block) / self.sampling_rate))
        self._position += len(block) / self.sampling_rate
        return ready

    def finish(self) -> list[np.ndarray]:
        held, self._held = self._held, None
        if held is not None and len(held) < self.sampling_rate and len(self.spans) > 1:
            last = self.spans.pop()
            self.spans[-1] = (self.spans[-1][0], last[1])
            return []
        return [] if held is None else [held]


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


class _ChromaTap:
    """Passes a chord backend's blocks on and keeps the dsp backend's chroma of each (the audio key methods
    beside a backend that has no chroma of its own, e.g. BTC); its seconds count as the chords'."""

    def __init__(self, blocks: Iterator[np.ndarray], sampling_rate: int):
        from ..chord_recognition.dsp import DSPChordRecognizer

        self.blocks = blocks
        self.sampling_rate = sampling_rate
        self.analyser = DSPChordRecognizer()
        self.parts: list[np.ndarray] = []
        self.frame_seconds = self.analyser.hop_length / self.analyser.sampling_rate

    def __iter__(self) -> Iterator[np.ndarray]:
        for block in self.blocks:
            if len(block) >= 2:
                audio = np.asarray(block, dtype=np.float32)
                if self.sampling_rate != self.analyser.sampling_rate:
                    import librosa

                    audio = librosa.resample(
                        audio, orig_sr=self.sampling_rate, target_sr=self.analyser.sampling_rate
                    )
                self.parts.append(self.analyser.block_features(audio)[0])
            yield block

    def chroma(self) -> np.ndarray:
        """``(12, frames)``: the blocks' chroma, one after another."""
        return np.concatenate(self.parts, axis=1) if self.parts else np.zeros((12, 0), dtype=np.float32)


class Music2EmoFeatureExtractor:
    """Audio -> :class:`Music2EmoFeatures`.

    Args:
        audio_encoder: Hub id or folder of the MERT encoder (``m-a-p/MERT-v1-95M``).
        layers: encoder layers pooled and concatenated, indices into ``hidden_states[1:]`` (default:
            Music2Emo's, :attr:`Music2EmoConfig.audio_encoder_layers`).
        chord_backend: a name of :data:`modeling.chord_recognition.backends.CHORD_BACKENDS` (``"btc"``, the faithful
            default; ``"dsp"`` needs no weights).
        chord_model: Hub id or folder of the chord backend's weights (backends with weights).
        chord_qualities: the chord qualities the ``dsp`` backend decodes (default ``None``: major and minor
            triads; ``("maj", "min", "7")`` adds dominant sevenths, more accurate on real music with them,
            benchmarks/REAL_MUSIC_RESULTS.md). Other backends refuse it.
        key_method: ``"music21"`` (faithful: Music2Emo's, from the chords), ``"profiles"``, ``"degrees"``
            or ``"chroma"`` (from the audio's NNLS chroma: the dsp backend's, or one computed beside another
            backend; the most accurate on real music). See :mod:`modeling.chord_recognition.key`.
        segment_seconds: length of the encoder's segments (30).
        max_chords: chords kept for the model (100).
        device, dtype, batch_size: where, in which precision and how many segments at a time the
            encoder runs.
        encoder_quantization: ``None`` (default, exact) or ``"dynamic-int8"`` (the encoder's Linear layers
            in int8 on a CPU: faster, not exact; see :class:`~modeling.music2emo.audio_encoder.MertEncoder`).
        overlap: decode once and find chords and key in a background thread while the encoder runs (default;
            the same features); ``False`` runs the stages one after another.
        background_nice: how much lower the background threads' scheduling priority is (their decoding and
            chords then take the cores only when the encoder leaves them idle; 0 keeps it). Beside a CPU
            encoder they also run with one thread (:func:`~modeling.base.devices.thread_budget`).
    """

    progress: bool | None = None
    """A progress bar over the segments of long clips (10 segments or more): ``None`` shows it when
    stderr is a terminal, ``True`` always, ``False`` never."""

    def __init__(
        self,
        audio_encoder: str = MERT_MODEL,
        layers: Sequence[int] = Music2EmoConfig.audio_encoder_layers,
        chord_backend: str = "btc",
        chord_model: str | None = None,
        chord_qualities: Sequence[str] | None = None,
        key_method: str = "music21",
        segment_seconds: float = Music2EmoConfig.segment_seconds,
        max_chords: int = 100,
        device=None,
        dtype=None,
        batch_size: int | None = None,
        encoder_quantization: str | None = None,
        overlap: bool = True,
        background_nice: int = 10,
    ):
        if key_method not in KEY_METHODS:
            raise InvalidInputError(f"Unknown key method {key_method!r}. Accepted: {', '.join(KEY_METHODS)}")
        check_chord_backend(chord_backend, chord_qualities)
        self.overlap = overlap
        self.background_nice = background_nice
        self.encoder = MertEncoder(
            audio_encoder,
            layers,
            device=device,
            dtype=dtype,
            batch_size=batch_size,
            encoder_quantization=encoder_quantization,
        )
        self.chord_recognizer = load_chord_recognizer(
            chord_backend, chord_model, device=device, dtype=dtype, qualities=chord_qualities
        )
        self.chord_backend = chord_backend
        self.chord_qualities = None if chord_qualities is None else tuple(chord_qualities)
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
        qualities = f" (qualities {', '.join(self.chord_qualities)})" if self.chord_qualities else ""
        return (
            f"Audio encoder `{self.encoder.name_or_path}` at {self.encoder.sampling_rate} Hz"
            f"{f' (quantised: {quantization})' if quantization else ''}, layers "
            f"{list(self.encoder.layers)} of `hidden_states[1:]` mean-pooled over time and concatenated "
            f"({self.encoder.embedding_dim} values) per {self.segment_seconds:g} s segment; chords by the "
            f"`{self.chord_backend}` backend{qualities}; key by `{self.key_method}` analysis of the "
            f"{'audio' if self.key_method in AUDIO_KEY_METHODS else 'chords'}; chords "
            f"transposed to C major / A minor, at most {self.max_chords}."
        )

    def __call__(self, audio, sampling_rate: int | None = None) -> Music2EmoFeatures:
        """Features of ``audio``: a path, an :class:`~modeling.media.audio.AudioInput`, or an array with
        its ``sampling_rate``."""
        return self.extract(audio, sampling_rate)

    def extract(
        self, audio, sampling_rate: int | None = None, *, overlap: bool | None = None
    ) -> Music2EmoFeatures:
        """:meth:`__call__` with the stages overlapped or not (``None``: as :attr:`overlap` says)."""
        timings: dict[str, float] = {}
        source = audio if isinstance(audio, AudioInput) else AudioInput(audio, sampling_rate)
        if not (self.overlap if overlap is None else overlap):
            embeddings, segments = self._encode_blocks(self.encoder_blocks(source), timings, source)
            chords, key = self.chords_and_key(self.chord_blocks(source), timings)
            return self.features(embeddings, segments, chords, key, timings)
        import threading

        encoder_blocks, chord_blocks = self.decode(source)
        found: dict = {}

        def chords_and_key() -> None:
            lower_thread_priority(self.background_nice)
            try:
                with stage_threads("background", device=self.encoder.device):  # the encoder keeps its cores
                    found["result"] = self.chords_and_key(chord_blocks, found.setdefault("timings", {}))
            except BaseException as error:  # handed to the calling thread, which raises it
                found["error"] = error
            finally:
                chord_blocks.close()  # an early end stops the decoding

        worker = threading.Thread(target=chords_and_key, name="emotune-chords", daemon=True)
        worker.start()
        try:
            embeddings, segments = self._encode_blocks(encoder_blocks, timings, source)
        finally:
            encoder_blocks.close()
            worker.join()
        if "error" in found:
            raise found["error"]
        found["timings"].pop("decode", None)  # its wait for the shared decode, which the encoder paces
        _add_timings(timings, found["timings"])
        return self.features(embeddings, segments, *found["result"], timings)

    # --- the stages (modeling.collection's runner composes them too) ----------------------------------

    @property
    def chord_block_seconds(self) -> float | None:
        """Seconds per block the chord recogniser streams (``None``: it reads the whole clip at once)."""
        return getattr(self.chord_recognizer, "block_seconds", None)

    def encoder_blocks(self, source: AudioInput) -> Iterator[np.ndarray]:
        """The encoder's ``segment_seconds`` blocks of ``source`` (a decode of their own)."""
        return source.blocks(self.encoder.sampling_rate, self.segment_seconds)

    def chord_blocks(self, source: AudioInput) -> Iterator[np.ndarray]:
        """The chord recogniser's blocks of ``source`` (a decode of their own)."""
        return source.blocks(self.chord_recognizer.sampling_rate, self.chord_block_seconds or 3600.0)

    def decode(self, source: AudioInput) -> tuple[Iterator[np.ndarray], Iterator[np.ndarray]]:
        """``(encoder_blocks, chord_blocks)`` from one decode; read them from two threads."""
        return source.blocks_at_two_rates(
            (self.encoder.sampling_rate, self.segment_seconds),
            (self.chord_recognizer.sampling_rate, self.chord_block_seconds or 3600.0),
        )

    def chords_and_key(
        self, blocks: Iterator[np.ndarray], timings: dict[str, float]
    ) -> tuple[list[TimedChord], Key]:
        """Chords and key of the chord recogniser's blocks; adds ``decode`` (waiting for the blocks),
        ``chords`` and ``key`` seconds to ``timings``."""
        decoded_before = timings.get("decode", 0.0)
        start = time.perf_counter()
        blocks = _Timed(iter(blocks), timings, "decode")
        audio_key = self.key_method in AUDIO_KEY_METHODS
        own_chroma = audio_key and hasattr(self.chord_recognizer, "analyse_blocks")
        tap = None
        if audio_key and not own_chroma:  # a backend without a chroma of its own: the dsp chroma beside it
            blocks = tap = _ChromaTap(blocks, self.chord_recognizer.sampling_rate)
        if own_chroma:
            analysis = self.chord_recognizer.analyse_blocks(blocks)  # the chroma the chords came from
            chords, chroma, frame_seconds = analysis.chords, analysis.chroma, analysis.frame_seconds
        elif self.chord_block_seconds is not None:
            chords = self.chord_recognizer.recognize_blocks(blocks)
        else:
            chords = self.chord_recognizer(np.concatenate(list(blocks)), self.chord_recognizer.sampling_rate)
        timings["chords"] = timings.get("chords", 0.0) + (
            time.perf_counter() - start - (timings.get("decode", 0.0) - decoded_before)
        )
        start = time.perf_counter()
        if not audio_key:
            key = detect_key(chords, self.key_method)
        else:
            if tap is not None:
                chroma, frame_seconds = tap.chroma(), tap.frame_seconds
            key = detect_key(chords, self.key_method, chroma=chroma, frame_seconds=frame_seconds)
        timings["key"] = timings.get("key", 0.0) + time.perf_counter() - start
        return chords, key

    def embed(self, segments: list[np.ndarray], timings: dict[str, float]) -> np.ndarray:
        """``(len(segments), embedding_dim)`` embeddings; adds the ``encoder`` seconds to ``timings``."""
        start = time.perf_counter()
        embedding = self.encoder.embed(segments)
        timings["encoder"] = timings.get("encoder", 0.0) + time.perf_counter() - start
        return embedding

    def features(
        self,
        segment_embeddings: np.ndarray,
        segments: list[tuple[float, float]],
        chords: list[TimedChord],
        key: Key,
        timings: dict[str, float],
    ) -> Music2EmoFeatures:
        """The :class:`Music2EmoFeatures` of a clip's stages' results."""
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

    def _encode_blocks(self, blocks: Iterator[np.ndarray], timings: dict[str, float], source: AudioInput):
        """Stream the encoder blocks of ``source`` into the encoder, ``batch_size`` segments at a time (see
        :class:`SegmentCutter`), with a bar over the segments of long clips (:attr:`progress`);
        ``(embeddings, spans)``."""
        from tqdm.auto import tqdm

        cutter, embeddings, pending = SegmentCutter(self.encoder.sampling_rate), [], []
        expected = int(np.ceil(source.duration / self.segment_seconds))
        shown = False if expected < 10 else self.progress  # None: tqdm shows it on a terminal
        bar = tqdm(_Timed(iter(blocks), timings, "decode"), total=expected, desc=source.name, unit="segment",
                   leave=False, disable=None if shown is None else not shown)  # fmt: skip
        for block in bar:
            pending += cutter.push(block)
            if len(pending) >= self.encoder.batch_size:
                embeddings.append(self.embed(pending, timings))
                pending = []
        pending += cutter.finish()
        if pending:
            embeddings.append(self.embed(pending, timings))
        return np.concatenate(embeddings), cutter.spans


def _add_timings(timings: dict[str, float], more: dict[str, float]) -> None:
    for name, seconds in more.items():
        timings[name] = timings.get(name, 0.0) + seconds
