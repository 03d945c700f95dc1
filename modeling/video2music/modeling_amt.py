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
            rows = self.relative_embedding[length - key_length :].to(q.dtype)
            return q @ rows.T
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
        past: tuple[torch.Tensor, torch.Tensor] | None = None,
        query_start: int = 0,
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor] | None]:
        """Self-attention (``memory`` None; ``past`` cached keys/values extend it) or cross-attention
        (``past``: the memory's keys/values, computed once).

        ``attn_mask``: additive ``(Lq, Lk)``; ``key_padding_mask``: ``(B, Lk)``, True where padded.
        Returns the output ``(B, Lq, D)`` and the keys/values for the cache.
        """
        q = self._split(self.project(query, slice(0, 1))) * self.head_dim**-0.5
        if memory is None:
            k, v = (self._split(t) for t in self.project(query, slice(1, 3)).chunk(2, dim=-1))
            if past is not None:
                k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
            cache = (k, v)
        elif past is not None:  # cross-attention with the memory's keys/values computed before
            (k, v), cache = past, past
        else:
            k, v = (self._split(t) for t in self.project(memory, slice(1, 3)).chunk(2, dim=-1))
            cache = (k, v)
        scores = q @ k.transpose(-1, -2)
        if self.relative_embedding is not None:
            scores = scores + self.relative_scores(q, query_start, k.shape[2])
        if attn_mask is not None:
            scores = scores + attn_mask
        if key_padding_mask is not None:
            scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
        weights = F.dropout(scores.softmax(dim=-1), p=self.dropout, training=self.training)
        output = (weights @ v).transpose(1, 2).reshape(query.shape[0], query.shape[1], -1)
        return self.out_proj(output), cache


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
        self.self_attn = AMTAttention(config.d_model, config.attention_heads, config.dropout)
        self.feed_forward = AMTFeedForward(config.d_model, config.ffn_dim, config.dropout)
        self.norm1 = nn.LayerNorm(config.d_model)
        self.norm2 = nn.LayerNorm(config.d_model)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        x = self.norm1(x + self.dropout(self.self_attn(x, key_padding_mask=key_padding_mask)[0]))
        return self.norm2(x + self.dropout(self.feed_forward(x)))


class AMTDecoderLayer(nn.Module):
    def __init__(self, config: AMTConfig):
        super().__init__()
        d = config.d_model
        self.self_attn = AMTAttention(d, config.attention_heads, config.dropout, config.max_sequence_length)
        self.cross_attn = AMTAttention(d, config.attention_heads, config.dropout)
        self.feed_forward = AMTFeedForward(d, config.ffn_dim, config.dropout)
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(d), nn.LayerNorm(d), nn.LayerNorm(d)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x, memory, attn_mask=None, memory_padding_mask=None, past=None, query_start=0):
        """``past``: ``(self-attention keys/values, cross-attention keys/values)`` of earlier steps."""
        self_past, cross_past = past if past is not None else (None, None)
        attended, self_cache = self.self_attn(x, attn_mask=attn_mask, past=self_past, query_start=query_start)
        x = self.norm1(x + self.dropout(attended))
        crossed, cross_cache = self.cross_attn(
            x, memory, key_padding_mask=memory_padding_mask, past=cross_past
        )
        x = self.norm2(x + self.dropout(crossed))
        return self.norm3(x + self.dropout(self.feed_forward(x))), (self_cache, cross_cache)


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
        elif isinstance(module, nn.Linear):
            init.kaiming_uniform_(module.weight, a=math.sqrt(5))
            if module.bias is not None:
                bound = 1 / math.sqrt(module.in_features)
                init.uniform_(module.bias, -bound, bound)
        elif isinstance(module, nn.Embedding):
            init.normal_(module.weight)
        elif isinstance(module, nn.LayerNorm):
            init.ones_(module.weight)
            init.zeros_(module.bias)
        if isinstance(module, AMTModel):
            module._fill_tables()


class AMTModel(AMTPreTrainedModel):
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

    def decode(self, x, memory, memory_padding_mask=None, past=None, start: int = 0):
        """Decoder over inputs ``x (B, L, d_model)``; with ``past`` (one (k, v) per layer) ``x`` continues a
        cached prefix of ``start`` steps. Returns logits ``(B, L, 159)`` and the new cache."""
        length = x.shape[1]
        mask = None
        if length > 1:
            mask = torch.triu(
                torch.full((length, start + length), float("-inf"), device=x.device), diagonal=start + 1
            )
            mask = mask.to(x.dtype)
        caches = []
        for index, layer in enumerate(self.decoder_layers):
            x, cache = layer(
                x, memory, mask, memory_padding_mask, None if past is None else past[index], start
            )
            caches.append(cache)
        return self.lm_head(self.decoder_norm(x)), caches

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
        logits, _ = self.decode(self.embed_chords(chord_ids, mode_ids), memory, padding)
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
    @torch.no_grad()
    def generate(
        self,
        video_features: torch.Tensor,
        mode_ids: torch.Tensor,
        primer_ids: torch.LongTensor,
        max_length: int | None = None,
        do_sample: bool = True,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        seed: int | None = None,
        forbid_no_chord: bool = True,
        max_repeat: int | None = 2,
        allow_end: bool = False,
        logits_processor: LogitsProcessorList | None = None,
        video_attention_mask: torch.Tensor | None = None,
        use_cache: bool = True,
    ) -> torch.LongTensor:
        r"""Generate one chord per second of video.

        The primer chords are the first chords of the output (as in Video2Music); the model then adds
        chords until `max_length` (default: the number of seconds). The original's constraints are
        logits processors: `N` never sampled (`forbid_no_chord`), no chord more than `max_repeat` times
        in a row, PAD never and END only with `allow_end` (the original never samples END: it keeps
        only the 157 chord probabilities); a sequence that samples END stops (PAD after it).
        `do_sample=True` samples as the original does (with optional `temperature`, `top_k`, `top_p`),
        `False` is greedy. `seed` makes sampling reproducible. `logits_processor` adds processors
        (called with the token ids so far, including the primer, and the step's scores).
        `use_cache=False` recomputes the whole model (encoder and decoder) at every step, as the original does.

        Args:
            video_features (`torch.FloatTensor` of shape `(batch, seconds, 776)`).
            mode_ids (`torch.Tensor` of shape `(batch,)`): 0 major, 1 minor.
            primer_ids (`torch.LongTensor` of shape `(batch, primer_length)`): chord tokens, at least one.

        Returns:
            `torch.LongTensor` of shape `(batch, max_length)`: chord tokens (primer included).
        """
        self._check_features(video_features)
        batch = video_features.shape[0]
        if primer_ids.ndim != 2 or primer_ids.shape[0] != batch or primer_ids.shape[1] < 1:
            raise ValueError(
                f"primer_ids must have shape (batch={batch}, primer_length >= 1), got {tuple(primer_ids.shape)}"
            )
        if (primer_ids < 0).any() or (primer_ids >= self.config.end_token_id).any():
            raise ValueError(f"primer_ids must be chord tokens 0..{self.config.end_token_id - 1}")
        max_length = video_features.shape[1] if max_length is None else int(max_length)
        if not primer_ids.shape[1] <= max_length <= self.config.max_sequence_length:
            raise ValueError(
                f"max_length must be between the primer length ({primer_ids.shape[1]}) and "
                f"{self.config.max_sequence_length}, got {max_length}"
            )
        device = self.lm_head.weight.device
        video_features, primer_ids = video_features.to(device), primer_ids.to(device)
        mode_ids = torch.as_tensor(mode_ids, device=device).reshape(batch)
        processors = LogitsProcessorList(
            [ChordConstraintsLogitsProcessor(self.config, forbid_no_chord, allow_end, max_repeat)]
        )
        processors.extend(logits_processor or [])
        if do_sample:
            if temperature != 1.0:
                processors.append(TemperatureLogitsWarper(temperature))
            if top_k:
                processors.append(TopKLogitsWarper(top_k))
            if top_p is not None and top_p < 1.0:
                processors.append(TopPLogitsWarper(top_p))
        generator = None
        if seed is not None:
            generator = torch.Generator(device=device).manual_seed(int(seed))

        memory = self.encode(video_features, video_attention_mask)
        padding = None if video_attention_mask is None else ~video_attention_mask.bool()
        sequence = primer_ids.clone()
        finished = torch.zeros(batch, dtype=torch.bool, device=device)
        past, fed = None, 0
        while sequence.shape[1] < max_length:
            if use_cache:
                x = self.embed_chords(sequence[:, fed:], mode_ids, start=fed)
                logits, past = self.decode(x, memory, padding, past=past, start=fed)
                fed = sequence.shape[1]
            else:
                memory = self.encode(video_features, video_attention_mask)
                logits, _ = self.decode(self.embed_chords(sequence, mode_ids), memory, padding)
            scores = processors(sequence, logits[:, -1, :].float())
            if do_sample:
                next_ids = torch.multinomial(scores.softmax(dim=-1), 1, generator=generator).squeeze(1)
            else:
                next_ids = scores.argmax(dim=-1)
            next_ids = torch.where(finished, self.config.chord_pad_token_id, next_ids)
            finished |= next_ids == self.config.end_token_id
            sequence = torch.cat([sequence, next_ids[:, None]], dim=1)
            if finished.all():
                break
        if sequence.shape[1] < max_length:
            pad = torch.full(
                (batch, max_length - sequence.shape[1]), self.config.chord_pad_token_id, device=device
            )
            sequence = torch.cat([sequence, pad], dim=1)
        return sequence


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
            rows = repeated.nonzero().squeeze(1)
            scores[rows, input_ids[rows, -1]] = float("-inf")
        return scores


__all__ = [
    "AMTModel",
    "AMTOutput",
    "AMTPreTrainedModel",
    "ChordConstraintsLogitsProcessor",
    "sinusoidal_positions",
]
