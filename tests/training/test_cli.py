"""train.py: recipes and evaluation from the command line; --push-to-hub's upload."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modeling.base.errors import InvalidInputError
from modeling.training.engine.hub import push_models
from tests.conftest import REPO_ROOT, run_python
from tests.music2emo.training_fixtures import CONFIGS


def _train_py():
    import importlib.util

    spec = importlib.util.spec_from_file_location("train_entry", REPO_ROOT / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_evaluate_a_training_output_uses_the_best_model_per_task(student_run, features, capsys, tmp_path):
    report_path = tmp_path / "report.json"
    assert (
        _train_py().main(
            ["evaluate", "--model", str(student_run), "--data", str(features), "--output", str(report_path)]
        )
        == 0
    )
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == [
        "split",
        "PR-AUC",
        "ROC-AUC",
        "R²",
        "V",
        "R²",
        "A",
        "RMSE",
        "V",
        "RMSE",
        "A",
        "n",
    ]
    report = json.loads(report_path.read_text())
    assert report["models"] == {"mood": str(student_run / "best-mood"), "va": str(student_run / "best-va")}
    assert set(report["results"]) == {"mtg-jamendo/test", "deam/test", "pmemo/test", "emomusic/test"}
    final = json.loads((student_run / "metrics.json").read_text())
    assert report["results"]["mtg-jamendo/test"]["pr_auc"] == pytest.approx(
        final["best-mood"]["mtg-jamendo/test"]["pr_auc"]
    )
    assert report["results"]["deam/test"]["r2_valence"] == pytest.approx(
        final["best-va"]["deam/test"]["r2_valence"]
    )
    assert "pr_auc" not in report["results"]["deam/test"]


def test_evaluate_a_single_task_model_on_what_it_predicts(teachers, features, capsys, tmp_path):
    entry = _train_py()
    output = tmp_path / "deam.json"
    argv = [
        "evaluate",
        "--model",
        str(teachers["deam"]),
        "--data",
        str(features),
        "--sources",
        "deam",
        "pmemo",
        "--output",
        str(output),
    ]
    assert entry.main(argv) == 0
    assert set(json.loads(output.read_text())["results"]) == {"deam/test", "pmemo/test"}
    assert (
        entry.main(
            ["evaluate", "--model", str(teachers["deam"]), "--data", str(features), "--output", str(output)]
        )
        == 1
    )
    assert (
        "mtg-jamendo (test) is labelled for ['mood']; the model(s) predict ['va']" in capsys.readouterr().err
    )


def test_evaluate_dispatches_on_model_type(tmp_path, features, capsys):
    entry = _train_py()
    other = tmp_path / "other"
    other.mkdir()
    (other / "config.json").write_text(json.dumps({"model_type": "bert"}))
    assert entry.main(["evaluate", "--model", str(other), "--data", str(features)]) == 1
    assert (
        "No evaluation for model type 'bert'. Accepted: ['amt', 'amt_regression', 'music2emo', 'music2emo_dynamic']"
        in capsys.readouterr().err
    )
    assert entry.main(["evaluate", "--model", str(tmp_path / "missing"), "--data", str(features)]) == 1
    assert f"No model folder at {str(tmp_path / 'missing')!r}" in capsys.readouterr().err  # resolve_model's
    assert set(entry.RECIPES) == {"teacher", "student", "amt", "amt_regression", "dynamic"}


def test_recipe_errors_exit_with_a_message(features, tmp_path):
    command = (
        "import sys; sys.argv = ['train.py', 'teacher', '--config', {config!r}, 'data.path={features}',"
        " 'training.optimizer=sgd', '--output-dir', {out!r}]\n"
        "exec(open({train!r}).read())"
    ).format(
        config=str(CONFIGS / "teacher.yaml"),
        features=features,
        out=str(tmp_path),
        train=str(REPO_ROOT / "train.py"),
    )
    done = run_python(command, cwd=tmp_path)
    assert done.returncode == 1
    assert (
        "train.py teacher: error: training.optimizer must be one of ['adam', 'adamw'], got 'sgd'"
        in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_evaluate_hides_the_libraries_progress_bars_unless_verbose(tmp_path, capsys):
    from modeling.video2music.configuration_amt_regression import AMTRegressionConfig
    from modeling.video2music.modeling_amt_regression import AMTRegressionModel

    AMTRegressionModel(AMTRegressionConfig(hidden_size=4)).save_pretrained(tmp_path / "model")
    args = ["evaluate", "--model", str(tmp_path / "model"), "--data", str(tmp_path / "missing")]
    done = run_python(
        f"import sys; sys.argv = ['train.py', *{args!r}]\nexec(open({str(REPO_ROOT / 'train.py')!r}).read())",
        cwd=tmp_path,
    )
    # the model loads, then the data is missing: one line, no bar before it
    assert done.returncode == 1 and done.stderr.startswith("train.py evaluate: error: Cannot read split"), (
        done.stderr
    )
    assert "Loading weights" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert _train_py().main(["--verbose", *args]) == 1
    assert "Loading weights" in capsys.readouterr().err


class FakeApi:
    def __init__(self):
        self.calls = []

    def create_repo(self, repo_id, **kwargs):
        self.calls.append(("create", repo_id, kwargs))

    def upload_folder(self, **kwargs):
        files = sorted(path.name for path in Path(kwargs["folder_path"]).iterdir())
        self.calls.append(("upload", kwargs["path_in_repo"], files))
        return f"https://huggingface.co/me/m/commit/{len(self.calls)}"


def test_push_uploads_the_root_model_and_the_per_task_ones(student_run):
    api = FakeApi()
    folders = {name: student_run / name for name in ("best", "best-mood", "best-va")}
    urls = push_models(folders, "me/music2emo", root="best", private=True, api=api)
    assert urls == [
        "https://huggingface.co/me/m/commit/2",
        "https://huggingface.co/me/m/commit/3",
        "https://huggingface.co/me/m/commit/4",
    ]
    assert api.calls[0] == ("create", "me/music2emo", {"private": True, "exist_ok": True})
    assert [call[1] for call in api.calls[1:]] == [None, "best-mood", "best-va"]
    assert all("model.safetensors" in call[2] and "README.md" in call[2] for call in api.calls[1:])
    with pytest.raises(InvalidInputError, match="not a saved model"):
        push_models({"best": student_run / "checkpoints"}, "me/m", root="best", api=api)
