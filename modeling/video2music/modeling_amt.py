"""The Affective Multimodal Transformer (AMT) of Video2Music, as a transformers model.

An encoder-decoder Transformer: the encoder reads one 776-value row per second of video (CLIP
embedding, scene offset, motion, six emotion probabilities), the decoder reads chords (root and
quality embeddings summed, the key's mode appended) and predicts the next chord over 159 tokens.
Decoder self-attention adds relative position representations (Shaw et al. 2018, computed as in
Music Transformer, Huang et al. 2019). Layers are post-norm with ReLU, as ``torch.nn.Transformer``.

Generation (:meth:`AMTModel.generate`) runs the encoder once and caches the decoder's keys and
values, computing the relative-position term for the new step only; the original's constraints are
logits processors. This file travels to the Hub as remote code: it imports only torch, transformers
and the standard library.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers import initialization as init
from transformers.generation import (
    GenerationConfig,
    GenerationMixin,
    LogitsProcessor,
    LogitsProcessorList,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)
from transformers.utils import ModelOutput

from .configuration_amt import QUALITIES, AMTConfig


# Copied from modeling.music2emo.modeling_music2emo.sinusoidal_positions
def sinusoidal_positions(length: int, dim: int) -> torch.Tensor:
    """``(length, dim)`` sinusoidal position encodings (sine on even, cosine on odd channels)."""
    position = torch.arange(length, dtype=torch.float32).unsqueeze(1)
    frequency = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim)
    table[:, 0::2] = torch.sin(position * frequency)
    table[:, 1::2] = torch.cos(position * frequency)
    return table


@dataclass
class AMTOutput(ModelOutput):
    """Output of [`AMTModel`].

    Args:
        loss (`torch.FloatTensor` of shape `()`, *optional*):
            `chord_loss_weight * chord_loss + (1 - chord_loss_weight) * emotion_loss`, when `labels` are given.
        logits (`torch.FloatTensor` of shape `(batch, chord_steps, 159)`):
            Next-chord logits per decoder step.
        chord_loss (`torch.FloatTensor` of shape `()`, *optional*):
            Cross-entropy of the logits against `labels`, PAD ignored.
        emotion_loss (`torch.FloatTensor` of shape `()`, *optional*):
            BCE-with-logits of the logits against the emotion-to-chord-quality targets.
    """

    loss: torch.FloatTensor | None = None
    logits: torch.FloatTensor | None = None
    chord_loss: torch.FloatTensor | None = None
    emotion_loss: torch.FloatTensor | None = None


class AMTDecoderCache:
    """What incremental decoding keeps between steps: per decoder layer, the self-attention keys and
    values of the steps decoded so far, written into tensors preallocated for ``max_length`` steps
    (``(batch, heads, max_length, head_dim)``), and the cross-attention keys and values of the encoder
    memory, computed once. :attr:`length` is the number of steps cached."""

    def __init__(
        self, num_layers: int, batch: int, heads: int, head_dim: int, max_length: int, *, dtype, device
    ):
        shape = (batch, heads, max_length, head_dim)
        self.keys = [torch.empty(shape, dtype=dtype, device=device) for _ in range(num_layers)]
        self.values = [torch.empty(shape, dtype=dtype, device=device) for _ in range(num_layers)]
        self.memory: list[tuple[torch.Tensor, torch.Tensor] | None] = [None] * num_layers
        self.length = 0

    def append(
        self, layer: int, keys: torch.Tensor, values: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Store the new steps' ``keys``/``values`` ``(B, H, L, hd)`` after the cached ones; returns all of them."""
        end = self.length + keys.shape[2]
        self.keys[layer][:, :, self.length : end] = keys
        self.values[layer][:, :, self.length : end] = values
        return self.keys[layer][:, :, :end], self.values[layer][:, :, :end]


class AMTAttention(nn.Module):
    """Multi-head attention with packed input projections (``nn.MultiheadAttention``'s layout) and,
    for decoder self-attention, learned relative position embeddings over ``relative_length`` steps."""

    def __init__(self, d_model: int, heads: int, dropout: float, relative_length: int | None = None):
        super().__init__()
        self.heads, self.head_dim = heads, d_model // heads
        self.in_proj = nn.Linear(d_model, 3 * d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        self.dropout = dropout
        self.relative_embedding = (
            nn.Parameter(torch.rand(relative_length, self.head_dim)) if relative_length is not None else None
        )

    def _split(self, x: torch.Tensor) -> torch.Tensor:  # (B, L, D) -> (B, H, L, hd)
        return x.view(x.shape[0], x.shape[1], self.heads, self.head_dim).transpose(1, 2)

    def project(self, x: torch.Tensor, part: slice) -> torch.Tensor:
        d = self.heads * self.head_dim
        weight = self.in_proj.weight[part.start * d : part.stop * d]
        bias = self.in_proj.bias[part.start * d : part.stop * d]
        return F.linear(x, weight, bias)

    def relative_scores(self, q: torch.Tensor, query_start: int, key_length: int) -> torch.Tensor:
        """``q (B, H, Lq, hd)`` at positions ``query_start..`` against keys ``0..key_length-1``: the
        relative term ``q_i . E[R - 1 - (i - j)]`` for ``j <= i`` (zero above the diagonal)."""
        length = self.relative_embedding.shape[0]
        if q.shape[2] == 1:  # one new step i = query_start: keys j = 0..i use rows R-1-i .. R-1, in order
            return q @ self.relative_embedding[length - key_length :].to(q.dtype).T
        positions_q = torch.arange(query_start, query_start + q.shape[2], device=q.device)
        positions_k = torch.arange(key_length, device=q.device)
        distance = positions_q[:, None] - positions_k[None, :]  # (Lq, Lk)
        index = (length - 1 - distance).clamp(0, length - 1)
        table = q @ self.relative_embedding.to(q.dtype).T  # (B, H, Lq, R)
        scores = table.gather(-1, index.expand(*table.shape[:2], *index.shape))
        return scores.masked_fill(distance < 0, 0.0)

    def forward(
        self,
        query: torch.Tensor,
        memory: torch.Tensor | None = None,
        attn_mask: torch.Tensor | None = None,
        key_padding_mask: torch.Tensor | None = None,
        cache: AMTDecoderCache | None = None,
        layer: int = 0,
    ) -> torch.Tensor:
        """Self-attention (``memory`` None) or cross-attention over ``memory``, ``(B, Lq, D)`` out.

        ``attn_mask``: additive ``(Lq, Lk)``; ``key_padding_mask``: ``(B, Lk)``, True where padded.
        With a ``cache``, self-attention continues the ``cache.length`` steps cached for ``layer`` (the
        queries are the steps after them) and cross-attention reuses the memory's keys and values.
        """
        start = 0 if cache is None else cache.length
        if memory is None:
            q, k, v = (
                self._split(t) for t in F.linear(query, self.in_proj.weight, self.in_proj.bias).chunk(3, -1)
            )
            if cache is not None:
                k, v = cache.append(layer, k, v)
        else:
            q = self._split(self.project(query, slice(0, 1)))
            if cache is not None and cache.memory[layer] is not None:
                k, v = cache.memory[layer]
            else:
                k, v = (self._split(t) for t in self.project(memory, slice(1, 3)).chunk(2, dim=-1))
                if cache is not None:  # contiguous once, so that every step reads them without a copy
                    k, v = k.contiguous(), v.contiguous()
                    cache.memory[layer] = (k, v)
        q = q * self.head_dim**-0.5
        scores = q @ k.transpose(-1, -2)
        if self.relative_embedding is not None:
            scores = scores + self.relative_scores(q, start, k.shape[2])
        if attn_mask is not None:
            scores = scores + attn_mask
        if key_padding_mask is not None:
            scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
        weights = F.dropout(scores.softmax(dim=-1), p=self.dropout, training=self.training)
        output = (weights @ v).transpose(1, 2).reshape(query.shape[0], query.shape[1], -1)
        return self.out_proj(output)


class AMTFeedForward(nn.Module):
    def __init__(self, d_model: int, ffn_dim: int, dropout: float):
        super().__init__()
        self.linear1 = nn.Linear(d_model, ffn_dim)
        self.linear2 = nn.Linear(ffn_dim, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear2(self.dropout(F.relu(self.linear1(x))))


class AMTEncoderLayer(nn.Module):
    def __init__(self, config: AMTConfig):
        super().__init__()
        self.self_attn = AMTAttention(config.d_model, config.encoder_attention_heads, config.dropout)
        self.feed_forward = AMTFeedForward(config.d_model, config.encoder_ffn_dim, config.dropout)
        self.norm1 = nn.LayerNorm(config.d_model)
        self.norm2 = nn.LayerNorm(config.d_model)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        x = self.norm1(x + self.dropout(self.self_attn(x, key_padding_mask=key_padding_mask)))
        return self.norm2(x + self.dropout(self.feed_forward(x)))


class AMTDecoderLayer(nn.Module):
    def __init__(self, config: AMTConfig):
        super().__init__()
        d = config.d_model
        heads = config.decoder_attention_heads
        self.self_attn = AMTAttention(d, heads, config.dropout, config.max_sequence_length)
        self.cross_attn = AMTAttention(d, heads, config.dropout)
        self.feed_forward = AMTFeedForward(d, config.decoder_ffn_dim, config.dropout)
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(d), nn.LayerNorm(d), nn.LayerNorm(d)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x, memory, attn_mask=None, memory_padding_mask=None, cache=None, layer=0):
        """``cache``/``layer``: see :meth:`AMTAttention.forward`."""
        x = self.norm1(x + self.dropout(self.self_attn(x, attn_mask=attn_mask, cache=cache, layer=layer)))
        crossed = self.cross_attn(x, memory, key_padding_mask=memory_padding_mask, cache=cache, layer=layer)
        x = self.norm2(x + self.dropout(crossed))
        return self.norm3(x + self.dropout(self.feed_forward(x)))


class AMTPreTrainedModel(PreTrainedModel):
    config_class = AMTConfig
    base_model_prefix = "amt"
    main_input_name = "video_features"

    @torch.no_grad()
    def _init_weights(self, module):
        # torch.nn.Transformer's: Xavier-uniform attention projections (the module is visited after its
        # Linear children), PyTorch defaults elsewhere.
        if isinstance(module, AMTAttention):
            init.xavier_uniform_(module.in_proj.weight)
            init.zeros_(module.in_proj.bias)
            init.zeros_(module.out_proj.bias)
            if module.relative_embedding is not None:
                init.uniform_(module.relative_embedding, 0.0, 1.0)
        elif isinstance(module, (nn.Linear, nn.Embedding, nn.LayerNorm)):
            module.reset_parameters()
        if isinstance(module, AMTModel):
            module._fill_tables()


AMT_GENERATION_DEFAULTS = {
    "do_sample": True,
    "temperature": 1.0,
    "top_k": None,
    "top_p": None,
    "max_length": None,
    "use_cache": True,
    "forbid_no_chord": True,
    "max_repeat": 2,
    "allow_end": False,
}
"""The generation settings of Video2Music's app (:meth:`AMTModel.generate` documents each); a model's
``generation_config`` starts from them and is saved with it."""


class AMTModel(AMTPreTrainedModel, GenerationMixin):
    r"""The Affective Multimodal Transformer: per-second video features in, next-chord logits out.

    Chord tokens follow Video2Music's vocabulary: 0 is `N`, then 13 qualities for each of the 12
    roots from C (token `1 + 13 * (root - 1) + (quality - 1)`), END 157, PAD 158.
    """

    def __init__(self, config: AMTConfig):
        super().__init__(config)
        d = config.d_model
        self.root_embedding = nn.Embedding(config.num_chord_roots, d)
        self.quality_embedding = nn.Embedding(config.num_chord_qualities, d)
        self.chord_projection = nn.Linear(d + 1, d)
        self.video_projection = nn.Linear(config.video_feature_dim, d)
        self.embedding_dropout = nn.Dropout(config.dropout)
        self.encoder_layers = nn.ModuleList(AMTEncoderLayer(config) for _ in range(config.encoder_layers))
        self.encoder_norm = nn.LayerNorm(d)
        self.decoder_layers = nn.ModuleList(AMTDecoderLayer(config) for _ in range(config.decoder_layers))
        self.decoder_norm = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, config.num_chord_tokens)
        self.register_buffer("positions", torch.zeros(config.max_sequence_length, d), persistent=False)
        self.register_buffer(
            "token_roots", torch.zeros(config.num_chord_tokens, dtype=torch.long), persistent=False
        )
        self.register_buffer(
            "token_qualities", torch.zeros(config.num_chord_tokens, dtype=torch.long), persistent=False
        )
        self.register_buffer(
            "emotion_targets", torch.zeros(config.num_emotions + 1, config.num_chord_tokens), persistent=False
        )
        self.post_init()
        self.generation_config = GenerationConfig(
            **{name: value for name, value in AMT_GENERATION_DEFAULTS.items() if value is not None}
        )

    def _fill_tables(self) -> None:
        """The non-learned tables: positions, token -> (root, quality) ids, emotion -> quality targets."""
        config = self.config
        self.positions.copy_(sinusoidal_positions(config.max_sequence_length, config.d_model))
        num_qualities = len(QUALITIES)
        tokens = torch.arange(config.num_chord_tokens)
        roots = torch.where(tokens == 0, 0, (tokens - 1) // num_qualities + 1)
        qualities = torch.where(tokens == 0, 0, (tokens - 1) % num_qualities + 1)
        roots[config.end_token_id], qualities[config.end_token_id] = (
            config.num_chord_roots - 2,
            config.num_chord_qualities - 2,
        )
        roots[config.chord_pad_token_id], qualities[config.chord_pad_token_id] = (
            config.num_chord_roots - 1,
            config.num_chord_qualities - 1,
        )
        self.token_roots.copy_(roots)
        self.token_qualities.copy_(qualities)
        targets = torch.zeros(config.num_emotions + 1, config.num_chord_tokens)
        for row, names in enumerate(config.emotion_qualities.values()):
            for name in names:
                targets[row, 1 : 1 + 12 * num_qualities][QUALITIES.index(name) :: num_qualities] = 1.0
        targets[-1, config.chord_pad_token_id] = 1.0  # a padded step's target: PAD
        self.emotion_targets.copy_(targets)

    # -- the two halves -------------------------------------------------------------------------
    def _check_features(self, video_features: torch.Tensor) -> None:
        if video_features.ndim != 3 or video_features.shape[-1] != self.config.video_feature_dim:
            raise ValueError(
                f"video_features must have shape (batch, seconds, {self.config.video_feature_dim}) (CLIP 768 | scene "
                f"offset | motion | {self.config.num_emotions} emotions), got {tuple(video_features.shape)}"
            )
        if video_features.shape[1] > self.config.max_sequence_length:
            raise ValueError(
                f"The video has {video_features.shape[1]} seconds; the model handles at most "
                f"{self.config.max_sequence_length} (config.max_sequence_length)"
            )

    def encode(
        self, video_features: torch.Tensor, video_attention_mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Per-second video features ``(B, T, 776)`` -> encoder states ``(B, T, d_model)``."""
        self._check_features(video_features)
        x = self.video_projection(video_features.to(self.video_projection.weight.dtype))
        x = self.embedding_dropout(x + self.positions[: x.shape[1]].to(x.dtype))
        padding = None if video_attention_mask is None else ~video_attention_mask.bool()
        for layer in self.encoder_layers:
            x = layer(x, key_padding_mask=padding)
        return self.encoder_norm(x)

    def embed_chords(self, chord_ids: torch.Tensor, mode_ids: torch.Tensor, start: int = 0) -> torch.Tensor:
        """Chord tokens ``(B, L)`` at positions ``start..`` and modes ``(B,)`` -> decoder inputs ``(B, L, d_model)``."""
        x = self.root_embedding(self.token_roots[chord_ids]) + self.quality_embedding(
            self.token_qualities[chord_ids]
        )
        mode = mode_ids.to(x.dtype).reshape(-1, 1, 1).expand(x.shape[0], x.shape[1], 1)
        x = self.chord_projection(torch.cat([x, mode], dim=-1))
        return self.embedding_dropout(x + self.positions[start : start + x.shape[1]].to(x.dtype))

    def decode(self, x, memory, memory_padding_mask=None, cache: AMTDecoderCache | None = None):
        """Decoder over inputs ``x (B, L, d_model)`` -> logits ``(B, L, 159)``. With a ``cache``, ``x`` holds
        the steps after the ``cache.length`` cached ones, and the cache is extended by them."""
        length = x.shape[1]
        if cache is not None and length == 1 and cache.memory[0] is not None and not self.training:
            return self._decode_step(x, memory_padding_mask, cache)
        start = 0 if cache is None else cache.length
        mask = None
        if length > 1:
            mask = torch.triu(
                torch.full((length, start + length), float("-inf"), device=x.device), diagonal=start + 1
            ).to(x.dtype)
        for index, layer in enumerate(self.decoder_layers):
            x = layer(x, memory, mask, memory_padding_mask, cache=cache, layer=index)
        if cache is not None:
            cache.length += length
        return self.lm_head(self.decoder_norm(x))

    def _decode_step(self, x, memory_padding_mask, cache: AMTDecoderCache) -> torch.Tensor:
        """One incremental step of :meth:`decode` (``x (B, 1, d_model)``, the memory's keys and values
        cached): the decoder layers' arithmetic, operation for operation (dropout is off), written on
        their weights directly, so that a step costs reading the weights and little more."""
        batch, position = x.shape[0], cache.length
        end = position + 1
        for index, layer in enumerate(self.decoder_layers):
            attention, cross, feed_forward = layer.self_attn, layer.cross_attn, layer.feed_forward
            heads, head_dim = attention.heads, attention.head_dim
            width, scale = heads * head_dim, head_dim**-0.5
            projected = F.linear(x, attention.in_proj.weight, attention.in_proj.bias)
            q, k, v = projected.view(batch, 3, heads, 1, head_dim).unbind(1)
            cache.keys[index][:, :, position:end] = k
            cache.values[index][:, :, position:end] = v
            keys, values = cache.keys[index][:, :, :end], cache.values[index][:, :, :end]
            q = q * scale
            relative = attention.relative_embedding[attention.relative_embedding.shape[0] - end :]
            scores = q @ keys.transpose(-1, -2) + q @ relative.to(q.dtype).T
            attended = (scores.softmax(dim=-1) @ values).view(batch, 1, width)
            attended = F.linear(attended, attention.out_proj.weight, attention.out_proj.bias)
            x = F.layer_norm(x + attended, (width,), layer.norm1.weight, layer.norm1.bias, layer.norm1.eps)

            q = F.linear(x, cross.in_proj.weight[:width], cross.in_proj.bias[:width])
            q = q.view(batch, heads, 1, head_dim) * scale
            memory_keys, memory_values = cache.memory[index]
            scores = q @ memory_keys.transpose(-1, -2)
            if memory_padding_mask is not None:
                scores = scores.masked_fill(memory_padding_mask[:, None, None, :], float("-inf"))
            crossed = (scores.softmax(dim=-1) @ memory_values).view(batch, 1, width)
            crossed = F.linear(crossed, cross.out_proj.weight, cross.out_proj.bias)
            x = F.layer_norm(x + crossed, (width,), layer.norm2.weight, layer.norm2.bias, layer.norm2.eps)

            hidden = F.relu(F.linear(x, feed_forward.linear1.weight, feed_forward.linear1.bias))
            hidden = F.linear(hidden, feed_forward.linear2.weight, feed_forward.linear2.bias)
            x = F.layer_norm(x + hidden, (width,), layer.norm3.weight, layer.norm3.bias, layer.norm3.eps)
        cache.length = end
        return self.lm_head(self.decoder_norm(x))

    def forward(
        self,
        video_features: torch.Tensor,
        chord_ids: torch.LongTensor,
        mode_ids: torch.Tensor,
        video_attention_mask: torch.Tensor | None = None,
        labels: torch.LongTensor | None = None,
        return_dict: bool | None = None,
        **kwargs,
    ) -> AMTOutput | tuple:
        r"""
        Args:
            video_features (`torch.FloatTensor` of shape `(batch, seconds, 776)`):
                CLIP embedding | scene offset | motion | six emotion probabilities, one row per second.
            chord_ids (`torch.LongTensor` of shape `(batch, steps)`):
                Decoder input chord tokens (the chords of seconds `0..steps-1`).
            mode_ids (`torch.Tensor` of shape `(batch,)`):
                The key's mode per sample: 0 major, 1 minor.
            video_attention_mask (`torch.Tensor` of shape `(batch, seconds)`, *optional*):
                1 for real seconds, 0 for padding (the original attends to zero padding; without a mask so do we).
            labels (`torch.LongTensor` of shape `(batch, steps)`, *optional*):
                Next-chord targets (the chords of seconds `1..steps`, END after the last chord, PAD beyond).
                The affective target of step `t` comes from the dominant emotion of video second `t + 1`,
                as Video2Music's dataset aligns it; steps whose label is PAD or END target PAD.
        """
        memory = self.encode(video_features, video_attention_mask)
        padding = None if video_attention_mask is None else ~video_attention_mask.bool()
        if chord_ids.shape[1] > self.config.max_sequence_length:
            raise ValueError(
                f"At most {self.config.max_sequence_length} chord steps, got {chord_ids.shape[1]}"
            )
        logits = self.decode(self.embed_chords(chord_ids, mode_ids), memory, padding)
        loss = chord_loss = emotion_loss = None
        if labels is not None:
            chord_loss = F.cross_entropy(
                logits.float().reshape(-1, logits.shape[-1]),
                labels.reshape(-1),
                ignore_index=self.config.chord_pad_token_id,
                label_smoothing=self.config.label_smoothing,
            )
            emotion_loss = F.binary_cross_entropy_with_logits(
                logits.float(), self.affective_targets(video_features, labels)
            )
            weight = self.config.chord_loss_weight
            loss = weight * chord_loss + (1.0 - weight) * emotion_loss
        output = AMTOutput(loss=loss, logits=logits, chord_loss=chord_loss, emotion_loss=emotion_loss)
        return output if return_dict is not False else output.to_tuple()

    def affective_targets(self, video_features: torch.Tensor, labels: torch.LongTensor) -> torch.Tensor:
        """``(B, L, 159)`` targets of the affective loss (see `forward`)."""
        emotions = video_features[..., -self.config.num_emotions :].float()
        steps = labels.shape[1]
        shifted = torch.zeros(emotions.shape[0], steps, emotions.shape[2], device=emotions.device)
        available = min(steps, max(emotions.shape[1] - 1, 0))
        shifted[:, :available] = emotions[:, 1 : 1 + available]
        rows = shifted.argmax(dim=-1)
        special = (labels == self.config.chord_pad_token_id) | (labels == self.config.end_token_id)
        rows = torch.where(special, self.config.num_emotions, rows)
        return self.emotion_targets[rows]

    # -- generation -----------------------------------------------------------------------------
    def _generation_settings(self, generation_config: GenerationConfig | None, overrides: dict) -> dict:
        unknown = sorted(set(overrides) - set(AMT_GENERATION_DEFAULTS))
        if unknown:
            raise ValueError(
                f"Unknown generation setting(s) {unknown}; accepted: {sorted(AMT_GENERATION_DEFAULTS)}"
            )
        config = generation_config if generation_config is not None else self.generation_config
        settings = {}
        for name, default in AMT_GENERATION_DEFAULTS.items():
            if name in overrides and (
                overrides[name] is not None or name in ("max_repeat", "top_k", "top_p")
            ):
                settings[name] = overrides[name]
            else:
                value = getattr(config, name, None) if config is not None else None
                settings[name] = default if value is None else value
        return settings

    @torch.no_grad()
    def generate(
        self,
        video_features: torch.Tensor,
        mode_ids: torch.Tensor,
        primer_ids: torch.LongTensor,
        generation_config: GenerationConfig | None = None,
        logits_processor: LogitsProcessorList | None = None,
        video_attention_mask: torch.Tensor | None = None,
        seed: int | None = None,
        **kwargs,
    ) -> torch.LongTensor:
        r"""Generate one chord per second of video, for videos of any length.

        The primer chords are the first chords of the output (as in Video2Music); the model then adds
        chords until `max_length` (default: the number of seconds). The settings come from
        `generation_config` (default: the model's `generation_config`, saved with it), and any of them
        can be given as a keyword argument:

        - `do_sample` (True: sample as the original does; False: greedy), `temperature`, `top_k`, `top_p`;
        - `max_length` (None: one chord per second of `video_features`);
        - `use_cache` (True: run the encoder once per window and cache the decoder's keys and values;
          False: recompute the whole model at every step, as the original does);
        - `forbid_no_chord` (`N` is never generated), `max_repeat` (no chord more than this many times
          in a row; None: no limit), `allow_end` (END may end a sequence, which is then padded with PAD;
          the original never samples END: it keeps only the 157 chord probabilities).

        With the defaults, a step samples as Video2Music does: the softmax over all 159 logits, the
        forbidden chords set to probability 0, the 157 chord probabilities renormalised, one draw with
        replacement; so the same `seed` gives the same chords as the original seeded with
        `torch.manual_seed(seed)`. `logits_processor` adds processors, called with the chords of all
        seconds so far (primer included) and the step's scores.

        Videos are fed as the model was trained (`config.video_padding`): with `"zeros"`, every window
        of `config.max_sequence_length` seconds is padded with zero features to that length, and
        `video_attention_mask` only marks which seconds are zeroed; with `"mask"`, the mask is passed to
        the encoder. A video longer than `config.max_sequence_length` seconds is generated window by
        window: each window after the first re-reads the last generated second, primed with its chord,
        and adds `max_sequence_length - 1` chords.

        Args:
            video_features (`torch.FloatTensor` of shape `(batch, seconds, 776)`).
            mode_ids (`torch.Tensor` of shape `(batch,)`): 0 major, 1 minor.
            primer_ids (`torch.LongTensor` of shape `(batch, primer_length)`): chord tokens, at least one.
            video_attention_mask (`torch.Tensor` of shape `(batch, seconds)`, *optional*): 1 real, 0 padding.
            seed (`int`, *optional*): makes sampling reproducible.

        Returns:
            `torch.LongTensor` of shape `(batch, max_length)`: chord tokens (primer included).
        """
        settings = self._generation_settings(generation_config, kwargs)
        config = self.config
        if video_features.ndim != 3 or video_features.shape[-1] != config.video_feature_dim:
            self._check_features(video_features)
        batch, seconds = video_features.shape[:2]
        window = config.max_sequence_length
        if primer_ids.ndim != 2 or primer_ids.shape[0] != batch or primer_ids.shape[1] < 1:
            raise ValueError(
                f"primer_ids must have shape (batch={batch}, primer_length >= 1), got {tuple(primer_ids.shape)}"
            )
        if (primer_ids < 0).any() or (primer_ids >= config.end_token_id).any():
            raise ValueError(f"primer_ids must be chord tokens 0..{config.end_token_id - 1}")
        max_length = seconds if settings["max_length"] is None else int(settings["max_length"])
        if not primer_ids.shape[1] <= max_length <= max(seconds, window) or primer_ids.shape[1] > window:
            raise ValueError(
                f"max_length must be between the primer length ({primer_ids.shape[1]}, at most {window}) and "
                f"the number of seconds ({max(seconds, window)}), got {max_length}"
            )
        device = self.lm_head.weight.device
        features = video_features.to(device)
        if video_attention_mask is not None:
            video_attention_mask = video_attention_mask.to(device)
            if config.video_padding == "zeros":
                features = features * video_attention_mask[..., None].to(features.dtype)
        sequence = primer_ids.to(device)
        mode_ids = torch.as_tensor(mode_ids, device=device).reshape(batch)
        processors = LogitsProcessorList(
            [ChordConstraintsLogitsProcessor(config, settings["forbid_no_chord"], settings["allow_end"],
                                             settings["max_repeat"])]
        )  # fmt: skip
        processors.extend(logits_processor or [])
        warpers = LogitsProcessorList()
        if settings["do_sample"]:
            if settings["temperature"] != 1.0:
                warpers.append(TemperatureLogitsWarper(settings["temperature"]))
            if settings["top_k"]:
                warpers.append(TopKLogitsWarper(settings["top_k"]))
            if settings["top_p"] is not None and settings["top_p"] < 1.0:
                warpers.append(TopPLogitsWarper(settings["top_p"]))
        generator = None if seed is None else torch.Generator(device=device).manual_seed(int(seed))
        finished = torch.zeros(batch, dtype=torch.bool, device=device)

        start = 0  # the second the current window begins at; its first token is the chord of that second
        while sequence.shape[1] < max_length and not finished.all():
            end = min(start + window, max_length)
            part, mask = self._window_inputs(features, video_attention_mask, start)
            memory = self.encode(part, mask)
            padding = None if mask is None else ~mask.bool()
            cache = None
            if settings["use_cache"]:
                head_dim = config.d_model // config.decoder_attention_heads
                cache = AMTDecoderCache(
                    len(self.decoder_layers), batch, config.decoder_attention_heads, head_dim, end - start,
                    dtype=memory.dtype, device=device,
                )  # fmt: skip
            while sequence.shape[1] < end:
                if cache is not None:
                    fed = start + cache.length
                    x = self.embed_chords(sequence[:, fed:], mode_ids, start=cache.length)
                    logits = self.decode(x, memory, padding, cache)[:, -1]
                else:
                    memory = self.encode(part, mask)
                    logits = self.decode(self.embed_chords(sequence[:, start:], mode_ids), memory, padding)[
                        :, -1
                    ]
                next_ids = self._next_tokens(sequence, logits, processors, warpers, settings, generator)
                next_ids = torch.where(finished, config.chord_pad_token_id, next_ids)
                finished |= next_ids == config.end_token_id
                sequence = torch.cat([sequence, next_ids[:, None]], dim=1)
                if finished.all():
                    break
            start = sequence.shape[1] - 1
        if sequence.shape[1] < max_length:
            pad = torch.full(
                (batch, max_length - sequence.shape[1]), config.chord_pad_token_id, device=device
            )
            sequence = torch.cat([sequence, pad], dim=1)
        return sequence

    def _window_inputs(self, features, mask, start: int):
        """The features (and mask) of the window beginning at second ``start``, fed as the model was
        trained: zero-padded to ``max_sequence_length`` seconds (``"zeros"``) or masked (``"mask"``)."""
        window = self.config.max_sequence_length
        part = features[:, start : start + window]
        if self.config.video_padding == "zeros":
            if part.shape[1] < window:
                part = F.pad(part, (0, 0, 0, window - part.shape[1]))
            return part, None
        return part, None if mask is None else mask[:, start : start + window]

    def _next_tokens(self, sequence, logits, processors, warpers, settings, generator) -> torch.LongTensor:
        logits = logits.float()
        scores = processors(sequence, logits)
        if not settings["do_sample"]:
            return scores.argmax(dim=-1)
        if len(warpers):
            probabilities = warpers(sequence, scores).softmax(dim=-1)
        else:  # Video2Music's arithmetic: the softmax of all logits, forbidden chords at probability 0
            probabilities = logits.softmax(dim=-1).masked_fill(scores == float("-inf"), 0.0)
        if not settings["allow_end"]:
            probabilities = probabilities[:, : self.config.end_token_id]
        probabilities = probabilities / probabilities.sum(dim=-1, keepdim=True)
        return torch.multinomial(probabilities, 1, replacement=True, generator=generator).squeeze(1)


class ChordConstraintsLogitsProcessor(LogitsProcessor):
    """Video2Music's sampling constraints: PAD never, END only when allowed, `N` never when
    `forbid_no_chord`, and no chord more than `max_repeat` times in a row (None: no limit)."""

    def __init__(
        self,
        config: AMTConfig,
        forbid_no_chord: bool = True,
        allow_end: bool = False,
        max_repeat: int | None = 2,
    ):
        self.pad, self.end = config.chord_pad_token_id, config.end_token_id
        self.forbid_no_chord, self.allow_end, self.max_repeat = forbid_no_chord, allow_end, max_repeat

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        scores = scores.clone()
        scores[:, self.pad] = float("-inf")
        if not self.allow_end:
            scores[:, self.end] = float("-inf")
        if self.forbid_no_chord:
            scores[:, 0] = float("-inf")
        if self.max_repeat is not None and input_ids.shape[1] >= self.max_repeat:
            last = input_ids[:, -self.max_repeat :]
            repeated = (last == last[:, -1:]).all(dim=1)
            scores.scatter_(
                1,
                input_ids[:, -1:],
                torch.where(repeated[:, None], float("-inf"), scores.gather(1, input_ids[:, -1:])),
            )
        return scores


__all__ = [
    "AMT_GENERATION_DEFAULTS",
    "AMTDecoderCache",
    "AMTModel",
    "AMTOutput",
    "AMTPreTrainedModel",
    "ChordConstraintsLogitsProcessor",
    "sinusoidal_positions",
]
