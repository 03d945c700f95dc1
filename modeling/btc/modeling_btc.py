"""BTC, the Bi-directional Transformer for Chord recognition (Park et al., ISMIR 2019), as a
transformers model.

Each layer runs two self-attention blocks over the window's frames, one that sees only the past and
one that sees only the future (pre-norm, multi-head attention, then a feed-forward of two width-3
convolutions each followed by ReLU), concatenates them and projects back; sinusoidal timing signals
are added to the projected CQT frames, a final layer norm and a linear layer give chord logits per
frame. Layer norms normalise by the (unbiased) standard deviation plus epsilon, as BTC's do.
This file travels to the Hub as remote code: it imports only torch, transformers and the standard library.
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

from .configuration_btc import BTCConfig


def timing_signal(length: int, channels: int) -> torch.Tensor:
    """``(length, channels)`` sinusoids: sines of all timescales, then cosines (tensor2tensor's layout)."""
    half = channels // 2
    increment = math.log(1.0e4) / max(half - 1, 1)
    inverse = torch.exp(torch.arange(half, dtype=torch.float64) * -increment)
    scaled = torch.arange(length, dtype=torch.float64)[:, None] * inverse[None, :]
    signal = torch.cat([torch.sin(scaled), torch.cos(scaled)], dim=1)
    return F.pad(signal, (0, channels % 2)).float()


@dataclass
class BTCOutput(ModelOutput):
    """Output of [`BTCModel`].

    Args:
        logits (`torch.FloatTensor` of shape `(batch, frames, num_chords)`): chord logits per frame.
        loss (`torch.FloatTensor` of shape `()`, *optional*): cross-entropy, when `labels` are given.
    """

    loss: torch.FloatTensor | None = None
    logits: torch.FloatTensor | None = None


class BTCLayerNorm(nn.Module):
    """``weight * (x - mean) / (std + eps) + bias`` with the unbiased standard deviation."""

    def __init__(self, size: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.bias = nn.Parameter(torch.zeros(size))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.weight * (x - x.mean(-1, keepdim=True)) / (x.std(-1, keepdim=True) + self.eps) + self.bias


class BTCAttention(nn.Module):
    def __init__(self, config: BTCConfig):
        super().__init__()
        self.heads = config.num_attention_heads
        self.scale = (config.total_key_depth // config.num_attention_heads) ** -0.5
        self.q = nn.Linear(config.hidden_size, config.total_key_depth, bias=False)
        self.k = nn.Linear(config.hidden_size, config.total_key_depth, bias=False)
        self.v = nn.Linear(config.hidden_size, config.total_value_depth, bias=False)
        self.o = nn.Linear(config.total_value_depth, config.hidden_size, bias=False)
        self.dropout = nn.Dropout(config.attention_dropout)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        return x.view(x.shape[0], x.shape[1], self.heads, -1).transpose(1, 2)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        q, k, v = self._split(self.q(x)) * self.scale, self._split(self.k(x)), self._split(self.v(x))
        weights = self.dropout((q @ k.transpose(-1, -2) + mask).softmax(dim=-1))
        context = (weights @ v).transpose(1, 2).reshape(x.shape[0], x.shape[1], -1)
        return self.o(context)


class BTCBlock(nn.Module):
    """One direction of a layer: pre-norm attention and a convolutional feed-forward, with residuals."""

    def __init__(self, config: BTCConfig):
        super().__init__()
        self.norm_attention = BTCLayerNorm(config.hidden_size)
        self.attention = BTCAttention(config)
        self.norm_feed_forward = BTCLayerNorm(config.hidden_size)
        self.feed_forward = nn.ModuleList(
            [
                nn.Conv1d(config.hidden_size, config.intermediate_size, 3),
                nn.Conv1d(config.intermediate_size, config.hidden_size, 3),
            ]
        )
        self.relu_dropout = nn.Dropout(config.relu_dropout)
        self.dropout = nn.Dropout(config.layer_dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.dropout(x + self.attention(self.norm_attention(x), mask))
        y = self.norm_feed_forward(x).transpose(1, 2)
        for conv in self.feed_forward:  # width-3 convolutions padded on both sides, each followed by ReLU
            y = self.relu_dropout(F.relu(conv(F.pad(y, (1, 1)))))
        return self.dropout(x + y.transpose(1, 2))


class BTCLayer(nn.Module):
    def __init__(self, config: BTCConfig):
        super().__init__()
        self.forward_block = BTCBlock(config)
        self.backward_block = BTCBlock(config)
        self.merge = nn.Linear(2 * config.hidden_size, config.hidden_size)

    def forward(self, x: torch.Tensor, causal: torch.Tensor, anticausal: torch.Tensor) -> torch.Tensor:
        """``causal`` masks later frames (the forward block sees the past), ``anticausal`` earlier ones."""
        return self.merge(
            torch.cat([self.forward_block(x, causal), self.backward_block(x, anticausal)], dim=-1)
        )


class BTCPreTrainedModel(PreTrainedModel):
    config_class = BTCConfig
    base_model_prefix = "btc"
    main_input_name = "features"

    @torch.no_grad()
    def _init_weights(self, module):
        if isinstance(module, (nn.Linear, nn.Conv1d)):  # PyTorch's defaults, as the original
            module.reset_parameters()
        elif isinstance(module, BTCLayerNorm):
            init.ones_(module.weight)
            init.zeros_(module.bias)
        if isinstance(module, BTCModel):
            module.timing.copy_(timing_signal(self.config.timestep, self.config.hidden_size))


class BTCModel(BTCPreTrainedModel):
    """BTC: normalised log-CQT windows ``(batch, frames <= timestep, feature_size)`` -> chord logits per frame."""

    def __init__(self, config: BTCConfig):
        super().__init__(config)
        self.input_dropout = nn.Dropout(config.input_dropout)
        self.embedding_proj = nn.Linear(config.feature_size, config.hidden_size, bias=False)
        self.layers = nn.ModuleList(BTCLayer(config) for _ in range(config.num_hidden_layers))
        self.final_norm = BTCLayerNorm(config.hidden_size)
        self.classifier = nn.Linear(config.hidden_size, config.num_chords)
        self.register_buffer("timing", torch.zeros(config.timestep, config.hidden_size), persistent=False)
        self.post_init()

    def forward(
        self,
        features: torch.Tensor,
        labels: torch.LongTensor | None = None,
        return_dict: bool | None = None,
        **kwargs,
    ) -> BTCOutput | tuple:
        r"""
        Args:
            features (`torch.FloatTensor` of shape `(batch, frames, feature_size)`): normalised log-CQT frames
                (at most `timestep` frames).
            labels (`torch.LongTensor` of shape `(batch, frames)`, *optional*): chord classes per frame.
        """
        if (
            features.ndim != 3
            or features.shape[-1] != self.config.feature_size
            or features.shape[1] > self.config.timestep
        ):
            raise ValueError(
                f"features must have shape (batch, frames <= {self.config.timestep}, {self.config.feature_size}), "
                f"got {tuple(features.shape)}"
            )
        frames = features.shape[1]
        x = self.embedding_proj(self.input_dropout(features)) + self.timing[:frames].to(features.dtype)
        causal = torch.triu(torch.full((frames, frames), float("-inf"), device=x.device), 1).to(x.dtype)
        anticausal = causal.T.contiguous()
        for layer in self.layers:
            x = layer(x, causal, anticausal)
        logits = self.classifier(self.final_norm(x))
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
        output = BTCOutput(loss=loss, logits=logits)
        return output if return_dict is not False else output.to_tuple()


__all__ = ["BTCModel", "BTCOutput", "BTCPreTrainedModel", "timing_signal"]
