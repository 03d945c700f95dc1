"""MERT-v1 loaded natively into transformers' ``HubertModel``, without remote code.

The Hub repos of MERT (``m-a-p/MERT-v1-95M``) ship remote code (``modeling_MERT.MERTModel``, a
``HubertModel`` subclass) written for transformers 4; under transformers 5 its forward returns
``hidden_states=None``. Without its CQT branch, deepnorm and relaxed attention, MERT-v1 *is* HuBERT:
the same feature encoder, feature projection (layer norm, projection, dropout) and post-norm
Transformer encoder. :func:`load_mert` therefore reads the repo's ``config.json`` (``model_type``
``mert_model``, or ``hubert``), maps it onto a :class:`~transformers.HubertConfig`, and loads the
weights into a :class:`~transformers.HubertModel`:

* files come from a local folder or, for a Hub id, only ``config.json``, ``preprocessor_config.json``
  and the weights are fetched (``HF_HUB_OFFLINE`` honoured; an unreachable Hub falls back to the cache);
* weights: ``model.safetensors`` or ``pytorch_model.bin`` (``torch.load(weights_only=True)``), or a
  sharded ``*.index.json`` of either;
* the positional convolution's legacy weight-norm keys (``weight_g``/``weight_v``, as the MERT repos
  store them) become the ``parametrizations.weight.original0/1`` that torch's current weight norm
  uses; a key prefix (``mert_model.``, ``hubert.``, ``model.``) is stripped;
* a weight the model needs and the file lacks is a :class:`~modeling.base.errors.CheckpointError`; keys
  that belong to no part of ``HubertModel`` are listed in a debug log line and left out.

MERT variants HuBERT cannot express (``feature_extractor_cqt``, ``deepnorm``, ``attention_relax``)
raise :class:`~modeling.base.errors.UnsupportedModelError`; their remote code remains an explicit opt-in
(``MertEncoder(..., trust_remote_code=True)``).

:func:`truncate_encoder` and :func:`quantize_dynamic_int8` are the two run options of
:class:`~modeling.music2emo.audio_encoder.MertEncoder`: run only the layers whose outputs are used
(exact), and int8 dynamic quantisation of the Linear layers on a CPU (inexact, named, off by default).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path

from ..base.errors import (
    CheckpointError,
    InvalidInputError,
    MissingDependencyError,
    UnsupportedModelError,
    WeightsDownloadError,
    WeightsNotFoundError,
)
from ..hub.resolution import hub_offline

__all__ = [
    "MERT_MODEL_TYPE",
    "hubert_config_from_mert",
    "load_mert",
    "load_state_dict_file",
    "quantize_dynamic_int8",
    "resolve_mert_folder",
    "truncate_encoder",
]

logger = logging.getLogger(__name__)

MERT_MODEL_TYPE = "mert_model"
"""``model_type`` of the MERT repos' ``config.json``."""

CONFIG_NAME = "config.json"
PREPROCESSOR_NAME = "preprocessor_config.json"
SAFETENSORS_PATTERNS = ("model.safetensors", "model.safetensors.index.json", "model-*-of-*.safetensors")
BIN_PATTERNS = ("pytorch_model.bin", "pytorch_model.bin.index.json", "pytorch_model-*-of-*.bin")
_WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)
"""In order of preference."""

HUB_TIMEOUT_S = 5.0
"""Seconds the first request to the Hub may take before the Hub counts as unreachable."""

_ANCHOR_KEY = "feature_projection.projection.weight"
"""A key every MERT/HuBERT checkpoint has; what precedes it in a file is the file's key prefix."""

_LEGACY_WEIGHT_NORM = {
    "weight_g": "parametrizations.weight.original0",
    "weight_v": "parametrizations.weight.original1",
}


# --- files ---------------------------------------------------------------------------------------


def resolve_mert_folder(name_or_path: str | os.PathLike, revision: str | None = None) -> Path:
    """A folder holding ``config.json``, ``preprocessor_config.json`` and the weights of ``name_or_path``
    (a local folder, or a Hub id whose files are fetched or found in the cache)."""
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        _check_files(path, str(name_or_path))
        return path
    if path.exists():
        raise InvalidInputError(
            f"{name_or_path} is a file. Accepted: a MERT folder or a Hub id like m-a-p/MERT-v1-95M"
        )
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(str(name_or_path))
    except HFValidationError:
        raise WeightsNotFoundError(
            f"{name_or_path} is neither a folder nor a Hub id. Accepted: a folder with config.json, "
            "preprocessor_config.json and the weights, or a Hub id like m-a-p/MERT-v1-95M"
        ) from None
    return _fetch_from_hub(str(name_or_path), revision)


def _fetch_from_hub(repo_id: str, revision: str | None) -> Path:
    """Fetch only the files the loader reads. A repo that holds safetensors is not asked for its ``.bin``.

    The download takes the commit the listing came from. Offline (or with the Hub unreachable) the cached
    snapshot is taken as it is, whatever format of the weights it holds (:func:`_cached_snapshot`): after
    one download, or ``emotune weights fetch mert``, ``HF_HUB_OFFLINE=1`` loads from disk."""
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    from ..base.defaults import MERT_MODEL

    try:
        from httpx2 import TransportError
    except ImportError:  # huggingface_hub < 2 talks through httpx
        from httpx import TransportError

    fetch = (
        "Run `emotune weights fetch mert` (or once with internet access)"
        if repo_id == MERT_MODEL
        else "Run once with internet access"
    )
    advice = (
        f"{fetch} so {repo_id} is cached, or pass a local folder holding its {CONFIG_NAME}, {PREPROCESSOR_NAME} "
        "and weights"
    )
    reason = "the Hub is switched off (HF_HUB_OFFLINE)"
    if not hub_offline():
        try:
            info = HfApi().model_info(repo_id, revision=revision, timeout=HUB_TIMEOUT_S)
        except (GatedRepoError, RepositoryNotFoundError, RevisionNotFoundError) as error:
            raise WeightsNotFoundError(
                f"{repo_id}{f'@{revision}' if revision else ''} is not on the Hub or not readable with your "
                f"credentials ({type(error).__name__}). Accepted: a public MERT repo such as m-a-p/MERT-v1-95M "
                "(log in with `hf auth login` for gated or private ones) or a local folder"
            ) from None
        except (TransportError, HfHubHTTPError, OSError) as error:
            reason = f"the Hub is unreachable ({type(error).__name__}: {str(error).splitlines()[0][:200]})"
        else:
            names = {sibling.rfilename for sibling in info.siblings or ()}
            has_safetensors = any(name.endswith(".safetensors") for name in names)
            patterns = [
                CONFIG_NAME,
                PREPROCESSOR_NAME,
                *(SAFETENSORS_PATTERNS if has_safetensors else BIN_PATTERNS),
            ]
            try:
                folder = Path(snapshot_download(repo_id, revision=info.sha, allow_patterns=patterns))
            except (TransportError, HfHubHTTPError, OSError) as error:
                raise WeightsDownloadError(
                    f"Downloading {', '.join(patterns)} of {repo_id} failed ({type(error).__name__}: "
                    f"{str(error).splitlines()[0][:200]}). Run again (finished files stay in the Hugging Face "
                    "cache) or pass a local folder"
                ) from None
            _check_files(folder, repo_id)
            return folder
    folder = _cached_snapshot(repo_id, revision)
    if folder is None:
        raise WeightsNotFoundError(f"{repo_id} is not in the Hugging Face cache and {reason}. {advice}")
    try:
        _check_files(folder, repo_id)
    except WeightsNotFoundError as error:
        raise WeightsNotFoundError(f"{error} (in the cache; {reason}). {advice}") from None
    return folder


def _cached_snapshot(repo_id: str, revision: str | None) -> Path | None:
    """The snapshot folder of ``repo_id`` in the Hugging Face cache holding a ``config.json``: the one its
    ref ``revision`` (default ``main``) names; for no revision, when no ref was recorded (a download by
    commit, as :func:`_fetch_from_hub` makes), the newest snapshot. Asks nothing of the Hub."""
    from huggingface_hub import constants, try_to_load_from_cache
    from huggingface_hub.file_download import repo_folder_name

    cached = try_to_load_from_cache(repo_id, CONFIG_NAME, revision=revision)
    if isinstance(cached, str):
        return Path(cached).parent
    if revision is not None:
        return None
    snapshots = (
        Path(constants.HF_HUB_CACHE) / repo_folder_name(repo_id=repo_id, repo_type="model") / "snapshots"
    )
    found = [folder for folder in snapshots.glob("*") if (folder / CONFIG_NAME).is_file()]
    return max(found, key=lambda folder: folder.stat().st_mtime) if found else None


def _check_files(folder: Path, name: str) -> None:
    missing = [file for file in (CONFIG_NAME, PREPROCESSOR_NAME) if not (folder / file).is_file()]
    if not any((folder / file).is_file() for file in _WEIGHT_FILES):
        missing.append(" or ".join(_WEIGHT_FILES))
    if missing:
        raise WeightsNotFoundError(
            f"{name} lacks {', '.join(missing)}. Accepted: a MERT folder as on the Hub (config.json, "
            "preprocessor_config.json, model.safetensors or pytorch_model.bin, or their sharded index)"
        )


# --- configuration -------------------------------------------------------------------------------


def hubert_config_from_mert(config: Mapping, source: str = "the checkpoint"):
    """The :class:`~transformers.HubertConfig` of a MERT (``mert_model``) or HuBERT (``hubert``)
    ``config.json``; MERT variants HuBERT cannot express raise :class:`UnsupportedModelError`."""
    from transformers import HubertConfig

    model_type = config.get("model_type")
    opt_in = "Their remote code is the explicit opt-in: MertEncoder(..., trust_remote_code=True)"
    if model_type == MERT_MODEL_TYPE:
        if config.get("feature_extractor_cqt", False):
            raise UnsupportedModelError(
                f"{source} sets feature_extractor_cqt: true: MERT concatenates a CQT (nnAudio) to the "
                "convolutional features before the projection, which HubertModel has no part for. Accepted "
                f"natively: MERT-v1 configs with feature_extractor_cqt false (m-a-p/MERT-v1-95M). {opt_in}"
            )
        if config.get("deepnorm", False):
            raise UnsupportedModelError(
                f"{source} sets deepnorm: true: MERT scales every residual connection (DeepNorm), which "
                f"HubertModel's encoder layers do not. Accepted natively: deepnorm false. {opt_in}"
            )
        relax = config.get("attention_relax", -1.0)
        if relax is not None and float(relax) > 0:
            raise UnsupportedModelError(
                f"{source} sets attention_relax: {relax}: MERT's relaxed attention rescales the attention "
                f"logits, which HubertAttention does not. Accepted natively: attention_relax <= 0 (off). {opt_in}"
            )
    elif model_type != "hubert":
        raise UnsupportedModelError(
            f"{source} has model_type {model_type!r}. Accepted: {MERT_MODEL_TYPE!r} (MERT-v1) or 'hubert'. "
            "Other architectures need their own loader or their remote code (trust_remote_code=True)"
        )
    fields = {field.name for field in dataclasses.fields(HubertConfig)} - {
        "architectures",
        "transformers_version",
    }
    return HubertConfig(**{name: value for name, value in config.items() if name in fields})


# --- weights -------------------------------------------------------------------------------------


def load_state_dict_file(folder: Path) -> dict:
    """The tensors of the weights in ``folder``: ``model.safetensors``, ``pytorch_model.bin`` or a sharded index
    of either (safetensors first)."""
    for name in _WEIGHT_FILES:
        path = folder / name
        if not path.is_file():
            continue
        if name.endswith(".index.json"):
            try:
                weight_map = json.loads(path.read_text())["weight_map"]
            except (ValueError, KeyError, TypeError) as error:
                raise CheckpointError(f"{path} is not a sharded-weights index ({error}). Accepted: a JSON "
                                      "object with a weight_map of key -> shard file") from None  # fmt: skip
            state: dict = {}
            for shard in sorted(set(weight_map.values())):
                state.update(_read_weights(folder / shard))
            return state
        return _read_weights(path)
    raise WeightsNotFoundError(f"{folder} holds no weights. Accepted: {', '.join(_WEIGHT_FILES)}")


def _read_weights(path: Path) -> dict:
    import pickle

    import torch

    if not path.is_file():
        raise CheckpointError(f"The weights index names {path.name}, which is not in {path.parent}")
    if path.suffix == ".safetensors":
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            return load_file(path)
        except (SafetensorError, OSError) as error:
            raise CheckpointError(f"Cannot read {path}: {error}. Accepted: a safetensors file") from None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError) as error:
        raise CheckpointError(
            f"Cannot load {path} with torch.load(weights_only=True): {str(error).splitlines()[0]}. Accepted: a "
            "PyTorch state dict of tensors (emotune never unpickles arbitrary objects)"
        ) from None
    if not isinstance(state, Mapping) or not all(isinstance(value, torch.Tensor) for value in state.values()):
        raise CheckpointError(f"{path} is not a state dict of tensors. Accepted: a mapping of key -> tensor")
    return dict(state)


def _match_state_dict(state: Mapping, model) -> dict:
    """``state``'s tensors under ``model``'s key names: the file's prefix stripped, legacy weight-norm keys
    renamed. Missing keys raise; keys of no part of the model are logged and dropped."""
    anchors = [key for key in state if key == _ANCHOR_KEY or key.endswith("." + _ANCHOR_KEY)]
    if len(anchors) > 1:
        raise CheckpointError(
            f"The checkpoint holds {len(anchors)} encoders ({', '.join(sorted(anchors))}). Accepted: one MERT/HuBERT"
        )
    prefix = anchors[0][: -len(_ANCHOR_KEY)] if anchors else ""
    expected = model.state_dict()
    matched, unexpected = {}, []
    for key, tensor in state.items():
        name = key[len(prefix) :] if key.startswith(prefix) else None
        if name is not None and name not in expected:
            stem, _, leaf = name.rpartition(".")
            if leaf in _LEGACY_WEIGHT_NORM and f"{stem}.{_LEGACY_WEIGHT_NORM[leaf]}" in expected:
                name = f"{stem}.{_LEGACY_WEIGHT_NORM[leaf]}"
            else:
                for legacy, current in _LEGACY_WEIGHT_NORM.items():
                    if name.endswith("." + current) and name[: -len(current)] + legacy in expected:
                        name = name[: -len(current)] + legacy
        if name is None or name not in expected:
            unexpected.append(key)
            continue
        if tuple(tensor.shape) != tuple(expected[name].shape):
            raise CheckpointError(
                f"Weight {key} has shape {tuple(tensor.shape)} but the config makes {name} "
                f"{tuple(expected[name].shape)}. Accepted: weights that match config.json"
            )
        matched[name] = tensor
    missing = sorted(set(expected) - set(matched))
    if missing:
        shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        raise CheckpointError(
            f"The checkpoint lacks {len(missing)} weight(s) HubertModel needs: {shown} (key prefix found: "
            f"{prefix!r}). Accepted: a complete MERT-v1/HuBERT state dict"
        )
    if unexpected:
        logger.debug(
            "Left out %d checkpoint key(s) of no part of HubertModel: %s", len(unexpected), unexpected
        )
    return matched


def load_mert(name_or_path: str | os.PathLike, revision: str | None = None):
    """``(HubertModel in eval mode, Wav2Vec2FeatureExtractor)`` of a MERT-v1 (or HuBERT) folder or Hub id."""
    import torch
    from transformers import HubertModel, Wav2Vec2FeatureExtractor

    folder = resolve_mert_folder(name_or_path, revision)
    try:
        config_dict = json.loads((folder / CONFIG_NAME).read_text())
    except ValueError as error:
        raise CheckpointError(f"{folder / CONFIG_NAME} is not JSON ({error})") from None
    config = hubert_config_from_mert(config_dict, f"{name_or_path} ({CONFIG_NAME})")
    state = load_state_dict_file(folder)
    with torch.device("meta"):
        model = HubertModel(config)
    model.load_state_dict(_match_state_dict(state, model), strict=True, assign=True)
    model.eval()
    processor = Wav2Vec2FeatureExtractor.from_pretrained(folder)
    return model, processor


# --- run options ---------------------------------------------------------------------------------


def truncate_encoder(model, deepest_layer: int) -> int:
    """Keep only the encoder layers ``hidden_states[1:][deepest_layer]`` and the entries before it need;
    returns the number kept. Every kept entry of ``hidden_states`` is bit for bit what the full model gives.

    With a pre-norm (``do_stable_layer_norm``) encoder the final layer norm follows the last layer, and
    transformers versions differ on whether the last ``hidden_states`` entry carries it (4.x: yes; 5.24: no),
    so one more layer is kept there, unless the deepest requested one is the last.
    """
    import torch

    layers = model.encoder.layers
    keep = deepest_layer + 1 + (1 if model.config.do_stable_layer_norm else 0)
    keep = min(keep, len(layers))
    if keep < len(layers):
        model.encoder.layers = torch.nn.ModuleList(list(layers)[:keep])
        model.config.num_hidden_layers = keep
    return keep


ENCODER_QUANTIZATIONS = ("dynamic-int8",)
"""Names accepted by ``encoder_quantization``."""


def quantize_dynamic_int8(model):
    """Replace ``model``'s ``nn.Linear`` layers (feature projection, attention, feed-forward) by int8
    dynamically quantised ones, in place (weights int8 per tensor, activations quantised per batch; the
    convolutional front end stays float32). CPU only."""
    import warnings

    import torch

    if torch.backends.quantized.engine in (None, "none") or not torch.backends.quantized.supported_engines:
        raise MissingDependencyError(
            "This torch build has no quantized CPU engine (torch.backends.quantized.supported_engines is empty), "
            "so encoder_quantization='dynamic-int8' cannot run. Accepted: encoder_quantization=None"
        )
    with warnings.catch_warnings():
        # torch 2.13 still ships eager dynamic quantisation, marked deprecated in favour of torchao.
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=r".*torch\.ao\.quantization")
        warnings.filterwarnings("ignore", category=UserWarning, message=r".*quantize_per_tensor.*deprecated")
        from torch.ao.quantization import quantize_dynamic

        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
