"""Converting original Music2Emo Lightning checkpoints.

The checkpoints are built here in the original's format (``{"state_dict": {"model.<name>": ...}}``
next to Lightning's other entries) from an independent re-statement of the published forward pass,
and the converted model must give the same outputs.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
from torch import nn
from transformers import AutoModel

from modeling.errors import CheckpointError
from modeling.music2emo import Music2EmoModel
from modeling.music2emo.convert_original_checkpoint import convert_checkpoint, main


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


def original_inputs(batch_size=3, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return (
        torch.randn(batch_size, 1536, generator=generator),
        torch.randint(0, 13, (batch_size, 100), generator=generator),
        torch.randint(0, 14, (batch_size, 100), generator=generator),
        torch.randint(0, 2, (batch_size, 1), generator=generator),
    )


def ours(model: Music2EmoModel, inputs):
    mert, root, attr, key = inputs
    return model(audio_embeddings=mert, chord_root_ids=root, chord_attr_ids=attr, mode_ids=key)


def test_student_converts_with_identical_outputs(tmp_path, reference_dir, capsys):
    torch.manual_seed(0)
    original = OriginalMusic2Emo((56, 2)).eval()
    priors = torch.from_numpy(np.load(reference_dir / "music2emo/meta/probas_train.npy")).float()
    lightning_checkpoint(original, tmp_path / "J_all.ckpt", priors=priors)

    assert main(["--checkpoint", str(tmp_path / "J_all.ckpt"), "--output-dir", str(tmp_path / "out")]) == 0
    report = capsys.readouterr().out
    assert "multitask student" in report
    for ignored in ("optimizer_states", "loops", "callbacks", "loss_fn_classification"):
        assert ignored in report

    converted = AutoModel.from_pretrained(tmp_path / "out").eval()
    assert isinstance(converted, Music2EmoModel) and converted.config.tasks == ["mood", "va"]
    np.testing.assert_allclose(converted.config.tag_priors, priors.numpy(), rtol=1e-6)
    inputs = original_inputs()
    with torch.no_grad():
        mood, va = original(*inputs)
        output = ours(converted, inputs)
    torch.testing.assert_close(output.mood_logits, mood, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(output.va, va, rtol=1e-5, atol=1e-5)
    card = (tmp_path / "out" / "README.md").read_text()
    assert "J_all.ckpt" in card and "library_name: transformers" in card and "music2emo" in card


@pytest.mark.parametrize(
    ("name", "outputs", "task"), [("jamendo_best.ckpt", 56, "mood"), ("deam_best.ckpt", 2, "va")]
)
def test_teachers_convert_to_single_task_models(tmp_path, name, outputs, task):
    torch.manual_seed(1)
    original = OriginalMusic2Emo((outputs,)).eval()
    lightning_checkpoint(original, tmp_path / name, priors=torch.full((56,), 0.05))
    _, report = convert_checkpoint(tmp_path / name, tmp_path / "out")
    assert report.kind == "teacher" and report.tasks == [task]
    inputs = original_inputs(seed=2)
    with torch.no_grad():
        expected = original(*inputs)
        output = ours(AutoModel.from_pretrained(tmp_path / "out").eval(), inputs)
    got = output.mood_logits if task == "mood" else output.va
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)
    assert (output.va if task == "mood" else output.mood_logits) is None


def test_bare_state_dict_without_lightning_wrapper(tmp_path):
    torch.manual_seed(2)
    original = OriginalMusic2Emo((56, 2)).eval()
    torch.save({f"model.{k}": v for k, v in original.state_dict().items()}, tmp_path / "bare.pt")
    model, report = convert_checkpoint(tmp_path / "bare.pt", tmp_path / "out")
    assert report.ignored == []
    inputs = original_inputs(seed=3)
    with torch.no_grad():
        torch.testing.assert_close(ours(model, inputs).va, original(*inputs)[1], rtol=1e-5, atol=1e-5)


def test_checkpoint_of_another_shape_fails_clearly(tmp_path):
    other = nn.Sequential(nn.Linear(4, 4))
    torch.save(
        {"state_dict": {f"model.{k}": v for k, v in other.state_dict().items()}}, tmp_path / "other.ckpt"
    )
    with pytest.raises(
        CheckpointError, match="Not a Music2Emo checkpoint: 'model.chord_root_embedding.weight' is missing"
    ):
        convert_checkpoint(tmp_path / "other.ckpt", tmp_path / "out")

    original = OriginalMusic2Emo((56, 2))
    state = {f"model.{k}": v for k, v in original.state_dict().items()}
    state["model.input_proj.0.weight"] = torch.zeros(512, 1000)  # audio width no longer matches the bias
    state["model.extra_layer.weight"] = torch.zeros(3)
    torch.save({"state_dict": state}, tmp_path / "odd.ckpt")
    with pytest.raises(CheckpointError, match="model.extra_layer.weight"):
        convert_checkpoint(tmp_path / "odd.ckpt", tmp_path / "out")

    assert main(["--checkpoint", str(tmp_path / "missing.ckpt"), "--output-dir", str(tmp_path / "x")]) == 1


class Payload:
    """An arbitrary object: unpickling it would run code of the file's choosing."""


def test_arbitrary_pickles_are_refused(tmp_path):
    with open(tmp_path / "evil.ckpt", "wb") as handle:
        pickle.dump({"state_dict": {}, "hyper_parameters": Payload()}, handle)
    with pytest.raises(CheckpointError, match="weights_only=True"):
        convert_checkpoint(tmp_path / "evil.ckpt", tmp_path / "out")
    (tmp_path / "truncated.ckpt").write_bytes((tmp_path / "evil.ckpt").read_bytes()[:20])
    with pytest.raises(CheckpointError, match="Cannot load"):
        convert_checkpoint(tmp_path / "truncated.ckpt", tmp_path / "out")
