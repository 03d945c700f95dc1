"""MERT embeddings as Music2Emo computes them.

For each 30 s segment of a clip (a shorter last segment is kept; a clip shorter than 30 s is one
segment) the encoder runs with ``output_hidden_states=True``; the embedding output is dropped
(``hidden_states[1:]``), the chosen layers (5 and 6) of what remains are mean-pooled over time and
concatenated: ``len(layers) * hidden_size`` values (1536 for MERT-v1-95M). The clip embedding is the
mean over segments. Segments of equal length run in batches, under ``torch.inference_mode``, in
bf16/fp16 on a GPU when asked.

The encoder loads natively as a ``transformers.HubertModel`` (:mod:`modeling.music2emo.mert`) and runs
only the layers up to the deepest pooled one (7 of MERT-v1-95M's 12 for layers 5 and 6): the
embeddings are bit for bit those of the full model. ``encoder_quantization="dynamic-int8"`` is a
faster, inexact option for CPUs (``benchmarks/mert_encoder.py`` measures both).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from ..base.defaults import MERT_MODEL
from ..base.devices import resolve_device_dtype, stage_threads
from ..base.errors import InvalidInputError, UnsupportedModelError
from .configuration_music2emo import Music2EmoConfig
from .mert import ENCODER_QUANTIZATIONS, load_mert, quantize_dynamic_int8, truncate_encoder

__all__ = ["ENCODER_QUANTIZATIONS", "MertEncoder"]


class MertEncoder:
    """A MERT-style audio encoder and its feature extractor.

    Args:
        name_or_path: Hub id or folder (``m-a-p/MERT-v1-95M``); loaded into ``transformers.HubertModel``
            with its ``Wav2Vec2FeatureExtractor`` by :func:`modeling.music2emo.mert.load_mert`.
        layers: indices into ``hidden_states[1:]`` that are pooled and concatenated (default: the
            layers Music2Emo pools, :attr:`Music2EmoConfig.audio_encoder_layers`).
        device, dtype: see :func:`modeling.base.devices.resolve_device_dtype`.
        batch_size: segments per forward pass (default: 1 on a CPU, where batching saves no time and
            would multiply the peak memory, 8 on a GPU).
        truncate_layers: run only the encoder layers up to the deepest of ``layers`` (default; exact);
            ``False`` runs them all.
        encoder_quantization: ``None`` (default, float) or ``"dynamic-int8"``: the Linear layers in int8
            with dynamic activation quantisation; CPU and float32 only; faster, not exact.
        trust_remote_code: load with ``AutoModel.from_pretrained(..., trust_remote_code=True)`` instead
            (the explicit opt-in for MERT variants HuBERT cannot express); it runs all layers as published.
    """

    def __init__(
        self,
        name_or_path: str = MERT_MODEL,
        layers: Sequence[int] = Music2EmoConfig.audio_encoder_layers,
        device=None,
        dtype=None,
        batch_size: int | None = None,
        *,
        truncate_layers: bool = True,
        encoder_quantization: str | None = None,
        trust_remote_code: bool = False,
    ):
        import torch

        self.device, self.dtype = resolve_device_dtype(device, dtype)
        self.name_or_path = str(name_or_path)
        if encoder_quantization not in (None, *ENCODER_QUANTIZATIONS):
            raise InvalidInputError(
                f"Unknown encoder_quantization {encoder_quantization!r}. Accepted: None, "
                + ", ".join(repr(name) for name in ENCODER_QUANTIZATIONS)
            )
        if encoder_quantization and (self.device.type != "cpu" or self.dtype != torch.float32):
            raise InvalidInputError(
                f"encoder_quantization={encoder_quantization!r} runs on the CPU in float32 only, not on "
                f"{self.device} in {self.dtype}. Accepted: device='cpu' with dtype None/'float32', or no quantisation"
            )
        if trust_remote_code:
            from transformers import AutoModel, Wav2Vec2FeatureExtractor

            self.processor = Wav2Vec2FeatureExtractor.from_pretrained(self.name_or_path)
            self.model = AutoModel.from_pretrained(self.name_or_path, trust_remote_code=True).eval()
        else:
            self.model, self.processor = load_mert(self.name_or_path)
        self.model.to(device=self.device, dtype=self.dtype)
        self.num_hidden_layers = int(self.model.config.num_hidden_layers)
        self.layers = tuple(int(layer) for layer in layers)
        if not self.layers or any(not 0 <= layer < self.num_hidden_layers for layer in self.layers):
            raise InvalidInputError(
                f"layers {list(layers)} do not exist in {self.name_or_path} ({self.num_hidden_layers} Transformer "
                f"layers). Accepted: indices 0..{self.num_hidden_layers - 1} into hidden_states[1:]"
            )
        self.layers_run = self.num_hidden_layers
        if truncate_layers and not trust_remote_code:
            self.layers_run = truncate_encoder(self.model, max(self.layers))
        self.encoder_quantization = encoder_quantization
        if encoder_quantization == "dynamic-int8":
            quantize_dynamic_int8(self.model)
        if batch_size is None:
            batch_size = 8 if self.device.type == "cuda" else 1
        if batch_size < 1:
            raise InvalidInputError(f"batch_size must be at least 1, got {batch_size}")
        self.batch_size = batch_size
        self.sampling_rate = int(self.processor.sampling_rate)
        self.embedding_dim = len(self.layers) * self.model.config.hidden_size
        self.frame_observer: Callable[[np.ndarray], None] | None = None
        self._torch = torch

    def hidden_states(self, inputs: dict) -> tuple:
        """``hidden_states[1:]`` of the encoder for processor ``inputs`` (only the layers it runs)."""
        hidden = self.model(**inputs, output_hidden_states=True).hidden_states
        if hidden is None:
            raise UnsupportedModelError(
                f"The model code of {self.name_or_path} returned hidden_states=None: its remote code was written "
                "for transformers 4 and does not collect hidden states under this transformers. Accepted: load "
                "MERT-v1 natively (trust_remote_code=False, the default)"
            )
        return hidden[1:]

    def embed(self, segments: Sequence[np.ndarray]) -> np.ndarray:
        """``(num_segments, embedding_dim)`` float32 embeddings of mono segments at :attr:`sampling_rate`
        (on a CPU with the encoder's thread count, :func:`~modeling.base.devices.thread_budget`)."""
        with stage_threads("encoder", device=self.device):
            return self._embed(segments)

    def _embed(self, segments: Sequence[np.ndarray]) -> np.ndarray:
        torch = self._torch
        output = np.zeros((len(segments), self.embedding_dim), dtype=np.float32)
        observed: dict[int, np.ndarray] = {}
        by_length: dict[int, list[int]] = {}
        for index, segment in enumerate(segments):
            by_length.setdefault(len(segment), []).append(index)
        for indices in by_length.values():
            for start in range(0, len(indices), self.batch_size):
                batch = indices[start : start + self.batch_size]
                inputs = self.processor(
                    [np.asarray(segments[i], dtype=np.float32) for i in batch],
                    sampling_rate=self.sampling_rate,
                    return_tensors="pt",
                )
                inputs = {
                    name: value.to(
                        self.device, dtype=self.dtype if value.is_floating_point() else value.dtype
                    )
                    for name, value in inputs.items()
                }
                with torch.inference_mode():
                    hidden = self.hidden_states(inputs)
                    pooled = torch.cat([hidden[layer].mean(dim=1) for layer in self.layers], dim=-1)
                    if self.frame_observer is not None:
                        frames = torch.cat([hidden[layer] for layer in self.layers], dim=-1).float().cpu()
                        observed.update(zip(batch, frames.numpy()))
                output[batch] = pooled.float().cpu().numpy()
        for index in sorted(observed):
            self.frame_observer(observed.pop(index))
        return output

    @contextmanager
    def observing_frames(self, observer: Callable[[np.ndarray], None]) -> Iterator[None]:
        """While inside, every :meth:`embed` also hands ``observer`` the frame states of each segment it
        embedded, in the segments' order: ``(num_frames, embedding_dim)`` float32, the pooled layers
        concatenated, from the same forward pass (the time-resolved features pool them into windows)."""
        previous, self.frame_observer = self.frame_observer, observer
        try:
            yield
        finally:
            self.frame_observer = previous
