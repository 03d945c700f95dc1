"""MERT-v1 loads natively into transformers' HubertModel, in every form its weights come in; what it
cannot express is refused with the reason; the Hub is asked only when it may be."""

from __future__ import annotations

import json
import logging
import time

import numpy as np
import pytest
import torch

from modeling.base.errors import CheckpointError, UnsupportedModelError, WeightsNotFoundError
from modeling.music2emo.audio_encoder import MertEncoder
from modeling.music2emo.mert import load_mert
from tests.conftest import run_python
from tests.music2emo.mert_forms import MERT_V1_95M_CONFIG_KEYS, hub_state, reference_hubert, replace_weights


def _segment(seconds: float = 2.0, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 0.1, int(24000 * seconds)).astype(np.float32)


def _same_weights(model, reference) -> bool:
    mine, theirs = model.state_dict(), reference.state_dict()
    return mine.keys() == theirs.keys() and all(torch.equal(mine[key], theirs[key]) for key in mine)


def test_stand_in_has_the_form_of_the_hub_repo(hub_mert):
    config = json.loads((hub_mert / "config.json").read_text())
    assert set(config) == MERT_V1_95M_CONFIG_KEYS
    assert config["model_type"] == "mert_model" and config["architectures"] == ["MERTModel"]
    assert config["auto_map"] == {
        "AutoConfig": "configuration_MERT.MERTConfig",
        "AutoModel": "modeling_MERT.MERTModel",
    }
    assert (
        not config["feature_extractor_cqt"] and not config["deepnorm"] and config["attention_relax"] == -1.0
    )
    assert json.loads((hub_mert / "preprocessor_config.json").read_text()) == {
        "do_normalize": True, "feature_extractor_type": "Wav2Vec2FeatureExtractor", "feature_size": 1,
        "padding_side": "right", "padding_value": 0, "return_attention_mask": True, "sampling_rate": 24000,
    }  # fmt: skip
    keys = set(hub_state(hub_mert))
    assert {"encoder.pos_conv_embed.conv.weight_g", "encoder.pos_conv_embed.conv.weight_v"} <= keys
    assert not any("parametrizations" in key for key in keys)
    assert "feature_projection.projection.weight" in keys  # no prefix


def test_hub_form_in_a_fresh_process_gives_the_hidden_states_of_hubert(hub_mert, tmp_path):
    segment = _segment(3.0)
    np.save(tmp_path / "segment.npy", segment)
    code = f"""
import sys, numpy as np, torch
from modeling.music2emo.audio_encoder import MertEncoder
segment = np.load({str(tmp_path / "segment.npy")!r})
full = MertEncoder({str(hub_mert)!r}, device="cpu", truncate_layers=False)
inputs = full.processor(segment, sampling_rate=24000, return_tensors="pt")
with torch.inference_mode():
    states = full.model(**inputs, output_hidden_states=True).hidden_states
default = MertEncoder({str(hub_mert)!r}, device="cpu")
torch.save({{"states": [s.clone() for s in states], "full": full.embed([segment]),
             "default": default.embed([segment]), "layers_run": default.layers_run}}, {str(tmp_path / "out.pt")!r})
loaded = [name for name in sys.modules if name.startswith(("tests", "transformers_modules")) or "MERT" in name]
assert not loaded, loaded
"""
    done = run_python(code, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    got = torch.load(tmp_path / "out.pt", weights_only=False)

    from transformers import Wav2Vec2FeatureExtractor

    reference = reference_hubert(hub_mert)
    inputs = Wav2Vec2FeatureExtractor.from_pretrained(hub_mert)(
        segment, sampling_rate=24000, return_tensors="pt"
    )
    assert float(inputs["input_values"].std()) == pytest.approx(1.0, abs=1e-3)  # do_normalize
    with torch.inference_mode():
        expected = reference(**inputs, output_hidden_states=True).hidden_states
    assert len(got["states"]) == len(expected) == 9
    assert all(torch.equal(a, b) for a, b in zip(got["states"], expected))
    embedding = torch.cat([expected[6].mean(dim=1), expected[7].mean(dim=1)], dim=-1).numpy()
    assert np.array_equal(got["full"], embedding) and np.array_equal(got["default"], embedding)
    assert got["layers_run"] == 7  # layers 5 and 6 of hidden_states[1:]: 7 of the 8 layers run


def test_remote_code_is_an_opt_in_and_its_missing_hidden_states_are_a_clear_error(hub_mert):
    encoder = MertEncoder(str(hub_mert), device="cpu", trust_remote_code=True)
    assert type(encoder.model).__name__ == "MERTModel"
    with pytest.raises(UnsupportedModelError, match="hidden_states=None.*trust_remote_code=False"):
        encoder.embed([_segment()])


@pytest.mark.parametrize("form", ["safetensors", "sharded-safetensors", "sharded-bin"])
def test_safetensors_and_sharded_weights_load_the_same_model(hub_mert, tmp_path, form):
    folder = replace_weights(hub_mert, tmp_path / form, hub_state(hub_mert), form)
    model, processor = load_mert(folder)
    assert _same_weights(model, reference_hubert(hub_mert)) and processor.do_normalize


@pytest.mark.parametrize("prefix", ["mert_model.", "hubert.", "model."])
def test_a_key_prefix_is_stripped_and_foreign_keys_are_logged(hub_mert, tmp_path, prefix, caplog):
    state = {prefix + key: tensor for key, tensor in hub_state(hub_mert).items()}
    state["label_embs_concat"] = torch.zeros(3, 4)  # a pre-training head: no part of HubertModel
    folder = replace_weights(hub_mert, tmp_path / "prefixed", state, "bin")
    with caplog.at_level(logging.DEBUG, logger="modeling.music2emo.mert"):
        model, _ = load_mert(folder)
    assert _same_weights(model, reference_hubert(hub_mert))
    assert "label_embs_concat" in caplog.text and "1 checkpoint key" in caplog.text


def test_missing_weights_are_an_error_that_names_them(hub_mert, tmp_path):
    state = hub_state(hub_mert)
    del (
        state["encoder.layers.3.feed_forward.output_dense.weight"],
        state["encoder.pos_conv_embed.conv.weight_g"],
    )
    folder = replace_weights(hub_mert, tmp_path / "incomplete", state, "bin")
    with pytest.raises(CheckpointError, match="lacks 2 weight") as error:
        load_mert(folder)
    assert "encoder.layers.3.feed_forward.output_dense.weight" in str(error.value)
    assert "encoder.pos_conv_embed.conv.parametrizations.weight.original0" in str(error.value)


def test_a_saved_hubert_passes_through(tmp_path):
    from transformers import HubertConfig, HubertModel, Wav2Vec2FeatureExtractor

    torch.manual_seed(0)
    hubert = HubertModel(HubertConfig(hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
                                      conv_dim=(8,) * 7, num_conv_pos_embeddings=8, num_conv_pos_embedding_groups=2))  # fmt: skip
    hubert.save_pretrained(tmp_path / "hubert")
    Wav2Vec2FeatureExtractor(sampling_rate=24000).save_pretrained(tmp_path / "hubert")
    model, _ = load_mert(tmp_path / "hubert")
    assert _same_weights(model, hubert)


@pytest.mark.parametrize(
    "change, field",
    [({"feature_extractor_cqt": True}, "feature_extractor_cqt: true"), ({"deepnorm": True}, "deepnorm: true"),
     ({"attention_relax": 32.0}, "attention_relax: 32.0"), ({"model_type": "wav2vec2"}, "model_type 'wav2vec2'")],
)  # fmt: skip
def test_what_hubert_cannot_express_is_refused_with_the_reason(hub_mert, tmp_path, change, field):
    folder = replace_weights(hub_mert, tmp_path / "variant", hub_state(hub_mert), "bin")
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, **change}))
    with pytest.raises(UnsupportedModelError) as error:
        MertEncoder(str(folder), device="cpu")
    assert field in str(error.value) and "trust_remote_code=True" in str(error.value)


def test_an_unknown_hub_id_offline_fails_fast_with_what_to_do():
    start = time.perf_counter()
    with pytest.raises(WeightsNotFoundError) as error:
        MertEncoder("emotune-tests/no-such-mert", device="cpu")
    assert time.perf_counter() - start < 5
    message = str(error.value)
    assert "emotune-tests/no-such-mert" in message and "HF_HUB_OFFLINE" in message
    assert "internet" in message and "local folder" in message


def _hubert_folder(folder, stable: bool):
    from transformers import HubertConfig, HubertModel, Wav2Vec2FeatureExtractor

    torch.manual_seed(1)
    config = HubertConfig(hidden_size=16, num_hidden_layers=8, num_attention_heads=2, intermediate_size=32,
                          conv_dim=(8,) * 7, num_conv_pos_embeddings=8, num_conv_pos_embedding_groups=2,
                          do_stable_layer_norm=stable, feat_extract_norm="layer" if stable else "group")  # fmt: skip
    HubertModel(config).save_pretrained(folder)
    Wav2Vec2FeatureExtractor(sampling_rate=24000, do_normalize=True).save_pretrained(folder)
    return folder


@pytest.mark.parametrize("stable", [False, True], ids=["post-norm", "pre-norm"])
def test_running_only_the_needed_layers_changes_no_bit(tmp_path, stable):
    folder = _hubert_folder(tmp_path / "hubert", stable)
    segments = [_segment(2.0, seed) for seed in range(2)]
    for layers, runs in (((2, 3), 5 if stable else 4), ((0,), 2 if stable else 1), ((6, 7), 8)):
        full = MertEncoder(str(folder), layers, device="cpu", truncate_layers=False)
        cut = MertEncoder(str(folder), layers, device="cpu")
        assert (cut.layers_run, full.layers_run) == (runs, 8)
        assert np.array_equal(cut.embed(segments), full.embed(segments))
        inputs = full.processor(segments[0], sampling_rate=24000, return_tensors="pt")
        with torch.inference_mode():
            kept = cut.model(**inputs, output_hidden_states=True).hidden_states
            every = full.model(**inputs, output_hidden_states=True).hidden_states
        assert len(kept) == runs + 1 and all(torch.equal(a, b) for a, b in zip(kept, every))


def test_int8_quantisation_is_close_and_only_on_a_cpu_in_float32(hub_mert):
    segments = [_segment(3.0, seed) for seed in range(3)]
    exact = MertEncoder(str(hub_mert), device="cpu").embed(segments)
    quantized = MertEncoder(str(hub_mert), device="cpu", encoder_quantization="dynamic-int8")
    assert quantized.model.encoder.layers[0].feed_forward.output_dense._get_name() == "DynamicQuantizedLinear"
    fast = quantized.embed(segments)
    cosine = (exact * fast).sum(1) / np.linalg.norm(exact, axis=1) / np.linalg.norm(fast, axis=1)
    assert cosine.min() > 0.999, f"cosine similarity to the float32 embeddings: {cosine}"
    assert not np.array_equal(exact, fast)  # it is an approximation, named as one
    for options in ({"device": "cuda"}, {"device": "cpu", "dtype": "bfloat16"}):
        with pytest.raises(ValueError, match="CPU in float32 only"):
            MertEncoder(str(hub_mert), encoder_quantization="dynamic-int8", **options)
    with pytest.raises(ValueError, match="Accepted: None, 'dynamic-int8'"):
        MertEncoder(str(hub_mert), device="cpu", encoder_quantization="int4")


def test_predict_takes_the_int8_option_and_stays_close(hub_mert, tmp_path, capsys):
    from dataset_scripts.synthetic.audio import render_progression
    from modeling.cli import main
    from modeling.media.audio import write_audio
    from modeling.music2emo import Music2EmoConfig, Music2EmoModel

    torch.manual_seed(0)
    Music2EmoModel(Music2EmoConfig(audio_embedding_dim=64, audio_encoder=str(hub_mert))).save_pretrained(
        tmp_path / "m"
    )
    clip = write_audio(
        tmp_path / "clip.wav", render_progression(["C", "G", "A:min", "F"] * 2, 2.0, 24000), 24000
    )
    results = []
    for extra in ([], ["--encoder-quantization", "dynamic-int8"]):
        command = [
            "predict",
            str(clip),
            "--model",
            str(tmp_path / "m"),
            "--chord-backend",
            "dsp",
            "--json",
            *extra,
        ]
        assert main([*command, "--device", "cpu"]) == 0
        results.append(json.loads(capsys.readouterr().out))
    exact, fast = ({mood["label"]: mood["score"] for mood in result["moods"]} for result in results)
    assert max(abs(exact[label] - fast[label]) for label in exact) < 0.01
    assert abs(results[0]["valence"] - results[1]["valence"]) < 0.05
    assert abs(results[0]["arousal"] - results[1]["arousal"]) < 0.05


@pytest.mark.parametrize(
    "files, fetched",
    [(["config.json", "configuration_MERT.py", "modeling_MERT.py", "preprocessor_config.json", "pytorch_model.bin",
       "MERT-v1-95M_fairseq.pt", "README.md"], "pytorch_model.bin"),
     (["config.json", "preprocessor_config.json", "pytorch_model.bin", "model.safetensors"], "model.safetensors")],
    ids=["mert-v1-95m-listing", "with-safetensors"],
)  # fmt: skip
def test_from_the_hub_only_the_files_read_are_fetched(hub_mert, monkeypatch, files, fetched):
    import fnmatch
    from types import SimpleNamespace

    import huggingface_hub

    from modeling.music2emo import mert

    asked = {}

    def model_info(self, repo_id, revision=None, timeout=None):
        asked["timeout"] = timeout
        return SimpleNamespace(sha="0" * 40, siblings=[SimpleNamespace(rfilename=name) for name in files])

    def snapshot_download(repo_id, revision=None, allow_patterns=None, local_files_only=False):
        asked.update(revision=revision, patterns=allow_patterns, local=local_files_only)
        return str(hub_mert)

    monkeypatch.setattr(mert, "hub_offline", lambda: False)
    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", model_info)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    assert load_mert("m-a-p/MERT-v1-95M")[0].config.hidden_size == 32
    chosen = {name for name in files if any(fnmatch.fnmatch(name, p) for p in asked["patterns"])}
    assert chosen == {"config.json", "preprocessor_config.json", fetched}
    assert asked["revision"] == "0" * 40 and not asked["local"] and asked["timeout"] <= 5


def test_an_unreachable_hub_falls_back_to_the_cache_and_says_so_when_that_is_empty(monkeypatch):
    import huggingface_hub
    from huggingface_hub.errors import LocalEntryNotFoundError

    from modeling.music2emo import mert

    def model_info(self, repo_id, revision=None, timeout=None):
        raise OSError("Name or service not known")

    def snapshot_download(repo_id, revision=None, allow_patterns=None, local_files_only=False):
        assert local_files_only
        raise LocalEntryNotFoundError("not cached")

    monkeypatch.setattr(mert, "hub_offline", lambda: False)
    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", model_info)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    with pytest.raises(
        WeightsNotFoundError, match="not in the Hugging Face cache and the Hub is unreachable"
    ):
        load_mert("m-a-p/MERT-v1-95M")
