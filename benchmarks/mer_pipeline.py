"""Time the music-emotion-recognition pipeline per stage on long audio, and its peak memory.

    python benchmarks/mer_pipeline.py [--minutes 1 5 20] [--encoder-size 95m|tiny] [--device cuda]
        [--dtype bfloat16] [--batch-size N] [--chord-backend dsp|btc] [--key-method music21|profiles]
        [--audio FILE]

The audio encoder has MERT-v1-95M's architecture with random weights (``save_random_mert``; the real
weights cannot be downloaded here, the compute is the same), loaded with ``from_pretrained``; with
``--chord-backend btc`` so is a BTC model of the published large-vocabulary size. The
audio is a synthesized chord progression (or ``--audio``, repeated to the length) written as FLAC.
Each length runs in a fresh process, so its peak RSS is its own. Prints, per length: seconds of work
per minute of audio for each stage (decode, encoder, chords, key, head), the whole pipeline's
real-time factor (audio seconds per wall second), and peak RSS; with ``--device cuda``, the encoder's
throughput in audio-hours per hour.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = ("decode", "encoder", "chords", "key", "head")


def make_audio(path: Path, minutes: float, source: str | None) -> Path:
    import numpy as np

    from modeling.synth import render_progression, write_audio

    if source:
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", "-1", "-i", source, "-t",
                        str(minutes * 60), "-ac", "2", str(path)], check=True)  # fmt: skip
        return path
    bar = render_progression(["C", "G", "A:min", "F", "D:min", "G", "E", "A:min"], 2.0, 22050)
    repeats = int(np.ceil(minutes * 60 / (len(bar) / 22050)))
    write_audio(path, np.tile(bar, repeats)[: int(minutes * 60 * 22050)], 22050)
    return path


def run_one(args) -> dict:
    """One length, in this process: the pipeline's stage timings and the peak RSS."""
    import torch
    from transformers import pipeline

    import modeling  # noqa: F401
    from modeling.music2emo import Music2EmoConfig, Music2EmoModel

    folder = Path(args.work)
    model_dir = folder / "music2emo"
    if not model_dir.exists():
        torch.manual_seed(0)
        dim = 1536 if args.encoder_size == "95m" else 64
        Music2EmoModel(
            Music2EmoConfig(audio_embedding_dim=dim, audio_encoder=str(folder / "mert"))
        ).save_pretrained(model_dir)
    chords = {"chord_backend": args.chord_backend}
    if args.chord_backend == "btc":
        chords["chord_model"] = str(folder / "btc")
    mer = pipeline("music-emotion-recognition", model=str(model_dir), device=args.device, encoder_dtype=args.dtype,
                   batch_size=args.batch_size, key_method=args.key_method, **chords)  # fmt: skip
    audio = folder / f"audio-{args.one:g}min.flac"
    start = time.perf_counter()
    inputs = mer.preprocess(str(audio))
    features = inputs["features"]
    middle = time.perf_counter()
    mer.postprocess(mer.forward(inputs))
    head = time.perf_counter() - middle
    total = time.perf_counter() - start
    timings = {**features.timings, "head": head}
    return {"minutes": args.one, "total": total, "timings": timings, "duration": features.duration,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 5, 20])
    parser.add_argument("--encoder-size", default="95m", choices=["95m", "tiny"])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default=None, choices=["float32", "bfloat16", "float16"])
    parser.add_argument("--batch-size", type=int, help="encoder segments per pass (1 on CPU, 8 on GPU)")
    parser.add_argument("--key-method", default="music21", choices=["music21", "profiles"])
    parser.add_argument("--chord-backend", default="btc", choices=["btc", "dsp"])
    parser.add_argument("--audio", help="a recording to loop to each length (default: synthesized)")
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--one", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args)))
        return

    from modeling.stand_ins import save_random_mert

    with tempfile.TemporaryDirectory(prefix="emotune-mer-bench-") as work:
        save_random_mert(Path(work) / "mert", args.encoder_size)
        if args.chord_backend == "btc":
            from modeling.stand_ins import save_random_btc

            save_random_btc(Path(work) / "btc", "large")
        rows = []
        for minutes in args.minutes:
            make_audio(Path(work) / f"audio-{minutes:g}min.flac", minutes, args.audio)
            command = [sys.executable, __file__, "--work", work, "--one", str(minutes), "--encoder-size",
                       args.encoder_size, "--device", args.device, *(["--batch-size", str(args.batch_size)] if args.batch_size else []),
                       "--key-method", args.key_method, "--chord-backend", args.chord_backend, *(["--dtype", args.dtype] if args.dtype else [])]  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                sys.exit(f"the {minutes:g}-minute run failed:\n{done.stderr[-3000:]}")
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(
        f"MER pipeline, encoder {args.encoder_size} ({args.device}, {args.dtype or 'float32'}), "
        f"chords {args.chord_backend}, key {args.key_method}"
    )
    print("seconds of work per minute of audio:")
    print(
        f"{'audio':>7}  "
        + "  ".join(f"{s:>8}" for s in STAGES)
        + f"  {'total':>8}  {'x realtime':>10}  {'peak RSS':>9}"
    )
    for row in rows:
        per_minute = {s: row["timings"].get(s, 0.0) / row["minutes"] for s in STAGES}
        speed = row["duration"] / row["total"]
        print(f"{row['minutes']:>5g} m  " + "  ".join(f"{per_minute[s]:>8.2f}" for s in STAGES)
              + f"  {row['total'] / row['minutes']:>8.2f}  {speed:>10.2f}  {row['peak_rss_mb']:>7.0f} MB")  # fmt: skip
    if len(rows) > 1:
        print(
            f"peak RSS {rows[-1]['minutes']:g} min / {rows[0]['minutes']:g} min: {rows[-1]['peak_rss_mb'] / rows[0]['peak_rss_mb']:.2f}"
        )
    encoder_hours = (
        sum(r["duration"] for r in rows) / 3600 / (sum(r["timings"]["encoder"] for r in rows) / 3600)
    )
    print(f"encoder throughput: {encoder_hours:.1f} audio-hours per hour")


if __name__ == "__main__":
    main()
