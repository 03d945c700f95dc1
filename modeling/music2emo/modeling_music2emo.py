"""Music2Emo: mood/theme tags and valence-arousal from an audio embedding, chords and key.

Kang & Herremans, "Towards Unified Music Emotion Recognition across Dimensional and Categorical
Models" (2025). This file travels to the Hub as remote code: it imports only torch, transformers
and its own configuration.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers import initialization as init
from transformers.utils import ModelOutput

from .configuration_music2emo import Music2EmoConfig


@dataclass
class Music2EmoOutput(ModelOutput):
    """Output of [`Music2EmoModel`].

    Args:
        loss (`torch.FloatTensor` of shape `()`, *optional*):
            `mood_loss_weight * mood_loss + va_loss_weight * va_loss`, when labels are given.
        mood_logits (`torch.FloatTensor` of shape `(batch_size, num_labels)`, *optional*):
            One logit per mood/theme tag (sigmoid for probabilities); `None` if the model has no mood head.
        va (`torch.FloatTensor` of shape `(batch_size, 2)`, *optional*):
            Valence and arousal on the 1-9 scale; `None` if the model has no VA head.
        mood_loss (`torch.FloatTensor` of shape `()`, *optional*):
            Prior-weighted BCE over the samples that have tags.
        va_loss (`torch.FloatTensor` of shape `()`, *optional*):
            MSE over the samples that have valence-arousal labels.
        chord_embedding (`torch.FloatTensor` of shape `(batch_size, chord_embedding_dim)`):
            The chord encoder's output at the CLS position.
        hidden_state (`torch.FloatTensor` of shape `(batch_size, hidden_size)`):
            The fused representation both heads read.
    """

    loss: torch.FloatTensor | None = None
    mood_logits: torch.FloatTensor | None = None
    va: torch.FloatTensor | None = None
    mood_loss: torch.FloatTensor | None = None
    va_loss: torch.FloatTensor | None = None
    chord_embedding: torch.FloatTensor | None = None
    hidden_state: torch.FloatTensor | None = None


def sinusoidal_positions(length: int, dim: int) -> torch.Tensor:
    """``(length, dim)`` sinusoidal position encodings (sine on even, cosine on odd channels)."""
    position = torch.arange(length, dtype=torch.float32).unsqueeze(1)
    frequency = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim)
    table[:, 0::2] = torch.sin(position * frequency)
    table[:, 1::2] = torch.cos(position * frequency)
    return table


class Music2EmoHead(nn.Module):
    """`hidden_size -> head_hidden_size -> ReLU -> num_outputs`."""

    def __init__(self, config: Music2EmoConfig, num_outputs: int):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.head_hidden_size)
        self.out_proj = nn.Linear(config.head_hidden_size, num_outputs)

    def forward(self, hidden_state: torch.Tensor) -> torch.Tensor:
        return self.out_proj(F.relu(self.dense(hidden_state)))


class Music2EmoPreTrainedModel(PreTrainedModel):
    config_class = Music2EmoConfig
    base_model_prefix = "music2emo"
    main_input_name = "audio_embeddings"

    @torch.no_grad()
    def _init_weights(self, module):
        # The original's initialisation: PyTorch's defaults (each module's own), Xavier-uniform chord embeddings.
        if isinstance(module, nn.Embedding):
            init.xavier_uniform_(module.weight)
        elif isinstance(module, nn.MultiheadAttention):
            module._reset_parameters()
        elif isinstance(module, (nn.Linear, nn.LayerNorm)):
            module.reset_parameters()
        elif isinstance(module, Music2EmoModel):
            init.copy_(
                module.chord_positions,
                sinusoidal_positions(self.config.max_chords, self.config.chord_embedding_dim),
            )


class Music2EmoModel(Music2EmoPreTrainedModel):
    r"""The Music2Emo model.

    A 2-layer Transformer encodes the chord progression (root and quality embeddings, concatenated,
    plus sinusoidal positions, behind a zero CLS vector). Its CLS output, the audio embedding and the
    key's mode are concatenated, projected to `hidden_size` with a ReLU, and read by a mood head
    (`num_labels` logits) and a valence-arousal head (2 values on the 1-9 scale). `config.tasks`
    selects the heads: the multitask student has both, a single-dataset teacher one.
    """

    def __init__(self, config: Music2EmoConfig):
        super().__init__(config)
        width = config.chord_embedding_dim
        self.chord_root_embeddings = nn.Embedding(config.num_chord_roots, config.chord_root_embedding_dim)
        self.chord_quality_embeddings = nn.Embedding(
            config.num_chord_qualities, config.chord_quality_embedding_dim
        )
        self.register_buffer(
            "chord_positions", sinusoidal_positions(config.max_chords, width), persistent=False
        )
        layer = nn.TransformerEncoderLayer(
            d_model=width,
            nhead=config.chord_encoder_attention_heads,
            dim_feedforward=config.chord_encoder_ffn_dim,
            dropout=config.chord_encoder_dropout,
            batch_first=True,
        )
        self.chord_encoder = nn.TransformerEncoder(
            layer, config.chord_encoder_layers, enable_nested_tensor=False
        )
        self.fusion_projection = nn.Linear(config.audio_embedding_dim + width + 1, config.hidden_size)
        self.mood_head = Music2EmoHead(config, config.num_labels) if "mood" in config.tasks else None
        self.va_head = Music2EmoHead(config, 2) if "va" in config.tasks else None
        if config.tag_priors is not None:
            priors = torch.tensor(config.tag_priors, dtype=torch.float32)
            pos_weight = 1.0 / priors
            self.register_buffer("mood_pos_weight", pos_weight, persistent=False)
            self.register_buffer("mood_weight", 2.0 / (1.0 + pos_weight), persistent=False)
        else:
            self.mood_pos_weight = self.mood_weight = None
        self.post_init()

    def _check_inputs(self, audio_embeddings, chord_root_ids, chord_attr_ids, mode_ids, chord_attention_mask):
        config = self.config
        if audio_embeddings.dim() != 2 or audio_embeddings.shape[-1] != config.audio_embedding_dim:
            raise ValueError(
                f"audio_embeddings must have shape (batch_size, {config.audio_embedding_dim}), "
                f"got {tuple(audio_embeddings.shape)}"
            )
        batch_size = audio_embeddings.shape[0]
        for name, ids, size in (
            ("chord_root_ids", chord_root_ids, config.num_chord_roots),
            ("chord_attr_ids", chord_attr_ids, config.num_chord_qualities),
        ):
            if ids.dim() != 2 or ids.shape[0] != batch_size:
                raise ValueError(
                    f"{name} must have shape (batch_size={batch_size}, num_chords), got {tuple(ids.shape)}"
                )
            if ids.shape[1] > config.max_chords or ids.shape[1] == 0:
                raise ValueError(
                    f"{name} must hold 1 to max_chords={config.max_chords} chords, got {ids.shape[1]}"
                )
            if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= size):
                raise ValueError(
                    f"{name} must be ids in 0..{size - 1}, got values {int(ids.min())}..{int(ids.max())}"
                )
        if chord_root_ids.shape != chord_attr_ids.shape:
            raise ValueError(
                f"chord_root_ids {tuple(chord_root_ids.shape)} and chord_attr_ids {tuple(chord_attr_ids.shape)} differ"
            )
        if mode_ids.numel() != batch_size:
            raise ValueError(
                f"mode_ids must hold one mode (0 major, 1 minor) per sample, got shape {tuple(mode_ids.shape)}"
            )
        if config.mask_chord_padding:
            if chord_attention_mask is None:
                raise ValueError(
                    "This model masks chord padding (config.mask_chord_padding=True): pass chord_attention_mask"
                )
            if chord_attention_mask.shape != chord_root_ids.shape:
                raise ValueError(
                    f"chord_attention_mask must have the shape of chord_root_ids {tuple(chord_root_ids.shape)}, "
                    f"got {tuple(chord_attention_mask.shape)}"
                )

    def encode_chords(
        self,
        chord_root_ids: torch.LongTensor,
        chord_attr_ids: torch.LongTensor,
        chord_attention_mask: torch.Tensor | None = None,
    ) -> torch.FloatTensor:
        """CLS output of the chord encoder, shape `(batch_size, chord_embedding_dim)`.

        `chord_attention_mask` (1 = chord, 0 = padding) is used only when `config.mask_chord_padding`.
        """
        chords = torch.cat(
            [self.chord_root_embeddings(chord_root_ids), self.chord_quality_embeddings(chord_attr_ids)],
            dim=-1,
        )
        chords = chords + self.chord_positions[: chords.shape[1]].to(chords.dtype)
        cls = torch.zeros_like(chords[:, :1])
        sequence = torch.cat([cls, chords], dim=1)
        padding_mask = None
        if self.config.mask_chord_padding:
            keep = torch.cat([torch.ones_like(chord_attention_mask[:, :1]), chord_attention_mask], dim=1)
            padding_mask = keep == 0
        return self.chord_encoder(sequence, src_key_padding_mask=padding_mask)[:, 0]

    def forward(
        self,
        audio_embeddings: torch.FloatTensor,
        chord_root_ids: torch.LongTensor,
        chord_attr_ids: torch.LongTensor,
        mode_ids: torch.Tensor,
        chord_attention_mask: torch.Tensor | None = None,
        mood_labels: torch.FloatTensor | None = None,
        va_labels: torch.FloatTensor | None = None,
        mood_labels_mask: torch.Tensor | None = None,
        va_labels_mask: torch.Tensor | None = None,
        return_dict: bool | None = None,
        **kwargs,
    ) -> Music2EmoOutput | tuple:
        r"""
        Args:
            audio_embeddings (`torch.FloatTensor` of shape `(batch_size, audio_embedding_dim)`):
                Clip embedding: MERT layers 5 and 6, mean-pooled over time per 30 s segment,
                concatenated, averaged over segments.
            chord_root_ids (`torch.LongTensor` of shape `(batch_size, num_chords)`):
                Root ids of the key-normalised chord progression (N/padding = 0, C..B = 1..12),
                `num_chords <= config.max_chords`.
            chord_attr_ids (`torch.LongTensor` of shape `(batch_size, num_chords)`):
                Chord quality ("attribute" in the original) ids (N/padding = 0, maj = 1 ... maj7 = 13).
            mode_ids (`torch.Tensor` of shape `(batch_size,)` or `(batch_size, 1)`):
                Mode of the detected key: 0 major, 1 minor.
            chord_attention_mask (`torch.Tensor` of shape `(batch_size, num_chords)`, *optional*):
                1 for chords, 0 for padding; read only when `config.mask_chord_padding` is set (the
                published model attends over padding).
            mood_labels (`torch.FloatTensor` of shape `(batch_size, num_labels)`, *optional*):
                Multi-hot tags. Rows that contain NaN, or whose `mood_labels_mask` is 0, have no tags and
                add nothing to the loss.
            va_labels (`torch.FloatTensor` of shape `(batch_size, 2)`, *optional*):
                Valence and arousal on the 1-9 scale; rows with NaN or `va_labels_mask` 0 are skipped.
            mood_labels_mask (`torch.Tensor` of shape `(batch_size,)`, *optional*),
            va_labels_mask (`torch.Tensor` of shape `(batch_size,)`, *optional*):
                Which samples have the label (1) or not (0).
        """
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        self._check_inputs(audio_embeddings, chord_root_ids, chord_attr_ids, mode_ids, chord_attention_mask)
        chord_embedding = self.encode_chords(chord_root_ids, chord_attr_ids, chord_attention_mask)
        mode = mode_ids.reshape(-1, 1).to(audio_embeddings.dtype)
        fused = torch.cat([audio_embeddings, chord_embedding.to(audio_embeddings.dtype), mode], dim=-1)
        hidden_state = F.relu(self.fusion_projection(fused))
        mood_logits = self.mood_head(hidden_state) if self.mood_head is not None else None
        va = self.va_head(hidden_state) if self.va_head is not None else None

        mood_loss = va_loss = loss = None
        if mood_labels is not None:
            if mood_logits is None:
                raise ValueError(
                    f"mood_labels given, but this model has no mood head (tasks={self.config.tasks})"
                )
            mood_loss = self.mood_loss(mood_logits, mood_labels, mood_labels_mask)
        if va_labels is not None:
            if va is None:
                raise ValueError(
                    f"va_labels given, but this model has no VA head (tasks={self.config.tasks})"
                )
            va_loss = self.va_loss(va, va_labels, va_labels_mask)
        terms = [
            weight * term
            for weight, term in (
                (self.config.mood_loss_weight, mood_loss),
                (self.config.va_loss_weight, va_loss),
            )
            if term is not None
        ]
        if terms:
            loss = sum(terms)

        output = Music2EmoOutput(
            loss=loss,
            mood_logits=mood_logits,
            va=va,
            mood_loss=mood_loss,
            va_loss=va_loss,
            chord_embedding=chord_embedding,
            hidden_state=hidden_state,
        )
        return output if return_dict else output.to_tuple()

    @staticmethod
    def _present(labels: torch.Tensor, labels_mask: torch.Tensor | None) -> torch.Tensor:
        present = ~torch.isnan(labels).any(dim=-1)
        if labels_mask is not None:
            present = present & labels_mask.reshape(-1).bool()
        return present

    @staticmethod
    def _masked_mean(per_sample: torch.Tensor, present: torch.Tensor) -> torch.Tensor:
        weights = present.to(per_sample.dtype)
        return (per_sample * weights).sum() / weights.sum().clamp(min=1.0)

    def mood_loss(self, logits, labels, labels_mask=None) -> torch.FloatTensor:
        """Prior-weighted BCE-with-logits, mean over tags and over the samples that have tags."""
        if labels.shape != logits.shape:
            raise ValueError(f"mood_labels must have shape {tuple(logits.shape)}, got {tuple(labels.shape)}")
        present = self._present(labels, labels_mask)
        # losses are computed in float32, so bf16/fp16 outputs do not round the targets
        targets = torch.where(present[:, None], labels, torch.zeros_like(labels)).float()
        per_element = F.binary_cross_entropy_with_logits(
            logits.float(),
            targets,
            weight=self.mood_weight,
            pos_weight=self.mood_pos_weight,
            reduction="none",
        )
        return self._masked_mean(per_element.mean(dim=-1), present)

    def va_loss(self, va, labels, labels_mask=None) -> torch.FloatTensor:
        """MSE over valence and arousal, mean over the samples that have them."""
        if labels.shape != va.shape:
            raise ValueError(f"va_labels must have shape {tuple(va.shape)}, got {tuple(labels.shape)}")
        present = self._present(labels, labels_mask)
        va = va.float()
        targets = torch.where(present[:, None], labels.float(), va.detach())
        return self._masked_mean(((va - targets) ** 2).mean(dim=-1), present)


__all__ = ["Music2EmoModel", "Music2EmoOutput", "Music2EmoPreTrainedModel"]
