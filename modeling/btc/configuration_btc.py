"""Configuration of BTC, the Bi-directional Transformer for Chord recognition (Park et al., ISMIR 2019).

This file travels to the Hub as remote code: it imports only transformers and the standard library.
"""

from __future__ import annotations

from huggingface_hub.dataclasses import strict
from transformers import PreTrainedConfig

# Copied from modeling.vocabularies.chords.vocabulary.PITCH_CLASSES
PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
LARGE_VOCABULARY_QUALITIES = (
    "min",
    "maj",
    "dim",
    "aug",
    "min6",
    "maj6",
    "min7",
    "minmaj7",
    "maj7",
    "7",
    "dim7",
    "hdim7",
    "sus2",
    "sus4",
)
"""The large vocabulary's qualities, in BTC's class order (class = 14 * root + quality; 168 X, 169 N);
not the order of emotune's chord vocabulary (:data:`modeling.vocabularies.chords.vocabulary.QUALITIES`)."""


def large_vocabulary_labels() -> list[str]:
    """The 170 class labels exactly as BTC emits them (``C`` for C major, ``C:min``, ..., ``X``, ``N``)."""
    labels = [
        root if quality == "maj" else f"{root}:{quality}"
        for root in PITCH_CLASSES
        for quality in LARGE_VOCABULARY_QUALITIES
    ]
    return [*labels, "X", "N"]


@strict(accept_kwargs=True)
class BTCConfig(PreTrainedConfig):
    r"""Configuration of [`BTCModel`]. Defaults are the published large-vocabulary model
    (`btc_model_large_voca.pt`): 8 bi-directional layers, hidden 128, 4 heads, 170 classes over
    108-frame windows of a 144-bin constant-Q transform.

    Args:
        feature_size (`int`, defaults to 144): CQT bins per frame.
        hidden_size (`int`, defaults to 128), num_hidden_layers (`int`, defaults to 8),
        num_attention_heads (`int`, defaults to 4), total_key_depth / total_value_depth (`int`, defaults to 128),
        intermediate_size (`int`, defaults to 128): layer sizes (the original's `hidden_size`,
        `num_layers`, `num_heads`, `total_key_depth`, `total_value_depth`, `filter_size`).
        timestep (`int`, defaults to 108): frames per window (10 s of audio).
        num_chords (`int`, defaults to 170): classes (see `large_vocabulary_labels`).
        input_dropout / layer_dropout / attention_dropout / relu_dropout (`float`, defaults to 0.2).
        sampling_rate (`int`, defaults to 22050), n_bins (`int`, defaults to 144), bins_per_octave (`int`,
        defaults to 24), hop_length (`int`, defaults to 2048), inst_len (`float`, defaults to 10.0):
            The features: log-magnitude CQT computed on consecutive `inst_len`-second chunks.
        feature_mean / feature_std (`float` or `list[float]`): normalisation of the log-CQT, from the
            training set (the checkpoint's `mean` and `std`).
    """

    model_type = "btc"

    feature_size: int = 144
    hidden_size: int = 128
    num_hidden_layers: int = 8
    num_attention_heads: int = 4
    total_key_depth: int = 128
    total_value_depth: int = 128
    intermediate_size: int = 128
    timestep: int = 108
    num_chords: int = 170
    input_dropout: float = 0.2
    layer_dropout: float = 0.2
    attention_dropout: float = 0.2
    relu_dropout: float = 0.2
    sampling_rate: int = 22050
    n_bins: int = 144
    bins_per_octave: int = 24
    hop_length: int = 2048
    inst_len: float = 10.0
    feature_mean: float | list[float] = 0.0
    feature_std: float | list[float] = 1.0

    def __post_init__(self, **kwargs):
        if self.id2label is None and kwargs.get("num_labels") is None and self.num_chords == 170:
            self.id2label = dict(enumerate(large_vocabulary_labels()))
            self.label2id = {label: i for i, label in self.id2label.items()}
        super().__post_init__(**kwargs)

    def validate_architecture(self):
        for name in ("total_key_depth", "total_value_depth"):
            if getattr(self, name) % self.num_attention_heads:
                raise ValueError(
                    f"{name} ({getattr(self, name)}) must be divisible by num_attention_heads "
                    f"({self.num_attention_heads})"
                )
        if self.feature_size != self.n_bins:
            raise ValueError(f"feature_size ({self.feature_size}) must equal n_bins ({self.n_bins})")


__all__ = ["BTCConfig", "large_vocabulary_labels"]
