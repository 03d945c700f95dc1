"""The affective check second by second when the emotion pipeline has a time-resolved model."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from modeling.music2emo_dynamic import Music2EmoDynamicConfig, Music2EmoDynamicModel
from modeling.pipelines.affective import affective_check
from modeling.pipelines.curves import curve_seconds


def test_curve_seconds_feed_the_per_second_check():
    curve = [{"time": 0.5 * k, "valence": 7.0 if k < 4 else 3.0, "arousal": 6.0} for k in range(8)]
    rows = curve_seconds(curve, seconds=4)
    probs = np.zeros((4, 6))
    probs[:2, 0] = 1.0  # exciting for two seconds
    probs[2:, 3] = 1.0  # then sad
    check = affective_check(probs, rows)
    assert [s.start for s in check.segments] == [0.0, 1.0, 2.0, 3.0]
    assert [s.music_valence for s in check.segments] == [7.0, 7.0, 3.0, 3.0]
    assert [s.video_emotion for s in check.segments] == ["exciting", "exciting", "sad", "sad"]


def test_score_video_checks_emotion_per_second_with_a_dynamic_model(v2m_models, cuts_video, tmp_path):
    from transformers import pipeline

    import modeling  # noqa: F401

    torch.manual_seed(0)
    dynamic = tmp_path / "dynamic"
    config = Music2EmoDynamicConfig(audio_embedding_dim=64, audio_encoder=str(v2m_models["root"] / "mert"),
                                    hidden_size=16, num_attention_heads=2, intermediate_size=32)  # fmt: skip
    Music2EmoDynamicModel(config).save_pretrained(dynamic)
    v2m = pipeline(
        "video-to-music", model=str(v2m_models["amt"]), regression_model=str(v2m_models["regression"]),
        clip_model=str(v2m_models["clip"]), emotion_model=str(v2m_models["music2emo"]), device="cpu",
        progress=False, emotion_options={"chord_backend": "dsp", "dynamic_model": str(dynamic)},
    )  # fmt: skip
    result = v2m(str(cuts_video), output=tmp_path / "d.mp4", seed=0, check_emotion=True)
    check = result["affective_check"]
    assert check["resolution"] == "seconds"
    assert [s["start"] for s in check["segments"]] == [float(s) for s in range(8)]  # the 8 s video
    assert 0.0 <= check["agreement"] <= 1.0
    music = v2m.emotion_pipeline()(str(tmp_path / "d.flac"))
    first = [p["valence"] for p in music["curve"] if p["time"] < 1.0]
    assert check["segments"][0]["music_valence"] == pytest.approx(np.mean(first), abs=1e-4)
