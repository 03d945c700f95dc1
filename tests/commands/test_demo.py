"""`emotune demo`, the chain `make demo` runs: synthetic corpus -> unified datasets -> features with the
tiny MERT stand-in and the dsp chords -> four teachers -> KD student -> evaluate -> predict.

The test runs the demo on a small corpus (10 pieces of 2 s per dataset) and checks what each step
leaves for the next. Its steps run in this process (the demo's ``python -m modeling ...`` and
``python -m modeling.training ...`` commands are handed to the same ``main`` functions, the training
ones with ``training.max_epochs=2``), which saves a Python start-up per step. What the models learn
from the full demo (100 pieces of 4 s) against trivial baselines is a figure:
``python benchmarks/demo_chain.py`` prints it.
"""

import json
import re
import subprocess
import sys

import pytest

from modeling.cli import main
from modeling.training import cli as training_cli

SOURCES = ("mtg-jamendo", "deam", "pmemo", "emomusic")


@pytest.fixture
def in_process_steps(monkeypatch):
    """The demo's step commands run in this process; every other subprocess runs as usual."""
    run, commands = subprocess.run, []

    def step(command, *args, **kwargs):
        if list(command[:2]) != [sys.executable, "-m"]:
            return run(command, *args, **kwargs)
        module, argv = command[2], list(command[3:])
        commands.append((module, argv))
        if module == "modeling.training" and argv[0] in ("teacher", "student"):
            argv.insert(argv.index("--output-dir"), "training.max_epochs=2")  # after the overrides
        status = {"modeling": main, "modeling.training": training_cli.main}[module](argv)
        return subprocess.CompletedProcess(command, status)

    monkeypatch.setattr(subprocess, "run", step)
    return commands


@pytest.mark.slow
def test_the_demo_runs_every_step_of_the_chain(tmp_path, in_process_steps, capsys):
    work = tmp_path / "demo"
    assert main(["demo", "--work-dir", str(work), "--n", "10", "--seconds", "2", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "TINY RANDOM stand-in" in out and "m-a-p/MERT-v1-95M" in out
    assert "the real models are not available" in out and "ran the STAND-IN chain" in out

    steps = [(module, argv[0]) for module, argv in in_process_steps]
    assert steps == [
        ("modeling", "make-synthetic"),
        ("modeling", "build-dataset"),
        ("modeling", "extract-features"),
        *[("modeling.training", "teacher")] * 4,
        ("modeling.training", "student"),
        ("modeling.training", "evaluate"),
        ("modeling", "predict"),
    ]
    # the shipped smoke recipes, the tiny MERT, the dsp chords
    recipes = [argv[argv.index("--config") + 1] for module, argv in in_process_steps if "--config" in argv]
    assert [recipe.split("/")[-1] for recipe in recipes] == ["smoke-teacher.yaml"] * 4 + [
        "smoke-student.yaml"
    ]
    extract = in_process_steps[2][1]
    assert extract[extract.index("--chord-backend") + 1] == "dsp"
    assert extract[extract.index("--audio-encoder") + 1] == str(work / "tiny-mert")

    # 1-3: a labelled corpus in the raw layouts, unified, then features of the tiny encoder
    from datasets import get_dataset_config_names, load_dataset

    assert all((work / "raw" / source).is_dir() for source in SOURCES)
    assert set(SOURCES) <= set(get_dataset_config_names(str(work / "unified")))
    features = {source: load_dataset(str(work / "features"), source) for source in SOURCES}
    assert all(set(splits) == {"train", "validation", "test"} for splits in features.values())
    mert = json.loads((work / "tiny-mert" / "config.json").read_text())
    width = len(features["deam"]["train"][0]["segment_embeddings"][0])
    assert width == 2 * mert["hidden_size"]  # layers 5 and 6, concatenated

    # 4-5: a teacher per dataset (tags for MTG-Jamendo, VA for the others), a student distilled from them
    for source in SOURCES:
        config = json.loads((work / f"teacher-{source}" / "best" / "config.json").read_text())
        assert config["tasks"] == (["mood"] if source == "mtg-jamendo" else ["va"])
    student = json.loads((work / "student" / "best" / "config.json").read_text())
    assert student["tasks"] == ["mood", "va"] and student["audio_embedding_dim"] == width
    log = [json.loads(line) for line in (work / "student" / "log.jsonl").read_text().splitlines()]
    assert {f"distillation/{source}" for source in SOURCES} <= set(log[-1]["train"])

    # 6: the test splits scored with the paper's measures
    results = json.loads((work / "student" / "evaluation.json").read_text())["results"]
    assert "pr_auc" in results["mtg-jamendo/test"]
    assert all("r2_valence" in results[f"{source}/test"] for source in SOURCES[1:])

    # 7: both held-out clips rated
    rated = re.findall(r"^== \S+/([\w-]+)\.wav.*?valence ([\d.]+)\s+arousal ([\d.]+)", out, flags=re.M | re.S)
    assert sorted(name for name, _, _ in rated) == ["bright-major", "slow-minor"]
    assert "The same chain on real data" in out
