"""What Video2Music's two pickles must hold: the state dicts of the published models, key for key and shape
for shape.

``AMT.zip`` has no published checksum, so a zip holding two files of the right names would otherwise pass.
The original code saves ``model.state_dict()`` of ``VideoMusicTransformer`` (``best_loss_weights.pickle``:
a ``torch.nn.Transformer`` whose decoder layers use relative-position self-attention, plus the
embeddings and output heads, used or not) and of ``VideoRegression`` (``best_rmse_weights.pickle``: the
bi-GRU the app runs beside the bi-LSTM, LSTM and GRU variants it does not). The key names are the ones
:mod:`modeling.video2music.convert_original_checkpoint` renames (and reports as unused); the shapes
follow from the sizes, which the manifest gives per install (``layout``) and which default to the
published models' (:class:`~modeling.video2music.AMTConfig` and ``AMTRegressionConfig`` defaults).

The original's sinusoidal position tables (``PositionalEncoding``'s ``pe`` buffer, ``(max_len, 1,
d_model)``) are persistent buffers in some versions of that code: a key ``positional_*.pe`` of that shape
is accepted, nothing else beyond the layout.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["LAYOUTS", "Layout", "amt_layout", "compare", "layout_for", "regression_layout"]

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Layout:
    """The keys a state dict must hold (name -> shape) and those it may hold (pattern, shape)."""

    required: dict[str, Shape]
    optional: tuple[tuple[str, Shape], ...] = field(default_factory=tuple)

    def allows(self, key: str, shape: Shape) -> bool:
        return any(re.fullmatch(pattern, key) and shape == expected for pattern, expected in self.optional)


def _attention(prefix: str, d: int) -> dict[str, Shape]:
    return {
        f"{prefix}.in_proj_weight": (3 * d, d),
        f"{prefix}.in_proj_bias": (3 * d,),
        f"{prefix}.out_proj.weight": (d, d),
        f"{prefix}.out_proj.bias": (d,),
    }


def _linear(prefix: str, out: int, inp: int) -> dict[str, Shape]:
    return {f"{prefix}.weight": (out, inp), f"{prefix}.bias": (out,)}


def _norm(prefix: str, d: int) -> dict[str, Shape]:
    return {f"{prefix}.weight": (d,), f"{prefix}.bias": (d,)}


def amt_layout(
    d_model: int = 512,
    encoder_layers: int = 6,
    decoder_layers: int = 6,
    heads: int = 8,
    ffn: int = 1024,
    max_len: int = 300,
    feature_dim: int = 776,
    tokens: int = 159,
    roots: int = 15,
    qualities: int = 16,
) -> Layout:
    """``VideoMusicTransformer(rpr=True).state_dict()`` of the given sizes (defaults: the published model)."""
    d = d_model
    keys: dict[str, Shape] = {
        "embedding.weight": (tokens, d),
        "embedding_root.weight": (roots, d),
        "embedding_attr.weight": (qualities, d),
        **_linear("Linear_vis", d, feature_dim),
        **_linear("Linear_chord", d, d + 1),
        **_linear("condition_linear", d, 1),
    }
    for layer in range(encoder_layers):
        prefix = f"transformer.encoder.layers.{layer}"
        keys.update(_attention(f"{prefix}.self_attn", d))
        keys.update({**_linear(f"{prefix}.linear1", ffn, d), **_linear(f"{prefix}.linear2", d, ffn)})
        keys.update({**_norm(f"{prefix}.norm1", d), **_norm(f"{prefix}.norm2", d)})
    keys.update(_norm("transformer.encoder.norm", d))
    for layer in range(decoder_layers):
        prefix = f"transformer.decoder.layers.{layer}"
        keys.update(_attention(f"{prefix}.self_attn", d))
        keys[f"{prefix}.self_attn.Er"] = (max_len, d // heads)
        keys.update(_attention(f"{prefix}.multihead_attn", d))
        keys.update({**_linear(f"{prefix}.linear1", ffn, d), **_linear(f"{prefix}.linear2", d, ffn)})
        for n in (1, 2, 3):
            keys.update(_norm(f"{prefix}.norm{n}", d))
    keys.update(_norm("transformer.decoder.norm", d))
    keys.update(
        {**_linear("Wout", tokens, d), **_linear("Wout_root", roots, d), **_linear("Wout_attr", qualities, d)}
    )
    return Layout(keys, ((r"positional_\w+\.pe", (max_len, 1, d)),))


def _rnn(
    prefix: str, gates: int, inp: int, hidden: int, layers: int, bidirectional: bool
) -> dict[str, Shape]:
    keys: dict[str, Shape] = {}
    directions = ("", "_reverse") if bidirectional else ("",)
    for layer in range(layers):
        size = inp if layer == 0 else hidden * len(directions)
        for suffix in directions:
            keys[f"{prefix}.weight_ih_l{layer}{suffix}"] = (gates * hidden, size)
            keys[f"{prefix}.weight_hh_l{layer}{suffix}"] = (gates * hidden, hidden)
            keys[f"{prefix}.bias_ih_l{layer}{suffix}"] = (gates * hidden,)
            keys[f"{prefix}.bias_hh_l{layer}{suffix}"] = (gates * hidden,)
    return keys


def regression_layout(hidden: int = 64, layers: int = 2, feature_dim: int = 776, outputs: int = 2) -> Layout:
    """``VideoRegression.state_dict()`` of the given sizes (defaults: the published bi-GRU model)."""
    return Layout(
        {
            **_rnn("bilstm", 4, feature_dim, hidden, layers, bidirectional=True),
            **_rnn("bigru", 3, feature_dim, hidden, layers, bidirectional=True),
            **_linear("bifc", outputs, 2 * hidden),
            **_rnn("lstm", 4, feature_dim, hidden, layers, bidirectional=False),
            **_rnn("gru", 3, feature_dim, hidden, layers, bidirectional=False),
            **_linear("fc", outputs, hidden),
        }
    )


LAYOUTS: dict[str, Callable[..., Layout]] = {
    "video2music-amt": amt_layout,
    "video2music-regression": regression_layout,
}
"""Converter name -> the layout of the state dict it converts (the converters of zip members)."""


def layout_for(converter: str, sizes: Mapping[str, int] | None) -> Layout:
    """The layout a member converted by ``converter`` must have, with the manifest's ``sizes``.
    Raises ``KeyError`` for a converter without one and ``TypeError`` for an unknown size name."""
    return LAYOUTS[converter](**dict(sizes or {}))


def compare(state: Mapping, layout: Layout) -> list[str]:
    """What keeps ``state`` from being exactly ``layout``: up to 4 missing keys, 4 unexpected keys, 4 wrong
    shapes and 4 values that are not tensors, each as a short phrase (empty when it matches)."""
    import torch

    missing = [key for key in layout.required if key not in state]
    unexpected, shapes, not_tensors = [], [], []
    for key, value in state.items():
        if not isinstance(value, torch.Tensor):
            not_tensors.append(f"{key} ({type(value).__name__})")
            continue
        shape = tuple(value.shape)
        if key in layout.required:
            if shape != layout.required[key]:
                shapes.append(f"{key} {list(shape)} instead of {list(layout.required[key])}")
        elif not layout.allows(key, shape):
            unexpected.append(f"{key} {list(shape)}")
    problems = []
    for label, items in (("missing", missing), ("unexpected", unexpected), ("wrong shape", shapes),
                         ("not a tensor", not_tensors)):  # fmt: skip
        if items:
            more = f" and {len(items) - 4} more" if len(items) > 4 else ""
            problems.append(f"{len(items)} {label}: {', '.join(items[:4])}{more}")
    return problems
