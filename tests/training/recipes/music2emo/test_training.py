"""Music2Emo teachers and student trained in-process on a tiny features dataset: outputs, cards,
Hub-native loading, distillation, early stopping, checkpoints and errors."""

from __future__ import annotations

import json

import pytest
import yaml
from transformers import AutoModel

from modeling.base.errors import InvalidInputError
from modeling.music2emo import Music2EmoModel
from modeling.training.recipes.music2emo.training import train_student, train_teacher
from tests.conftest import run_python
from tests.music2emo.factories import tiny_config
from tests.music2emo.training_fixtures import recipe


def test_teacher_outputs_load_as_hub_models(teachers, features):
    deam = teachers["deam"]
    model = AutoModel.from_pretrained(deam)
    assert isinstance(model, Music2EmoModel)
    assert model.config.tasks == ["va"] and model.config.audio_embedding_dim == 12
    assert AutoModel.from_pretrained(teachers["mtg-jamendo"]).config.tasks == ["mood"]
    run = deam.parent
    assert sorted(p.name for p in run.iterdir()) == [
        "best", "checkpoints", "log.jsonl", "metrics.json", "recipe.yaml", "run.json", "training_curves.png",
    ]  # fmt: skip
    metrics = json.loads((run / "metrics.json").read_text())
    assert list(metrics) == ["best"] and list(metrics["best"]) == ["deam/test"]
    assert metrics["best"]["deam/test"]["num_samples"] == 8
    card = (deam / "README.md").read_text()
    assert "## Evaluation" in card and "deam/test" in card and "r2_valence" in card
    assert "## Training recipe" in card and '"lexicon_va": false' in card
    assert yaml.safe_load((run / "recipe.yaml").read_text())["data"]["sources"] == ["deam"]
    epochs = [
        r for r in map(json.loads, (run / "log.jsonl").read_text().splitlines()) if r["kind"] == "epoch"
    ]
    assert [r["epoch"] for r in epochs] == [1, 2, 3]
    assert {"val_loss", "val_loss_va", "deam/r2_valence"} <= set(epochs[0]["validation"])


def test_saved_model_loads_in_a_fresh_process_with_remote_code(teachers):
    code = (
        "import sys, torch\n"
        "from transformers import AutoModel\n"
        f"model = AutoModel.from_pretrained({str(teachers['pmemo'])!r}, trust_remote_code=True)\n"
        "assert 'modeling' not in sys.modules, 'emotune was imported'\n"
        "out = model(torch.zeros(2, 12), torch.zeros(2, 5, dtype=torch.long), torch.zeros(2, 5, dtype=torch.long), torch.zeros(2))\n"
        "print(type(model).__name__, tuple(out.va.shape))\n"
    )
    done = run_python(code, cwd=teachers["pmemo"].parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("Music2EmoModel (2, 2)")


def test_student_distils_and_keeps_the_best_model_per_task(student_run, teachers):
    metrics = json.loads((student_run / "metrics.json").read_text())
    assert set(metrics) == {"best", "best-mood", "best-va"}
    for name in metrics:
        assert AutoModel.from_pretrained(student_run / name).config.tasks == ["mood", "va"]
        assert set(metrics[name]) == {"mtg-jamendo/test", "deam/test", "pmemo/test", "emomusic/test"}
    assert set(metrics["best"]["mtg-jamendo/test"]) >= {"pr_auc", "roc_auc", "tags_without_positives"}
    assert set(metrics["best"]["deam/test"]) >= {"r2_valence", "r2_arousal", "rmse_valence", "rmse_arousal"}
    first = json.loads((student_run / "log.jsonl").read_text().splitlines()[0])
    assert set(first["train"]) == {
        "loss", *(f"supervised/{s}" for s in teachers), *(f"distillation/{s}" for s in teachers),
    }  # fmt: skip
    assert {"val_loss", "val_loss_mood", "val_loss_va", "mtg-jamendo/pr_auc", "pmemo/r2_arousal"} <= set(
        first["validation"]
    )
    card = (student_run / "best-va" / "README.md").read_text()
    assert "distilled from teachers (kl, weight 0.8)" in card and "the lowest val_loss_va" in card


def test_early_stopping_counts_epochs_without_improvement(features, tmp_path):
    # With a zero learning rate nothing improves after the first epoch: patience 2 stops after epoch 3.
    train_teacher(
        recipe("smoke-teacher.yaml", features, "data.sources=[deam]", "training.lr_scheduler=constant",
               "training.learning_rate=1e-12", "training.early_stopping_patience=2", "training.max_epochs=10"),
        tmp_path,
    )  # fmt: skip
    epochs = [
        r for r in map(json.loads, (tmp_path / "log.jsonl").read_text().splitlines()) if r["kind"] == "epoch"
    ]
    assert [r["epochs_without_improvement"] for r in epochs] == [0, 1, 2]


def test_an_existing_run_is_not_overwritten_without_resume(teachers, features):
    run = teachers["emomusic"].parent
    with pytest.raises(InvalidInputError, match="Pass --resume"):
        train_teacher(recipe("smoke-teacher.yaml", features, "data.sources=[emomusic]"), run)


def test_resume_after_the_end_only_evaluates_again(teachers, features, tmp_path):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(teachers["deam"].parent, run)
    before = json.loads((run / "metrics.json").read_text())
    again = train_teacher(
        recipe("smoke-teacher.yaml", features, "data.sources=[deam]", "training.max_epochs=3"),
        run,
        resume=True,
    )
    assert again == before
    records = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]
    assert [r["kind"] for r in records] == ["epoch", "epoch", "epoch", "resume"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            ["data.sources=[deam]", "model.hiden_size=3"],
            r"Unknown key\(s\) \['hiden_size'\] in recipe section 'model'",
        ),
        (["data.sources=[deam]", "training.max_epochs=many"], "training.max_epochs must be an integer"),
        (
            ["data.sources=[deam]", "data.combine=min_size"],
            r"data.combine must be one of \['max_size', 'max_size_cycle'\]",
        ),
        (
            ["data.sources=[deam]", "model.tasks=[mood]"],
            "deam.* carry \\['va'\\], model.tasks asks for \\['mood'\\]",
        ),
        (["data.sources=[nowhere]"], "has no config 'nowhere'"),
        (["data.sources=[deam]", "data.train_split=dev"], "has no split 'dev'"),
        (["data.sources=[deam]", "model.audio_embedding_dim=1536"], "embeddings have 12 values"),
        (
            ["data.sources=[deam]", "distillation.weight=0.5"],
            r"Unknown recipe section\(s\) \['distillation'\] for `teacher`",
        ),
    ],
)
def test_recipe_mistakes_get_clear_errors(features, tmp_path, overrides, message):
    with pytest.raises(InvalidInputError, match=message):
        train_teacher(recipe("smoke-teacher.yaml", features, *overrides), tmp_path)


def test_student_rejects_mismatched_teachers(features, tmp_path):
    narrow = tmp_path / "narrow"
    Music2EmoModel(tiny_config(audio_embedding_dim=8, tasks=["va"])).save_pretrained(narrow)
    with pytest.raises(InvalidInputError, match="reads 8-value embeddings, the features dataset has 12"):
        train_student(
            recipe("smoke-student.yaml", features, f"distillation.teachers={{deam: {narrow}}}"),
            tmp_path / "a",
        )
    with pytest.raises(InvalidInputError, match=r"names \['gems'\], not in data.sources"):
        train_student(
            recipe("smoke-student.yaml", features, "distillation.teachers={gems: x}"), tmp_path / "b"
        )
    with pytest.raises(InvalidInputError, match="Cannot load the teacher for deam"):
        missing = tmp_path / "missing"
        train_student(
            recipe("smoke-student.yaml", features, f"distillation.teachers={{deam: {missing}}}"),
            tmp_path / "c",
        )
