"""Music2EmoModel: shapes, tasks, losses, input checks, and both Hub loading paths."""

from __future__ import annotations

import json
import textwrap

import pytest
import torch
from transformers import AutoConfig, AutoModel

import modeling
from modeling.music2emo import Music2EmoConfig, Music2EmoModel, Music2EmoOutput
from tests.conftest import run_python
from tests.music2emo.factories import random_inputs, tiny_config


def test_default_config_is_the_published_architecture():
    config = Music2EmoConfig()
    model = Music2EmoModel(config)
    assert config.model_type == "music2emo"
    assert config.num_labels == 56 and config.id2label[0] == "action" and config.id2label[55] == "uplifting"
    assert model.chord_root_embeddings.weight.shape == (14, 4)
    assert model.chord_quality_embeddings.weight.shape == (14, 4)
    assert len(model.chord_encoder.layers) == 2
    layer = model.chord_encoder.layers[0]
    assert layer.self_attn.num_heads == 8 and layer.linear1.out_features == 64 and layer.dropout.p == 0.1
    assert model.fusion_projection.in_features == 1536 + 8 + 1 and model.fusion_projection.out_features == 512
    assert (model.mood_head.dense.out_features, model.mood_head.out_proj.out_features) == (256, 56)
    assert (model.va_head.dense.out_features, model.va_head.out_proj.out_features) == (256, 2)
    assert model.chord_positions.shape == (100, 8)
    assert config.audio_encoder == "m-a-p/MERT-v1-95M" and config.audio_encoder_layers == [5, 6]


def test_forward_shapes_and_output_type(tiny_model):
    output = tiny_model(**random_inputs(tiny_model.config, batch_size=3, num_chords=100))
    assert isinstance(output, Music2EmoOutput)
    assert output.mood_logits.shape == (3, 56) and output.va.shape == (3, 2)
    assert output.chord_embedding.shape == (3, 8) and output.hidden_state.shape == (3, 16)
    assert output.loss is None
    as_tuple = tiny_model(**random_inputs(tiny_model.config, batch_size=3), return_dict=False)
    assert isinstance(as_tuple, tuple) and as_tuple[0].shape == (3, 56)


@pytest.mark.parametrize(("tasks", "has_mood", "has_va"), [(["mood"], True, False), (["va"], False, True)])
def test_single_task_teachers(tasks, has_mood, has_va):
    model = Music2EmoModel(tiny_config(tasks=tasks)).eval()
    output = model(**random_inputs(model.config))
    assert (output.mood_logits is not None) == has_mood and (output.va is not None) == has_va
    assert (model.mood_head is not None) == has_mood and (model.va_head is not None) == has_va
    wrong = {"va_labels": torch.full((4, 2), 5.0)} if has_mood else {"mood_labels": torch.zeros(4, 56)}
    with pytest.raises(ValueError, match="has no (VA|mood) head"):
        model(**random_inputs(model.config), **wrong)


def test_losses_equal_the_papers_formulas(tiny_model):
    inputs = random_inputs(tiny_model.config)
    mood = (torch.rand(4, 56, generator=torch.Generator().manual_seed(1)) < 0.2).float()
    va = torch.rand(4, 2) * 8 + 1
    output = tiny_model(**inputs, mood_labels=mood, va_labels=va)
    priors = torch.tensor(tiny_model.config.tag_priors)
    pos_weight = 1 / priors
    bce = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight, weight=2 / (1 + pos_weight))
    assert output.mood_loss.item() == pytest.approx(bce(output.mood_logits, mood).item(), rel=1e-6)
    assert output.va_loss.item() == pytest.approx(
        torch.nn.functional.mse_loss(output.va, va).item(), rel=1e-6
    )
    assert output.loss.item() == pytest.approx(output.mood_loss.item() + output.va_loss.item(), rel=1e-6)


def test_unweighted_bce_without_priors():
    model = Music2EmoModel(tiny_config(tag_priors=None)).eval()
    mood = torch.zeros(4, 56)
    mood[:, 3] = 1
    output = model(**random_inputs(model.config), mood_labels=mood)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(output.mood_logits, mood)
    assert output.mood_loss.item() == pytest.approx(expected.item(), rel=1e-6)


def test_mixed_batch_a_sample_without_tags_changes_no_mood_head_gradient():
    torch.manual_seed(0)
    model = Music2EmoModel(tiny_config(chord_encoder_dropout=0.0)).train()
    inputs = random_inputs(model.config, batch_size=4)
    mood = (torch.rand(4, 56) < 0.2).float()
    mood[2:] = float("nan")  # samples 2, 3 come from a VA dataset: no tags
    va = torch.full((4, 2), 5.0)
    va[:2] = float("nan")  # samples 0, 1 come from MTG-Jamendo: no annotated VA

    def mood_head_grad(mood_labels, sample_inputs):
        model.zero_grad()
        model(**sample_inputs, mood_labels=mood_labels, va_labels=va[: len(mood_labels)]).loss.backward()
        return torch.cat([p.grad.flatten() for p in model.mood_head.parameters()])

    full = mood_head_grad(mood, inputs)
    # Change everything about the untagged samples: the mood-head gradient does not move.
    altered = {k: v.clone() for k, v in inputs.items()}
    altered["audio_embeddings"][2:] = torch.randn(2, model.config.audio_embedding_dim) * 10
    assert torch.equal(mood_head_grad(mood, altered), full)
    # And it equals the gradient of the two tagged samples alone.
    only_tagged = {k: v[:2] for k, v in inputs.items()}
    model.zero_grad()
    model(**only_tagged, mood_labels=mood[:2]).mood_loss.backward()
    alone = torch.cat([p.grad.flatten() for p in model.mood_head.parameters()])
    torch.testing.assert_close(full, alone)
    # The VA head likewise ignores the samples without VA.
    model.zero_grad()
    out = model(**inputs, mood_labels=mood, va_labels=va)
    assert torch.isfinite(out.loss)
    out.va_loss.backward()
    assert all(p.grad is None or torch.count_nonzero(p.grad) == 0 for p in model.mood_head.parameters())


def test_explicit_label_masks_and_all_missing(tiny_model):
    inputs = random_inputs(tiny_model.config)
    mood = torch.zeros(4, 56)
    masked = tiny_model(**inputs, mood_labels=mood, mood_labels_mask=torch.tensor([1, 0, 0, 0]))
    first = tiny_model(**{k: v[:1] for k, v in inputs.items()}, mood_labels=mood[:1])
    assert masked.mood_loss.item() == pytest.approx(first.mood_loss.item(), rel=1e-5)
    none = tiny_model(**inputs, va_labels=torch.full((4, 2), float("nan")))
    assert none.va_loss.item() == 0.0


def test_padding_is_attended_by_default_and_masked_on_request():
    torch.manual_seed(0)
    inputs = random_inputs(tiny_config(), batch_size=2, num_chords=6)
    inputs["chord_root_ids"][:, 4:] = 0
    inputs["chord_attr_ids"][:, 4:] = 0
    mask = torch.tensor([[1, 1, 1, 1, 0, 0]] * 2)
    shorter = {
        **inputs,
        "chord_root_ids": inputs["chord_root_ids"][:, :4],
        "chord_attr_ids": inputs["chord_attr_ids"][:, :4],
    }

    faithful = Music2EmoModel(tiny_config()).eval()
    # As published: padding (id 0 = N) is attended, so padded and unpadded progressions differ.
    assert not torch.allclose(faithful(**inputs).va, faithful(**shorter).va)

    masked = Music2EmoModel(tiny_config(mask_chord_padding=True)).eval()
    masked.load_state_dict(faithful.state_dict())
    padded_out = masked(**inputs, chord_attention_mask=mask).va
    short_out = masked(**shorter, chord_attention_mask=mask[:, :4]).va
    torch.testing.assert_close(padded_out, short_out, atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="pass chord_attention_mask"):
        masked(**inputs)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"audio_embeddings": torch.zeros(4, 7)}, r"audio_embeddings must have shape \(batch_size, 24\)"),
        ({"chord_root_ids": torch.zeros(4, 101, dtype=torch.long)}, "max_chords=100"),
        ({"chord_root_ids": torch.full((4, 10), 14)}, r"chord_root_ids must be ids in 0..13"),
        (
            {"chord_attr_ids": torch.zeros(3, 10, dtype=torch.long)},
            r"chord_attr_ids must have shape \(batch_size=4",
        ),
        ({"mode_ids": torch.zeros(2)}, "one mode"),
    ],
)
def test_bad_inputs_get_clear_errors(tiny_model, change, message):
    inputs = {**random_inputs(tiny_model.config), **change}
    with pytest.raises(ValueError, match=message):
        tiny_model(**inputs)


def test_bad_configs_are_refused():
    with pytest.raises(Exception, match="subset of"):
        Music2EmoConfig(tasks=["genre"])
    with pytest.raises(Exception, match="tag_priors"):
        Music2EmoConfig(tag_priors=[0.5] * 3)
    with pytest.raises(Exception, match="divisible by chord_encoder_attention_heads"):
        Music2EmoConfig(chord_encoder_attention_heads=3)


def test_save_and_load_after_import_modeling(tmp_path, tiny_model):
    tiny_model.save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors").is_file() and not (tmp_path / "pytorch_model.bin").exists()
    saved = json.loads((tmp_path / "config.json").read_text())
    assert saved["model_type"] == "music2emo"
    assert saved["auto_map"] == {
        "AutoConfig": "configuration_music2emo.Music2EmoConfig",
        "AutoModel": "modeling_music2emo.Music2EmoModel",
    }
    assert isinstance(AutoConfig.from_pretrained(tmp_path), Music2EmoConfig)
    loaded = AutoModel.from_pretrained(tmp_path).eval()
    assert type(loaded) is modeling.Music2EmoModel
    inputs = random_inputs(tiny_model.config, batch_size=2)
    torch.testing.assert_close(loaded(**inputs).mood_logits, tiny_model(**inputs).mood_logits, rtol=0, atol=0)
    torch.testing.assert_close(loaded(**inputs).va, tiny_model(**inputs).va, rtol=0, atol=0)


def test_fresh_process_loads_with_trust_remote_code_without_emotune(tmp_path, tiny_model):
    folder = tmp_path / "model"
    tiny_model.save_pretrained(folder)
    inputs = random_inputs(tiny_model.config, batch_size=2)
    torch.save(inputs, tmp_path / "inputs.pt")
    expected = tiny_model(**inputs)
    code = textwrap.dedent(
        f"""
        import sys, torch
        from transformers import AutoModel
        model = AutoModel.from_pretrained({str(folder)!r}, trust_remote_code=True).eval()
        assert "modeling" not in sys.modules, "the fresh process imported emotune"
        assert type(model).__module__.startswith("transformers_modules."), type(model).__module__
        out = model(**torch.load({str(tmp_path / "inputs.pt")!r}))
        torch.save({{"mood": out.mood_logits, "va": out.va}}, {str(tmp_path / "out.pt")!r})
        """
    )
    result = run_python(code, cwd=tmp_path, env={"HF_MODULES_CACHE": str(tmp_path / "modules")})
    assert result.returncode == 0, result.stderr
    out = torch.load(tmp_path / "out.pt")
    torch.testing.assert_close(out["mood"], expected.mood_logits, rtol=0, atol=0)
    torch.testing.assert_close(out["va"], expected.va, rtol=0, atol=0)
