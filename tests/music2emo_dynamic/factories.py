"""Small time-resolved Music2Emo models and their inputs for the tests."""

from __future__ import annotations

import torch

from modeling.music2emo_dynamic import Music2EmoDynamicConfig


def tiny_dynamic_config(**overrides) -> Music2EmoDynamicConfig:
    """A small dynamic model: narrow windows, 2 layers of width 16, attention 1 s either side."""
    kwargs = dict(
        audio_embedding_dim=24, hidden_size=16, num_attention_heads=2, intermediate_size=32, head_hidden_size=8,
        context_seconds=1.0,
    )  # fmt: skip
    kwargs.update(overrides)
    return Music2EmoDynamicConfig(**kwargs)


def random_window_inputs(
    config: Music2EmoDynamicConfig, batch_size: int = 2, num_windows: int = 12, seed: int = 0
) -> dict:
    generator = torch.Generator().manual_seed(seed)
    shape = (batch_size, num_windows, config.chords_per_window)
    return {
        "window_embeddings": torch.randn(
            batch_size, num_windows, config.audio_embedding_dim, generator=generator
        ),
        "chord_root_ids": torch.randint(0, 13, shape, generator=generator),
        "chord_attr_ids": torch.randint(0, 14, shape, generator=generator),
        "chord_weights": torch.rand(shape, generator=generator),
        "mode_ids": torch.randint(0, 2, (batch_size,), generator=generator),
    }
