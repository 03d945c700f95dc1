"""The GPU figures the README lacks, on one GPU in under 8 minutes; ``benchmarks/gpu.sh`` runs it.

    bash benchmarks/gpu.sh              # on the GPU machine (H100/H200)
    bash benchmarks/gpu.sh --dry-run    # tiny models on the CPU: checks this script here, ~1 minute

Every model has the published architecture with random weights, made here from the repo
(:mod:`modeling.testing`, the configurations' defaults): nothing is downloaded. Prints:

1. **MER encoder**: MERT-v1-95M (``save_random_mert(..., "95m")``, the layers Music2Emo pools) on 30 s
   segments, at batch 8, 16 and 32, in float32 and bfloat16: audio-hours per hour (its processor's
   normalisation and the copies to and from the GPU included; decoding, chords and key are CPU work and
   are not), and peak GPU memory;
2. **CLIP for Video2Music**: ViT-L/14@336 (``save_random_clip(..., "vit-l-14-336")``, loaded by
   :class:`~modeling.video2music.clip_encoder.ClipFrameEncoder`) on preprocessed frames at batch 16 and 64,
   float32 and bfloat16: frames per second (= video-hours per hour at Video2Music's one frame per second),
   peak GPU memory; and the CPU side: the processor's resizing and cropping of 1280x720 frames per second;
3. **AMT generation**: ``AMTConfig()`` (6+6 layers, d_model 512), cached sampling of 300 chords (a 300 s
   video, as the pipeline samples) at batch 1 and 8, float32 and bfloat16: seconds, videos per second, chords
   per second, peak GPU memory.

Each figure is the best of ``--repeats`` timed passes after a warm-up. A section that fails prints its error
and the others still run; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import traceback
from functools import partial
from pathlib import Path

import numpy as np
import torch

SEGMENT_SECONDS = 30.0
DTYPES = ("float32", "bfloat16")
_highest = [0]  # the highest peak of any figure, in bytes


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def reset_peak(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def peak_mb(device: torch.device) -> str:
    """The peak GPU memory allocated since :func:`reset_peak`, in MB (``n/a`` on the CPU)."""
    if device.type != "cuda":
        return "   n/a"
    peak = torch.cuda.max_memory_allocated(device)
    _highest[0] = max(_highest[0], peak)
    return f"{peak / 2**20:>6.0f}"


def best_of(repeats: int, run, device: torch.device) -> float:
    """The fewest seconds ``run()`` took in ``repeats`` passes (the GPU synchronised around each)."""
    best = float("inf")
    for _ in range(repeats):
        synchronize(device)
        start = time.perf_counter()
        run()
        synchronize(device)
        best = min(best, time.perf_counter() - start)
    return best


def mer_section(args, work: Path, device: torch.device) -> None:
    from modeling.music2emo.audio_encoder import MertEncoder
    from modeling.testing import save_random_mert

    folder = save_random_mert(work / "mert", args.mert_size)
    rng = np.random.default_rng(0)
    samples = int(SEGMENT_SECONDS * 24000)
    pool = [rng.normal(0, 0.1, samples).astype(np.float32) for _ in range(min(32, args.segments))]
    segments = [pool[i % len(pool)] for i in range(args.segments)]
    print(
        f"\n1. MER encoder: MERT-v1 {args.mert_size} (random weights), {args.segments} segments of 30 s per pass"
    )
    print(f"{'dtype':<10}{'batch':>6}{'audio-h/h':>11}{'s/pass':>8}{'peak MB':>9}{'layers run':>11}")
    for dtype in DTYPES:
        encoder = MertEncoder(str(folder), device=device, dtype=dtype, batch_size=max(args.mer_batches))
        for batch in args.mer_batches:
            encoder.batch_size = batch
            encoder.embed(segments[:batch])  # warm-up (kernels, allocator) at this batch
            reset_peak(device)
            seconds = best_of(args.repeats, partial(encoder.embed, segments), device)
            rate = len(segments) * SEGMENT_SECONDS / seconds  # audio seconds per second = hours per hour
            print(
                f"{dtype:<10}{batch:>6}{rate:>11,.0f}{seconds:>8.2f}{peak_mb(device):>9}{encoder.layers_run:>11}"
            )
        del encoder
        reset_peak(device)


def _clip_encoder(folder: Path, device, dtype):
    from modeling.video2music.clip_encoder import ClipFrameEncoder

    return ClipFrameEncoder(str(folder), device=device, dtype=dtype)


def _encode_passes(encoder, pixels: torch.Tensor, passes: int) -> None:
    for _ in range(passes):
        encoder.encode(pixels)


def clip_section(args, work: Path, device: torch.device) -> None:
    from modeling.testing import CLIP_SIZES, save_random_clip

    folder = save_random_clip(work / "clip", args.clip_size)
    side = CLIP_SIZES[args.clip_size]["image_size"]
    print(f"\n2. CLIP {args.clip_size} (random weights) for Video2Music: preprocessed {side}x{side} frames")
    print(f"{'dtype':<10}{'batch':>6}{'frames/s':>10}{'s/pass':>8}{'peak MB':>9}")
    for dtype in DTYPES:
        encoder = _clip_encoder(folder, device, dtype)
        for batch in args.clip_batches:
            pixels = torch.rand(batch, 3, side, side)
            passes = max(1, args.clip_frames // batch)
            encoder.encode(pixels)  # warm-up
            reset_peak(device)
            seconds = best_of(args.repeats, partial(_encode_passes, encoder, pixels, passes), device)
            print(
                f"{dtype:<10}{batch:>6}{passes * batch / seconds:>10,.0f}{seconds:>8.2f}{peak_mb(device):>9}"
            )
        del encoder
        reset_peak(device)
    encoder = _clip_encoder(folder, "cpu", "float32")
    frames = [np.random.default_rng(i).integers(0, 256, (720, 1280, 3), dtype=np.uint8) for i in range(16)]
    seconds = best_of(args.repeats, lambda: encoder.preprocess(frames), torch.device("cpu"))
    print(f"CPU side: the processor resizes and crops {len(frames) / seconds:,.0f} frames/s of 1280x720 "
          f"({os.cpu_count()} CPUs, torch {torch.get_num_threads()} threads)")  # fmt: skip


def amt_section(args, device: torch.device) -> None:
    from modeling.base.devices import resolve_device_dtype
    from modeling.video2music.configuration_amt import AMTConfig
    from modeling.video2music.modeling_amt import AMTModel

    config = AMTConfig(**args.amt_config)
    seconds_of_video = config.max_sequence_length
    print(f"\n3. AMT generation ({config.encoder_layers}+{config.decoder_layers} layers, d_model {config.d_model}, "
          f"random weights): cached sampling of {seconds_of_video} chords per video")  # fmt: skip
    print(f"{'dtype':<10}{'batch':>6}{'seconds':>9}{'videos/s':>10}{'chords/s':>10}{'peak MB':>9}")
    for dtype in DTYPES:
        _, torch_dtype = resolve_device_dtype(device, dtype)
        torch.manual_seed(0)
        model = AMTModel(config).to(device=device, dtype=torch_dtype).eval()
        for batch in args.amt_batches:
            features = torch.rand(batch, seconds_of_video, config.video_feature_dim, device=device)
            modes = torch.zeros(batch, dtype=torch.long, device=device)
            primer = torch.ones(batch, 1, dtype=torch.long, device=device)
            model.generate(features[:, :8], modes, primer, seed=0)  # warm-up
            reset_peak(device)
            seconds = best_of(args.repeats, partial(model.generate, features, modes, primer, seed=0), device)
            print(f"{dtype:<10}{batch:>6}{seconds:>9.2f}{batch / seconds:>10.2f}"
                  f"{batch * seconds_of_video / seconds:>10,.0f}{peak_mb(device):>9}")  # fmt: skip
        del model
        reset_peak(device)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dry-run", action="store_true", help="tiny models on the CPU, to check the script")
    parser.add_argument("--repeats", type=int, default=2, help="timed passes per figure, the best counts (2)")
    parser.add_argument("--only", nargs="+", choices=["mer", "clip", "amt"], default=["mer", "clip", "amt"])
    args = parser.parse_args()
    if args.dry_run:
        device = torch.device("cpu")
        args.mert_size, args.clip_size, args.segments, args.clip_frames = "tiny", "tiny", 4, 8
        args.mer_batches, args.clip_batches, args.amt_batches, args.repeats = [2, 4], [4], [1, 2], 1
        args.amt_config = {"d_model": 32, "encoder_layers": 1, "decoder_layers": 1, "encoder_attention_heads": 4,
                           "decoder_attention_heads": 4, "encoder_ffn_dim": 64, "decoder_ffn_dim": 64,
                           "max_sequence_length": 20}  # fmt: skip
    else:
        if not torch.cuda.is_available():
            print(f"gpu.sh needs a CUDA GPU, and torch {torch.__version__} (CUDA build: {torch.version.cuda}) sees "
                  "none. Accepted: a machine with an NVIDIA GPU and a CUDA build of torch, or --dry-run to check "
                  "the script on the CPU", file=sys.stderr)  # fmt: skip
            return 2
        device = torch.device("cuda")
        args.mert_size, args.clip_size, args.segments, args.clip_frames = "95m", "vit-l-14-336", 192, 512
        args.mer_batches, args.clip_batches, args.amt_batches = [8, 16, 32], [16, 64], [1, 8]
        args.amt_config = {}
    import transformers

    name = (
        torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else f"CPU ({platform.processor() or platform.machine()})"
    )
    print(f"{name}; torch {torch.__version__} (CUDA {torch.version.cuda}), transformers {transformers.__version__}, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs{'; DRY RUN: tiny models' if args.dry_run else ''}")  # fmt: skip
    failed, started = [], time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="emotune-gpu-") as scratch:
        sections = {
            "mer": lambda: mer_section(args, Path(scratch), device),
            "clip": lambda: clip_section(args, Path(scratch), device),
            "amt": lambda: amt_section(args, device),
        }
        for name in args.only:
            start = time.perf_counter()
            try:
                sections[name]()
            except Exception:  # report it and go on: the other sections' figures still count
                failed.append(name)
                print(f"\nsection {name} FAILED:\n{traceback.format_exc()}", file=sys.stderr)
            print(f"({name}: {time.perf_counter() - start:.0f} s)")
    if device.type == "cuda":
        print(f"\nhighest peak GPU memory of any figure (allocated): {_highest[0] / 2**20:,.0f} MB")
    print(
        f"total {time.perf_counter() - started:.0f} s"
        + (f"; FAILED sections: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
