"""Time Music2Emo training with the paper's sizes: the student (1536-value MERT embeddings, hidden 512)
distilled from four teachers, one batch of 8 from each of the four datasets per step.

    python benchmarks/music2emo_training.py [--rows 96] [--epochs 2] [--no-teachers]

The features are random (from the tests' factory): this measures speed, not learning. Prints
seconds per epoch, training steps and samples per second, and the checkpoint's size; the figures
depend on the machine (report it with them).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout, for the tests' factory

from modeling.music2emo import Music2EmoConfig, Music2EmoModel
from modeling.training.engine import load_recipe
from modeling.training.recipes.music2emo.training import train_student
from tests.music2emo.features_dataset import write_features_dataset

SOURCES = ("mtg-jamendo", "deam", "pmemo", "emomusic")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=96, help="training rows of the largest dataset (96)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument(
        "--no-teachers", action="store_true", help="plain multitask training, no distillation"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        features = write_features_dataset(
            root / "features", sizes={"train": args.rows, "validation": 16, "test": 16}, dim=1536
        )
        overrides = [f"data.path={features}", f"training.max_epochs={args.epochs}", "training.progress=false"]
        if args.no_teachers:
            overrides.append("distillation.teachers={}")
        for source in () if args.no_teachers else SOURCES:
            tasks = ["mood"] if source == "mtg-jamendo" else ["va"]
            Music2EmoModel(Music2EmoConfig(tasks=tasks)).save_pretrained(root / source)
            overrides.append(f"distillation.teachers.{source}={root / source}")
        prepared = time.perf_counter()
        recipe = load_recipe(Path(__file__).parents[1] / "configs" / "music2emo" / "student.yaml", overrides)
        train_student(recipe, root / "run")
        finished = time.perf_counter()
        records = [json.loads(line) for line in (root / "run" / "log.jsonl").read_text().splitlines()]
        epochs = [r for r in records if r["kind"] == "epoch"]
        checkpoint = next((root / "run" / "checkpoints").iterdir())
        size = sum(p.stat().st_size for p in checkpoint.iterdir())
    steps = epochs[-1]["global_step"] // len(epochs)
    samples = sum(max(2, args.rows - 4 * i) for i in range(len(SOURCES)))
    seconds = [r["seconds"] for r in epochs]
    print(f"student, paper sizes, {'no distillation' if args.no_teachers else '4 teachers (kl)'}")
    print(f"training rows per epoch: {samples} in {steps} steps (batch 8 per dataset)")
    print(f"features + teachers:     {prepared - started:6.2f} s")
    print(f"epoch (train + validate + checkpoint), best of {len(seconds)}: {min(seconds):6.2f} s")
    print(f"  -> {steps / min(seconds):.2f} steps/s, {samples / min(seconds):.0f} samples/s")
    print(f"checkpoint size:         {size / 2**20:6.1f} MiB")
    print(f"whole run incl. test evaluation of 3 best models: {finished - prepared:6.2f} s")


if __name__ == "__main__":
    main()
