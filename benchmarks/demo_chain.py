"""What the `emotune demo` chain learns, against trivial baselines.

    python benchmarks/demo_chain.py [--n 100] [--seconds 4] [--seed 1] [--work-dir DIR]

Runs ``emotune demo`` (synthetic corpus -> unified datasets -> features with the tiny random MERT
stand-in and the dsp chords -> four teachers -> KD student -> evaluation -> predict on two held-out
clips) and prints, from the student's evaluation on the test splits:

* per VA dataset, R² of valence and of arousal (0 is the score of predicting the mean);
* MTG-Jamendo's PR-AUC next to the prevalence of its tags (the PR-AUC of a constant score);
* the valence and arousal ``emotune predict`` gives the held-out clips (one major, fast and loud;
  one minor, slow and soft), and whether they come out in that order.

About 5-10 minutes on a 2-core CPU at the defaults (the demo's own run, seed 1 as the README's
figures). The test suite runs the same chain on 10 pieces of 2 s to check its steps
(tests/commands/test_demo.py); the figures come from here.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

VA_SOURCES = ("deam", "pmemo", "emomusic")


def ratings(stdout: str) -> dict[str, tuple[float, float]]:
    """Valence and arousal of each clip ``emotune predict`` rated, from the demo's output."""
    rated = {}
    for block in re.split(r"^== ", stdout, flags=re.M)[1:]:
        name = re.match(r"\S*/([\w-]+)\.wav", block)
        scores = re.search(r"valence ([\d.]+)\s+arousal ([\d.]+)", block)
        if name and scores:
            rated[name.group(1)] = (float(scores.group(1)), float(scores.group(2)))
    return rated


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100, help="synthetic pieces per dataset (100)")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each piece (4 s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work-dir", type=Path, help="keep the demo's outputs here (a temporary folder)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temporary:
        work = args.work_dir or Path(temporary) / "demo"
        command = [sys.executable, "-m", "modeling", "demo", "--work-dir", str(work), "--n", str(args.n),
                   "--seconds", str(args.seconds), "--seed", str(args.seed)]  # fmt: skip
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"emotune demo failed (exit status {done.returncode}):\n{done.stderr[-3000:]}")
        results = json.loads((work / "student" / "evaluation.json").read_text())["results"]
        from datasets import load_dataset

        moods = np.array(load_dataset(str(work / "features"), "mtg-jamendo", split="test")["moods"])

    print(f"emotune demo --n {args.n} --seconds {args.seconds:g} --seed {args.seed}: {seconds:.0f} s")
    print(f"{'test split':<18}{'R² valence':>12}{'R² arousal':>12}{'n':>5}")
    for source in VA_SOURCES:
        scores = results[f"{source}/test"]
        print(
            f"{source:<18}{scores['r2_valence']:>12.3f}{scores['r2_arousal']:>12.3f}{scores['num_samples']:>5}"
        )
    arousal = np.mean([results[f"{source}/test"]["r2_arousal"] for source in VA_SOURCES])
    print(f"{'mean arousal R²':<18}{'':>12}{arousal:>12.3f}   (0: predicting the mean)")
    prevalence = moods[:, moods.sum(axis=0) > 0].mean(axis=0).mean()
    print(
        f"mtg-jamendo/test PR-AUC {results['mtg-jamendo/test']['pr_auc']:.3f} (tag prevalence {prevalence:.3f})"
    )
    rated = ratings(done.stdout)
    for name, (valence, arousal) in rated.items():
        print(f"held-out {name:<13} valence {valence:.2f}  arousal {arousal:.2f}")
    if {"bright-major", "slow-minor"} <= set(rated):
        bright, slow = rated["bright-major"], rated["slow-minor"]
        print(f"bright-major above slow-minor: valence {bright[0] > slow[0]}, arousal {bright[1] > slow[1]}")


if __name__ == "__main__":
    main()
