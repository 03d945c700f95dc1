"""Throughput of `emotune predict` on a collection: one process without overlap, one with, two processes.

    python benchmarks/mer_collection.py [--clips 200] [--rss-clips 20] [--seconds 30] [--backends dsp btc]
        [--encoder-size 95m|tiny] [--configs sequential overlap two-processes] [--quick]

The collection is ``--clips`` generated clips of ``--seconds`` (chord progressions in random keys and tempi,
44.1 kHz stereo mp3, as a library holds them). The models have the published sizes with random weights: a
MERT-v1-95M-size encoder (``save_random_mert(..., "95m")``), a Music2Emo model reading its 1536 values and,
for ``btc``, a BTC of the large-vocabulary size (``save_random_btc(..., "large")``); the compute is the real
one. Each configuration runs `emotune predict FOLDER --output results.jsonl` in processes of its own:

* ``sequential``: one process, ``--no-overlap`` (each file's stages one after another, two decodes);
* ``overlap``: one process, the default (decoding, chords and key of the next files beside the encoder);
* ``two-processes``: ``accelerate launch --multi_gpu --num_processes 2`` with ``ACCELERATE_USE_CPU=1``
  (gloo; each process one torch thread, as Accelerate sets it), the default overlap in each.

Prints, per chord backend and configuration: files per hour and audio-hours per hour (the files and audio
done over the seconds between the first process starting its first file and the last one finishing, from
the commands' own summaries, so model loading does not count), the wall time of the whole command, its peak
RSS (the largest process), whether its records equal the sequential run's (two processes run one torch thread
each, and a different thread count rounds float32 differently: their numbers are then compared), and the
overlap's speed-up; then
the peak RSS of the overlapped run over ``--rss-clips`` clips against ``--clips`` clips (memory must not
grow with the size of the collection). Run it on a quiet machine (load average below 1). ``--quick`` checks the
script (about a minute on 2 cores; its figures mean nothing): 2 clips of 5 s, the tiny encoder, dsp chords.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIGS = ("sequential", "overlap", "two-processes")


def make_collection(folder: Path, clips: int, seconds: float) -> Path:
    import numpy as np

    from dataset_scripts.synthetic.audio import render_progression
    from modeling.media.audio import write_audio
    from modeling.vocabularies.chords.vocabulary import PITCH_CLASSES

    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(clips):
        path = folder / f"clip {number:04d}.mp3"
        if path.exists():
            continue
        chord_seconds = float(rng.uniform(0.8, 2.5))
        chords = [
            f"{PITCH_CLASSES[int(rng.integers(12))]}:{rng.choice(['maj', 'min', '7'])}"
            for _ in range(int(np.ceil(seconds / chord_seconds)))
        ]
        wave = render_progression(chords, chord_seconds, 44100)[: int(seconds * 44100)]
        write_audio(path, np.stack([wave, 0.8 * wave], axis=1), 44100)
    return folder


def make_models(work: Path, size: str) -> dict[str, Path]:
    import torch

    from modeling.music2emo import Music2EmoConfig, Music2EmoModel
    from modeling.testing import save_random_btc, save_random_mert

    models = {"mert": work / "mert", "btc": work / "btc", "music2emo": work / "music2emo"}
    if not models["music2emo"].exists():
        save_random_mert(models["mert"], size)
        save_random_btc(models["btc"], "large")
        torch.manual_seed(0)
        dim = 1536 if size == "95m" else 64
        Music2EmoModel(
            Music2EmoConfig(audio_embedding_dim=dim, audio_encoder=str(models["mert"]))
        ).save_pretrained(models["music2emo"])
    return models


def run_config(config: str, folder: Path, output: Path, models: dict, backend: str) -> dict:
    """One configuration in processes of its own: wall seconds, the summaries' figures, peak RSS, records."""
    predict = ["-m", "modeling", "predict", str(folder), "--model", str(models["music2emo"]), "--chord-backend",
               backend, "--output", str(output), *(["--chord-model", str(models["btc"])] if backend == "btc" else [])]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if config == "sequential":
        command = [sys.executable, *predict, "--no-overlap"]
    elif config == "overlap":
        command = [sys.executable, *predict]
    else:
        command = [sys.executable, "-m", "accelerate.commands.launch", "--num_machines", "1", "--dynamo_backend", "no",
                   "--multi_gpu", "--num_processes", "2", "--mixed_precision", "no", *predict]  # fmt: skip
        env["ACCELERATE_USE_CPU"] = "1"
    # a wrapper process of its own, so that RUSAGE_CHILDREN holds this command's processes only
    wrapper = (
        "import json, resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(json.dumps({'returncode': done.returncode, 'stdout': done.stdout, 'stderr': done.stderr[-3000:],\n"
        "    'wall': time.perf_counter() - start,\n"
        "    'peak_rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))\n"
    )
    output.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True, text=True, env=env)
    result = json.loads(done.stdout)
    if result["returncode"] != 0:
        sys.exit(f"{config} failed:\n{result['stderr']}")
    summaries = re.findall(r"(\d+) files? in (?:(\d+)h)?(\d+)m(\d+)s: \d+ succeeded", result["stdout"])
    files = sum(int(count) for count, *_ in summaries)
    seconds = max(int(h or 0) * 3600 + int(m) * 60 + int(s) for _, h, m, s in summaries)
    records = [json.loads(line) for line in output.read_text().splitlines()]
    audio_hours = sum(record["duration"] for record in records if record["error"] is None) / 3600
    return {"files": files, "seconds": seconds, "audio_hours": audio_hours, "wall": result["wall"],
            "peak_rss_mb": result["peak_rss_mb"], "records": records}  # fmt: skip


def _numbers(record: dict) -> list[float]:
    """The numbers of a record, in order: valence, arousal, every tag score, the segments' values."""
    values = [record["valence"], record["arousal"], *(mood["score"] for mood in record["moods"])]
    for segment in record["segments"]:
        values += [segment["valence"], segment["arousal"], *(mood["score"] for mood in segment["moods"])]
    return values


def difference(records: list[dict], reference: list[dict]) -> str:
    """``"same"`` when the records are equal, else the largest difference of their numbers (same labels)."""
    if records == reference:
        return "same"
    same_labels = all(
        (a["path"], a["key"], a["chords"], a["quadrant"]) == (b["path"], b["key"], b["chords"], b["quadrant"])
        for a, b in zip(records, reference, strict=True)
    )
    largest = max(abs(x - y) for a, b in zip(records, reference) for x, y in zip(_numbers(a), _numbers(b)))
    return f"{'labels same, ' if same_labels else 'LABELS DIFFER, '}numbers within {largest:.1e}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clips", type=int, default=200)
    parser.add_argument(
        "--rss-clips", type=int, default=20, help="the smaller collection of the RSS check (20)"
    )
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--backends", nargs="+", default=["dsp", "btc"], choices=["dsp", "btc"])
    parser.add_argument("--encoder-size", default="95m", choices=["95m", "tiny"])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS)
    parser.add_argument("--work", help="a folder kept between runs (default: a temporary one)")
    parser.add_argument("--quick", action="store_true", help="check the script: 2 clips of 5 s, tiny, dsp")
    args = parser.parse_args()
    if args.quick:
        args.clips, args.rss_clips, args.seconds, args.encoder_size, args.backends = (
            2,
            1,
            5.0,
            "tiny",
            ["dsp"],
        )

    with tempfile.TemporaryDirectory(prefix="emotune-collection-bench-") as scratch:
        work = Path(args.work or scratch)
        models = make_models(work / "models", args.encoder_size)
        big = make_collection(work / f"clips-{args.clips}", args.clips, args.seconds)
        small = work / f"clips-{args.rss_clips}"
        if not small.exists():
            small.mkdir(parents=True)
            for path in sorted(big.iterdir())[: args.rss_clips]:
                os.link(path, small / path.name)
        load = os.getloadavg()[0]
        print(f"`emotune predict` on {args.clips} generated clips of {args.seconds:g} s (mp3), MERT-v1 "
              f"{args.encoder_size} and Music2Emo with random weights, {os.cpu_count()} CPUs, load average "
              f"{load:.2f} before")  # fmt: skip
        for backend in args.backends:
            rows = {}
            for config in args.configs:
                rows[config] = run_config(config, big, work / f"{config}-{backend}.jsonl", models, backend)
            print(f"\nchords: {backend}")
            print(f"{'configuration':<16}{'files/hour':>11}{'audio-h/h':>10}{'run s':>8}{'wall s':>8}"
                  f"{'peak RSS':>10}  records against sequential")  # fmt: skip
            for config, row in rows.items():
                same = difference(row["records"], rows.get("sequential", row)["records"])
                print(f"{config:<16}{row['files'] * 3600 / row['seconds']:>11.0f}"
                      f"{row['audio_hours'] * 3600 / row['seconds']:>10.2f}{row['seconds']:>8.0f}{row['wall']:>8.0f}"
                      f"{row['peak_rss_mb']:>7.0f} MB  {same}")  # fmt: skip
            if "sequential" in rows and "overlap" in rows:
                print(
                    f"overlap / sequential: {rows['sequential']['seconds'] / rows['overlap']['seconds']:.2f}x"
                )
            if "overlap" in rows:
                few = run_config("overlap", small, work / f"few-{backend}.jsonl", models, backend)
                print(f"peak RSS, overlap: {args.rss_clips} clips {few['peak_rss_mb']:.0f} MB, {args.clips} clips "
                      f"{rows['overlap']['peak_rss_mb']:.0f} MB: {rows['overlap']['peak_rss_mb'] / few['peak_rss_mb']:.2f}x")  # fmt: skip
        print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
