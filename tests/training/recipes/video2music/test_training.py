"""`train.py amt` / `amt_regression` smoke recipes on a built MuVi-Sync folder, `train.py evaluate`,
and the inverse-square-root schedule."""

import json

import numpy as np
import pytest
import torch

from dataset_scripts.build_types import BuildOptions
from dataset_scripts.sources.muvi_sync import build_muvi_sync
from modeling.training.engine.loop import inverse_sqrt_factor
from modeling.training.recipes.video2music.data import collator_for, load_split
from modeling.training.recipes.video2music.evaluation import evaluate_model
from modeling.video2music.configuration_amt import AMTConfig
from modeling.video2music.configuration_amt_regression import AMTRegressionConfig
from modeling.video2music.feature_extraction_video2music import model_input_rows
from modeling.video2music.modeling_amt import AMTModel
from modeling.video2music.modeling_amt_regression import AMTRegressionModel
from tests.conftest import REPO_ROOT
from tests.dataset_scripts.muvi_release import make_release


@pytest.fixture(scope="module")
def muvi(reference_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("muvi-train")
    raw = make_release(root / "raw", reference_dir, {"train": 6, "val": 2, "test": 2})
    build_muvi_sync(raw, root / "muvi", BuildOptions(progress=False))
    return root / "muvi"


def test_the_schedule_is_the_originals():
    d_model, warmup = 512, 4000
    for step in (0, 1, 100, 4000, 4001, 20000):
        original = d_model**-0.5 * (step * warmup**-1.5 if step <= warmup else step**-0.5)
        assert (d_model * warmup) ** -0.5 * inverse_sqrt_factor(step, warmup) == pytest.approx(original)


@pytest.mark.parametrize("padding", ["zeros", "mask"])
def test_the_collator_shifts_chords_as_the_original_and_pads_as_the_config_says(muvi, padding):
    rows = load_split(str(muvi), "muvi-sync", "train")
    batch = collator_for(AMTConfig(video_padding=padding))([rows[0], rows[1]])
    n0, n1 = len(rows[0]["chord_ids"]), len(rows[1]["chord_ids"])
    # zeros: every video padded to max_sequence_length (300) seconds and no mask, as Video2Music trained
    width = 300 if padding == "zeros" else max(n0, n1)
    assert set(batch) == {"video_features", "chord_ids", "mode_ids", "labels"} | (
        {"video_attention_mask"} if padding == "mask" else set()
    )
    assert batch["video_features"].shape == (2, width, 776)
    assert batch["chord_ids"].shape == batch["labels"].shape == (2, min(width, 299))
    assert torch.equal(batch["video_features"][0, :n0], torch.from_numpy(model_input_rows(rows[0])))
    assert torch.equal(batch["chord_ids"][0, : n0 - 1], torch.as_tensor(rows[0]["chord_ids"][: n0 - 1]))
    assert (
        batch["labels"][0, n0 - 2].item() == rows[0]["chord_ids"][n0 - 1]
        and batch["labels"][0, n0 - 1].item() == 157
    )
    shorter = 0 if n0 < n1 else 1
    n = min(n0, n1)
    assert (batch["labels"][shorter, n:] == 158).all() and (batch["video_features"][shorter, n:] == 0).all()
    if padding == "mask":
        assert batch["video_attention_mask"][shorter, n:].sum() == 0
        assert batch["video_attention_mask"][shorter, :n].all()


def test_the_feature_columns_are_in_the_models_order(muvi):
    row = load_split(str(muvi), "muvi-sync", "train")[0]
    features = model_input_rows(row)
    assert features.shape == (len(row["chord_ids"]), 776)
    assert np.array_equal(features[:, :768], row["semantic"]) and np.array_equal(
        features[:, -6:], row["emotion"]
    )
    assert np.array_equal(features[:, 768], row["scene_offset"]) and np.array_equal(
        features[:, 769], row["motion"]
    )


@pytest.mark.parametrize("padding", ["zeros", "mask"])
def test_the_regression_collator_gives_the_curves_as_labels(muvi, padding):
    split = load_split(str(muvi), "muvi-sync", "train")
    rows = [split[i] for i in range(3)]
    batch = collator_for(AMTRegressionConfig(video_padding=padding, max_sequence_length=12))(rows)
    n = [len(row["chord_ids"]) for row in rows]
    width = 12 if padding == "zeros" else max(n)
    assert set(batch) == {"video_features", "labels"} | (
        {"video_attention_mask"} if padding == "mask" else set()
    )
    assert batch["labels"].shape == (3, width, 2)
    for i, row in enumerate(rows):
        assert torch.equal(batch["labels"][i, : n[i], 0], torch.as_tensor(row["note_density"]))
        assert torch.equal(batch["labels"][i, : n[i], 1], torch.as_tensor(row["loudness"]))
        assert (batch["labels"][i, n[i] :] == 0).all()


@pytest.mark.parametrize(("recipe", "metric"), [("amt", "hits@3"), ("amt_regression", "rmse")])
def test_smoke_recipes_train_save_and_evaluate(muvi, tmp_path, recipe, metric, capsys):
    import train

    config = REPO_ROOT / "configs" / "video2music" / f"smoke-{recipe.replace('_', '-')}.yaml"
    out = tmp_path / recipe
    assert train.main([recipe, "--config", str(config), f"data.path={muvi}", "--output-dir", str(out)]) == 0
    assert (out / "best" / "config.json").is_file()
    card = (out / "best" / "README.md").read_text()
    assert "muvi-sync/test" in card and metric in card
    assert train.main(["evaluate", "--model", str(out), "--data", str(muvi)]) == 0
    report = json.loads((out / "best" / "evaluation.json").read_text())
    scores = report["results"]["muvi-sync/test"]
    assert metric in scores and scores["loss"] > 0
    if recipe == "amt":
        assert 0.0 <= scores["accuracy"] <= scores["hits@1"] + 1e-9 <= scores["hits@5"] + 1e-9 <= 1.0 + 1e-9
    assert (
        train.main(
            [recipe, "--config", str(config), f"data.path={muvi}", "--output-dir", str(out), "--resume"]
        )
        == 0
    )


@pytest.mark.parametrize("padding", ["zeros", "mask"])
@pytest.mark.parametrize("kind", ["amt", "amt_regression"])
def test_evaluation_averages_per_video_whatever_the_batch_size(muvi, kind, padding):
    torch.manual_seed(0)
    if kind == "amt":
        model = AMTModel(
            AMTConfig(d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=4, decoder_attention_heads=4,
                      encoder_ffn_dim=64, decoder_ffn_dim=64, video_padding=padding)
        )  # fmt: skip
    else:
        model = AMTRegressionModel(AMTRegressionConfig(hidden_size=8, video_padding=padding))
    rows = load_split(str(muvi), "muvi-sync", "train")
    one, three = (evaluate_model(model, rows, size, 0.8, "cpu") for size in (1, 3))
    measures = set(one) - {"loss"}  # the loss is a per-batch token mean, as in training
    assert measures and set(three) == set(one)
    for name in measures:  # padding is zeros or masked: each video scores the same alone or in a batch
        assert three[name] == pytest.approx(one[name], abs=1e-5), name
    # one video per batch: the measures are the mean of each video's own score
    if kind == "amt":
        alone = [evaluate_model(model, rows.select([i]), 1, 0.8, "cpu")["accuracy"] for i in range(len(rows))]
        assert one["accuracy"] == pytest.approx(sum(alone) / len(alone))
