"""MERT embeddings as Music2Emo computes them.

For each 30 s segment of a clip (a shorter last segment is kept; a clip shorter than 30 s is one
segment) the encoder runs with ``output_hidden_states=True``; the embedding output is dropped
(``hidden_states[1:]``), the chosen layers (5 and 6) of what remains are mean-pooled over time and
concatenated: ``len(layers) * hidden_size`` values (1536 for MERT-v1-95M). The clip embedding is the
mean over segments. Segments of equal length run in batches, under ``torch.inference_mode``, in
bf16/fp16 on a GPU when asked.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..defaults import MERT_MODEL
from ..devices import resolve_device_dtype
from ..errors import InvalidInputError

__all__ = ["MertEncoder"]


class MertEncoder:
    """A MERT-style audio encoder and its feature extractor, loaded with ``from_pretrained``.

    Args:
        name_or_path: Hub id or folder (``m-a-p/MERT-v1-95M``); loaded with
            ``AutoModel.from_pretrained(..., trust_remote_code=True)`` and ``Wav2Vec2FeatureExtractor``.
        layers: indices into ``hidden_states[1:]`` that are pooled and concatenated ((5, 6)).
        device, dtype: see :func:`modeling.devices.resolve_device_dtype`.
        batch_size: segments per forward pass (default: 1 on a CPU, where batching saves no time and
            would multiply the peak memory, 8 on a GPU).
    """

    def __init__(
        self,
        name_or_path: str = MERT_MODEL,
        layers: Sequence[int] = (5, 6),
        device=None,
        dtype=None,
        batch_size: int | None = None,
    ):
        import torch
        from transformers import AutoModel, Wav2Vec2FeatureExtractor

        self.device, self.dtype = resolve_device_dtype(device, dtype)
        self.name_or_path = str(name_or_path)
        self.processor = Wav2Vec2FeatureExtractor.from_pretrained(self.name_or_path)
        self.model = AutoModel.from_pretrained(self.name_or_path, trust_remote_code=True)
        self.model.to(device=self.device, dtype=self.dtype).eval()
        num_layers = self.model.config.num_hidden_layers
        self.layers = tuple(int(layer) for layer in layers)
        if not self.layers or any(not 0 <= layer < num_layers for layer in self.layers):
            raise InvalidInputError(
                f"layers {list(layers)} do not exist in {self.name_or_path} ({num_layers} Transformer layers). "
                f"Accepted: indices 0..{num_layers - 1} into hidden_states[1:]"
            )
        if batch_size is None:
            batch_size = 8 if self.device.type == "cuda" else 1
        if batch_size < 1:
            raise InvalidInputError(f"batch_size must be at least 1, got {batch_size}")
        self.batch_size = batch_size
        self.sampling_rate = int(self.processor.sampling_rate)
        self.embedding_dim = len(self.layers) * self.model.config.hidden_size
        self._torch = torch

    def embed(self, segments: Sequence[np.ndarray]) -> np.ndarray:
        """``(num_segments, embedding_dim)`` float32 embeddings of mono segments at :attr:`sampling_rate`."""
        torch = self._torch
        output = np.zeros((len(segments), self.embedding_dim), dtype=np.float32)
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
                    hidden = self.model(**inputs, output_hidden_states=True).hidden_states[1:]
                    pooled = torch.cat([hidden[layer].mean(dim=1) for layer in self.layers], dim=-1)
                output[batch] = pooled.float().cpu().numpy()
        return output
