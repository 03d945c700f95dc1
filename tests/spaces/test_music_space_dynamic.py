"""The Music2Emo Space with a time-resolved model: the curve every 0.5 s as a seventh output."""

import json
from pathlib import Path

import torch
from gradio_client import Client, handle_file

from dataset_scripts.synthetic.audio import render_progression
from modeling.media.audio import write_audio
from modeling.music2emo_dynamic import Music2EmoDynamicConfig, Music2EmoDynamicModel
from tests.spaces.conftest import launch


def test_the_space_draws_the_curve_when_a_dynamic_model_is_configured(tiny_models, tmp_path, monkeypatch):
    monkeypatch.setenv("EMOTUNE_EXAMPLES_DIR", str(tmp_path / "examples"))
    mert = str(Path(tiny_models["music2emo"]).parent / "mert")
    torch.manual_seed(0)
    config = Music2EmoDynamicConfig(audio_embedding_dim=64, audio_encoder=mert, hidden_size=16,
                                    num_attention_heads=2, intermediate_size=32)  # fmt: skip
    Music2EmoDynamicModel(config).save_pretrained(tmp_path / "dynamic")
    monkeypatch.setenv("EMOTUNE_DYNAMIC_MODEL", str(tmp_path / "dynamic"))
    demo, url = launch("music2emo", model=tiny_models["music2emo"], chord_backend="dsp", max_seconds=60)
    try:
        clip = write_audio(tmp_path / "clip.wav", render_progression(["C", "A:min"] * 2, 1.0), 22050)
        outputs = Client(url, verbose=False).predict(handle_file(str(clip)), 0.5, api_name="/predict")
    finally:
        demo.close()
    assert len(outputs) == 7  # the six of the plain Space, then the curve's figure
    summary, download, dynamic = outputs[0], outputs[5], outputs[6]
    result = json.loads(Path(download).read_text(encoding="utf-8"))
    assert [point["time"] for point in result["curve"]] == [0.5 * k for k in range(9)]
    assert dynamic is not None and "**Key**" in summary
