"""`train.py amt` / `amt_regression` smoke recipes on a built MuVi-Sync folder, `train.py evaluate`,
and the inverse-square-root schedule."""

import json

import pytest
import torch

from dataset_scripts.build_types import BuildOptions
from dataset_scripts.muvi_sync import build_muvi_sync
from modeling.training.loop import inverse_sqrt_factor
from modeling.video2music.training import MuViSyncCollator
from tests.conftest import REPO_ROOT
from tests.muvi_sync.release import make_release


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


def test_the_collator_shifts_chords_as_the_original(muvi):
    from modeling.video2music.training import load_split

    rows = load_split(str(muvi), "muvi-sync", "train")
    batch = MuViSyncCollator()([rows[0], rows[1]])
    n0, n1 = len(rows[0]["chord_ids"]), len(rows[1]["chord_ids"])
    width = max(n0, n1)
    assert batch["video_features"].shape == (2, width, 776)
    assert torch.equal(batch["chord_ids"][0, : n0 - 1], torch.as_tensor(rows[0]["chord_ids"][: n0 - 1]))
    assert (
        batch["labels"][0, n0 - 2].item() == rows[0]["chord_ids"][n0 - 1]
        and batch["labels"][0, n0 - 1].item() == 157
    )
    shorter = 0 if n0 < n1 else 1
    n = min(n0, n1)
    assert (batch["labels"][shorter, n:] == 158).all() and batch["video_attention_mask"][
        shorter, n:
    ].sum() == 0


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


@pytest.mark.parametrize("kind", ["amt", "amt_regression"])
def test_evaluation_averages_per_video_whatever_the_batch_size(muvi, kind):
    from modeling.video2music.training import (
        AMTConfig,
        AMTModel,
        AMTRegressionConfig,
        AMTRegressionModel,
        evaluate_model,
        load_split,
    )

    torch.manual_seed(0)
    if kind == "amt":
        model = AMTModel(
            AMTConfig(
                d_model=32,
                encoder_layers=1,
                decoder_layers=1,
                encoder_attention_heads=4,
                decoder_attention_heads=4,
                encoder_ffn_dim=64,
                decoder_ffn_dim=64,
            )
        )
    else:
        model = AMTRegressionModel(AMTRegressionConfig(hidden_size=8))
    rows = load_split(str(muvi), "muvi-sync", "train")
    one, three = (evaluate_model(model, rows, size, 300, 0.8, "cpu") for size in (1, 3))
    measures = set(one) - {"loss"}  # the loss is a per-batch token mean, as in training
    assert measures and set(three) == set(one)
    for name in measures:  # padding is masked: each video scores the same alone or in a batch
        assert three[name] == pytest.approx(one[name], abs=1e-5), name
    # one video per batch: the measures are the mean of each video's own score
    if kind == "amt":
        alone = [
            evaluate_model(model, rows.select([i]), 1, 300, 0.8, "cpu")["accuracy"] for i in range(len(rows))
        ]
        assert one["accuracy"] == pytest.approx(sum(alone) / len(alone))
