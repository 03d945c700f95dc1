"""Configuration of the Affective Multimodal Transformer (Video2Music).

This file travels to the Hub as remote code: it imports only transformers and the standard library.
"""

from __future__ import annotations

from typing import ClassVar

from huggingface_hub.dataclasses import strict
from transformers import PreTrainedConfig

# Video2Music's emotion -> chord-quality map (dataset/vevo_dataset.py), in feature order of the six
# video emotions; qualities by name (the 13 qualities of the chord vocabulary, in id order 1..13).
# Copied from modeling.vocabularies.chords.vocabulary.QUALITIES
QUALITIES = ("maj", "dim", "sus4", "min7", "min", "sus2", "aug", "dim7", "maj6", "hdim7", "7", "min6", "maj7")
EMOTION_QUALITIES = {
    "exciting": ("maj", "sus4", "7"),
    "fearful": ("dim", "min7", "dim7", "hdim7"),
    "tense": ("dim", "sus4", "min7", "7"),
    "sad": ("min7", "min", "sus2"),
    "relaxing": ("maj", "maj6", "maj7"),
    "neutral": (),
}


@strict(accept_kwargs=True)
class AMTConfig(PreTrainedConfig):
    r"""Configuration of [`AMTModel`], the Affective Multimodal Transformer of Video2Music (Kang, Poria &
    Herremans, 2024). Defaults reproduce the published model.

    Args:
        video_feature_dim (`int`, defaults to 776):
            Values per second of video: CLIP image embedding (768), scene offset (1), motion (1) and the
            six emotion probabilities (6), in that order.
        num_emotions (`int`, defaults to 6):
            Emotion probabilities at the end of each feature row (exciting, fearful, tense, sad, relaxing,
            neutral).
        num_chord_tokens (`int`, defaults to 159):
            Output vocabulary: 157 chords (id 0 is `N`), END (157) and PAD (158).
        num_chord_roots (`int`, defaults to 15), num_chord_qualities (`int`, defaults to 16):
            Decoder input embeddings: 13 roots (0 = `N`) + END + PAD; 14 qualities (0 = none, 1..13) + END + PAD.
        d_model (`int`, defaults to 512), encoder_layers / decoder_layers (`int`, defaults to 6),
        encoder_attention_heads / decoder_attention_heads (`int`, defaults to 8),
        encoder_ffn_dim / decoder_ffn_dim (`int`, defaults to 1024), dropout (`float`, defaults to 0.1):
            Transformer sizes (post-norm layers, ReLU, final LayerNorm on encoder and decoder), named as
            transformers' encoder-decoders (BART) name them; `hidden_size`, `num_attention_heads` and
            `num_hidden_layers` read `d_model`, `encoder_attention_heads` and `encoder_layers`.
        max_sequence_length (`int`, defaults to 300):
            Longest video (seconds) and chord sequence; also the span of the decoder's relative position
            embeddings.
        chord_loss_weight (`float`, defaults to 0.4):
            Weight of the chord cross-entropy; the affective loss gets `1 - chord_loss_weight`.
        label_smoothing (`float`, defaults to 0.0):
            Label smoothing of the chord cross-entropy (the original's `--ce_smoothing`).
        emotion_qualities (`dict[str, list[str]]`):
            Emotion -> chord qualities whose logits the affective loss pushes up.
        video_padding (`str`, defaults to `"zeros"`):
            How videos shorter than `max_sequence_length` are fed, in training and inference alike:
            `"zeros"` pads every video to `max_sequence_length` seconds of zero features that the model
            attends to (Video2Music's training data and app); `"mask"` pads a batch to its longest video
            and masks the padding (emotune's option).
    """

    model_type = "amt"
    attribute_map: ClassVar[dict[str, str]] = {
        "hidden_size": "d_model",
        "num_attention_heads": "encoder_attention_heads",
        "num_hidden_layers": "encoder_layers",
    }

    video_feature_dim: int = 776
    num_emotions: int = 6
    num_chord_tokens: int = 159
    num_chord_roots: int = 15
    num_chord_qualities: int = 16
    d_model: int = 512
    encoder_layers: int = 6
    decoder_layers: int = 6
    encoder_attention_heads: int = 8
    decoder_attention_heads: int = 8
    encoder_ffn_dim: int = 1024
    decoder_ffn_dim: int = 1024
    dropout: float = 0.1
    max_sequence_length: int = 300
    chord_loss_weight: float = 0.4
    label_smoothing: float = 0.0
    emotion_qualities: dict | None = None
    video_padding: str = "zeros"

    def __post_init__(self, **kwargs):
        if self.emotion_qualities is None:
            self.emotion_qualities = {emotion: list(q) for emotion, q in EMOTION_QUALITIES.items()}
        super().__post_init__(**kwargs)

    @property
    def end_token_id(self) -> int:
        """The END token (157)."""
        return self.num_chord_tokens - 2

    @property
    def chord_pad_token_id(self) -> int:
        """The PAD token (158)."""
        return self.num_chord_tokens - 1

    def validate_architecture(self):
        """Checks that the sizes fit together; raises `ValueError` naming the field."""
        for name in ("encoder_attention_heads", "decoder_attention_heads"):
            if self.d_model % getattr(self, name):
                raise ValueError(
                    f"d_model ({self.d_model}) must be divisible by {name} ({getattr(self, name)})"
                )
        if self.d_model % 2:
            raise ValueError(f"d_model must be even for sinusoidal positions, got {self.d_model}")
        if len(self.emotion_qualities) != self.num_emotions:
            raise ValueError(
                f"emotion_qualities names {len(self.emotion_qualities)} emotions, num_emotions is {self.num_emotions}"
            )
        unknown = sorted({q for qs in self.emotion_qualities.values() for q in qs} - set(QUALITIES))
        if unknown:
            raise ValueError(
                f"Unknown chord qualities {unknown} in emotion_qualities; accepted: {list(QUALITIES)}"
            )
        if self.num_chord_tokens != 1 + 12 * len(QUALITIES) + 2:
            raise ValueError(f"num_chord_tokens must be {1 + 12 * len(QUALITIES) + 2} (157 chords, END, PAD)")
        if self.video_padding not in ("zeros", "mask"):
            raise ValueError(f"video_padding must be 'zeros' or 'mask', got {self.video_padding!r}")
        if not 0.0 <= self.chord_loss_weight <= 1.0:
            raise ValueError(f"chord_loss_weight must be in [0, 1], got {self.chord_loss_weight}")


__all__ = ["AMTConfig"]
