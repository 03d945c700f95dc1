"""Convert Video2Music's published weights into saved :class:`AMTModel` / :class:`AMTRegressionModel`.

The originals are state dicts saved with ``torch.save(model.state_dict())``:
``best_loss_weights.pickle`` holds ``VideoMusicTransformer`` (``torch.nn.Transformer`` with a
relative-position decoder) and ``best_rmse_weights.pickle`` holds ``VideoRegression`` (with unused
LSTM/GRU variants beside the bi-GRU it runs). Keys that the published forward passes never use
(``embedding``, ``condition_linear``, ``Wout_root``, ``Wout_attr``, the LSTM and unidirectional
variants) are reported and left out.

Usage::

    python -m modeling.video2music.convert_original_checkpoint --amt best_loss_weights.pickle \\
        --regression best_rmse_weights.pickle --output-dir video2music
    # -> video2music/amt/ and video2music/regression/

Weights load with ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping
from pathlib import Path

import torch
from huggingface_hub import ModelCard

from ..base.errors import CheckpointError
from .configuration_amt import AMTConfig
from .configuration_amt_regression import AMTRegressionConfig
from .model_card import amt_model_card
from .modeling_amt import AMTModel
from .modeling_amt_regression import AMTRegressionModel

__all__ = ["CONVERTERS", "convert_amt", "convert_file", "convert_regression", "load_state_dict", "main"]

_AMT_RULES = (
    (r"embedding_root\.(.*)", r"root_embedding.\1"),
    (r"embedding_attr\.(.*)", r"quality_embedding.\1"),
    (r"Linear_chord\.(.*)", r"chord_projection.\1"),
    (r"Linear_vis\.(.*)", r"video_projection.\1"),
    (r"Wout\.(.*)", r"lm_head.\1"),
    (r"transformer\.encoder\.norm\.(.*)", r"encoder_norm.\1"),
    (r"transformer\.decoder\.norm\.(.*)", r"decoder_norm.\1"),
    (r"transformer\.encoder\.layers\.(\d+)\.self_attn\.in_proj_(weight|bias)", r"encoder_layers.\1.self_attn.in_proj.\2"),
    (r"transformer\.encoder\.layers\.(\d+)\.self_attn\.out_proj\.(.*)", r"encoder_layers.\1.self_attn.out_proj.\2"),
    (r"transformer\.encoder\.layers\.(\d+)\.linear([12])\.(.*)", r"encoder_layers.\1.feed_forward.linear\2.\3"),
    (r"transformer\.encoder\.layers\.(\d+)\.norm([12])\.(.*)", r"encoder_layers.\1.norm\2.\3"),
    (r"transformer\.decoder\.layers\.(\d+)\.self_attn\.in_proj_(weight|bias)", r"decoder_layers.\1.self_attn.in_proj.\2"),
    (r"transformer\.decoder\.layers\.(\d+)\.self_attn\.out_proj\.(.*)", r"decoder_layers.\1.self_attn.out_proj.\2"),
    (r"transformer\.decoder\.layers\.(\d+)\.self_attn\.Er", r"decoder_layers.\1.self_attn.relative_embedding"),
    (r"transformer\.decoder\.layers\.(\d+)\.multihead_attn\.in_proj_(weight|bias)", r"decoder_layers.\1.cross_attn.in_proj.\2"),
    (r"transformer\.decoder\.layers\.(\d+)\.multihead_attn\.out_proj\.(.*)", r"decoder_layers.\1.cross_attn.out_proj.\2"),
    (r"transformer\.decoder\.layers\.(\d+)\.linear([12])\.(.*)", r"decoder_layers.\1.feed_forward.linear\2.\3"),
    (r"transformer\.decoder\.layers\.(\d+)\.norm([123])\.(.*)", r"decoder_layers.\1.norm\2.\3"),
)  # fmt: skip


def load_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """A state dict saved with ``torch.save``, loaded with ``weights_only=True``."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(
            f"No checkpoint at {path}. Accepted: best_loss_weights.pickle / best_rmse_weights.pickle"
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many types for a bad pickle; report which file and why
        raise CheckpointError(
            f"Cannot load {path} as a PyTorch state dict ({type(error).__name__}: {error})"
        ) from None
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{path} is not a state dict of tensors (torch.save(model.state_dict()))")
    return state


def _rename(key: str) -> str | None:
    for pattern, replacement in _AMT_RULES:
        if re.fullmatch(pattern, key):
            return re.sub(pattern, replacement, key)
    return None


def convert_amt(state: dict[str, torch.Tensor]) -> tuple[AMTModel, list[str]]:
    """An :class:`AMTModel` holding ``state`` (the original's keys); returns it and the unused keys."""
    if "Linear_vis.weight" not in state or "Wout.weight" not in state:
        raise CheckpointError(
            "Not a Video2Music AMT state dict: Linear_vis.weight / Wout.weight missing (keys start with "
            f"{sorted(state)[:5]})"
        )
    d_model, feature_dim = state["Linear_vis.weight"].shape
    layers = lambda part: len({k.split(".")[3] for k in state if k.startswith(f"transformer.{part}.layers.")})  # noqa: E731
    relative = state.get("transformer.decoder.layers.0.self_attn.Er")
    if relative is None:
        raise CheckpointError(
            "The AMT checkpoint has no relative position embeddings (Er): it was trained without --rpr"
        )
    heads = d_model // relative.shape[1]
    config = AMTConfig(
        video_feature_dim=feature_dim,
        d_model=d_model,
        encoder_layers=layers("encoder"),
        decoder_layers=layers("decoder"),
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=state["transformer.encoder.layers.0.linear1.weight"].shape[0],
        decoder_ffn_dim=state["transformer.decoder.layers.0.linear1.weight"].shape[0],
        max_sequence_length=relative.shape[0],
        num_chord_tokens=state["Wout.weight"].shape[0],
    )
    model = AMTModel(config)
    renamed, unused = {}, []
    for key, value in state.items():
        target = _rename(key)
        if target is None:
            unused.append(key)
        else:
            renamed[target] = value
    missing, unexpected = model.load_state_dict(renamed, strict=False)
    if missing or unexpected:
        raise CheckpointError(
            f"The AMT state dict does not fit: missing {missing[:5]}, unexpected {unexpected[:5]}"
        )
    return model.eval(), unused


def convert_regression(state: dict[str, torch.Tensor]) -> tuple[AMTRegressionModel, list[str]]:
    """An :class:`AMTRegressionModel` from the bi-GRU of ``state``; returns it and the unused keys."""
    if "bigru.weight_ih_l0" not in state or "bifc.weight" not in state:
        raise CheckpointError("Not a Video2Music regression state dict: bigru.* / bifc.* missing")
    hidden, feature_dim = state["bigru.weight_ih_l0"].shape[0] // 3, state["bigru.weight_ih_l0"].shape[1]
    num_layers = len({k.split("_l")[1].split("_")[0] for k in state if k.startswith("bigru.weight_ih_l")})
    config = AMTRegressionConfig(
        video_feature_dim=feature_dim,
        hidden_size=hidden,
        num_hidden_layers=num_layers,
        num_outputs=state["bifc.weight"].shape[0],
    )
    model = AMTRegressionModel(config)
    renamed = {k.replace("bigru.", "gru.", 1): v for k, v in state.items() if k.startswith("bigru.")}
    renamed.update({k.replace("bifc.", "head.", 1): v for k, v in state.items() if k.startswith("bifc.")})
    missing, unexpected = model.load_state_dict(renamed, strict=False)
    if missing or unexpected:
        raise CheckpointError(
            f"The regression state dict does not fit: missing {missing}, unexpected {unexpected}"
        )
    unused = [k for k in state if not k.startswith(("bigru.", "bifc."))]
    return model.eval(), unused


CONVERTERS = {"amt": convert_amt, "regression": convert_regression}
"""Which converter reads which file: ``amt`` best_loss_weights.pickle, ``regression`` best_rmse_weights.pickle."""


def converted_model_card(
    config, original: str, *, repo: str, sections: Mapping[str, str] | None = None
) -> ModelCard:
    """The card of a model (AMT or bi-GRU) converted from the original file named ``original``."""
    return amt_model_card(
        config, origin=f"converted from Video2Music's `{original}`", repo=repo, extra_sections=sections
    )


def convert_file(
    kind: str,
    path: str | Path,
    output_dir: str | Path,
    *,
    repo: str | None = None,
    card_sections: Mapping[str, str] | None = None,
) -> tuple[AMTModel | AMTRegressionModel, list[str]]:
    """Convert the ``kind`` (``amt`` or ``regression``) state dict at ``path`` and save it with its card to
    ``output_dir`` (``repo``: the id or folder the card's examples load; ``card_sections`` are added);
    returns the model and the original keys left out."""
    model, unused = CONVERTERS[kind](load_state_dict(path))
    model.save_pretrained(output_dir)
    converted_model_card(
        model.config, Path(path).name, repo=str(repo or output_dir), sections=card_sections
    ).save(Path(output_dir) / "README.md")
    return model, unused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m modeling.video2music.convert_original_checkpoint",
        description="Convert Video2Music's published weights into emotune models (saved with save_pretrained).",
    )
    parser.add_argument("--amt", help="best_loss_weights.pickle (the AMT)")
    parser.add_argument("--regression", help="best_rmse_weights.pickle (the bi-GRU)")
    parser.add_argument("--output-dir", required=True, help="writes OUTPUT/amt and OUTPUT/regression")
    args = parser.parse_args(argv)
    if not args.amt and not args.regression:
        parser.error("give --amt, --regression or both")
    try:
        for name, path in (("amt", args.amt), ("regression", args.regression)):
            if not path:
                continue
            folder = Path(args.output_dir) / name
            _, unused = convert_file(name, path, folder)
            print(
                f"{name}: saved to {folder}; left out {len(unused)} unused tensors"
                + (f" ({', '.join(sorted({k.split('.')[0] for k in unused}))})" if unused else "")
            )
    except CheckpointError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
