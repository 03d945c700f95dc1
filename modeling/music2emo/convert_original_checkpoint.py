"""Convert a published Music2Emo checkpoint into a saved :class:`Music2EmoModel`.

The originals are PyTorch Lightning checkpoints: ``{"state_dict": {"model.<name>": tensor, ...},
...}`` holding the classifier under ``model.`` next to the loss buffers, optimizer state, loops and
callbacks, none of which belong to the model. ``J_all.ckpt`` (and ``D_all``/``E_all``/``P_all``) hold
the multitask student (``classification_branch`` + ``regression_branch``); ``jamendo_best.ckpt``,
``deam_best.ckpt``, ``pmemo_best.ckpt``, ``emomusic_best.ckpt`` hold single-task teachers
(``output_proj`` with 56 or 2 outputs).

Usage::

    python -m modeling.music2emo.convert_original_checkpoint --checkpoint J_all.ckpt --output-dir music2emo
    python -m modeling.music2emo.convert_original_checkpoint --checkpoint deam_best.ckpt --output-dir teacher-deam

Checkpoints load with ``torch.load(weights_only=True)``: nothing but tensors and plain containers
is unpickled.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import torch
from huggingface_hub import ModelCard

from ..base.errors import CheckpointError
from ..vocabularies.emotion import NUM_MOOD_TAGS
from .configuration_music2emo import Music2EmoConfig
from .model_card import music2emo_model_card
from .modeling_music2emo import Music2EmoModel

__all__ = ["ConversionReport", "convert_checkpoint", "convert_state_dict", "load_original_state_dict", "main"]

_LAYER_KEYS = (
    "self_attn.in_proj_weight",
    "self_attn.in_proj_bias",
    "self_attn.out_proj.weight",
    "self_attn.out_proj.bias",
    "linear1.weight",
    "linear1.bias",
    "linear2.weight",
    "linear2.bias",
    "norm1.weight",
    "norm1.bias",
    "norm2.weight",
    "norm2.bias",
)


@dataclass
class ConversionReport:
    """What a conversion did: the kind of model, what was converted and what was left out."""

    kind: str
    tasks: list[str]
    converted: int
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        groups = Counter(key.split(".")[0] if not key.startswith("model.") else key for key in self.ignored)
        lines = [f"Converted a Music2Emo {self.kind} (tasks {self.tasks}): {self.converted} tensors."]
        if self.ignored:
            lines.append(f"Ignored {len(self.ignored)} entries that are not part of the model:")
            lines += [
                f"  - {name}.* ({count})" if count > 1 else f"  - {name}"
                for name, count in sorted(groups.items())
            ]
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)


def load_original_state_dict(path: str | Path) -> tuple[dict[str, torch.Tensor], list[str]]:
    """The checkpoint's tensors (``state_dict`` of a Lightning checkpoint, or a bare state dict) and the
    names of the other top-level entries it holds."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"Checkpoint {str(path)!r} does not exist or is not a file")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except (
        Exception
    ) as error:  # torch raises UnpicklingError, RuntimeError or EOFError depending on the damage
        raise CheckpointError(
            f"Cannot load {str(path)!r} with torch.load(weights_only=True): {error}. emotune reads only tensors "
            "and plain containers from checkpoints; a file that needs arbitrary unpickling, or a damaged file, is refused"
        ) from error
    if not isinstance(payload, dict):
        raise CheckpointError(f"{str(path)!r} holds a {type(payload).__name__}, not a checkpoint dictionary")
    if "state_dict" in payload:
        state_dict, others = payload["state_dict"], [key for key in payload if key != "state_dict"]
    else:
        state_dict, others = payload, []
    if not isinstance(state_dict, dict) or not all(isinstance(v, torch.Tensor) for v in state_dict.values()):
        raise CheckpointError(f"{str(path)!r}: 'state_dict' is not a mapping of names to tensors")
    return dict(state_dict), others


def _expect(state: dict[str, torch.Tensor], name: str, dims: int | None = None) -> torch.Tensor:
    if name not in state:
        raise CheckpointError(
            f"Not a Music2Emo checkpoint: 'model.{name}' is missing. A Music2Emo checkpoint holds "
            "model.chord_root_embedding, model.chord_attr_embedding, model.chord_transformer.layers.*, "
            "model.input_proj.0 and either classification_branch + regression_branch or output_proj"
        )
    tensor = state[name]
    if dims is not None and tensor.dim() != dims:
        raise CheckpointError(f"'model.{name}' has shape {tuple(tensor.shape)}; expected a {dims}-d tensor")
    return tensor


def convert_state_dict(
    original: dict[str, torch.Tensor], *, chord_encoder_attention_heads: int = 8
) -> tuple[Music2EmoConfig, dict[str, torch.Tensor], ConversionReport]:
    """Map an original state dict (keys with their ``model.`` prefix) onto our names; infer the config
    from the shapes. Raises :class:`CheckpointError` on a checkpoint of another shape."""
    state = {key[len("model.") :]: value for key, value in original.items() if key.startswith("model.")}
    ignored = [key for key in original if not key.startswith("model.")]
    root = _expect(state, "chord_root_embedding.weight", 2)
    quality = _expect(state, "chord_attr_embedding.weight", 2)
    projection = _expect(state, "input_proj.0.weight", 2)
    width = root.shape[1] + quality.shape[1]

    layer_ids = sorted(
        {int(m.group(1)) for key in state if (m := re.match(r"chord_transformer\.layers\.(\d+)\.", key))}
    )
    if not layer_ids or layer_ids != list(range(len(layer_ids))):
        raise CheckpointError(f"Not a Music2Emo checkpoint: chord_transformer layers found: {layer_ids}")
    ffn = _expect(state, "chord_transformer.layers.0.linear1.weight", 2)

    if "output_proj.2.weight" in state:
        outputs = _expect(state, "output_proj.2.weight", 2).shape[0]
        head_hidden = _expect(state, "output_proj.0.weight", 2).shape[0]
        task = {2: "va"}.get(outputs, "mood")
        tasks, kind = [task], "teacher"
        head_sources = {task: "output_proj"}
        num_labels = outputs if task == "mood" else NUM_MOOD_TAGS
    else:
        mood_out = _expect(state, "classification_branch.2.weight", 2)
        va_out = _expect(state, "regression_branch.2.weight", 2)
        if va_out.shape[0] != 2:
            raise CheckpointError(
                f"regression_branch predicts {va_out.shape[0]} values; Music2Emo predicts 2 (V, A)"
            )
        tasks, kind = ["mood", "va"], "multitask student"
        head_sources = {"mood": "classification_branch", "va": "regression_branch"}
        num_labels = mood_out.shape[0]
        head_hidden = _expect(state, "classification_branch.0.weight", 2).shape[0]

    notes = []
    priors = None
    for name in ("loss_fn_classification.pos_weight", "loss_fn_classification_eval.pos_weight"):
        if name in original and original[name].numel() == num_labels:
            priors = (1.0 / original[name].double()).tolist()
            notes.append(f"tag priors taken from {name} (p = 1 / pos_weight)")
            break
    config_kwargs = {"tag_priors": priors} if priors is not None else {}
    if num_labels != NUM_MOOD_TAGS:  # not the MTG-Jamendo tag set: generic labels, and priors only if given
        config_kwargs.update(num_labels=num_labels, tag_priors=priors)
    config = Music2EmoConfig(
        audio_embedding_dim=projection.shape[1] - width - 1,
        num_chord_roots=root.shape[0],
        num_chord_qualities=quality.shape[0],
        chord_root_embedding_dim=root.shape[1],
        chord_quality_embedding_dim=quality.shape[1],
        chord_encoder_layers=len(layer_ids),
        chord_encoder_attention_heads=chord_encoder_attention_heads,
        chord_encoder_ffn_dim=ffn.shape[0],
        hidden_size=projection.shape[0],
        head_hidden_size=head_hidden,
        tasks=tasks,
        **config_kwargs,
    )

    mapped = {
        "chord_root_embeddings.weight": root,
        "chord_quality_embeddings.weight": quality,
        "fusion_projection.weight": projection,
        "fusion_projection.bias": _expect(state, "input_proj.0.bias"),
    }
    for layer in layer_ids:
        for suffix in _LAYER_KEYS:
            source = f"chord_transformer.layers.{layer}.{suffix}"
            mapped[f"chord_encoder.layers.{layer}.{suffix}"] = _expect(state, source)
    for task, source in head_sources.items():
        head = "mood_head" if task == "mood" else "va_head"
        for index, ours in (("0", "dense"), ("2", "out_proj")):
            for param in ("weight", "bias"):
                mapped[f"{head}.{ours}.{param}"] = _expect(state, f"{source}.{index}.{param}")
    used = {
        "chord_root_embedding.weight",
        "chord_attr_embedding.weight",
        "input_proj.0.weight",
        "input_proj.0.bias",
        *(f"chord_transformer.layers.{layer}.{suffix}" for layer in layer_ids for suffix in _LAYER_KEYS),
        *(f"{source}.{i}.{p}" for source in head_sources.values() for i in "02" for p in ("weight", "bias")),
    }
    unused_model_keys = sorted(set(state) - used)
    if unused_model_keys:
        raise CheckpointError(
            "The checkpoint's model has weights a Music2Emo model of its shape does not have: "
            + ", ".join(f"model.{key}" for key in unused_model_keys[:8])
            + (" ..." if len(unused_model_keys) > 8 else "")
        )
    report = ConversionReport(kind=kind, tasks=tasks, converted=len(mapped), ignored=ignored, notes=notes)
    return config, mapped, report


def converted_model_card(
    config: Music2EmoConfig, original: str, *, repo: str, sections: Mapping[str, str] | None = None
) -> ModelCard:
    """The card of a model converted from the original checkpoint named ``original`` (``J_all.ckpt``, ...)."""
    return music2emo_model_card(
        config,
        origin=f"converted from the original Music2Emo checkpoint `{original}` "
        "with `python -m modeling.music2emo.convert_original_checkpoint`",
        repo=repo,
        datasets=["MTG-Jamendo", "DEAM", "PMEmo", "EmoMusic"] if len(config.tasks) == 2 else [],
        extra_sections=sections,
    )


def convert_checkpoint(
    checkpoint: str | Path,
    output_dir: str | Path,
    *,
    chord_encoder_attention_heads: int = 8,
    push_to_hub: str | None = None,
    repo: str | None = None,
    card_sections: Mapping[str, str] | None = None,
) -> tuple[Music2EmoModel, ConversionReport]:
    """Convert ``checkpoint`` and save the model (safetensors, config, code, card) to ``output_dir``.

    The card's examples load ``repo`` (default: ``push_to_hub``, else ``output_dir``); ``card_sections``
    are added to it (``emotune weights fetch`` adds where the weights came from)."""
    original, others = load_original_state_dict(checkpoint)
    config, state_dict, report = convert_state_dict(
        original, chord_encoder_attention_heads=chord_encoder_attention_heads
    )
    report.ignored += [f"{name} (top-level entry)" for name in others]
    model = Music2EmoModel(config)
    expected = model.state_dict()
    for name, tensor in state_dict.items():
        if tuple(expected[name].shape) != tuple(tensor.shape):
            raise CheckpointError(
                f"Shape mismatch for {name}: the checkpoint has {tuple(tensor.shape)}, the inferred config expects "
                f"{tuple(expected[name].shape)}"
            )
    model.load_state_dict(state_dict, strict=True)
    model.eval()
    output_dir = Path(output_dir)
    model.save_pretrained(output_dir)
    card = converted_model_card(
        config, Path(checkpoint).name, repo=repo or push_to_hub or str(output_dir), sections=card_sections
    )
    card.save(output_dir / "README.md")
    if push_to_hub:
        model.push_to_hub(push_to_hub)
        card.push_to_hub(push_to_hub)
    return model, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m modeling.music2emo.convert_original_checkpoint",
        description="Convert a published Music2Emo Lightning checkpoint (J_all.ckpt, deam_best.ckpt, ...) "
        "into a saved emotune Music2EmoModel.",
    )
    parser.add_argument("--checkpoint", required=True, help="the original .ckpt file")
    parser.add_argument("--output-dir", required=True, help="folder to save the converted model to")
    parser.add_argument(
        "--chord-encoder-attention-heads",
        type=int,
        default=8,
        help="attention heads of the chord encoder (8)",
    )
    parser.add_argument("--push-to-hub", metavar="REPO", help="also upload to this Hub repository")
    args = parser.parse_args(argv)
    try:
        _, report = convert_checkpoint(
            args.checkpoint,
            args.output_dir,
            chord_encoder_attention_heads=args.chord_encoder_attention_heads,
            push_to_hub=args.push_to_hub,
        )
    except CheckpointError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    print(f"Saved to {args.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
