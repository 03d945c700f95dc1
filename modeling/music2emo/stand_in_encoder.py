"""A randomly initialised audio encoder with MERT-v1's architecture, saved to a folder.

The real encoder (``m-a-p/MERT-v1-95M``) comes from the Hub, which tests, the offline demo and the
benchmarks cannot reach. MERT-v1 is a HuBERT-style model: a 7-layer convolutional front end with
strides (5, 2, 2, 2, 2, 2, 2) (320 samples per frame: 75 frames per second at 24 kHz) and a
Transformer encoder. :func:`save_random_mert` saves a ``transformers.HubertModel`` of that
architecture plus MERT-v1's published ``Wav2Vec2FeatureExtractor`` settings (24 kHz, no
per-clip normalisation: ``do_normalize`` false, attention mask), which then loads through exactly the code that loads the real
one: ``AutoModel.from_pretrained(folder, trust_remote_code=True)``.

Sizes: ``"95m"`` is MERT-v1-95M's (12 layers, hidden 768, feed-forward 3072, 12 heads: the same
compute as the real model); ``"tiny"`` (4 layers, hidden 32) is for tests and the demo.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

__all__ = ["STAND_IN_SIZES", "save_random_mert"]

STAND_IN_SIZES = {
    "tiny": {"hidden_size": 32, "num_hidden_layers": 8, "num_attention_heads": 2, "intermediate_size": 64,
             "conv_dim": (16,) * 7, "num_conv_pos_embeddings": 16, "num_conv_pos_embedding_groups": 4},
    "95m": {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
            "conv_dim": (512,) * 7, "num_conv_pos_embeddings": 128, "num_conv_pos_embedding_groups": 16},
}  # fmt: skip
"""Architecture sizes of the stand-in encoders (the tiny one keeps 8 layers so layers 5 and 6 exist)."""


def save_random_mert(folder: str | Path, size: Literal["tiny", "95m"] = "tiny", seed: int = 0) -> Path:
    """Save a random-weight MERT-v1-architecture encoder and its feature extractor to ``folder``."""
    import torch
    from transformers import HubertConfig, HubertModel, Wav2Vec2FeatureExtractor

    from ..errors import InvalidInputError

    if size not in STAND_IN_SIZES:
        raise InvalidInputError(f"Unknown stand-in size {size!r}. Accepted: {', '.join(STAND_IN_SIZES)}")
    config = HubertConfig(
        conv_stride=(5, 2, 2, 2, 2, 2, 2),
        conv_kernel=(10, 3, 3, 3, 3, 2, 2),
        feat_extract_norm="group",
        do_stable_layer_norm=False,
        **STAND_IN_SIZES[size],
    )
    torch.manual_seed(seed)
    model = HubertModel(config).eval()
    folder = Path(folder)
    model.save_pretrained(folder)
    Wav2Vec2FeatureExtractor(
        feature_size=1, sampling_rate=24000, padding_value=0.0, do_normalize=False, return_attention_mask=True
    ).save_pretrained(folder)
    return folder
