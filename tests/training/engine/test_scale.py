"""The same command on several processes (gloo on CPU) and in bf16 mixed precision.

accelerate 1.15's ``accelerate launch --cpu --num_processes 2`` starts ONE process
(huggingface/accelerate#2741); two CPU processes on gloo come from ``--multi_gpu --num_processes 2``
with ``ACCELERATE_USE_CPU=1``, and the test checks that two processes took part.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from modeling.music2emo import Music2EmoModel
from modeling.training.recipes.music2emo.evaluation import evaluate_models
from tests.conftest import REPO_ROOT, free_port
from tests.music2emo.training_fixtures import CONFIGS, TINY, TRAINING_ENV


def _launch(
    *launch_args: str, recipe: str, overrides: list[str], env: dict | None = None, timeout: int = 300
) -> subprocess.CompletedProcess:
    command = [
        sys.executable, "-m", "accelerate.commands.launch", "--num_machines", "1", "--dynamo_backend", "no",
        "--main_process_port", str(free_port()), *launch_args,
        str(REPO_ROOT / "train.py"), recipe, "--config", str(CONFIGS / f"smoke-{recipe}.yaml"), *TINY, *overrides,
    ]  # fmt: skip
    return subprocess.run(
        command, capture_output=True, text=True, env={**TRAINING_ENV, **(env or {})}, timeout=timeout
    )


@pytest.mark.slow
def test_two_processes_count_every_test_sample_exactly_once(features, teachers, tmp_path):
    # Evaluation batches of 3 over 8 test rows: the second process gets a padded batch that repeats
    # rows 0-2; gather_for_metrics must drop them.
    done = _launch(
        "--multi_gpu", "--num_processes", "2", "--mixed_precision", "no", recipe="student",
        env={"ACCELERATE_USE_CPU": "1"},
        overrides=[f"data.path={features}", "training.max_epochs=2", "data.eval_batch_size=3",
                   *(f"distillation.teachers.{s}={p}" for s, p in teachers.items()), f"--output-dir={tmp_path}"],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    assert "training on 2 process(es), device cpu" in done.stdout
    epochs = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    # 24 MTG-Jamendo rows in batches of 8: 3 combined batches, shared out as 2 steps per process.
    assert [(r["num_processes"], r["global_step"]) for r in epochs] == [(2, 2), (2, 4)]
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    for name in ("best", "best-mood", "best-va"):
        for source in ("mtg-jamendo", "deam", "pmemo", "emomusic"):
            assert metrics[name][f"{source}/test"]["num_samples"] == 8
    assert metrics["best"]["mtg-jamendo/test"]["num_tagged_samples"] == 8
    assert metrics["best"]["deam/test"]["num_va_samples"] == 8

    # The same model evaluated by one process gives the same figures.
    from accelerate import Accelerator

    model = Music2EmoModel.from_pretrained(tmp_path / "best").eval()
    single = evaluate_models(
        {"mood": model, "va": model}, str(features), ["mtg-jamendo", "deam", "pmemo", "emomusic"], "test",
        Accelerator(cpu=True), batch_size=64,
    )  # fmt: skip
    for split, values in single.items():
        for name, value in values.items():
            got = metrics["best"][split][name]
            assert got == (pytest.approx(value, rel=1e-5, abs=1e-6) if isinstance(value, float) else value), (
                split,
                name,
            )


@pytest.mark.slow
def test_bf16_mixed_precision_runs_on_cpu(features, tmp_path):
    done = _launch(
        "--num_processes", "1", "--cpu", "--mixed_precision", "bf16", recipe="teacher",
        overrides=[f"data.path={features}", "data.sources=[mtg-jamendo]", "training.max_epochs=1",
                   f"--output-dir={tmp_path}"],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads((tmp_path / "metrics.json").read_text())["best"]["mtg-jamendo/test"]
    assert result["num_samples"] == 8 and np.isfinite(result["pr_auc"])
