"""What the time-resolved curve costs on top of the MERT encoder, and the pipeline's peak memory with it.

    python benchmarks/dynamic_mer.py [--minutes 1 20] [--rounds 3] [--device cpu] [--threads N] [--quick]

MERT has MERT-v1-95M's architecture with random weights (``save_random_mert(..., "95m")``: the real weights
cannot be downloaded here, the compute is the same); the dynamic model has the default
``Music2EmoDynamicConfig`` (1536-value windows, width 256, 2 layers, 4 heads, 5 s context), random weights.
The audio is a synthesized chord progression. Each length runs in a fresh process:

* **timing** (seconds of work per minute of audio, best of ``--rounds`` rounds, one for lengths over 5 minutes;
  the 30 s segments are decoded beforehand): the encoder alone (``MertEncoder.embed``, the pooled layers
  only) and the encoder while it hands its frame states to the window pooler (the same pass: the frame copies
  and pooling are the difference), each batch of segments run both ways one after the other so both see the
  same machine; the chords of each window; the dynamic model's forward pass over all windows;
  ``overhead`` = (pooling difference + window chords + head) / encoder;
* **memory**: the whole ``music-emotion-recognition`` pipeline (dsp chords) with and without
  ``dynamic_model``, each in a fresh process, its peak RSS.

About 25 minutes on a 2-core CPU at the defaults; run it on a quiet machine (``uptime`` load below 1).
``--quick`` checks the script (about a minute on 2 cores; its figures mean nothing): 15 s of audio, one round.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mer_pipeline import make_audio


def _models(work: Path, device: str) -> None:
    import torch

    from modeling.music2emo import Music2EmoConfig, Music2EmoModel
    from modeling.music2emo_dynamic import Music2EmoDynamicConfig, Music2EmoDynamicModel
    from modeling.testing import save_random_mert

    save_random_mert(work / "mert", "95m")
    torch.manual_seed(0)
    Music2EmoModel(Music2EmoConfig(audio_encoder=str(work / "mert"))).save_pretrained(work / "music2emo")
    Music2EmoDynamicModel(Music2EmoDynamicConfig(audio_encoder=str(work / "mert"))).save_pretrained(
        work / "dynamic"
    )


def time_one(work: Path, minutes: float, rounds: int, device: str) -> dict:
    """Encoder alone vs encoder + pooling, window chords, head; best of ``rounds`` interleaved rounds."""
    import torch
    from transformers import AutoModel

    import modeling  # noqa: F401
    from modeling.media.audio import AudioInput
    from modeling.music2emo.feature_extraction_music2emo import Music2EmoFeatureExtractor
    from modeling.music2emo_dynamic.feature_extraction_music2emo_dynamic import (
        Music2EmoDynamicFeatureExtractor,
        WindowPooler,
        window_chords,
    )

    extractor = Music2EmoFeatureExtractor(str(work / "mert"), chord_backend="dsp", device=device)
    dynamic = Music2EmoDynamicFeatureExtractor(extractor)
    model = AutoModel.from_pretrained(work / "dynamic").to(device).eval()
    audio = AudioInput(str(work / f"audio-{minutes:g}min.flac"))
    segments = list(audio.blocks(extractor.encoder.sampling_rate, extractor.segment_seconds))
    features = dynamic(str(work / f"audio-{minutes:g}min.flac"))  # chords and key, and a warm-up
    best = {"encoder": float("inf"), "encoder+pooling": float("inf"), "window chords": float("inf"),
            "head": float("inf")}  # fmt: skip

    def encode_both(pooler, pooled_first: bool) -> tuple[float, float]:
        """One pass over the segments, each batch encoded alone and while feeding ``pooler``, one after the
        other (in alternating order), so both see the same machine: (seconds alone, seconds with pooling)."""
        alone = pooled = 0.0
        for k in range(0, len(segments), extractor.encoder.batch_size):
            batch = segments[k : k + extractor.encoder.batch_size]
            for observed in (True, False) if pooled_first == (k % 2 == 0) else (False, True):
                start = time.perf_counter()
                if observed:
                    with extractor.encoder.observing_frames(pooler):
                        extractor.encoder.embed(batch)
                    pooled += time.perf_counter() - start
                else:
                    extractor.encoder.embed(batch)
                    alone += time.perf_counter() - start
        return alone, pooled

    for number in range(rounds):
        pooler = WindowPooler(extractor.encoder.embedding_dim, dynamic.window_seconds, dynamic.hop_seconds,
                              extractor.segment_seconds, dynamic.frame_seconds, dynamic.first_frame_seconds)  # fmt: skip
        alone, elapsed = encode_both(pooler, pooled_first=number % 2 == 0)
        start = time.perf_counter()
        pooler.windows(features.duration)
        best["encoder"] = min(best["encoder"], alone)
        best["encoder+pooling"] = min(best["encoder+pooling"], elapsed + time.perf_counter() - start)
        start = time.perf_counter()
        window_chords(features.chords, features.key, features.window_times, dynamic.window_seconds,
                      dynamic.chords_per_window)  # fmt: skip
        best["window chords"] = min(best["window chords"], time.perf_counter() - start)
        inputs = {name: value.to(device) for name, value in features.window_inputs().items()}
        start = time.perf_counter()
        with torch.inference_mode():
            model(**inputs)
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        best["head"] = min(best["head"], time.perf_counter() - start)
    return {"minutes": minutes, "duration": features.duration, "windows": len(features.window_times), **best}


def memory_one(work: Path, minutes: float, device: str, dynamic: bool) -> dict:
    """The whole pipeline on one file, with or without the dynamic model: wall time and peak RSS."""
    from transformers import pipeline

    import modeling  # noqa: F401

    options = {"dynamic_model": str(work / "dynamic")} if dynamic else {}
    mer = pipeline("music-emotion-recognition", model=str(work / "music2emo"), chord_backend="dsp",
                   device=device, **options)  # fmt: skip
    start = time.perf_counter()
    result = mer(str(work / f"audio-{minutes:g}min.flac"))
    return {"minutes": minutes, "dynamic": dynamic, "seconds": time.perf_counter() - start,
            "points": len(result.get("curve", [])),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}  # fmt: skip


def _child(args, task: str, minutes: float, extra: tuple[str, ...] = ()) -> dict:
    command = [sys.executable, __file__, "--work", args.work, "--task", task, "--one", str(minutes),
               "--device", args.device, "--rounds", str(args.rounds), *extra]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"the {minutes:g}-minute {task} run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 20])
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds per length (the best counts)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, help="torch intra-op threads (default: torch's)")
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--task", choices=["time", "memory", "memory-dynamic"], help=argparse.SUPPRESS)
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="check the script: 15 s of audio, one round")
    args = parser.parse_args()
    if args.quick:
        args.minutes, args.rounds = [0.25], 1
    if args.threads:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
        import torch

        torch.set_num_threads(args.threads)
    if args.task:
        work = Path(args.work)
        if args.task == "time":
            result = time_one(work, args.one, args.rounds if args.one <= 5 else 1, args.device)
        else:
            result = memory_one(work, args.one, args.device, dynamic=args.task == "memory-dynamic")
        print(json.dumps(result))
        return

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="emotune-dynamic-bench-") as work:
        args.work = work
        _models(Path(work), args.device)
        timings, memory = [], []
        for minutes in args.minutes:
            make_audio(Path(work) / f"audio-{minutes:g}min.flac", minutes, None)
            extra = ("--threads", str(args.threads)) if args.threads else ()
            timings.append(_child(args, "time", minutes, extra))
            memory.append(
                (_child(args, "memory", minutes, extra), _child(args, "memory-dynamic", minutes, extra))
            )
    print(
        f"Time-resolved MER on top of MERT-v1-95M (random weights), {args.device}, "
        f"{args.threads or 'default'} threads; load average at the start {load:.2f}"
    )
    print("seconds of work per minute of audio (best of rounds; over 5 minutes: one round):")
    names = ("encoder", "encoder+pooling", "window chords", "head")
    print(f"{'audio':>7}  {'windows':>7}  " + "  ".join(f"{n:>15}" for n in names) + f"  {'overhead':>8}")
    for row in timings:
        extra = row["encoder+pooling"] - row["encoder"] + row["window chords"] + row["head"]
        print(f"{row['minutes']:>5g} m  {row['windows']:>7}  "
              + "  ".join(f"{row[n] / row['minutes']:>15.3f}" for n in names)
              + f"  {extra / row['encoder']:>7.1%}")  # fmt: skip
    print("whole pipeline (dsp chords), one file per fresh process:")
    print(
        f"{'audio':>7}  {'plain s':>8}  {'dynamic s':>9}  {'plain RSS':>10}  {'dynamic RSS':>11}  {'curve points':>12}"
    )
    for plain, dynamic in memory:
        print(f"{plain['minutes']:>5g} m  {plain['seconds']:>8.1f}  {dynamic['seconds']:>9.1f}  "
              f"{plain['peak_rss_mb']:>7.0f} MB  {dynamic['peak_rss_mb']:>8.0f} MB  {dynamic['points']:>12}")  # fmt: skip


if __name__ == "__main__":
    main()
