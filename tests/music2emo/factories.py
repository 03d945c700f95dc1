"""Small Music2Emo models and inputs for the tests."""

from __future__ import annotations

import torch

from modeling.music2emo import Music2EmoConfig


def tiny_config(**overrides) -> Music2EmoConfig:
    """A small Music2Emo: the published architecture with narrow audio input and layers."""
    kwargs = dict(audio_embedding_dim=24, hidden_size=16, head_hidden_size=8, chord_encoder_ffn_dim=16)
    kwargs.update(overrides)
    return Music2EmoConfig(**kwargs)


def random_inputs(config: Music2EmoConfig, batch_size: int = 4, num_chords: int = 10, seed: int = 0) -> dict:
    generator = torch.Generator().manual_seed(seed)
    return {
        "audio_embeddings": torch.randn(batch_size, config.audio_embedding_dim, generator=generator),
        "chord_root_ids": torch.randint(0, 13, (batch_size, num_chords), generator=generator),
        "chord_attr_ids": torch.randint(0, 14, (batch_size, num_chords), generator=generator),
        "mode_ids": torch.randint(0, 2, (batch_size,), generator=generator),
    }
