"""BTC: labels, conversion from the original layout (identical logits), saving both ways, and the
chord backend inside the MER pipeline."""

import numpy as np
import pytest
import torch
from transformers import AutoModel

import modeling  # noqa: F401
from dataset_scripts.synthetic.audio import render_progression
from modeling.base.errors import CheckpointError
from modeling.btc import BTCChordRecognizer, large_vocabulary_labels
from modeling.btc.convert_original_checkpoint import convert, load_checkpoint, main
from modeling.testing import save_random_btc
from modeling.vocabularies.chords import parse_chord
from tests.btc.original_reference import OriginalBTC, save_original_checkpoint
from tests.conftest import run_python


def test_large_vocabulary_labels_are_btcs():
    labels = large_vocabulary_labels()
    assert len(labels) == 170 and labels[:3] == ["C:min", "C", "C:dim"]
    assert labels[14 * 9 + 7] == "A:minmaj7" and labels[168:] == ["X", "N"]
    assert all(parse_chord(label) for label in labels if label != "X")


def test_conversion_gives_the_originals_logits(tmp_path):
    torch.manual_seed(0)
    original = OriginalBTC().eval()
    with torch.no_grad():
        for name, parameter in original.named_parameters():
            if "gamma" in name or "beta" in name or name.endswith("bias"):
                parameter.add_(torch.randn_like(parameter) * 0.1)
    torch.save(
        {"model": original.state_dict(), "mean": -4.2, "std": 1.7}, tmp_path / "btc_model_large_voca.pt"
    )
    assert (
        main(
            ["--checkpoint", str(tmp_path / "btc_model_large_voca.pt"), "--output-dir", str(tmp_path / "btc")]
        )
        == 0
    )
    model = AutoModel.from_pretrained(tmp_path / "btc").eval()
    assert model.config.feature_mean == pytest.approx(-4.2) and model.config.num_hidden_layers == 2
    features = torch.randn(3, 108, 144)
    with torch.no_grad():
        torch.testing.assert_close(model(features).logits, original(features), rtol=1e-4, atol=1e-4)
        torch.testing.assert_close(
            model(features[:, :40]).logits, original(features[:, :40]), rtol=1e-4, atol=1e-4
        )
    with pytest.raises(CheckpointError, match="'model', 'mean' and 'std'"):
        convert({"model": {}})


@pytest.mark.parametrize("numpy_module", [None, "numpy.core"], ids=["numpy2-pickle", "numpy1-names"])
def test_numpy_scalar_statistics_convert_weights_only(tmp_path, numpy_module):
    """BTC stored mean/std as NumPy float64 scalars; they load weights-only (only the scalar and dtype
    globals allowed) and become plain floats in the config."""
    torch.manual_seed(0)
    original = OriginalBTC().eval()
    path = save_original_checkpoint(original, tmp_path / "btc.pt", numpy_module=numpy_module)
    with pytest.raises(Exception, match="scalar"):  # plain weights-only refuses the file
        torch.load(path, weights_only=True)
    assert main(["--checkpoint", str(path), "--output-dir", str(tmp_path / "btc")]) == 0
    model = AutoModel.from_pretrained(tmp_path / "btc").eval()
    assert type(model.config.feature_mean) is float and model.config.feature_mean == pytest.approx(-4.2)
    assert model.config.feature_std == pytest.approx(1.7)
    features = torch.randn(2, 108, 144)
    with torch.no_grad():
        torch.testing.assert_close(model(features).logits, original(features), rtol=1e-4, atol=1e-4)


def test_other_numpy_objects_stay_refused(tmp_path):
    """Only the scalar globals are allowed: a NumPy array (another global) is still refused."""
    torch.save(
        {"model": OriginalBTC().state_dict(), "mean": np.zeros(144), "std": np.ones(144)}, tmp_path / "a.pt"
    )
    with pytest.raises(CheckpointError, match="weights_only"):
        load_checkpoint(tmp_path / "a.pt")


def test_saves_and_loads_without_emotune(tmp_path):
    folder = save_random_btc(tmp_path / "btc", "tiny")
    done = run_python(
        f"import sys, torch\nfrom transformers import AutoModel\nm = AutoModel.from_pretrained({str(folder)!r}, "
        "trust_remote_code=True)\nassert 'modeling' not in sys.modules\nprint(m(torch.zeros(1, 108, 144)).logits.shape)",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "torch.Size([1, 108, 170])" in done.stdout


def test_recogniser_frames_last_10_108_s_and_x_reads_as_n(tmp_path):
    recognizer = BTCChordRecognizer.from_pretrained(save_random_btc(tmp_path / "btc", "tiny"))
    chords = recognizer(render_progression(["C", "G"] * 3, 2.0, 22050), 22050)
    assert chords[0].start == 0.0 and all(c.label != "X" for c in chords)
    frames = round(chords[-1].end / (10 / 108))
    assert frames == 130  # 108 frames for the first 10 s chunk, 22 for the last 2 s (as BTC computes them)
    blocks = recognizer.recognize_blocks(
        [render_progression(["C"] * 5, 2.0, 22050), render_progression(["G"], 2.0, 22050)]
    )
    assert round(blocks[-1].end / (10 / 108)) == 130


def test_the_mer_pipeline_runs_with_the_btc_backend(tmp_path):
    from transformers import pipeline

    from modeling.media.audio import write_audio
    from modeling.music2emo import Music2EmoConfig, Music2EmoModel
    from modeling.testing import save_random_mert

    mert = save_random_mert(tmp_path / "mert", "tiny")
    Music2EmoModel(Music2EmoConfig(audio_embedding_dim=64, audio_encoder=str(mert))).save_pretrained(
        tmp_path / "m2e"
    )
    mer = pipeline("music-emotion-recognition", model=str(tmp_path / "m2e"), chord_backend="btc",
                   chord_model=str(save_random_btc(tmp_path / "btc", "tiny")), device="cpu")  # fmt: skip
    clip = write_audio(tmp_path / "clip.wav", render_progression(["A:min", "E"] * 2, 1.5, 22050), 22050)
    result = mer(str(clip))
    assert result["chords"] and result["key"].endswith(("major", "minor")) and len(result["moods"]) == 56
