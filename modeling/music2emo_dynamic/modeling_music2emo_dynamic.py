"""Time-resolved Music2Emo: valence and arousal every hop (0.5 s) from windowed MERT states, chords and key.

The time-continuous task of MediaEval's Emotion in Music benchmark and DEAM's dynamic annotations,
with Music2Emo's inputs made per window. This file travels to the Hub as remote code: it imports only
torch, transformers and its own configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers import initialization as init
from transformers.utils import ModelOutput

from .configuration_music2emo_dynamic import Music2EmoDynamicConfig

SCALE_CENTRE = 5.0
"""Middle of the 1-9 valence-arousal scale: the head's initial output."""

QUERY_BLOCK = 512
"""Windows whose attention is computed at once: memory grows with the clip's length, not its square."""


@dataclass
class Music2EmoDynamicOutput(ModelOutput):
    """Output of [`Music2EmoDynamicModel`].

    Args:
        loss (`torch.FloatTensor` of shape `()`, *optional*):
            `dynamic_loss + consistency_loss_weight * consistency_loss` (the terms that were computed).
        va (`torch.FloatTensor` of shape `(batch_size, num_windows, 2)`):
            Valence and arousal of every window on the 1-9 scale (padding windows hold values too; ignore them).
        dynamic_loss (`torch.FloatTensor` of shape `()`, *optional*):
            The per-window loss (`config.dynamic_loss`) over the labelled windows, when `va_labels` are given.
        consistency_loss (`torch.FloatTensor` of shape `()`, *optional*):
            Squared error between `clip_va` and the given clip-level targets, when those are given.
        clip_va (`torch.FloatTensor` of shape `(batch_size, 2)`):
            Mean of the curve over each clip's real windows.
        last_hidden_state (`torch.FloatTensor` of shape `(batch_size, num_windows, hidden_size)`):
            The temporal model's output, which the head reads.
    """

    loss: torch.FloatTensor | None = None
    va: torch.FloatTensor | None = None
    dynamic_loss: torch.FloatTensor | None = None
    consistency_loss: torch.FloatTensor | None = None
    clip_va: torch.FloatTensor | None = None
    last_hidden_state: torch.FloatTensor | None = None


class LocalRelativeSelfAttention(nn.Module):
    """Multi-head self-attention over windows, each attending to the windows at most `R` steps away
    (`R = config.max_relative_position`), with a learned bias per head and relative distance -R..R."""

    def __init__(self, config: Music2EmoDynamicConfig):
        super().__init__()
        self.num_heads = config.num_attention_heads
        self.head_dim = config.hidden_size // config.num_attention_heads
        self.span = config.max_relative_position
        self.qkv = nn.Linear(config.hidden_size, 3 * config.hidden_size)
        self.out_proj = nn.Linear(config.hidden_size, config.hidden_size)
        self.relative_bias = nn.Parameter(torch.zeros(config.num_attention_heads, 2 * self.span + 1))
        self.dropout = config.attention_probs_dropout_prob

    def forward(self, hidden: torch.Tensor, padding: torch.Tensor | None) -> torch.Tensor:
        """`hidden` (batch, windows, hidden_size); `padding` (batch, windows), True at padding windows."""
        batch, length, width = hidden.shape
        q, k, v = (
            part.view(batch, length, self.num_heads, self.head_dim).transpose(1, 2)
            for part in self.qkv(hidden).chunk(3, dim=-1)
        )
        lowest = torch.finfo(q.dtype).min
        outputs = []
        for start in range(0, length, QUERY_BLOCK):
            stop = min(start + QUERY_BLOCK, length)
            first, last = max(0, start - self.span), min(length, stop + self.span)
            distance = (
                torch.arange(first, last, device=hidden.device)[None, :]
                - torch.arange(start, stop, device=hidden.device)[:, None]
            )
            near = distance.abs() <= self.span
            bias = self.relative_bias[:, distance.clamp(-self.span, self.span) + self.span].to(q.dtype)
            mask = bias.masked_fill(~near, lowest)[None]  # (1, heads, queries, keys)
            if padding is not None:
                mask = mask.masked_fill(padding[:, None, None, first:last], lowest)
            outputs.append(
                F.scaled_dot_product_attention(
                    q[:, :, start:stop],
                    k[:, :, first:last],
                    v[:, :, first:last],
                    attn_mask=mask,
                    dropout_p=self.dropout if self.training else 0.0,
                )
            )
        attended = torch.cat(outputs, dim=2).transpose(1, 2).reshape(batch, length, width)
        return self.out_proj(attended)


class Music2EmoDynamicLayer(nn.Module):
    """A pre-norm Transformer encoder layer with :class:`LocalRelativeSelfAttention`."""

    def __init__(self, config: Music2EmoDynamicConfig):
        super().__init__()
        self.attention_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.attention = LocalRelativeSelfAttention(config)
        self.feed_forward_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.intermediate = nn.Linear(config.hidden_size, config.intermediate_size)
        self.output = nn.Linear(config.intermediate_size, config.hidden_size)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden: torch.Tensor, padding: torch.Tensor | None) -> torch.Tensor:
        hidden = hidden + self.dropout(self.attention(self.attention_norm(hidden), padding))
        update = self.output(self.dropout(F.gelu(self.intermediate(self.feed_forward_norm(hidden)))))
        return hidden + self.dropout(update)


class Music2EmoDynamicPreTrainedModel(PreTrainedModel):
    config_class = Music2EmoDynamicConfig
    base_model_prefix = "music2emo_dynamic"
    main_input_name = "window_embeddings"

    @torch.no_grad()
    def _init_weights(self, module):
        # PyTorch's defaults, Xavier-uniform chord embeddings (as Music2Emo's), zero relative biases, and
        # a head that starts at the middle of the scale.
        if isinstance(module, nn.Embedding):
            init.xavier_uniform_(module.weight)
        elif isinstance(module, (nn.Linear, nn.LayerNorm)):
            module.reset_parameters()
            if module is self.va_head[-1]:
                init.constant_(module.bias, SCALE_CENTRE)
        elif isinstance(module, LocalRelativeSelfAttention):
            init.zeros_(module.relative_bias)


class Music2EmoDynamicModel(Music2EmoDynamicPreTrainedModel):
    r"""Valence and arousal per window.

    Per window: the window embedding, the weighted mean of its chords' embeddings (root and quality,
    concatenated, as Music2Emo's) and the key's mode are concatenated, projected to `hidden_size` with a
    ReLU, read by `num_hidden_layers` pre-norm Transformer layers with local, relatively positioned
    attention (:class:`LocalRelativeSelfAttention`), and a head (`hidden_size -> head_hidden_size -> ReLU
    -> 2`) gives valence and arousal on the 1-9 scale.
    """

    def __init__(self, config: Music2EmoDynamicConfig):
        super().__init__(config)
        self.chord_root_embeddings = nn.Embedding(config.num_chord_roots, config.chord_root_embedding_dim)
        self.chord_quality_embeddings = nn.Embedding(
            config.num_chord_qualities, config.chord_quality_embedding_dim
        )
        self.input_projection = nn.Linear(
            config.audio_embedding_dim + config.chord_embedding_dim + 1, config.hidden_size
        )
        self.input_dropout = nn.Dropout(config.hidden_dropout_prob)
        self.layers = nn.ModuleList(Music2EmoDynamicLayer(config) for _ in range(config.num_hidden_layers))
        self.final_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.va_head = nn.Sequential(
            nn.Linear(config.hidden_size, config.head_hidden_size),
            nn.ReLU(),
            nn.Linear(config.head_hidden_size, 2),
        )
        self.post_init()

    def _check_inputs(self, window_embeddings, chord_root_ids, chord_attr_ids, mode_ids, attention_mask,
                      chord_weights):  # fmt: skip
        config = self.config
        if window_embeddings.dim() != 3 or window_embeddings.shape[-1] != config.audio_embedding_dim:
            raise ValueError(
                f"window_embeddings must have shape (batch_size, num_windows, {config.audio_embedding_dim}), "
                f"got {tuple(window_embeddings.shape)}"
            )
        batch, length = window_embeddings.shape[:2]
        if length == 0:
            raise ValueError("window_embeddings must hold at least one window")
        for name, ids, size in (
            ("chord_root_ids", chord_root_ids, config.num_chord_roots),
            ("chord_attr_ids", chord_attr_ids, config.num_chord_qualities),
        ):
            if ids.dim() != 3 or tuple(ids.shape[:2]) != (batch, length):
                raise ValueError(
                    f"{name} must have shape (batch_size={batch}, num_windows={length}, chords_per_window), "
                    f"got {tuple(ids.shape)}"
                )
            if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= size):
                raise ValueError(
                    f"{name} must be ids in 0..{size - 1}, got values {int(ids.min())}..{int(ids.max())}"
                )
        if chord_root_ids.shape != chord_attr_ids.shape:
            raise ValueError(
                f"chord_root_ids {tuple(chord_root_ids.shape)} and chord_attr_ids {tuple(chord_attr_ids.shape)} differ"
            )
        if chord_weights is not None and chord_weights.shape != chord_root_ids.shape:
            raise ValueError(
                f"chord_weights must have the shape of chord_root_ids {tuple(chord_root_ids.shape)}, "
                f"got {tuple(chord_weights.shape)}"
            )
        if mode_ids.numel() != batch:
            raise ValueError(
                f"mode_ids must hold one mode (0 major, 1 minor) per clip, got shape {tuple(mode_ids.shape)}"
            )
        if attention_mask is not None and tuple(attention_mask.shape) != (batch, length):
            raise ValueError(
                f"attention_mask must have shape (batch_size={batch}, num_windows={length}), "
                f"got {tuple(attention_mask.shape)}"
            )

    def embed_chords(
        self,
        chord_root_ids: torch.LongTensor,
        chord_attr_ids: torch.LongTensor,
        chord_weights: torch.Tensor | None = None,
    ) -> torch.FloatTensor:
        """Each window's chord embedding, `(batch_size, num_windows, chord_embedding_dim)`: the mean of its
        chords' embeddings weighted by `chord_weights` (equal weights when `None`)."""
        chords = torch.cat(
            [self.chord_root_embeddings(chord_root_ids), self.chord_quality_embeddings(chord_attr_ids)],
            dim=-1,
        )
        if chord_weights is None:
            return chords.mean(dim=2)
        weights = chord_weights.to(chords.dtype).unsqueeze(-1)
        return (chords * weights).sum(dim=2) / weights.sum(dim=2).clamp(min=1e-6)

    def forward(
        self,
        window_embeddings: torch.FloatTensor,
        chord_root_ids: torch.LongTensor,
        chord_attr_ids: torch.LongTensor,
        mode_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        chord_weights: torch.Tensor | None = None,
        va_labels: torch.FloatTensor | None = None,
        va_labels_mask: torch.Tensor | None = None,
        clip_va: torch.FloatTensor | None = None,
        clip_va_mask: torch.Tensor | None = None,
        return_dict: bool | None = None,
        **kwargs,
    ) -> Music2EmoDynamicOutput | tuple:
        r"""
        Args:
            window_embeddings (`torch.FloatTensor` of shape `(batch_size, num_windows, audio_embedding_dim)`):
                Per window: the MERT frame states of `config.audio_encoder_layers` mean-pooled over the window
                (`window_seconds` long, every `hop_seconds`) and concatenated.
            chord_root_ids (`torch.LongTensor` of shape `(batch_size, num_windows, chords_per_window)`),
            chord_attr_ids (`torch.LongTensor` of shape `(batch_size, num_windows, chords_per_window)`):
                The key-normalised chords overlapping each window (Music2Emo's root and quality ids; 0 pads).
            mode_ids (`torch.Tensor` of shape `(batch_size,)` or `(batch_size, 1)`):
                Mode of the clip's key: 0 major, 1 minor.
            attention_mask (`torch.Tensor` of shape `(batch_size, num_windows)`, *optional*):
                1 for real windows, 0 for padding (batches of clips of different lengths).
            chord_weights (`torch.Tensor` of shape `(batch_size, num_windows, chords_per_window)`, *optional*):
                Share of the window each chord covers (0 for padding); equal weights when omitted.
            va_labels (`torch.FloatTensor` of shape `(batch_size, num_windows, 2)`, *optional*):
                Per-window valence and arousal (1-9); NaN where a window has no annotation.
            va_labels_mask (`torch.Tensor` of shape `(batch_size, num_windows)`, *optional*):
                1 where the window's label counts, 0 where not (clips without dynamic labels: all 0).
            clip_va (`torch.FloatTensor` of shape `(batch_size, 2)`, *optional*):
                Clip-level valence-arousal the mean of the curve should match (the consistency term).
            clip_va_mask (`torch.Tensor` of shape `(batch_size,)`, *optional*):
                Which clips have such a target.
        """
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        self._check_inputs(window_embeddings, chord_root_ids, chord_attr_ids, mode_ids, attention_mask,
                           chord_weights)  # fmt: skip
        batch, length = window_embeddings.shape[:2]
        dtype = window_embeddings.dtype
        chords = self.embed_chords(chord_root_ids, chord_attr_ids, chord_weights).to(dtype)
        mode = mode_ids.reshape(batch, 1, 1).to(dtype).expand(batch, length, 1)
        hidden = F.relu(self.input_projection(torch.cat([window_embeddings, chords, mode], dim=-1)))
        hidden = self.input_dropout(hidden)
        padding = None if attention_mask is None else attention_mask == 0
        for layer in self.layers:
            hidden = layer(hidden, padding)
        hidden = self.final_norm(hidden)
        va = self.va_head(hidden)

        real = (
            torch.ones(batch, length, device=va.device) if attention_mask is None else attention_mask.float()
        )
        clip_mean = (va.float() * real[..., None]).sum(dim=1) / real.sum(dim=1, keepdim=True).clamp(min=1.0)
        dynamic_loss = consistency_loss = loss = None
        if va_labels is not None:
            dynamic_loss = self.dynamic_loss(va, va_labels, va_labels_mask, attention_mask)
        if clip_va is not None:
            consistency_loss = self.consistency_loss(clip_mean, clip_va, clip_va_mask)
        terms = [term for term in (dynamic_loss,) if term is not None]
        if consistency_loss is not None and self.config.consistency_loss_weight > 0:
            terms.append(self.config.consistency_loss_weight * consistency_loss)
        if terms:
            loss = sum(terms)
        output = Music2EmoDynamicOutput(
            loss=loss,
            va=va,
            dynamic_loss=dynamic_loss,
            consistency_loss=consistency_loss,
            clip_va=clip_mean,
            last_hidden_state=hidden,
        )
        return output if return_dict else output.to_tuple()

    @staticmethod
    def labelled_windows(
        va_labels: torch.Tensor, va_labels_mask: torch.Tensor | None, attention_mask: torch.Tensor | None
    ) -> torch.Tensor:
        """`(batch_size, num_windows)` bool: windows with a finite label that the masks let count."""
        present = torch.isfinite(va_labels).all(dim=-1)
        for mask in (va_labels_mask, attention_mask):
            if mask is not None:
                present = present & mask.bool()
        return present

    def dynamic_loss(self, va, va_labels, va_labels_mask=None, attention_mask=None) -> torch.FloatTensor:
        """`config.dynamic_loss` over the labelled windows (in float32); 0 (with a gradient) when there are none."""
        if va_labels.shape != va.shape:
            raise ValueError(f"va_labels must have shape {tuple(va.shape)}, got {tuple(va_labels.shape)}")
        present = self.labelled_windows(va_labels, va_labels_mask, attention_mask)
        predicted = va.float()[present]  # (labelled windows, 2)
        targets = va_labels.float()[present]
        if self.config.dynamic_loss == "mse":
            if len(predicted) == 0:
                return va.float().sum() * 0.0
            return ((predicted - targets) ** 2).mean()
        if len(predicted) < 2:
            return va.float().sum() * 0.0
        return 1.0 - concordance(predicted, targets).mean()

    @staticmethod
    def consistency_loss(clip_mean, clip_va, clip_va_mask=None) -> torch.FloatTensor:
        """Squared error between the curve's mean and the clip-level targets, over the clips that have one."""
        if clip_va.shape != clip_mean.shape:
            raise ValueError(f"clip_va must have shape {tuple(clip_mean.shape)}, got {tuple(clip_va.shape)}")
        present = torch.isfinite(clip_va).all(dim=-1)
        if clip_va_mask is not None:
            present = present & clip_va_mask.reshape(-1).bool()
        if not present.any():
            return clip_mean.sum() * 0.0
        return ((clip_mean[present] - clip_va.float()[present]) ** 2).mean()


def concordance(predicted: torch.Tensor, targets: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Lin's concordance correlation coefficient per column of `(n, d)` predictions and targets: `(d,)`."""
    mean_p, mean_t = predicted.mean(dim=0), targets.mean(dim=0)
    var_p = ((predicted - mean_p) ** 2).mean(dim=0)
    var_t = ((targets - mean_t) ** 2).mean(dim=0)
    covariance = ((predicted - mean_p) * (targets - mean_t)).mean(dim=0)
    return 2.0 * covariance / (var_p + var_t + (mean_p - mean_t) ** 2 + eps)


__all__ = [
    "LocalRelativeSelfAttention",
    "Music2EmoDynamicModel",
    "Music2EmoDynamicOutput",
    "Music2EmoDynamicPreTrainedModel",
    "concordance",
]
