"""MERT checkpoints in the forms found on the Hub, and a HubertModel built from one independently of
:mod:`modeling.music2emo.mert` (the tests' own config and key mapping)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

MERT_V1_95M_CONFIG_KEYS = {
    "activation_dropout", "apply_spec_augment", "architectures", "attention_dropout", "attention_relax",
    "auto_map", "bos_token_id", "classifier_proj_size", "conv_bias", "conv_dim", "conv_kernel", "conv_stride",
    "ctc_loss_reduction", "ctc_zero_infinity", "deepnorm", "do_stable_layer_norm", "eos_token_id",
    "feat_extract_activation", "feat_extract_dropout", "feat_extract_norm", "feat_proj_dropout",
    "feat_proj_layer_norm", "feature_extractor_cqt", "feature_extractor_cqt_bins", "final_dropout",
    "gradient_checkpointing", "hidden_act", "hidden_dropout", "hidden_dropout_prob", "hidden_size",
    "initializer_range", "intermediate_size", "layer_norm_eps", "layerdrop", "mask_feature_length",
    "mask_feature_min_masks", "mask_feature_prob", "mask_time_length", "mask_time_min_masks", "mask_time_prob",
    "model_type", "num_attention_heads", "num_conv_pos_embedding_groups", "num_conv_pos_embeddings",
    "num_feat_extract_layers", "num_hidden_layers", "pad_token_id", "sample_rate", "tokenizer_class",
    "torch_dtype", "transformers_version", "use_weighted_layer_sum", "vocab_size",
}  # fmt: skip
"""The keys of m-a-p/MERT-v1-95M's config.json (but ``_name_or_path``)."""

# What HuBERT shares with MERTConfig, listed here rather than derived from either library's code.
SHARED_FIELDS = (
    "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "hidden_act",
    "hidden_dropout", "activation_dropout", "attention_dropout", "feat_proj_layer_norm", "feat_proj_dropout",
    "final_dropout", "layerdrop", "initializer_range", "layer_norm_eps", "feat_extract_norm",
    "feat_extract_activation", "conv_dim", "conv_stride", "conv_kernel", "conv_bias", "num_conv_pos_embeddings",
    "num_conv_pos_embedding_groups", "do_stable_layer_norm", "apply_spec_augment", "mask_time_prob",
    "mask_time_length", "mask_time_min_masks", "mask_feature_prob", "mask_feature_length", "mask_feature_min_masks",
)  # fmt: skip

CONFIGURATION_MERT = """from transformers import HubertConfig


class MERTConfig(HubertConfig):
    model_type = "mert_model"
"""

MODELING_MERT = '''from transformers import HubertModel
from transformers.modeling_outputs import BaseModelOutput

from .configuration_MERT import MERTConfig


class MERTModel(HubertModel):
    """Like the published MERTModel: HuBERT's parts and a forward of its own that calls the encoder directly."""

    config_class = MERTConfig
    base_model_prefix = "mert_model"

    def forward(self, input_values, attention_mask=None, output_hidden_states=None, return_dict=None, **kwargs):
        features = self.feature_extractor(input_values).transpose(1, 2)
        if attention_mask is not None:
            attention_mask = self._get_feature_vector_attention_mask(features.shape[1], attention_mask)
        hidden = self.feature_projection(features)
        out = self.encoder(hidden, attention_mask=attention_mask, output_hidden_states=output_hidden_states)
        return BaseModelOutput(last_hidden_state=out[0], hidden_states=out.hidden_states)
'''


def write_remote_code(folder: Path) -> Path:
    """The two files config.json's auto_map names (tiny, importable, not the published code)."""
    (folder / "configuration_MERT.py").write_text(CONFIGURATION_MERT)
    (folder / "modeling_MERT.py").write_text(MODELING_MERT)
    return folder


def reference_hubert(folder: Path):
    """A HubertModel of the Hub-form MERT in ``folder``, configured and keyed by this module alone."""
    from transformers import HubertConfig, HubertModel

    config = json.loads((folder / "config.json").read_text())
    model = HubertModel(HubertConfig(**{name: config[name] for name in SHARED_FIELDS}))
    state = torch.load(folder / "pytorch_model.bin", weights_only=True)
    conv = "encoder.pos_conv_embed.conv."
    state[conv + "parametrizations.weight.original0"] = state.pop(conv + "weight_g")
    state[conv + "parametrizations.weight.original1"] = state.pop(conv + "weight_v")
    model.load_state_dict(state, strict=True)
    return model.eval()


def hub_state(folder: Path) -> dict:
    return torch.load(folder / "pytorch_model.bin", weights_only=True)


def replace_weights(source: Path, target: Path, state: dict, form: str) -> Path:
    """Copy ``source``'s configs to ``target`` with ``state`` written as ``form``: ``bin``, ``safetensors``,
    ``sharded-safetensors`` or ``sharded-bin`` (two shards and an index)."""
    from safetensors.torch import save_file

    target.mkdir(parents=True)
    for name in ("config.json", "preprocessor_config.json"):
        (target / name).write_text((source / name).read_text())
    state = {key: tensor.contiguous() for key, tensor in state.items()}
    if form == "bin":
        torch.save(state, target / "pytorch_model.bin")
    elif form == "safetensors":
        save_file(state, target / "model.safetensors")
    else:
        suffix = "safetensors" if form == "sharded-safetensors" else "bin"
        stem = "model" if suffix == "safetensors" else "pytorch_model"
        keys = sorted(state)
        shards = {f"{stem}-00001-of-00002.{suffix}": keys[::2], f"{stem}-00002-of-00002.{suffix}": keys[1::2]}
        for name, shard_keys in shards.items():
            shard = {key: state[key] for key in shard_keys}
            if suffix == "safetensors":
                save_file(shard, target / name)
            else:
                torch.save(shard, target / name)
        weight_map = {key: name for name, shard_keys in shards.items() for key in shard_keys}
        (target / f"{stem}.{suffix}.index.json").write_text(
            json.dumps({"metadata": {}, "weight_map": weight_map})
        )
    return target
