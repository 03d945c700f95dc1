"""Random-weight stand-ins for the pretrained models emotune loads, saved to folders in the real form.

The real weights come from the Hub, which tests, the offline demo and the benchmarks cannot reach.
Each stand-in has the real architecture (or a tiny one of the same kind) with random weights, and is
written in the *form* of the real repo, so it loads through exactly the code that loads the real one:

* :func:`save_random_mert`: MERT-v1 as the Hub holds ``m-a-p/MERT-v1-95M``: ``config.json`` with
  ``model_type: mert_model``, ``architectures: [MERTModel]``, the ``auto_map`` to the remote code and
  every ``MERTConfig`` field at MERT-v1-95M's values but the sizes; ``preprocessor_config.json``
  (``Wav2Vec2FeatureExtractor``, 24 kHz, ``do_normalize: true``); ``pytorch_model.bin`` holding the
  positional convolution under the legacy weight-norm keys ``weight_g``/``weight_v``, no key prefix.
  It loads with :func:`modeling.music2emo.mert.load_mert` (the remote code files are not written).
* :func:`save_random_clip`: a ``CLIPModel`` + ``CLIPProcessor`` (ViT-L/14@336 or tiny), with a
  byte-level BPE tokenizer built offline from the six emotion prompts.
* :func:`save_random_btc`: a ``BTCModel`` (the published large-vocabulary size or tiny).

Their outputs have the real shapes and meaningless values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from .base.cards import render_model_card, save_model_card
from .base.errors import InvalidInputError
from .vocabularies.emotion import VIDEO_EMOTIONS

__all__ = [
    "BTC_SIZES",
    "CLIP_SIZES",
    "MERT_SIZES",
    "build_clip_tokenizer",
    "mert_hub_config",
    "save_random_btc",
    "save_random_clip",
    "save_random_mert",
    "stand_in_clip_config",
]


# --- MERT ----------------------------------------------------------------------------------------

MERT_SIZES: dict[str, dict] = {
    "tiny": {"hidden_size": 32, "num_hidden_layers": 8, "num_attention_heads": 2, "intermediate_size": 64,
             "conv_dim": [16] * 7, "num_conv_pos_embeddings": 16, "num_conv_pos_embedding_groups": 4},
    "95m": {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
            "conv_dim": [512] * 7, "num_conv_pos_embeddings": 128, "num_conv_pos_embedding_groups": 16},
}  # fmt: skip
"""Sizes of the MERT stand-ins: ``95m`` is MERT-v1-95M's (the same compute as the real model); ``tiny`` is
for tests and the demo (8 layers, so that Music2Emo's layers 5 and 6 exist)."""

_MERT_V1_95M_CONFIG = {
    "activation_dropout": 0.0, "apply_spec_augment": True, "architectures": ["MERTModel"],
    "attention_dropout": 0.1, "attention_relax": -1.0,
    "auto_map": {"AutoConfig": "configuration_MERT.MERTConfig", "AutoModel": "modeling_MERT.MERTModel"},
    "bos_token_id": 1, "classifier_proj_size": 256, "conv_bias": False, "conv_kernel": [10, 3, 3, 3, 3, 2, 2],
    "conv_stride": [5, 2, 2, 2, 2, 2, 2], "ctc_loss_reduction": "sum", "ctc_zero_infinity": False,
    "deepnorm": False, "do_stable_layer_norm": False, "eos_token_id": 2, "feat_extract_activation": "gelu",
    "feat_extract_dropout": 0.0, "feat_extract_norm": "group", "feat_proj_dropout": 0.1,
    "feat_proj_layer_norm": True, "feature_extractor_cqt": False, "feature_extractor_cqt_bins": 336,
    "final_dropout": 0.1, "gradient_checkpointing": False, "hidden_act": "gelu", "hidden_dropout": 0.1,
    "hidden_dropout_prob": 0.1, "initializer_range": 0.02, "layer_norm_eps": 1e-05, "layerdrop": 0.05,
    "mask_feature_length": 10, "mask_feature_min_masks": 0, "mask_feature_prob": 0.0, "mask_time_length": 10,
    "mask_time_min_masks": 2, "mask_time_prob": 0.05, "model_type": "mert_model", "num_feat_extract_layers": 7,
    "pad_token_id": 0, "sample_rate": 24000, "tokenizer_class": "Wav2Vec2CTCTokenizer", "torch_dtype": "float32",
    "transformers_version": "4.24.0", "use_weighted_layer_sum": False, "vocab_size": 32,
}  # fmt: skip
"""``config.json`` of m-a-p/MERT-v1-95M without its sizes (and ``_name_or_path``)."""

MERT_PREPROCESSOR_CONFIG = {
    "do_normalize": True, "feature_extractor_type": "Wav2Vec2FeatureExtractor", "feature_size": 1,
    "padding_side": "right", "padding_value": 0, "return_attention_mask": True, "sampling_rate": 24000,
}  # fmt: skip
"""``preprocessor_config.json`` of m-a-p/MERT-v1-95M."""


def mert_hub_config(size: Literal["tiny", "95m"] = "tiny") -> dict:
    """The ``config.json`` of a MERT-v1 stand-in: m-a-p/MERT-v1-95M's fields, sizes of ``size``."""
    if size not in MERT_SIZES:
        raise InvalidInputError(f"Unknown MERT stand-in size {size!r}. Accepted: {', '.join(MERT_SIZES)}")
    return dict(sorted({**_MERT_V1_95M_CONFIG, **MERT_SIZES[size]}.items()))


def save_random_mert(folder: str | Path, size: Literal["tiny", "95m"] = "tiny", seed: int = 0) -> Path:
    """Save a random-weight MERT-v1 in the form of the Hub repo (see the module docstring) to ``folder``."""
    import torch
    from transformers import HubertModel

    from .music2emo.mert import hubert_config_from_mert

    config = mert_hub_config(size)
    torch.manual_seed(seed)
    model = HubertModel(hubert_config_from_mert(config)).eval()
    state = {}
    for key, tensor in model.state_dict().items():
        for legacy, current in (("weight_g", "parametrizations.weight.original0"),
                                ("weight_v", "parametrizations.weight.original1")):  # fmt: skip
            if key.endswith(current):
                key = key[: -len(current)] + legacy
        state[key] = tensor.detach().clone().contiguous()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (folder / "preprocessor_config.json").write_text(json.dumps(MERT_PREPROCESSOR_CONFIG, indent=2) + "\n")
    torch.save(state, folder / "pytorch_model.bin")
    save_model_card(
        render_model_card(
            title=f"Random-weight MERT-v1 stand-in ({size})",
            summary=(
                f"MERT-v1 ({config['num_hidden_layers']} layers, hidden {config['hidden_size']}) with RANDOM weights "
                f"(seed {seed}), in the form of `m-a-p/MERT-v1-95M` (its config.json fields and auto_map, its "
                "preprocessor_config.json, pytorch_model.bin with legacy weight-norm keys; the remote code files "
                "are not included). It stands in for the real encoder where that cannot be downloaded."
            ),
            usage=(
                "```python\nfrom modeling.music2emo.audio_encoder import MertEncoder\n\n"
                f"encoder = MertEncoder('{folder.name}')\n```"
            ),
            paper="music2emo",
            tags=["mert", "hubert", "random-weights", "test-fixture"],
            limitations="Random weights: its embeddings carry no musical meaning.",
        ),
        folder,
    )
    return folder


# --- CLIP ----------------------------------------------------------------------------------------

_BOS, _EOS = "<|startoftext|>", "<|endoftext|>"

CLIP_SIZES: dict[str, dict] = {
    "tiny": {
        "text": dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4),
        "vision": dict(
            hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, patch_size=8
        ),
        "image_size": 32,
    },
    "vit-l-14-336": {
        "text": dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12),
        "vision": dict(
            hidden_size=1024,
            intermediate_size=4096,
            num_hidden_layers=24,
            num_attention_heads=16,
            patch_size=14,
        ),
        "image_size": 336,
    },
}
"""Architectures of the CLIP stand-ins: ``vit-l-14-336`` is openai/clip-vit-large-patch14-336's; ``tiny`` keeps
its 768-d projection so the features keep their real width."""

_PROJECTION_DIM = 768
_REAL_VOCAB_SIZE = 49408


def build_clip_tokenizer(words=VIDEO_EMOTIONS):
    """A :class:`~transformers.CLIPTokenizer` built offline: CLIP's byte-level alphabet (each byte
    alone and word-final, as CLIP's vocabulary starts) plus merges that make each of ``words`` (default:
    Video2Music's six emotion prompts) one token, then the start/end-of-text tokens; any other text still
    encodes, byte by byte."""
    from tokenizers import pre_tokenizers
    from transformers import CLIPTokenizer

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {symbol: i for i, symbol in enumerate(alphabet + [a + "</w>" for a in alphabet])}
    merges: list[tuple[str, str]] = []
    for word in words:
        word = word.lower()
        merged = word[0]
        for position, char in enumerate(word[1:], start=2):
            piece = char + ("</w>" if position == len(word) else "")
            if merged + piece not in vocab:
                merges.append((merged, piece))
                vocab[merged + piece] = len(vocab)
            merged += piece
    vocab[_BOS] = len(vocab)
    vocab[_EOS] = len(vocab)
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=77)


def stand_in_clip_config(size: Literal["tiny", "vit-l-14-336"] = "tiny", tokenizer=None):
    """The :class:`~transformers.CLIPConfig` of a stand-in, its special token ids taken from ``tokenizer``."""
    from transformers import CLIPConfig

    if size not in CLIP_SIZES:
        raise InvalidInputError(f"Unknown stand-in CLIP size {size!r}. Accepted: {', '.join(CLIP_SIZES)}")
    tokenizer = tokenizer or build_clip_tokenizer()
    spec = CLIP_SIZES[size]
    vocab_size = _REAL_VOCAB_SIZE if size == "vit-l-14-336" else len(tokenizer)
    text = dict(
        spec["text"],
        vocab_size=vocab_size,
        max_position_embeddings=77,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    vision = dict(spec["vision"], image_size=spec["image_size"])
    return CLIPConfig(text_config=text, vision_config=vision, projection_dim=_PROJECTION_DIM)


def save_random_clip(
    folder: str | Path, size: Literal["tiny", "vit-l-14-336"] = "tiny", *, seed: int = 0
) -> Path:
    """Save a randomly initialised ``CLIPModel`` and its ``CLIPProcessor`` (PIL image processor,
    locally built tokenizer) to ``folder``; load it back with ``from_pretrained(folder)``."""
    import torch
    from transformers import CLIPImageProcessorPil, CLIPModel, CLIPProcessor

    folder = Path(folder)
    tokenizer = build_clip_tokenizer()
    config = stand_in_clip_config(size, tokenizer)
    image_size = CLIP_SIZES[size]["image_size"]
    image_processor = CLIPImageProcessorPil(
        size={"shortest_edge": image_size}, crop_size={"height": image_size, "width": image_size}
    )
    torch.manual_seed(seed)
    model = CLIPModel(config).eval()
    model.save_pretrained(folder)
    CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)
    save_model_card(
        render_model_card(
            title=f"Random-weight CLIP stand-in ({size})",
            summary=(
                f"A `CLIPModel` with the `{size}` architecture and RANDOM weights (seed {seed}), with a "
                "byte-level BPE tokenizer built offline from Video2Music's six emotion prompts. It stands in "
                "for `openai/clip-vit-large-patch14-336` where that cannot be downloaded (tests, offline "
                "benchmarks): outputs have the real shapes (768-d image embeddings) and no meaning."
            ),
            usage=(
                "```python\nfrom transformers import CLIPModel, CLIPProcessor\n\n"
                f"model = CLIPModel.from_pretrained('{folder.name}')\n"
                f"processor = CLIPProcessor.from_pretrained('{folder.name}')\n```"
            ),
            paper="video2music",
            tags=["clip", "random-weights", "test-fixture"],
            limitations="Random weights: never use its embeddings or zero-shot probabilities as features.",
        ),
        folder,
    )
    return folder


# --- BTC -----------------------------------------------------------------------------------------

BTC_SIZES: dict[str, dict] = {
    "large": {},
    "tiny": {"hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "total_key_depth": 16,
             "total_value_depth": 16, "intermediate_size": 16},
}  # fmt: skip
"""``large``: the published large-vocabulary BTC's architecture (BTCConfig's defaults); ``tiny``: 1 layer, hidden 16."""


def save_random_btc(folder: str | Path, size: Literal["tiny", "large"] = "tiny", seed: int = 0) -> Path:
    """Save a random-weight ``BTCModel`` to ``folder`` (the published weights come from the Hub)."""
    import torch

    from .btc.configuration_btc import BTCConfig
    from .btc.modeling_btc import BTCModel

    if size not in BTC_SIZES:
        raise InvalidInputError(f"Unknown stand-in BTC size {size!r}. Accepted: {', '.join(BTC_SIZES)}")
    torch.manual_seed(seed)
    model = BTCModel(BTCConfig(feature_mean=-5.0, feature_std=2.5, **BTC_SIZES[size])).eval()
    model.save_pretrained(Path(folder))
    return Path(folder)
