"""The learning check of the time-resolved model: does the chain learn what moves within a song?

    python benchmarks/dynamic_learning.py [--n 40] [--seconds 30] [--seed 0] [--epochs 40] [--work-dir DIR]

Runs the whole chain without real audio: ``emotune make-synthetic --moving`` (pieces whose mode, tempo and
loudness change every 4-8 s; labels in each release's dynamic layout, from 15 s) -> ``emotune build-dataset``
-> ``emotune extract-features --dynamic`` with the tiny random MERT stand-in
(``modeling.testing.save_random_mert(folder, "tiny")``) and the ``dsp`` chord backend -> ``train.py
dynamic`` with the smoke recipe -> evaluation on the held-out test pieces. It prints, per source, the mean
per-song CCC (and r, RMSE) of valence and arousal, next to two constant baselines: each song's own mean
label as its prediction (what a perfect *static* model gives: CCC 0) and the training mean.

About 10 minutes on a 2-core CPU at the defaults. The tests check the recipe learns on a small written
features dataset (tests/music2emo/test_dynamic_training.py); the figure the README and model card quote
comes from here.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SOURCES = ("deam", "pmemo", "emomusic")
REPO = Path(__file__).resolve().parents[1]


def _run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
    if done.returncode != 0:
        sys.exit(
            f"{' '.join(command[:4])} ... failed (exit status {done.returncode}):\n{done.stderr[-3000:]}"
        )
    return done.stdout


def _baselines(features: Path) -> dict[str, dict[str, float]]:
    """Per source: mean per-song CCC of valence and arousal of each song's own mean label (a perfect static
    prediction) and of the training mean."""
    from modeling.metrics.dynamic_mer import dynamic_mer_metrics
    from modeling.training.recipes.music2emo_dynamic.data import load_window_rows

    out = {}
    for source in SOURCES:
        train, test = (load_window_rows(str(features), source, split) for split in ("train", "test"))
        mean = np.nanmean(np.concatenate(train.labels), axis=0)
        labels = [test.labels[row] for row in range(len(test))]
        own = [np.broadcast_to(np.nanmean(label, axis=0), label.shape) for label in labels]
        overall = [np.broadcast_to(mean, label.shape) for label in labels]
        out[source] = {
            name: dynamic_mer_metrics(va_predictions=predictions, va_labels=labels)["all"]
            for name, predictions in (("song mean", own), ("training mean", overall))
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=40, help="moving pieces per source (40)")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each piece (30 s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--epochs", type=int, default=40, help="at most this many epochs (40, the smoke recipe's)"
    )
    parser.add_argument("--work-dir", type=Path, help="keep the outputs here (a temporary folder)")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    emotune = [sys.executable, "-m", "modeling"]

    with tempfile.TemporaryDirectory() as temporary:
        work = args.work_dir or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        from modeling.testing import save_random_mert

        timings = {}
        start = time.perf_counter()
        mert = save_random_mert(work / "mert", "tiny", seed=args.seed)
        _run(*emotune, "make-synthetic", str(work / "raw"), "--n", str(args.n), "--seconds", str(args.seconds),
             "--seed", str(args.seed), "--moving", "--no-progress")  # fmt: skip
        _run(*emotune, "build-dataset", "all", "--raw-dir", str(work / "raw"), "--output-dir",
             str(work / "unified"), "--no-progress")  # fmt: skip
        timings["corpus"] = time.perf_counter() - start
        start = time.perf_counter()
        _run(*emotune, "extract-features", str(work / "unified"), "--output-dir", str(work / "features"),
             "--audio-encoder", str(mert), "--chord-backend", "dsp", "--sources", *SOURCES, "--dynamic",
             "--no-progress")  # fmt: skip
        timings["features"] = time.perf_counter() - start
        start = time.perf_counter()
        _run(sys.executable, "train.py", "dynamic", "--config", "configs/music2emo/smoke-dynamic.yaml",
             f"data.path={work / 'features'}", f"training.max_epochs={args.epochs}", f"training.seed={args.seed}",
             "training.progress=false", "--output-dir", str(work / "run"))  # fmt: skip
        timings["training"] = time.perf_counter() - start
        results = json.loads((work / "run" / "metrics.json").read_text())["best"]
        epochs = sum(1 for line in (work / "run" / "log.jsonl").read_text().splitlines() if '"epoch"' in line)
        baselines = _baselines(work / "features")

    print(
        f"moving synthetic corpus: --n {args.n} --seconds {args.seconds:g} --seed {args.seed}; tiny random MERT, "
        f"dsp chords; smoke-dynamic, {epochs} epoch records; "
        + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items())
    )
    header = f"{'test split':<16}{'songs':>6}{'CCC V':>8}{'CCC A':>8}{'r V':>8}{'r A':>8}{'RMSE V':>8}{'RMSE A':>8}"
    print(header)
    for source in SOURCES:
        scores = results[f"{source}/test"]
        cells = [scores.get(name) for name in ("ccc_valence", "ccc_arousal", "r_valence", "r_arousal",
                                                "rmse_valence", "rmse_arousal")]  # fmt: skip
        print(
            f"{source:<16}{scores['num_songs']:>6}"
            + "".join("       –" if v is None else f"{v:>8.3f}" for v in cells)
        )
    mean = {
        name: np.mean([results[f"{s}/test"][name] for s in SOURCES])
        for name in ("ccc_valence", "ccc_arousal")
    }
    print(f"{'mean':<16}{'':>6}{mean['ccc_valence']:>8.3f}{mean['ccc_arousal']:>8.3f}")
    for name in ("song mean", "training mean"):
        values = [baselines[s][name][k] or 0.0 for s in SOURCES for k in ("ccc_valence",)]
        arousal = [baselines[s][name]["ccc_arousal"] or 0.0 for s in SOURCES]
        print(f"baseline: {name:<14} mean CCC valence {np.mean(values):.3f}, arousal {np.mean(arousal):.3f}")


if __name__ == "__main__":
    main()
