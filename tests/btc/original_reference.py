"""An independent re-statement of BTC's published forward pass with the original module names (so its
``state_dict()`` has ``btc_model_large_voca.pt``'s key layout), for the conversion test."""

import math

import numpy as np
import torch
from torch import nn


class LayerNorm(nn.Module):
    def __init__(self, size, eps=1e-6):
        super().__init__()
        self.gamma, self.beta, self.eps = nn.Parameter(torch.ones(size)), nn.Parameter(torch.zeros(size)), eps

    def forward(self, x):
        return self.gamma * (x - x.mean(-1, keepdim=True)) / (x.std(-1, keepdim=True) + self.eps) + self.beta


class MultiHeadAttention(nn.Module):
    def __init__(self, hidden, heads, mask):
        super().__init__()
        self.heads, self.mask = heads, mask
        self.query_linear = nn.Linear(hidden, hidden, bias=False)
        self.key_linear = nn.Linear(hidden, hidden, bias=False)
        self.value_linear = nn.Linear(hidden, hidden, bias=False)
        self.output_linear = nn.Linear(hidden, hidden, bias=False)

    def forward(self, x):
        b, t, d = x.shape
        split = lambda y: y.view(b, t, self.heads, d // self.heads).permute(0, 2, 1, 3)  # noqa: E731
        q = split(self.query_linear(x)) * (d // self.heads) ** -0.5
        logits = q @ split(self.key_linear(x)).permute(0, 1, 3, 2) + self.mask[:, :, :t, :t]
        context = logits.softmax(-1) @ split(self.value_linear(x))
        return self.output_linear(context.permute(0, 2, 1, 3).reshape(b, t, d))


class Conv(nn.Module):
    def __init__(self, size_in, size_out):
        super().__init__()
        self.pad, self.conv = nn.ConstantPad1d((1, 1), 0), nn.Conv1d(size_in, size_out, 3)

    def forward(self, x):
        return self.conv(self.pad(x.permute(0, 2, 1))).permute(0, 2, 1)


class FeedForward(nn.Module):
    def __init__(self, hidden, filter_size):
        super().__init__()
        self.layers = nn.ModuleList([Conv(hidden, filter_size), Conv(filter_size, hidden)])

    def forward(self, x):
        for layer in self.layers:
            x = torch.relu(layer(x))
        return x


class Block(nn.Module):
    def __init__(self, hidden, heads, mask):
        super().__init__()
        self.multi_head_attention = MultiHeadAttention(hidden, heads, mask)
        self.positionwise_convolution = FeedForward(hidden, hidden)
        self.layer_norm_mha, self.layer_norm_ffn = LayerNorm(hidden), LayerNorm(hidden)

    def forward(self, x):
        x = x + self.multi_head_attention(self.layer_norm_mha(x))
        return x + self.positionwise_convolution(self.layer_norm_ffn(x))


class BiLayer(nn.Module):
    def __init__(self, hidden, heads, length):
        super().__init__()
        mask = torch.from_numpy(np.triu(np.full([length, length], -np.inf), 1)).float()[None, None]
        self.attn_block = Block(hidden, heads, mask)
        self.backward_attn_block = Block(hidden, heads, mask.transpose(2, 3))
        self.linear = nn.Linear(2 * hidden, hidden)

    def forward(self, x):
        return self.linear(torch.cat([self.attn_block(x), self.backward_attn_block(x)], dim=2))


class Layers(nn.Module):
    def __init__(self, features, hidden, layers, heads, length):
        super().__init__()
        half = hidden // 2
        inc = math.log(1.0e4) / (half - 1)
        scaled = np.arange(length)[:, None] * np.exp(np.arange(half) * -inc)[None, :]
        self.timing = torch.from_numpy(np.concatenate([np.sin(scaled), np.cos(scaled)], axis=1)).float()[None]
        self.embedding_proj = nn.Linear(features, hidden, bias=False)
        self.self_attn_layers = nn.Sequential(*[BiLayer(hidden, heads, length) for _ in range(layers)])
        self.layer_norm = LayerNorm(hidden)

    def forward(self, x):
        x = self.embedding_proj(x) + self.timing[:, : x.shape[1]]
        return self.layer_norm(self.self_attn_layers(x))


class Output(nn.Module):
    def __init__(self, hidden, chords):
        super().__init__()
        self.output_projection = nn.Linear(hidden, chords)
        self.lstm = nn.LSTM(
            hidden, hidden // 2, batch_first=True, bidirectional=True
        )  # unused, in the state dict


class OriginalBTC(nn.Module):
    def __init__(self, features=144, hidden=32, layers=2, heads=4, length=108, chords=170):
        super().__init__()
        self.self_attn_layers = Layers(features, hidden, layers, heads, length)
        self.output_layer = Output(hidden, chords)

    def forward(self, x):
        return self.output_layer.output_projection(self.self_attn_layers(x))


def save_original_checkpoint(model: OriginalBTC, path, mean=-4.2, std=1.7, numpy_module: str | None = None):
    """Save ``model`` as ``btc_model_large_voca.pt`` is saved: ``{"model", "mean", "std"}``, the statistics
    as NumPy float64 scalars (BTC's training code computed them with NumPy), pickled the way this NumPy
    pickles them; ``numpy_module="numpy.core"`` rewrites the pickle to NumPy 1's module name, as in the
    published file."""
    import io
    import zipfile

    buffer = io.BytesIO()
    torch.save({"model": model.state_dict(), "mean": np.float64(mean), "std": np.float64(std)}, buffer)
    data = buffer.getvalue()
    if numpy_module is not None:
        source, target = io.BytesIO(data), io.BytesIO()
        with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zout:
            for info in zin.infolist():
                content = zin.read(info)
                if info.filename.endswith("data.pkl"):
                    assert b"numpy._core.multiarray" in content
                    content = content.replace(
                        b"numpy._core.multiarray", f"{numpy_module}.multiarray".encode()
                    )
                zout.writestr(info.filename, content)
        data = target.getvalue()
    with open(path, "wb") as handle:
        handle.write(data)
    return path
