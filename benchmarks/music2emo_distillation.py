"""Compare the student's distillation formulations: the paper's KL (default), the sigmoid alternative,
and no distillation, with the smoke recipes on a synthetic features dataset.

    python benchmarks/music2emo_distillation.py [--rows 96] [--seeds 0 1] [--epochs 20] [--noise 3]

The features come from the tests' factory (valence/arousal and tags linear in random-projection
embeddings, plus noise): the comparison shows the formulations run and what they do on a
known signal; it says nothing about real music. Prints test PR-AUC / ROC-AUC (MTG-Jamendo) and
R² V / R² A (mean over the VA datasets) per method, mean and spread over the seeds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout, for the tests' factory

from modeling.training.engine import load_recipe
from modeling.training.recipes.music2emo.training import train_student, train_teacher
from tests.music2emo.features_dataset import write_features_dataset

CONFIGS = Path(__file__).resolve().parents[1] / "configs" / "music2emo"
SOURCES = ("mtg-jamendo", "deam", "pmemo", "emomusic")
VA_SOURCES = SOURCES[1:]


def _figures(metrics: dict) -> dict[str, float]:
    tags = metrics["best-mood"]["mtg-jamendo/test"]
    va = [metrics["best-va"][f"{source}/test"] for source in VA_SOURCES]
    return {
        "PR-AUC": tags["pr_auc"],
        "ROC-AUC": tags["roc_auc"],
        "R² V": float(np.mean([v["r2_valence"] for v in va])),
        "R² A": float(np.mean([v["r2_arousal"] for v in va])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=96, help="training rows of the largest dataset")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--epochs", type=int, default=20, help="student epochs")
    parser.add_argument("--noise", type=float, default=3.0, help="embedding noise (the signal's scale is ~1)")
    args = parser.parse_args()
    quiet = ["training.progress=false"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        features = write_features_dataset(
            root / "features", sizes={"train": args.rows, "validation": 24, "test": 48}, dim=32, seed=1,
            noise=args.noise,
        )  # fmt: skip
        data = [f"data.path={features}"]
        teachers = []
        for source in SOURCES:
            recipe = load_recipe(CONFIGS / "smoke-teacher.yaml", [*data, *quiet, f"data.sources=[{source}]"])
            train_teacher(recipe, root / f"teacher-{source}")
            teachers.append(f"distillation.teachers.{source}={root / f'teacher-{source}' / 'best'}")
        methods = {
            "kl (paper)": [*teachers, "distillation.method=kl"],
            "sigmoid": [*teachers, "distillation.method=sigmoid"],
            "none": ["distillation.teachers={}"],
        }
        results: dict[str, list[dict]] = {name: [] for name in methods}
        for name, overrides in methods.items():
            for seed in args.seeds:
                recipe = load_recipe(
                    CONFIGS / "smoke-student.yaml",
                    [
                        *data,
                        *quiet,
                        *overrides,
                        f"training.seed={seed}",
                        f"training.max_epochs={args.epochs}",
                    ],
                )
                output = root / f"student-{name.split()[0]}-{seed}"
                results[name].append(_figures(train_student(recipe, output)))
    print(
        f"\nstudent test figures, mean ± spread over seeds {args.seeds} "
        f"({args.rows} rows, noise {args.noise:g}, synthetic features)"
    )
    columns = list(next(iter(results.values()))[0])
    print(f"{'distillation':<14}" + "".join(f"{c:>18}" for c in columns))
    for name, runs in results.items():
        cells = [f"{np.mean([r[c] for r in runs]):.3f} ± {np.std([r[c] for r in runs]):.3f}" for c in columns]
        print(f"{name:<14}" + "".join(f"{cell:>18}" for cell in cells))


if __name__ == "__main__":
    main()
