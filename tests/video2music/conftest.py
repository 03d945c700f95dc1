"""A tiny AMT and regression model (the published architectures at small sizes)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def amt():
    import torch

    from modeling.video2music.configuration_amt import AMTConfig
    from modeling.video2music.modeling_amt import AMTModel

    torch.manual_seed(0)
    config = AMTConfig(
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
    )
    return AMTModel(config).eval()


@pytest.fixture
def video():
    import torch

    torch.manual_seed(1)
    features = torch.rand(2, 24, 776)
    features[..., -6:] = features[..., -6:].softmax(-1)
    return features
