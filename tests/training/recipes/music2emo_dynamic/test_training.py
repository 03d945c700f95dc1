"""The `dynamic` recipe: it learns what moves within a song, resumes exactly, runs on two gloo processes,
and `train.py evaluate` scores a music2emo_dynamic model per song and per source."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from modeling.base.errors import DatasetBuildError, InvalidInputError
from modeling.music2emo import Music2EmoConfig, Music2EmoModel
from modeling.music2emo_dynamic import Music2EmoDynamicModel
from modeling.training.engine import load_recipe
from modeling.training.recipes.music2emo_dynamic.evaluation import evaluate_dynamic_models
from modeling.training.recipes.music2emo_dynamic.training import Music2EmoDynamicRecipe, train_dynamic
from tests.conftest import REPO_ROOT, free_port
from tests.music2emo.training_fixtures import CONFIGS, TRAINING_ENV
from tests.music2emo_dynamic.features_dataset import write_dynamic_features_dataset

SMALL = (
    "model.hidden_size=16", "model.intermediate_size=32", "model.head_hidden_size=8", "data.batch_size=4",
    "training.progress=false",
)  # fmt: skip
SOURCES = ("deam", "pmemo", "emomusic")


def _recipe(features, *overrides):
    return load_recipe(CONFIGS / "smoke-dynamic.yaml", [f"data.path={features}", *SMALL, *overrides])


def _epochs(run) -> list[dict]:
    records = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records if r["kind"] == "epoch"]


@pytest.fixture(scope="module")
def dynamic_features(tmp_path_factory):
    return write_dynamic_features_dataset(tmp_path_factory.mktemp("dynamic") / "features")


@pytest.fixture(scope="module")
def dynamic_run(dynamic_features, tmp_path_factory):
    """The smoke recipe for 12 epochs: its output folder and metrics."""
    output = tmp_path_factory.mktemp("dynamic-run") / "run"
    metrics = train_dynamic(
        _recipe(dynamic_features, "training.max_epochs=12", "training.learning_rate=3e-3"), output
    )
    return output, metrics


def test_it_learns_the_curve_within_songs(dynamic_run):
    output, metrics = dynamic_run
    for source in SOURCES:
        result = metrics["best"][f"{source}/test"]
        assert result["num_songs"] == 4
        # valence follows the mode of each section; a constant prediction would score 0
        assert result["ccc_valence"] > 0.6 and result["r_valence"] > 0.9, (source, result)
    card = (output / "best" / "README.md").read_text()
    assert "Why a Transformer with local, relative attention" in card and "ccc_valence" in card
    assert "trained with emotune (`train.py dynamic`)" in card
    config = json.loads((output / "best" / "config.json").read_text())
    assert config["model_type"] == "music2emo_dynamic" and config["audio_embedding_dim"] == 12


def test_train_py_evaluate_scores_a_dynamic_model(dynamic_run, dynamic_features, tmp_path, capsys):
    from modeling.training.cli import main

    output, metrics = dynamic_run
    report_path = tmp_path / "report.json"
    code = main(
        ["evaluate", "--model", str(output), "--data", str(dynamic_features), "--output", str(report_path)]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "CCC V" in printed and "deam/test" in printed and "mtg-jamendo" not in printed
    report = json.loads(report_path.read_text())
    assert report["models"] == {"dynamic": str(output / "best")}
    for source in SOURCES:
        got, expected = report["results"][f"{source}/test"], metrics["best"][f"{source}/test"]
        assert got["ccc_valence"] == pytest.approx(expected["ccc_valence"], rel=1e-5)


def test_resume_mid_epoch_ends_where_an_uninterrupted_run_ends(dynamic_features, tmp_path, monkeypatch):
    overrides = ("training.max_epochs=2", "training.checkpoint_every_steps=1", "training.seed=3")
    reference = train_dynamic(_recipe(dynamic_features, *overrides), tmp_path / "reference")

    class Interrupted(Exception):
        pass

    step = Music2EmoDynamicRecipe.training_step
    calls = []

    def failing(self, model, batch):
        calls.append(1)
        if len(calls) == 5:  # 3 steps per epoch: the second step of epoch 2
            raise Interrupted
        return step(self, model, batch)

    monkeypatch.setattr(Music2EmoDynamicRecipe, "training_step", failing)
    with pytest.raises(Interrupted):
        train_dynamic(_recipe(dynamic_features, *overrides), tmp_path / "interrupted")
    monkeypatch.setattr(Music2EmoDynamicRecipe, "training_step", step)
    resumed = train_dynamic(_recipe(dynamic_features, *overrides), tmp_path / "interrupted", resume=True)
    records = [json.loads(line) for line in (tmp_path / "interrupted/log.jsonl").read_text().splitlines()]
    (resume,) = [r for r in records if r["kind"] == "resume"]
    assert (resume["epoch"], resume["step_in_epoch"]) == (1, 1)
    assert _epochs(tmp_path / "interrupted") == _epochs(tmp_path / "reference")
    assert resumed == reference


@pytest.mark.slow
def test_two_gloo_processes_count_every_song_once(dynamic_features, tmp_path):
    command = [
        sys.executable, "-m", "accelerate.commands.launch", "--num_machines", "1", "--dynamo_backend", "no",
        "--main_process_port", str(free_port()), "--multi_gpu", "--num_processes", "2", "--mixed_precision", "no",
        str(REPO_ROOT / "train.py"), "dynamic", "--config", str(CONFIGS / "smoke-dynamic.yaml"),
        f"data.path={dynamic_features}", *SMALL, "training.max_epochs=2", "data.eval_batch_size=3",
        f"--output-dir={tmp_path}",
    ]  # fmt: skip
    done = subprocess.run(
        command, capture_output=True, text=True, env={**TRAINING_ENV, "ACCELERATE_USE_CPU": "1"}, timeout=300
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "training on 2 process(es), device cpu" in done.stdout
    # 12 clips per source in batches of 4: 3 combined batches, shared out as 2 steps per process
    assert [(r["num_processes"], r["global_step"]) for r in _epochs(tmp_path)] == [(2, 2), (2, 4)]
    metrics = json.loads((tmp_path / "metrics.json").read_text())["best"]
    from accelerate import Accelerator

    model = Music2EmoDynamicModel.from_pretrained(tmp_path / "best").eval()
    single = evaluate_dynamic_models(
        model, str(dynamic_features), list(SOURCES), "test", Accelerator(cpu=True)
    )
    for split, values in single.items():
        assert metrics[split]["num_songs"] == 4  # 4 test songs, batches of 3 over 2 processes: none twice
        for name, value in values.items():
            assert metrics[split][name] == (pytest.approx(value, rel=1e-5, abs=1e-6) if isinstance(value, float)
                                            else value), (split, name)  # fmt: skip


def test_consistency_with_a_static_student_trains_clips_without_curves(tmp_path):
    features = write_dynamic_features_dataset(tmp_path / "features", unlabelled_windows=True,
                                              sizes={"train": 4, "validation": 2, "test": 2})  # fmt: skip
    torch.manual_seed(0)
    student = tmp_path / "student"
    Music2EmoModel(Music2EmoConfig(audio_embedding_dim=12, hidden_size=16, head_hidden_size=8,
                                   chord_encoder_ffn_dim=16)).save_pretrained(student)  # fmt: skip
    recipe = _recipe(
        features, "training.max_epochs=1", "data.sources=[mtg-jamendo,deam]", "data.unlabelled=true",
        f"consistency.student={student}", "consistency.weight=0.5", "data.batch_size=2",
    )  # fmt: skip
    recipe_object = Music2EmoDynamicRecipe(recipe)
    assert recipe_object.consistency.weight == 0.5
    # validation needs curves: MTG-Jamendo has none, so it is validated on DEAM only
    with pytest.raises(DatasetBuildError, match="no row with windows and per-time-step labels"):
        train_dynamic(recipe, tmp_path / "run")
    recipe["data"]["sources"] = ["deam"]
    train_dynamic(recipe, tmp_path / "run2")
    log = _epochs(tmp_path / "run2")
    assert log[0]["train"]["consistency"] > 0 and np.isfinite(log[0]["train"]["dynamic"])
    config = json.loads((tmp_path / "run2/best/config.json").read_text())
    assert config["consistency_loss_weight"] == 0.5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (("data.unlabelled=true",), "consistency.weight and consistency.student"),
        (("consistency.weight=1.0",), "needs consistency.student"),
        (("model.consistency_loss_weight=1.0",), "consistency.weight, not model"),
        (("model.num_layers=3",), "Unknown key"),
    ],
)
def test_recipe_errors_say_what_to_do(dynamic_features, overrides, message):
    with pytest.raises(InvalidInputError, match=message):
        Music2EmoDynamicRecipe(_recipe(dynamic_features, *overrides))


def test_features_without_windows_are_refused(features, tmp_path):
    with pytest.raises(InvalidInputError, match="extract-features --dynamic"):
        train_dynamic(_recipe(features, "data.sources=[deam]"), tmp_path / "run")
