"""The time-resolved Music2Emo model: shapes, masking, local relative attention, losses, Hub round trips."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest
import torch

import modeling
from modeling.music2emo_dynamic import Music2EmoDynamicConfig, Music2EmoDynamicModel
from modeling.music2emo_dynamic import modeling_music2emo_dynamic as dynamic_module
from modeling.music2emo_dynamic.modeling_music2emo_dynamic import concordance
from tests.conftest import run_python
from tests.music2emo_dynamic.factories import random_window_inputs, tiny_dynamic_config


@pytest.fixture
def model():
    torch.manual_seed(0)
    return Music2EmoDynamicModel(tiny_dynamic_config()).eval()


def test_shapes_defaults_and_standard_names():
    config = Music2EmoDynamicConfig()
    assert (config.hidden_size, config.num_hidden_layers, config.num_attention_heads) == (256, 2, 4)
    assert (config.window_seconds, config.hop_seconds, config.audio_encoder_layers) == (1.0, 0.5, [5, 6])
    assert config.max_relative_position == 10  # 5 s either side at 2 Hz
    model = Music2EmoDynamicModel(tiny_dynamic_config()).eval()
    inputs = random_window_inputs(model.config, batch_size=3, num_windows=7)
    output = model(**inputs)
    assert output.va.shape == (3, 7, 2)
    assert output.clip_va.shape == (3, 2)
    assert output.last_hidden_state.shape == (3, 7, 16)
    assert output.loss is None
    torch.testing.assert_close(output.clip_va, output.va.mean(dim=1))
    # the head starts at the middle of the scale: an untrained model predicts about 5
    assert torch.allclose(model.va_head[-1].bias, torch.full((2,), 5.0))


def test_padding_windows_change_nothing(model):
    inputs = random_window_inputs(model.config, batch_size=2, num_windows=10)
    short = {name: value[1:, :6] if value.dim() > 1 else value[1:] for name, value in inputs.items()}
    alone = model(**short).va
    mask = torch.ones(2, 10, dtype=torch.long)
    mask[1, 6:] = 0
    padded = {**inputs, "window_embeddings": inputs["window_embeddings"].clone()}
    padded["window_embeddings"][1, 6:] = 1e3  # garbage in the padding
    together = model(**padded, attention_mask=mask)
    torch.testing.assert_close(together.va[1:, :6], alone, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(together.clip_va[1], alone[0].mean(dim=0), rtol=1e-5, atol=1e-5)


def test_attention_is_local(model):
    # 2 layers attending 2 windows (1 s) either side: window 0 sees windows 0..4, not 5 or later
    inputs = random_window_inputs(model.config, batch_size=1, num_windows=12)
    before = model(**inputs).va
    far = {**inputs, "window_embeddings": inputs["window_embeddings"].clone()}
    far["window_embeddings"][0, 5:] += 3.0
    after = model(**far).va
    torch.testing.assert_close(after[0, 0], before[0, 0], rtol=0, atol=0)
    assert not torch.allclose(after[0, 3], before[0, 3])


def test_blocks_of_queries_give_the_full_attention(model, monkeypatch):
    inputs = random_window_inputs(model.config, batch_size=2, num_windows=40)
    whole = model(**inputs).va
    monkeypatch.setattr(dynamic_module, "QUERY_BLOCK", 7)
    torch.testing.assert_close(model(**inputs).va, whole, rtol=1e-5, atol=1e-6)


def test_loss_counts_only_labelled_windows(model):
    inputs = random_window_inputs(model.config, batch_size=2, num_windows=8)
    predicted = model(**inputs).va.detach()
    labels = torch.full((2, 8, 2), float("nan"))
    labels[0, 4:] = 6.0  # clip 0: the last 4 windows annotated (as DEAM from 15 s)
    labels_mask = torch.zeros(2, 8)
    labels_mask[0] = 1  # clip 1 has no dynamic labels: masked
    out = model(**inputs, va_labels=labels, va_labels_mask=labels_mask)
    expected = ((predicted[0, 4:] - 6.0) ** 2).mean()
    torch.testing.assert_close(out.loss, expected)
    torch.testing.assert_close(out.dynamic_loss, expected)
    # labels under the mask do not count
    labels[1] = 1.0
    torch.testing.assert_close(model(**inputs, va_labels=labels, va_labels_mask=labels_mask).loss, expected)
    # no labelled window at all: zero, but a loss that backpropagates
    model.train()
    empty = model(**inputs, va_labels=labels, va_labels_mask=torch.zeros(2, 8))
    assert empty.loss.item() == 0.0 and empty.loss.requires_grad


def test_ccc_loss_and_the_concordance_formula():
    rng = np.random.default_rng(0)
    p, t = rng.normal(size=(50, 2)), rng.normal(size=(50, 2))
    mean_p, mean_t = p.mean(0), t.mean(0)
    reference = 2 * ((p - mean_p) * (t - mean_t)).mean(0) / (p.var(0) + t.var(0) + (mean_p - mean_t) ** 2)
    np.testing.assert_allclose(concordance(torch.tensor(p), torch.tensor(t)).numpy(), reference, rtol=1e-6)
    model = Music2EmoDynamicModel(tiny_dynamic_config(dynamic_loss="ccc")).eval()
    inputs = random_window_inputs(model.config, batch_size=2, num_windows=6)
    predicted = model(**inputs).va.detach()
    perfect = model(**inputs, va_labels=predicted.clone())
    assert perfect.loss.item() == pytest.approx(0.0, abs=1e-5)
    shifted = model(**inputs, va_labels=predicted + 1.0)  # right shape, wrong level: CCC < 1
    assert shifted.loss.item() > 0.1


def test_consistency_term_is_weighted_and_off_by_default():
    inputs = None
    losses = {}
    for weight in (0.0, 0.5):
        torch.manual_seed(0)
        model = Music2EmoDynamicModel(tiny_dynamic_config(consistency_loss_weight=weight)).eval()
        inputs = inputs or random_window_inputs(model.config, batch_size=2, num_windows=5)
        labels = torch.full((2, 5, 2), 5.0)
        target = torch.tensor([[2.0, 8.0], [float("nan"), float("nan")]])  # the second clip has no target
        out = model(**inputs, va_labels=labels, clip_va=target)
        expected_consistency = ((out.clip_va[0] - target[0]) ** 2).mean()
        torch.testing.assert_close(out.consistency_loss, expected_consistency)
        losses[weight] = (out.loss, out.dynamic_loss, out.consistency_loss)
    torch.testing.assert_close(losses[0.0][0], losses[0.0][1])
    torch.testing.assert_close(losses[0.5][0], losses[0.5][1] + 0.5 * losses[0.5][2])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"hidden_size": 10, "num_attention_heads": 4}, "divisible by num_attention_heads"),
        ({"hop_seconds": 0.0}, "hop_seconds"),
        ({"dynamic_loss": "l1"}, "dynamic_loss"),
        ({"chords_per_window": 0}, "chords_per_window"),
    ],
)
def test_config_refuses_sizes_that_do_not_fit(overrides, message):
    from huggingface_hub.errors import StrictDataclassClassValidationError

    with pytest.raises(StrictDataclassClassValidationError, match=message):
        tiny_dynamic_config(**overrides)


def test_bad_inputs_are_named(model):
    inputs = random_window_inputs(model.config, batch_size=2, num_windows=4)
    with pytest.raises(ValueError, match="window_embeddings must have shape"):
        model(**{**inputs, "window_embeddings": inputs["window_embeddings"][:, :, :5]})
    with pytest.raises(ValueError, match="chord_root_ids must have shape"):
        model(**{**inputs, "chord_root_ids": inputs["chord_root_ids"][:, :3]})
    with pytest.raises(ValueError, match="attention_mask must have shape"):
        model(**inputs, attention_mask=torch.ones(2, 5))


def test_auto_classes_and_remote_code_in_a_fresh_process(tmp_path, model):
    folder = tmp_path / "dynamic"
    model.save_pretrained(folder)
    saved = json.loads((folder / "config.json").read_text())
    assert saved["model_type"] == "music2emo_dynamic"
    assert saved["auto_map"] == {
        "AutoConfig": "configuration_music2emo_dynamic.Music2EmoDynamicConfig",
        "AutoModel": "modeling_music2emo_dynamic.Music2EmoDynamicModel",
    }
    from transformers import AutoModel

    loaded = AutoModel.from_pretrained(folder).eval()
    assert type(loaded) is modeling.Music2EmoDynamicModel
    inputs = random_window_inputs(model.config, batch_size=2, num_windows=9)
    expected = model(**inputs).va
    torch.testing.assert_close(loaded(**inputs).va, expected, rtol=0, atol=0)

    torch.save(inputs, tmp_path / "inputs.pt")
    code = textwrap.dedent(
        f"""
        import sys, torch
        from transformers import AutoModel
        model = AutoModel.from_pretrained({str(folder)!r}, trust_remote_code=True).eval()
        assert "modeling" not in sys.modules, "the fresh process imported emotune"
        assert type(model).__module__.startswith("transformers_modules."), type(model).__module__
        torch.save(model(**torch.load({str(tmp_path / "inputs.pt")!r})).va, {str(tmp_path / "out.pt")!r})
        """
    )
    result = run_python(code, cwd=tmp_path, env={"HF_MODULES_CACHE": str(tmp_path / "modules")})
    assert result.returncode == 0, result.stderr
    torch.testing.assert_close(torch.load(tmp_path / "out.pt"), expected, rtol=0, atol=0)
