"""A randomly initialised BTC model saved to a folder (the published weights come from the Hub)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

__all__ = ["save_random_btc"]


def save_random_btc(folder: str | Path, size: Literal["tiny", "large"] = "tiny", seed: int = 0) -> Path:
    """``"large"``: the published large-vocabulary architecture; ``"tiny"``: 1 layer, hidden 16."""
    import torch

    from .configuration_btc import BTCConfig
    from .modeling_btc import BTCModel

    sizes = {"large": {}, "tiny": {"hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
                                   "total_key_depth": 16, "total_value_depth": 16, "intermediate_size": 16}}  # fmt: skip
    torch.manual_seed(seed)
    model = BTCModel(BTCConfig(feature_mean=-5.0, feature_std=2.5, **sizes[size])).eval()
    model.save_pretrained(Path(folder))
    return Path(folder)
