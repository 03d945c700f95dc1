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

from modeling.base.errors import CheckpointError
from modeling.music2emo import Music2EmoModel
from modeling.music2emo.convert_original_checkpoint import convert_checkpoint, main
from tests.music2emo.factories import OriginalMusic2Emo, lightning_checkpoint


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
