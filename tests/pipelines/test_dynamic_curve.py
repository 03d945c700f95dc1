"""The time-resolved curve at inference: the pipeline's `dynamic_model`, `emotune predict --dynamic-model`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dataset_scripts.synthetic.audio import render_progression
from modeling.base.errors import InvalidInputError
from modeling.media.audio import write_audio
from modeling.music2emo_dynamic import Music2EmoDynamicModel
from modeling.pipelines.curves import curve_seconds, format_curve, sparkline
from tests.music2emo_dynamic.factories import tiny_dynamic_config


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return write_audio(
        tmp_path_factory.mktemp("clip") / "clip.wav",
        render_progression(["C", "A:min", "F", "G"] * 2, 1.5),
        22050,
    )


def test_the_pipeline_adds_the_curve_from_the_same_encoder_pass(model_dir, dynamic_dir, clip):
    from transformers import pipeline

    import modeling  # noqa: F401

    mer = pipeline("music-emotion-recognition", model=str(model_dir), dynamic_model=str(dynamic_dir),
                   chord_backend="dsp", device="cpu")  # fmt: skip
    result = mer(str(clip))
    curve = result["curve"]
    assert [point["time"] for point in curve] == [0.5 * k for k in range(25)]  # 0 .. 12 s every 0.5 s
    features = mer.dynamic.extractor(str(clip))
    expected = mer.dynamic.model(**features.window_inputs()).va[0].detach().numpy()
    np.testing.assert_allclose([[p["valence"], p["arousal"]] for p in curve], expected, rtol=1e-5, atol=1e-5)
    plain = pipeline("music-emotion-recognition", model=str(model_dir), chord_backend="dsp", device="cpu")
    without = plain(str(clip))
    assert "curve" not in without and without["valence"] == pytest.approx(result["valence"], abs=1e-6)
    assert mer([str(clip), str(clip)], batch_size=2)[1]["curve"] == curve
    with pytest.raises(InvalidInputError, match="These features have no windows"):
        mer.dynamic(mer.feature_extractor(str(clip)))  # clip-level features only


def test_a_dynamic_model_of_another_encoder_is_refused(model_dir, tmp_path):
    from transformers import pipeline

    Music2EmoDynamicModel(tiny_dynamic_config(audio_embedding_dim=24)).save_pretrained(tmp_path / "other")
    with pytest.raises(InvalidInputError, match="24-value windows of layers"):
        pipeline("music-emotion-recognition", model=str(model_dir), dynamic_model=str(tmp_path / "other"),
                 chord_backend="dsp", device="cpu")  # fmt: skip
    with pytest.raises(InvalidInputError, match="must be a music2emo_dynamic model"):
        pipeline("music-emotion-recognition", model=str(model_dir), dynamic_model=str(model_dir),
                 chord_backend="dsp", device="cpu")  # fmt: skip


def test_emotune_predict_prints_and_plots_the_curve(model_dir, dynamic_dir, clip, tmp_path, capsys):
    from modeling.cli import main

    figure = tmp_path / "figure.png"
    code = main(["predict", str(clip), "--model", str(model_dir), "--dynamic-model", str(dynamic_dir),
                 "--chord-backend", "dsp", "--device", "cpu", "--plot", str(figure)])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "curve: every 0.5 s, 25 points (0-12 s" in printed and "    valence " in printed
    assert figure.stat().st_size > 20_000
    assert main(["predict", str(clip), "--model", str(model_dir), "--dynamic-model", str(dynamic_dir),
                 "--chord-backend", "dsp", "--device", "cpu", "--json"]) == 0  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert len(result["curve"]) == 25 and set(result["curve"][0]) == {"time", "valence", "arousal"}


def test_emotune_predict_gives_each_file_its_own_curve_printed_and_in_collection_records(
    model_dir, dynamic_dir, clip, tmp_path, capsys
):
    """Several files run through the collection runner one at a time (the curve's extractor watches the
    encoder's frames of one file): each gets the curve the pipeline gives it alone, printed or as the
    ``curve`` of its --output record."""
    import shutil

    from transformers import pipeline

    from modeling.cli import main

    shutil.copy(clip, tmp_path / "second.wav")
    args = ["--model", str(model_dir), "--dynamic-model", str(dynamic_dir), "--chord-backend", "dsp",
            "--device", "cpu"]  # fmt: skip
    assert main(["predict", str(clip), str(tmp_path / "second.wav"), *args, "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    curves = [result["curve"] for result in results.values()]
    assert len(curves) == 2 and curves[0] == curves[1] and len(curves[0]) == 25
    mer = pipeline("music-emotion-recognition", model=str(model_dir), dynamic_model=str(dynamic_dir),
                   chord_backend="dsp", device="cpu")  # fmt: skip
    assert mer(str(clip))["curve"] == curves[0]
    from modeling.collection.output import read_records

    assert main(["predict", str(clip), *args, "--output", str(tmp_path / "out.jsonl")]) == 0
    assert read_records(tmp_path / "out.jsonl")[0]["curve"] == curves[0]


def test_compact_curve_and_seconds():
    curve = [{"time": 0.5 * k, "valence": 1.0 + k, "arousal": 9.0 - k} for k in range(9)]
    assert sparkline([1.0, 5.0, 9.0]) == "▁▅█"
    text = format_curve(curve)
    assert "every 0.5 s, 9 points (0-4 s" in text and "1.0 at 0 s .. 9.0 at 4 s" in text
    assert len(sparkline(np.linspace(1, 9, 1000), width=60)) == 60
    seconds = curve_seconds(curve, seconds=5)
    assert [(row["start"], row["valence"]) for row in seconds] == [(0.0, 1.5), (1.0, 3.5), (2.0, 5.5),
                                                                  (3.0, 7.5), (4.0, 9.0)]  # fmt: skip
