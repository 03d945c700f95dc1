"""Music2Emo training fixtures: a features dataset, four teachers and a student trained once per
session (registered for every test folder by the root conftest), and what the training tests share."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modeling.training.engine import load_recipe
from tests.conftest import REPO_ROOT
from tests.music2emo.features_dataset import write_features_dataset

CONFIGS = REPO_ROOT / "configs" / "music2emo"
TINY = (
    "model.hidden_size=16",
    "model.head_hidden_size=8",
    "model.chord_encoder_ffn_dim=16",
    "training.progress=false",
)
"""Overrides that make any Music2Emo recipe small enough for the tests."""

TRAINING_ENV = {**os.environ, "OMP_NUM_THREADS": "1"}
"""Environment for training subprocesses: one intra-op thread whatever the tests were given (the
tests' models are tiny; see tests/conftest.py)."""


def recipe(name: str, features: Path, *overrides: str) -> dict:
    return load_recipe(CONFIGS / name, [f"data.path={features}", *TINY, *overrides])


@pytest.fixture(scope="session")
def features(tmp_path_factory) -> Path:
    """A features dataset of the four sources (24/20/16/12 train rows, 8 validation, 8 test)."""
    return write_features_dataset(tmp_path_factory.mktemp("features") / "features")


@pytest.fixture(scope="session")
def teachers(features, tmp_path_factory) -> dict[str, Path]:
    """One tiny teacher per source, trained for 3 epochs."""
    from modeling.training.recipes.music2emo.training import train_teacher

    root = tmp_path_factory.mktemp("teachers")
    folders = {}
    for source in ("mtg-jamendo", "deam", "pmemo", "emomusic"):
        output = root / source
        train_teacher(
            recipe("smoke-teacher.yaml", features, f"data.sources=[{source}]", "training.max_epochs=3"),
            output,
        )
        folders[source] = output / "best"
    return folders


@pytest.fixture(scope="session")
def student_run(features, teachers, tmp_path_factory) -> Path:
    """The tiny student distilled from ``teachers`` for 2 epochs: its output folder."""
    from modeling.training.recipes.music2emo.training import train_student

    output = tmp_path_factory.mktemp("student") / "run"
    overrides = [f"distillation.teachers.{source}={path}" for source, path in teachers.items()]
    train_student(recipe("smoke-student.yaml", features, "training.max_epochs=2", *overrides), output)
    return output
