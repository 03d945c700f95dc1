"""Recipes: YAML with a base chain, command-line overrides, typed sections, the paper's values."""

from __future__ import annotations

import dataclasses

import pytest

from modeling.base.errors import InvalidInputError
from modeling.training.engine import LoopConfig, apply_overrides, load_recipe, read_section
from modeling.training.recipes.music2emo.training import DataConfig, DistillationConfig
from tests.music2emo.training_fixtures import CONFIGS


def test_paper_recipe_values():
    student = load_recipe(CONFIGS / "student.yaml")
    loop = read_section(LoopConfig, student, "training")
    assert (loop.optimizer, loop.learning_rate, loop.max_epochs) == ("adam", 1e-4, 500)
    assert (loop.monitor, loop.early_stopping_patience, loop.early_stopping_min_delta) == (
        "val_loss",
        10,
        1e-4,
    )
    data = read_section(DataConfig, student, "data")
    assert data.batch_size == 8 and data.sources == ["mtg-jamendo", "deam", "pmemo", "emomusic"]
    assert (data.combine, data.segment_augmentation, data.lexicon_va) == ("max_size", "random_run", False)
    kd = read_section(DistillationConfig, student, "distillation")
    assert (kd.method, kd.weight, kd.temperature) == ("kl", 0.8, 1.0)
    assert set(kd.teachers) == set(data.sources)
    assert student["model"] == {"audio_encoder": "m-a-p/MERT-v1-95M", "audio_encoder_layers": [5, 6]}
    teacher = load_recipe(CONFIGS / "teacher.yaml")
    assert teacher["data"]["sources"] == ["mtg-jamendo"] and "distillation" not in teacher
    assert read_section(LoopConfig, teacher, "training") == loop


def test_smoke_recipes_override_their_base():
    smoke = load_recipe(CONFIGS / "smoke-student.yaml")
    assert smoke["training"]["max_epochs"] < 500 and smoke["training"]["optimizer"] == "adam"
    assert smoke["data"]["combine"] == "max_size_cycle" and smoke["data"]["batch_size"] == 8
    assert smoke["distillation"]["weight"] == 0.8


def test_overrides_are_yaml_values_on_dotted_keys():
    recipe = apply_overrides(
        {"training": {"max_epochs": 500}},
        [
            "training.max_epochs=3",
            "data.sources=[deam, pmemo]",
            "distillation.teachers.deam=out/t",
            "model.tag_priors=null",
        ],
    )
    assert recipe == {
        "training": {"max_epochs": 3},
        "data": {"sources": ["deam", "pmemo"]},
        "distillation": {"teachers": {"deam": "out/t"}},
        "model": {"tag_priors": None},
    }
    assert read_section(LoopConfig, {"training": {"learning_rate": "1e-3"}}, "training").learning_rate == 1e-3


def test_base_chains_merge_and_cycles_fail(tmp_path):
    (tmp_path / "a.yaml").write_text("training: {max_epochs: 5, seed: 1}\ndata: {sources: [deam, pmemo]}\n")
    (tmp_path / "b.yaml").write_text("base: a.yaml\ntraining: {seed: 2}\ndata: {sources: [emomusic]}\n")
    assert load_recipe(tmp_path / "b.yaml") == {
        "training": {"max_epochs": 5, "seed": 2},
        "data": {"sources": ["emomusic"]},
    }
    (tmp_path / "c.yaml").write_text("base: d.yaml\n")
    (tmp_path / "d.yaml").write_text("base: c.yaml\n")
    with pytest.raises(InvalidInputError, match="names itself as a base"):
        load_recipe(tmp_path / "c.yaml")


@pytest.mark.parametrize(
    ("section", "values", "message"),
    [
        (
            "training",
            {"max_epoch": 3},
            r"Unknown key\(s\) \['max_epoch'\] in recipe section 'training'. Accepted: \[",
        ),
        ("training", {"max_epochs": 2.5}, "training.max_epochs must be an integer, got 2.5"),
        ("training", {"max_epochs": 0}, "training.max_epochs must be at least 1"),
        ("training", {"optimizer": "sgd"}, r"training.optimizer must be one of \['adam', 'adamw'\]"),
        ("training", {"progress": "yes"}, "training.progress must be true or false"),
        ("training", {"early_stopping_patience": 0}, "at least 1, or null"),
        ("data", {"sources": "deam"}, "data.sources must be a list"),
        ("data", {"path": ""}, "data.path is required"),
        ("distillation", {"weight": 1.5}, r"distillation.weight must be in \[0, 1\]"),
        ("distillation", {"method": "mse"}, r"distillation.method must be one of \['kl', 'sigmoid'\]"),
    ],
)
def test_section_mistakes_get_clear_errors(section, values, message):
    cls = {"training": LoopConfig, "data": DataConfig, "distillation": DistillationConfig}[section]
    base = {"path": "features"} if section == "data" else {}
    with pytest.raises(InvalidInputError, match=message):
        read_section(cls, {section: {**base, **values}}, section)


@pytest.mark.parametrize("override", ["training.max_epochs", "=3", "training..seed=1"])
def test_malformed_overrides(override):
    with pytest.raises(InvalidInputError, match="section.key=value"):
        apply_overrides({}, [override])
    with pytest.raises(InvalidInputError, match="'seed' is a value, not a section"):
        apply_overrides({"training": {"seed": 1}}, ["training.seed.x=2"])


def test_loop_defaults_are_the_papers():
    defaults = {f.name: f.default for f in dataclasses.fields(LoopConfig)}
    assert defaults["learning_rate"] == 1e-4 and defaults["max_epochs"] == 500
    assert defaults["early_stopping_patience"] == 10 and defaults["mixed_precision"] is None
