"""Convert BTC's published ``btc_model_large_voca.pt`` into a saved :class:`BTCModel`.

The original is ``torch.save({"model": state_dict, "mean": ..., "std": ...})``; the normalisation
statistics go into the config. BTC's unused bi-LSTM output variant (``output_layer.lstm``) is left out.

    python -m modeling.btc.convert_original_checkpoint --checkpoint btc_model_large_voca.pt --output-dir btc

Loads with ``torch.load(weights_only=True)``. BTC's training code stored ``mean`` and ``std`` as NumPy
float64 scalars, which the weights-only unpickler refuses by default; exactly the globals such a
scalar needs are allowed (the scalar constructor, under NumPy 1's ``numpy.core`` and NumPy 2's
``numpy._core`` names, ``numpy.dtype`` and the float64 dtype class), nothing else.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch
from huggingface_hub import ModelCard

from ..base.errors import CheckpointError
from .configuration_btc import BTCConfig
from .model_card import btc_model_card
from .modeling_btc import BTCModel

__all__ = ["NUMPY_SCALAR_GLOBALS", "convert", "convert_file", "load_checkpoint", "main"]

_RULES = (
    (r"self_attn_layers\.embedding_proj\.weight", "embedding_proj.weight"),
    (r"self_attn_layers\.layer_norm\.gamma", "final_norm.weight"),
    (r"self_attn_layers\.layer_norm\.beta", "final_norm.bias"),
    (r"output_layer\.output_projection\.(weight|bias)", r"classifier.\1"),
    (r"self_attn_layers\.self_attn_layers\.(\d+)\.linear\.(weight|bias)", r"layers.\1.merge.\2"),
    (r"self_attn_layers\.self_attn_layers\.(\d+)\.attn_block\.(.*)", r"layers.\1.forward_block.\2"),
    (r"self_attn_layers\.self_attn_layers\.(\d+)\.backward_attn_block\.(.*)", r"layers.\1.backward_block.\2"),
)
_BLOCK_RULES = (
    (r"multi_head_attention\.(query|key|value|output)_linear\.weight", None),
    (r"positionwise_convolution\.layers\.(\d)\.conv\.(weight|bias)", r"feed_forward.\1.\2"),
    (r"layer_norm_mha\.gamma", "norm_attention.weight"),
    (r"layer_norm_mha\.beta", "norm_attention.bias"),
    (r"layer_norm_ffn\.gamma", "norm_feed_forward.weight"),
    (r"layer_norm_ffn\.beta", "norm_feed_forward.bias"),
)
_PROJECTIONS = {"query": "q", "key": "k", "value": "v", "output": "o"}


def _rename(key: str) -> str | None:
    for pattern, replacement in _RULES:
        match = re.fullmatch(pattern, key)
        if not match:
            continue
        name = re.sub(pattern, replacement, key)
        if "_block." not in name:
            return name
        prefix, rest = name.split("_block.", 1)
        for inner, inner_replacement in _BLOCK_RULES:
            found = re.fullmatch(inner, rest)
            if found and inner_replacement is None:
                return f"{prefix}_block.attention.{_PROJECTIONS[found.group(1)]}.weight"
            if found:
                return f"{prefix}_block.{re.sub(inner, inner_replacement, rest)}"
    return None


def _numpy_scalar_globals() -> list:
    try:
        from numpy._core.multiarray import scalar  # NumPy 2
    except ImportError:  # NumPy 1.x
        from numpy.core.multiarray import scalar
    return [
        (scalar, "numpy.core.multiarray.scalar"),  # how NumPy 1 pickled it (the published file)
        (scalar, "numpy._core.multiarray.scalar"),  # how NumPy 2 pickles it
        np.dtype,
        np.dtypes.Float64DType,  # the class of dtype("float64"), rebuilt from its pickled state
    ]


NUMPY_SCALAR_GLOBALS = _numpy_scalar_globals()
"""The only globals :func:`load_checkpoint` allows beyond torch's weights-only set."""


def load_checkpoint(path: str | Path) -> dict:
    """The original checkpoint, loaded with ``torch.load(weights_only=True)`` plus NumPy float64 scalars."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"No checkpoint at {path}. Accepted: btc_model_large_voca.pt")
    try:
        with torch.serialization.safe_globals(NUMPY_SCALAR_GLOBALS):
            return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # report which file could not be unpickled and why
        raise CheckpointError(
            f"Cannot load {path} with torch.load(weights_only=True) ({type(error).__name__}: {error}). emotune reads "
            "tensors, plain containers and NumPy float64 scalars from a BTC checkpoint, nothing else"
        ) from None


def _statistic(value) -> float | list[float]:
    array = np.asarray(value.cpu() if isinstance(value, torch.Tensor) else value, dtype=np.float64)
    return float(array) if array.ndim == 0 else [float(v) for v in array.reshape(-1)]


def convert(checkpoint: dict) -> BTCModel:
    """A :class:`BTCModel` from the original checkpoint dict (``model``, ``mean``, ``std``). The sizes are
    read from the weights; the number of heads cannot be, and is the published 4."""
    if not isinstance(checkpoint, dict) or not {"model", "mean", "std"} <= set(checkpoint):
        raise CheckpointError("Not a BTC checkpoint: expected a dict with 'model', 'mean' and 'std'")
    state = checkpoint["model"]
    if "output_layer.output_projection.weight" not in state:
        raise CheckpointError("Not a BTC state dict: output_layer.output_projection.weight is missing")
    num_chords, hidden = state["output_layer.output_projection.weight"].shape
    layers = len({k.split(".")[2] for k in state if k.startswith("self_attn_layers.self_attn_layers.")})
    block = "self_attn_layers.self_attn_layers.0.attn_block."
    config = BTCConfig(
        total_key_depth=state[block + "multi_head_attention.query_linear.weight"].shape[0],
        total_value_depth=state[block + "multi_head_attention.value_linear.weight"].shape[0],
        feature_size=state["self_attn_layers.embedding_proj.weight"].shape[1],
        n_bins=state["self_attn_layers.embedding_proj.weight"].shape[1],
        hidden_size=hidden, num_hidden_layers=layers, num_chords=num_chords,
        intermediate_size=state[block + "positionwise_convolution.layers.0.conv.weight"].shape[0],
        feature_mean=_statistic(checkpoint["mean"]), feature_std=_statistic(checkpoint["std"]),
    )  # fmt: skip
    model = BTCModel(config)
    renamed = {name: value for key, value in state.items() if (name := _rename(key)) is not None}
    missing, unexpected = model.load_state_dict(renamed, strict=False)
    if missing or unexpected:
        raise CheckpointError(
            f"The BTC state dict does not fit: missing {missing[:5]}, unexpected {unexpected[:5]}"
        )
    return model.eval()


def converted_model_card(
    config: BTCConfig, original: str, *, repo: str, sections: Mapping[str, str] | None = None
) -> ModelCard:
    """The card of a model converted from the original checkpoint named ``original``."""
    return btc_model_card(
        config,
        origin=f"converted from `{original}` with `python -m modeling.btc.convert_original_checkpoint`",
        repo=repo,
        extra_sections=sections,
    )


def convert_file(
    checkpoint: str | Path,
    output_dir: str | Path,
    *,
    repo: str | None = None,
    card_sections: Mapping[str, str] | None = None,
) -> BTCModel:
    """Load, convert and save ``checkpoint`` (``btc_model_large_voca.pt``) with its card to ``output_dir``
    (``repo``: the id or folder the card's example loads, default ``output_dir``; ``card_sections`` are
    added to the card)."""
    path = Path(checkpoint)
    model = convert(load_checkpoint(path))
    model.save_pretrained(output_dir)
    converted_model_card(model.config, path.name, repo=str(repo or output_dir), sections=card_sections).save(
        Path(output_dir) / "README.md"
    )
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m modeling.btc.convert_original_checkpoint")
    parser.add_argument("--checkpoint", required=True, help="btc_model_large_voca.pt")
    parser.add_argument("--output-dir", required=True)
    args = parser.parse_args(argv)
    try:
        convert_file(args.checkpoint, args.output_dir)
    except CheckpointError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"saved to {args.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
