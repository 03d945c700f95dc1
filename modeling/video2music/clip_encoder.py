"""CLIP on video frames: image embeddings and zero-shot emotion probabilities.

Video2Music's features come from OpenAI's ``ViT-L/14@336px``: the semantic feature of a frame is
``encode_image`` (the projected image embedding, not normalised; 768-d) and the emotion feature is
the softmax over ``logit_scale * cos(image, text)`` for the six one-word prompts of
:data:`~modeling.vocabularies.emotion.VIDEO_EMOTIONS`. transformers' ``CLIPModel`` computes the same things
(``get_image_features`` and the ``logits_per_image`` of its forward); this module loads it with
``from_pretrained`` from a Hub id or a folder, embeds the prompts once, and runs frames in batches
under ``torch.inference_mode``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..base.defaults import CLIP_MODEL
from ..base.devices import resolve_device_dtype
from ..base.errors import InvalidInputError
from ..vocabularies.emotion import VIDEO_EMOTIONS

__all__ = ["ClipFrameEncoder", "resolve_device_dtype"]


class ClipFrameEncoder:
    """A CLIP model and processor loaded with ``from_pretrained``, plus the six prompts' text embeddings.

    Args:
        clip_model: Hub id or folder of a ``CLIPModel`` with its processor (default
            ``openai/clip-vit-large-patch14-336``, the model Video2Music's features were made with).
        device, dtype: where and in which precision the model runs (see :func:`resolve_device_dtype`);
            outputs are always float32.
    """

    def __init__(self, clip_model: str | Path = CLIP_MODEL, *, device=None, dtype=None):
        import torch
        from transformers import CLIPModel, CLIPProcessor

        self.device, self.dtype = resolve_device_dtype(device, dtype)
        self.name = str(clip_model)
        if self.name.startswith(("/", ".", "~")) and not Path(clip_model).expanduser().is_dir():
            raise InvalidInputError(
                f"CLIP folder not found: {self.name}. Accepted: a folder saved with save_pretrained or a Hub id "
                f"(default {CLIP_MODEL})"
            )
        try:
            self.model = CLIPModel.from_pretrained(str(clip_model), dtype=self.dtype).to(self.device).eval()
            self.processor = CLIPProcessor.from_pretrained(str(clip_model))
        except (OSError, ValueError) as error:
            raise InvalidInputError(
                f"Cannot load CLIP from {self.name!r}: {str(error).rstrip('.')}. Accepted: the Hub id of a CLIPModel with its "
                f"processor (default {CLIP_MODEL}) or a folder saved with save_pretrained (see "
                "modeling.testing.save_random_clip for an offline stand-in)"
            ) from error
        text = self.processor(text=list(VIDEO_EMOTIONS), padding=True, return_tensors="pt")
        with torch.inference_mode():
            embeddings = self.model.get_text_features(
                input_ids=text["input_ids"].to(self.device),
                attention_mask=text["attention_mask"].to(self.device),
            ).pooler_output.float()
            self.logit_scale = float(self.model.logit_scale.exp())
        self.text_embeddings = torch.nn.functional.normalize(embeddings, dim=-1)
        """(6, projection_dim) unit-norm embeddings of the emotion prompts, computed once."""

    @property
    def embedding_dim(self) -> int:
        return int(self.model.config.projection_dim)

    def preprocess(self, frames: Sequence[np.ndarray]):
        """Resize, crop and normalise RGB uint8 frames ``(H, W, 3)`` as CLIP was trained: ``(N, 3, S, S)``."""
        return self.processor(images=list(frames), return_tensors="pt")["pixel_values"]

    def encode(self, pixel_values) -> tuple[np.ndarray, np.ndarray]:
        """``(semantic (N, projection_dim), emotion (N, 6))`` float32 for preprocessed frames."""
        import torch

        with torch.inference_mode():
            image = self.model.get_image_features(
                pixel_values=pixel_values.to(self.device, self.dtype)
            ).pooler_output.float()
            unit = torch.nn.functional.normalize(image, dim=-1)
            probabilities = (self.logit_scale * unit @ self.text_embeddings.T).softmax(dim=-1)
        return image.cpu().numpy(), probabilities.cpu().numpy()
