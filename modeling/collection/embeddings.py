"""The clip embedding ``emotune predict --embeddings`` stores in each record, and which encoder made it.

The embedding is what the Music2Emo model reads for a whole clip:
``Music2EmoFeatures.model_inputs()["audio_embeddings"]``, the mean over the clip's 30 s segments of the
encoder's pooled hidden states (1536 float32 values for MERT-v1-95M's layers 5 and 6). Embeddings of
different encoders (or layers, or segment lengths) live in different spaces, so a record also keeps the
encoder that made its embedding, ``embedding_encoder`` (:func:`encoder_identity`): ``--resume`` refuses to
add embeddings of another encoder, and ``emotune search --like FILE`` embeds a file outside the library with
the library's encoder (:func:`default_encoder` when the library does not say).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

__all__ = [
    "clip_embedding",
    "default_encoder",
    "describe_encoder",
    "encoder_identity",
    "identity",
    "model_encoder",
    "same_encoder",
]


def clip_embedding(features) -> np.ndarray:
    """``(embedding_dim,)`` float32: the clip embedding the model reads from ``features`` (a
    :class:`~modeling.music2emo.feature_extraction_music2emo.Music2EmoFeatures`)."""
    return features.model_inputs()["audio_embeddings"][0].numpy().astype(np.float32, copy=False)


def identity(name: str, layers, segment_seconds: float) -> dict:
    """``{"name", "layers", "segment_seconds"}`` of an encoder: a Hub id as given, a local folder as its
    absolute path (valid from any current folder)."""
    folder = Path(str(name)).expanduser()
    return {
        "name": str(folder.resolve()) if folder.is_dir() else str(name),
        "layers": [int(layer) for layer in layers],
        "segment_seconds": float(segment_seconds),
    }


def encoder_identity(extractor) -> dict:
    """The :func:`identity` of the encoder of ``extractor`` (a
    :class:`~modeling.music2emo.feature_extraction_music2emo.Music2EmoFeatureExtractor`)."""
    return identity(extractor.encoder.name_or_path, extractor.encoder.layers, extractor.segment_seconds)


def model_encoder(model: str, audio_encoder: str | None = None) -> dict:
    """The :func:`identity` of the encoder a ``music-emotion-recognition`` pipeline of ``model`` (a folder or
    Hub id, resolved as the pipeline resolves it) runs, with ``audio_encoder`` in place of its config's if
    given: read from the model's config, without loading any weights."""
    from ..hub import resolve_model
    from ..music2emo.configuration_music2emo import Music2EmoConfig

    config = Music2EmoConfig.from_pretrained(resolve_model(model))
    return identity(
        audio_encoder or config.audio_encoder, config.audio_encoder_layers, config.segment_seconds
    )


def default_encoder() -> dict:
    """The identity of the default model's encoder (MERT-v1-95M, Music2Emo's layers and segments): what a
    library whose records do not name their encoder is taken to hold."""
    from ..base.defaults import MERT_MODEL
    from ..music2emo.configuration_music2emo import Music2EmoConfig

    return identity(MERT_MODEL, Music2EmoConfig.audio_encoder_layers, Music2EmoConfig.segment_seconds)


def same_encoder(first: Mapping | None, second: Mapping | None) -> bool:
    """Whether two encoder identities make embeddings of one space."""
    if first is None or second is None:
        return first is second
    return (
        str(first.get("name")) == str(second.get("name"))
        and [int(x) for x in first.get("layers") or []] == [int(x) for x in second.get("layers") or []]
        and float(first.get("segment_seconds") or 0) == float(second.get("segment_seconds") or 0)
    )


def describe_encoder(identity: Mapping | None) -> str:
    """``"m-a-p/MERT-v1-95M (layers 5, 6; 30 s segments)"``."""
    if identity is None:
        return "no encoder named"
    layers = ", ".join(str(layer) for layer in identity.get("layers") or [])
    return f"{identity.get('name')} (layers {layers}; {float(identity.get('segment_seconds') or 0):g} s segments)"
