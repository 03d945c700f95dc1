"""Configuration of the time-resolved Music2Emo model (valence-arousal every hop, 0.5 s by default).

This file travels to the Hub as remote code: it imports only transformers and the standard library.
"""

from __future__ import annotations

from huggingface_hub.dataclasses import strict
from transformers import PreTrainedConfig

DYNAMIC_LOSSES = ("mse", "ccc")


@strict(accept_kwargs=True)
class Music2EmoDynamicConfig(PreTrainedConfig):
    r"""Configuration of a [`Music2EmoDynamicModel`]: valence and arousal (1-9) for every window of a
    clip, from the audio encoder's frame states pooled per window, the chords sounding in each window
    and the key's mode, read by a Transformer encoder whose attention is local (`context_seconds`) and
    positioned relatively (a learned bias per head and distance, no absolute positions).

    Args:
        audio_embedding_dim (`int`, defaults to 1536):
            Width of a window embedding: the chosen MERT layers (2 x 768), mean-pooled over the frames of
            the window and concatenated.
        num_chord_roots (`int`, defaults to 14), num_chord_qualities (`int`, defaults to 14):
            Sizes of the chord-root and chord-quality embedding tables, Music2Emo's ids (`N`/padding = 0,
            roots C..B = 1..12, qualities `maj` = 1 ... `maj7` = 13).
        chord_root_embedding_dim (`int`, defaults to 4), chord_quality_embedding_dim (`int`, defaults to 4):
            Widths of the two embeddings, concatenated (8, as Music2Emo's).
        chords_per_window (`int`, defaults to 2):
            Chords kept per window (those overlapping it longest); their embeddings are averaged, weighted
            by the share of the window each covers.
        hidden_size (`int`, defaults to 256):
            Width of the temporal model.
        num_hidden_layers (`int`, defaults to 2), num_attention_heads (`int`, defaults to 4),
        intermediate_size (`int`, defaults to 512):
            Layers, heads and feed-forward width of the (pre-norm) Transformer encoder over the windows.
        hidden_dropout_prob (`float`, defaults to 0.1), attention_probs_dropout_prob (`float`, defaults to 0.1):
            Dropout on the hidden states and on the attention weights.
        layer_norm_eps (`float`, defaults to 1e-5):
            Epsilon of the layer norms.
        head_hidden_size (`int`, defaults to 128):
            Hidden width of the valence-arousal head.
        window_seconds (`float`, defaults to 1.0), hop_seconds (`float`, defaults to 0.5):
            Each window is centred on its time and spans `window_seconds`; windows follow each other every
            `hop_seconds` (2 Hz, the rate of DEAM's, EmoMusic's and PMEmo's per-time-step annotations).
        context_seconds (`float`, defaults to 5.0):
            How far (either side) a window attends in each layer; beyond that the attention is masked. Its
            learned relative-position bias has one value per head and distance up to this span.
        dynamic_loss (`str`, defaults to `"mse"`):
            `"mse"`: squared error over the labelled windows (valence and arousal averaged). `"ccc"`: one
            minus the concordance correlation coefficient of the batch's labelled windows, per dimension,
            averaged.
        consistency_loss_weight (`float`, defaults to 0.0):
            Weight of the consistency term: the squared error between the mean of the predicted curve
            (over a clip's windows) and a clip-level valence-arousal given as `clip_va` (a static Music2Emo
            model's). 0 turns it off.
        audio_encoder (`str`, defaults to `"m-a-p/MERT-v1-95M"`), audio_encoder_layers (`list[int]`,
        defaults to `[5, 6]`), sampling_rate (`int`, defaults to 24000), segment_seconds (`float`,
        defaults to 30.0):
            The encoder, its pooled layers (indices into `hidden_states[1:]`), its input rate and the
            segment length it runs on, as for [`Music2EmoConfig`].
    """

    model_type = "music2emo_dynamic"

    audio_embedding_dim: int = 1536
    num_chord_roots: int = 14
    num_chord_qualities: int = 14
    chord_root_embedding_dim: int = 4
    chord_quality_embedding_dim: int = 4
    chords_per_window: int = 2
    hidden_size: int = 256
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    intermediate_size: int = 512
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    layer_norm_eps: float = 1e-5
    head_hidden_size: int = 128
    window_seconds: float = 1.0
    hop_seconds: float = 0.5
    context_seconds: float = 5.0
    dynamic_loss: str = "mse"
    consistency_loss_weight: float = 0.0
    audio_encoder: str = "m-a-p/MERT-v1-95M"
    audio_encoder_layers: list[int] | tuple[int, ...] = (5, 6)
    sampling_rate: int = 24000
    segment_seconds: float = 30.0

    def __post_init__(self, **kwargs):
        self.audio_encoder_layers = list(self.audio_encoder_layers)
        super().__post_init__(**kwargs)

    def validate_architecture(self):
        """Checks that the sizes and times fit together; raises `ValueError` naming the field."""
        if self.hidden_size % self.num_attention_heads:
            raise ValueError(
                f"hidden_size ({self.hidden_size}) must be divisible by num_attention_heads "
                f"({self.num_attention_heads})"
            )
        for name in ("window_seconds", "hop_seconds"):
            if not getattr(self, name) > 0:
                raise ValueError(f"`{name}` must be positive, got {getattr(self, name)}")
        if self.context_seconds < 0:
            raise ValueError(f"`context_seconds` must be 0 or more, got {self.context_seconds}")
        if self.chords_per_window < 1:
            raise ValueError(f"`chords_per_window` must be at least 1, got {self.chords_per_window}")
        if self.dynamic_loss not in DYNAMIC_LOSSES:
            raise ValueError(
                f"`dynamic_loss` must be one of {list(DYNAMIC_LOSSES)}, got {self.dynamic_loss!r}"
            )
        if self.consistency_loss_weight < 0:
            raise ValueError(
                f"`consistency_loss_weight` must be 0 or more, got {self.consistency_loss_weight}"
            )

    @property
    def chord_embedding_dim(self) -> int:
        """Width of a window's chord embedding: root embedding + quality embedding."""
        return self.chord_root_embedding_dim + self.chord_quality_embedding_dim

    @property
    def max_relative_position(self) -> int:
        """Attention span in windows either side: `context_seconds / hop_seconds`, rounded."""
        return int(round(self.context_seconds / self.hop_seconds))


__all__ = ["Music2EmoDynamicConfig"]
