"""Small Music2Emo models and inputs for the tests, and original-format Music2Emo checkpoints."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from modeling.music2emo import Music2EmoConfig


def tiny_config(**overrides) -> Music2EmoConfig:
    """A small Music2Emo: the published architecture with narrow audio input and layers."""
    kwargs = dict(audio_embedding_dim=24, hidden_size=16, head_hidden_size=8, chord_encoder_ffn_dim=16)
    kwargs.update(overrides)
    return Music2EmoConfig(**kwargs)


def random_inputs(config: Music2EmoConfig, batch_size: int = 4, num_chords: int = 10, seed: int = 0) -> dict:
    generator = torch.Generator().manual_seed(seed)
    return {
        "audio_embeddings": torch.randn(batch_size, config.audio_embedding_dim, generator=generator),
        "chord_root_ids": torch.randint(0, 13, (batch_size, num_chords), generator=generator),
        "chord_attr_ids": torch.randint(0, 14, (batch_size, num_chords), generator=generator),
        "mode_ids": torch.randint(0, 2, (batch_size,), generator=generator),
    }


class OriginalMusic2Emo(nn.Module):
    """The published classifier, restated from the paper's code facts: chord root/attr embeddings
    (14 x 4 each), positions added before a zero CLS is prepended, 2-layer post-norm encoder (8 heads,
    FFN 64), [MERT, CLS, mode] -> 512 ReLU, heads 512 -> 256 -> out. ``outputs`` = (56, 2) for the
    student, (n,) for a teacher."""

    def __init__(self, outputs: tuple[int, ...], audio_dim: int = 1536):
        super().__init__()
        self.chord_root_embedding = nn.Embedding(14, 4)
        self.chord_attr_embedding = nn.Embedding(14, 4)
        self.chord_transformer = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(d_model=8, nhead=8, dim_feedforward=64, dropout=0.1, batch_first=True),
            num_layers=2,
        )
        self.input_proj = nn.Sequential(nn.Linear(audio_dim + 8 + 1, 512), nn.ReLU())

        def head(n):
            return nn.Sequential(nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, n))

        if len(outputs) == 2:
            self.classification_branch, self.regression_branch = head(outputs[0]), head(outputs[1])
        else:
            self.output_proj = head(outputs[0])
        position = np.arange(100, dtype=np.float32)[:, None]
        div = np.exp(np.arange(0, 8, 2, dtype=np.float32) * np.float32(-np.log(10000.0) / 8))
        table = np.zeros((100, 8), dtype=np.float32)
        table[:, 0::2], table[:, 1::2] = np.sin(position * div), np.cos(position * div)
        self.positions = torch.from_numpy(
            table
        )  # a plain attribute: not in the state dict, as in the original

    def forward(self, x_mert, x_chord_root, x_chord_attr, x_key):
        chords = torch.cat(
            [self.chord_root_embedding(x_chord_root), self.chord_attr_embedding(x_chord_attr)], -1
        )
        chords = chords + self.positions[: chords.shape[1]]
        sequence = torch.cat([torch.zeros_like(chords[:, :1]), chords], 1)
        cls = self.chord_transformer(sequence)[:, 0]
        features = self.input_proj(torch.cat([x_mert, cls, x_key.float()], 1))
        if hasattr(self, "output_proj"):
            return self.output_proj(features)
        return self.classification_branch(features), self.regression_branch(features)


def lightning_checkpoint(model: nn.Module, path, priors=None) -> None:
    state = {f"model.{k}": v for k, v in model.state_dict().items()}
    if priors is not None:
        pos_weight = 1 / priors
        state["loss_fn_classification.pos_weight"] = pos_weight
        state["loss_fn_classification.weight"] = 2 / (1 + pos_weight)
        state["loss_fn_classification_eval.pos_weight"] = pos_weight
        state["loss_fn_classification_eval.weight"] = 2 / (1 + pos_weight)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    torch.save(
        {
            "epoch": 7,
            "global_step": 1234,
            "pytorch-lightning_version": "2.4.0",
            "state_dict": state,
            "loops": {"fit_loop": {"epoch_progress": {"current": {"completed": 7}}}},
            "callbacks": {
                "EarlyStopping{'monitor': 'val_loss'}": {"wait_count": 3, "best_score": torch.tensor(0.31)}
            },
            "optimizer_states": [optimizer.state_dict()],
            "lr_schedulers": [],
        },
        path,
    )
