"""Hostile recipes and output folders through the training command (`train.py`, in-process): one
error line and exit status 1 before any work starts, and nothing written to the output folder."""

from __future__ import annotations

import shutil

import pytest

from modeling.training.cli import main
from tests.music2emo.training_fixtures import CONFIGS, TINY


def _train(capsys, recipe: str, *arguments: str) -> tuple[int, str]:
    status = main([recipe, *arguments])
    return status, capsys.readouterr().err


def _snapshot(folder):
    return {
        path.relative_to(folder): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }


# case: (config file text or None for the shipped teacher recipe, overrides, message)
CASES = {
    "unknown section": (
        None,
        ["trainig.max_epochs=3"],
        r"Unknown recipe section(s) ['trainig'] for `teacher`",
    ),
    "unknown key": (
        None,
        ["training.max_epoch=3"],
        "Unknown key(s) ['max_epoch'] in recipe section 'training'",
    ),
    "unknown model key": (
        None,
        ["model.hiden_size=8"],
        "Unknown key(s) ['hiden_size'] in recipe section 'model'",
    ),
    "wrong type": (
        None,
        ["training.max_epochs=three"],
        "training.max_epochs must be an integer, got 'three'",
    ),
    "a value for a list": (None, ["data.sources=deam"], "data.sources must be a list, got 'deam'"),
    "a value for a section": (
        None,
        ["training=fast"],
        "Recipe section 'training' must be a mapping, got 'fast'",
    ),
    "missing data path": (
        None,
        ["data.path=/nowhere/features"],
        "No features dataset at '/nowhere/features'",
    ),
    "no data path": (None, ["data.path="], "data.path must be a string, got nothing"),
    "a data folder of something else": (None, ["data.path={empty}"], "No features dataset at"),
    "a source the data lacks": (None, ["data.sources=[gtzan]"], "has no config 'gtzan'"),
    "not yaml": (
        "training: {max_epochs: 3\n",
        [],
        "is not valid YAML, line 2, column 1: while parsing a flow mapping",
    ),
    "a list, not a recipe": ("- training\n- data\n", [], "must hold a mapping of sections, got list"),
    "missing recipe file": ("", [], "does not exist. Accepted: a YAML file"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_recipe_is_one_error_before_any_work(case, features, tmp_path, capsys):
    text, overrides, message = CASES[case]
    config = str(CONFIGS / "smoke-teacher.yaml")
    if text is not None:
        config = str(tmp_path / "recipe.yaml")
        if text:
            (tmp_path / "recipe.yaml").write_text(text)
    (tmp_path / "empty").mkdir()
    overrides = [o.format(empty=tmp_path / "empty") for o in overrides]
    out = tmp_path / "run"
    status, err = _train(
        capsys, "teacher", "--config", config, f"data.path={features}", *TINY, "data.sources=[deam]", *overrides,
        "--output-dir", str(out),
    )  # fmt: skip
    assert status == 1 and err.startswith("train.py teacher: error: ") and err.count("\n") == 1, err
    assert message in err and "Traceback" not in err
    assert not out.exists()  # nothing written


def test_an_output_folder_that_is_a_file(features, tmp_path, capsys):
    (tmp_path / "run").write_text("notes")
    status, err = _train(
        capsys, "teacher", "--config", str(CONFIGS / "smoke-teacher.yaml"), f"data.path={features}", *TINY,
        "--output-dir", str(tmp_path / "run"),
    )  # fmt: skip
    assert status == 1 and "is a file. Accepted: a folder" in err


@pytest.fixture
def teacher_run(teachers, tmp_path):
    """A copy of the deam teacher's output folder (checkpoints, best model, run.json)."""
    return shutil.copytree(teachers["deam"].parent, tmp_path / "teacher-run")


def _student(capsys, features, teachers, out) -> tuple[int, str]:
    overrides = [f"distillation.teachers.{source}={path}" for source, path in teachers.items()]
    return _train(
        capsys, "student", "--config", str(CONFIGS / "smoke-student.yaml"), f"data.path={features}", *TINY,
        *overrides, "--output-dir", str(out), "--resume",
    )  # fmt: skip


def test_resuming_another_recipes_run_is_refused_before_any_work(teacher_run, features, teachers, capsys):
    before = _snapshot(teacher_run)
    assert (teacher_run / "run.json").read_text() == '{"recipe": "teacher"}\n'
    status, err = _student(capsys, features, teachers, teacher_run)
    assert status == 1 and "holds a run of the `teacher` recipe" in err
    assert "Accepted: `train.py teacher ... --resume`, or another --output-dir for `student`" in err
    assert _snapshot(teacher_run) == before


def test_a_checkpoint_of_another_model_is_refused_and_the_run_left_as_it_was(
    teacher_run, features, teachers, capsys
):
    """A run folder from before run.json existed: the checkpoint itself does not fit the student."""
    (teacher_run / "run.json").unlink()
    before = _snapshot(teacher_run)
    status, err = _student(capsys, features, teachers, teacher_run)
    assert status == 1 and "Cannot resume from" in err and "does not hold this recipe's model" in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert _snapshot(teacher_run) == before


@pytest.mark.parametrize("data", ["/nowhere/features", "nowhere/features"])  # a folder, or a Hub id offline
def test_evaluate_on_missing_data_is_one_error(data, teachers, capsys):
    status, err = _train(capsys, "evaluate", "--model", str(teachers["deam"]), "--data", data)
    assert status == 1 and err.startswith(f"train.py evaluate: error: No features dataset at '{data}'")
    assert (
        err.count("\n") == 1 and "Accepted: a folder (or Hub id) written by emotune extract-features" in err
    )
