"""An independent re-statement of Video2Music's published forward passes, with the original module
names (so its ``state_dict()`` has the original key layout), for the conversion tests.

Written from the paper's and the public code's description: ``torch.nn.Transformer`` (time-major)
whose decoder layers use relative-position self-attention computed with Music Transformer's skew.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class RelativeSelfAttention(nn.Module):
    def __init__(self, d_model, heads, er_len):
        super().__init__()
        self.heads = heads
        self.in_proj_weight = nn.Parameter(torch.randn(3 * d_model, d_model) * 0.05)
        self.in_proj_bias = nn.Parameter(torch.randn(3 * d_model) * 0.05)
        self.out_proj = nn.Linear(d_model, d_model)
        self.Er = nn.Parameter(torch.rand(er_len, d_model // heads))

    def forward(self, x, mask):  # x (L, B, D)
        length, batch, d = x.shape
        head_dim = d // self.heads
        q, k, v = F.linear(x, self.in_proj_weight, self.in_proj_bias).chunk(3, dim=-1)
        q = q * head_dim**-0.5
        q, k, v = (t.reshape(length, batch * self.heads, head_dim).transpose(0, 1) for t in (q, k, v))
        scores = q @ k.transpose(1, 2)
        er = self.Er[max(0, self.Er.shape[0] - length) :]
        qe = torch.einsum("hld,md->hlm", q, er)
        keep = (torch.triu(torch.ones(length, length)) == 1).float().flip(0)
        qe = F.pad(keep * qe, (1, 0))
        qe = qe.reshape(qe.shape[0], qe.shape[2], qe.shape[1])
        scores = scores + qe[:, 1:, :] + mask
        out = scores.softmax(-1) @ v
        return self.out_proj(out.transpose(0, 1).reshape(length, batch, d))


class DecoderLayer(nn.Module):
    def __init__(self, d_model, heads, ffn, er_len):
        super().__init__()
        self.self_attn = RelativeSelfAttention(d_model, heads, er_len)
        self.multihead_attn = nn.MultiheadAttention(d_model, heads)
        self.linear1, self.linear2 = nn.Linear(d_model, ffn), nn.Linear(ffn, d_model)
        self.norm1, self.norm2, self.norm3 = (
            nn.LayerNorm(d_model),
            nn.LayerNorm(d_model),
            nn.LayerNorm(d_model),
        )

    def forward(self, x, memory, mask):
        x = self.norm1(x + self.self_attn(x, mask))
        x = self.norm2(x + self.multihead_attn(x, memory, memory)[0])
        return self.norm3(x + self.linear2(F.relu(self.linear1(x))))


class Decoder(nn.Module):
    def __init__(self, layers, d_model, heads, ffn, er_len):
        super().__init__()
        self.layers = nn.ModuleList(DecoderLayer(d_model, heads, ffn, er_len) for _ in range(layers))
        self.norm = nn.LayerNorm(d_model)

    def forward(self, tgt, memory, tgt_mask=None, **_):
        for layer in self.layers:
            tgt = layer(tgt, memory, tgt_mask)
        return self.norm(tgt)


def positions(length, d):
    pe = torch.zeros(length, d)
    pos = torch.arange(length, dtype=torch.float).unsqueeze(1)
    div = torch.exp(torch.arange(0, d, 2).float() * (-math.log(10000.0) / d))
    pe[:, 0::2], pe[:, 1::2] = torch.sin(pos * div), torch.cos(pos * div)
    return pe.unsqueeze(1)


class OriginalAMT(nn.Module):
    def __init__(self, d_model=32, heads=4, layers=2, ffn=64, max_len=300, feature_dim=776):
        super().__init__()
        self.embedding = nn.Embedding(159, d_model)
        self.embedding_root = nn.Embedding(15, d_model)
        self.embedding_attr = nn.Embedding(16, d_model)
        self.Linear_vis = nn.Linear(feature_dim, d_model)
        self.Linear_chord = nn.Linear(d_model + 1, d_model)
        self.condition_linear = nn.Linear(1, d_model)
        self.transformer = nn.Transformer(
            d_model=d_model, nhead=heads, num_encoder_layers=layers, num_decoder_layers=layers, dim_feedforward=ffn,
            dropout=0.0, custom_decoder=Decoder(layers, d_model, heads, ffn, max_len),
        )  # fmt: skip
        self.Wout = nn.Linear(d_model, 159)
        self.Wout_root = nn.Linear(d_model, 15)
        self.Wout_attr = nn.Linear(d_model, 16)
        self.register_buffer("pe", positions(max_len, d_model), persistent=False)

    def forward(self, x_root, x_attr, features, key):  # (B, L) ids, (B, T, 776), float mode
        x = self.embedding_root(x_root) + self.embedding_attr(x_attr)
        x = torch.cat([x, torch.full((*x.shape[:2], 1), float(key))], dim=-1)
        xf = self.Linear_chord(x).permute(1, 0, 2)
        vf = self.Linear_vis(features).permute(1, 0, 2)
        xf, vf = xf + self.pe[: xf.shape[0]], vf + self.pe[: vf.shape[0]]
        mask = self.transformer.generate_square_subsequent_mask(xf.shape[0])
        return self.Wout(self.transformer(src=vf, tgt=xf, tgt_mask=mask).permute(1, 0, 2))


class OriginalRegression(nn.Module):
    def __init__(self, feature_dim=776, hidden=64, layers=2):
        super().__init__()
        self.bilstm = nn.LSTM(feature_dim, hidden, layers, bidirectional=True)
        self.bigru = nn.GRU(feature_dim, hidden, layers, bidirectional=True)
        self.bifc = nn.Linear(hidden * 2, 2)
        self.lstm = nn.LSTM(feature_dim, hidden, layers)
        self.gru = nn.GRU(feature_dim, hidden, layers)
        self.fc = nn.Linear(hidden, 2)

    def forward(self, features):  # (B, T, 776)
        return self.bifc(self.bigru(features.permute(1, 0, 2))[0]).permute(1, 0, 2)


def original_generate(model, roots, qualities, features, mode, primer, length, max_repeat=2):
    """Video2Music's sampling loop, restated: the whole model recomputed at every step on features
    zero-padded to 300 s, the softmax over all 159 logits, its first 157 entries kept, `N` and a third
    repeat of the last chord set to probability 0, one categorical draw from the global random stream.

    ``roots``/``qualities``: token -> root id / quality id tables (as the original's chord json files
    give them); ``features (1, T, 776)``; ``primer (P,)`` chord tokens. Returns ``length`` tokens.
    """
    padded = torch.zeros(1, 300, features.shape[-1])
    padded[:, : features.shape[1]] = features
    tokens = [int(t) for t in primer]
    with torch.no_grad():
        while len(tokens) < length:
            ids = torch.tensor([tokens])
            probs = model(roots[ids], qualities[ids], padded, mode).softmax(-1)[..., :157]
            step = probs[:, -1, :].clone()
            step[0][0] = 0.0
            if len(tokens) >= max_repeat and len(set(tokens[-max_repeat:])) == 1:
                step[0][tokens[-1]] = 0.0
            tokens.append(int(torch.distributions.Categorical(probs=step).sample()))
    return tokens


def original_curves(model, features):
    """The bi-GRU on features zero-padded to 300 s, as the original app runs it: ``(1, T, 2)``."""
    padded = torch.zeros(1, 300, features.shape[-1])
    padded[:, : features.shape[1]] = features
    with torch.no_grad():
        return model(padded)[:, : features.shape[1]]
