"""Throughput of the neural stages at their real sizes (random weights) on one device: MERT-v1-95M
embeddings (audio-hours per hour), CLIP ViT-L/14@336 frames (frames and video-hours per hour at one
frame per second), and AMT chord generation (videos of 300 s per second, batched).

    python benchmarks/encoder_throughput.py --device cuda --dtype bfloat16

Inputs are random (decoding and pre-processing are left out: they are CPU work, measured by
``mer_pipeline.py`` and ``video2music_pipeline.py``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def mert_throughput(folder: Path, device, dtype, batch_size: int, segments: int) -> float:
    from modeling.music2emo.audio_encoder import MertEncoder
    from modeling.testing import save_random_mert

    encoder = MertEncoder(
        str(save_random_mert(folder / "mert", "95m")), device=device, dtype=dtype, batch_size=batch_size
    )
    audio = [np.random.default_rng(i).normal(0, 0.1, 24000 * 30).astype(np.float32) for i in range(segments)]
    encoder.embed(audio[:batch_size])  # warm-up
    synchronize(encoder.device)
    start = time.perf_counter()
    encoder.embed(audio)
    synchronize(encoder.device)
    seconds = time.perf_counter() - start
    return segments * 30 / seconds  # audio seconds per second = audio-hours per hour


def clip_throughput(folder: Path, device, dtype, batch_size: int, frames: int) -> float:
    from modeling.testing import save_random_clip
    from modeling.video2music.clip_encoder import ClipFrameEncoder

    encoder = ClipFrameEncoder(
        str(save_random_clip(folder / "clip", "vit-l-14-336")), device=device, dtype=dtype
    )
    pixels = torch.rand(batch_size, 3, 336, 336)
    encoder.encode(pixels)
    synchronize(encoder.device)
    start = time.perf_counter()
    for _ in range(frames // batch_size):
        encoder.encode(pixels)
    synchronize(encoder.device)
    return (frames // batch_size) * batch_size / (time.perf_counter() - start)


def amt_throughput(device, dtype, batch_size: int) -> float:
    from modeling.video2music.configuration_amt import AMTConfig
    from modeling.video2music.modeling_amt import AMTModel

    model = AMTModel(AMTConfig()).to(device=device, dtype=dtype).eval()
    config = model.config
    features = torch.rand(batch_size, config.max_sequence_length, config.video_feature_dim, device=device)
    modes = torch.zeros(batch_size, dtype=torch.long, device=device)
    primer = torch.ones(batch_size, 1, dtype=torch.long, device=device)
    model.generate(features[:, :8], modes, primer, seed=0)
    synchronize(device)
    start = time.perf_counter()
    model.generate(features, modes, primer, seed=0)
    synchronize(device)
    return batch_size / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--dtype", default="bfloat16", choices=["float32", "bfloat16", "float16"])
    parser.add_argument("--mert-batch-sizes", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--clip-batch-sizes", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--amt-batch-sizes", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--segments", type=int, default=64, help="30 s MERT segments timed (64)")
    parser.add_argument("--frames", type=int, default=1024, help="CLIP frames timed (1024)")
    args = parser.parse_args()
    from modeling.base.devices import resolve_device_dtype

    device, dtype = resolve_device_dtype(args.device, args.dtype)
    name = (
        torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else f"CPU ({torch.get_num_threads()} threads)"
    )
    print(f"{name}, {dtype}")
    with tempfile.TemporaryDirectory() as work:
        for batch in args.mert_batch_sizes:
            rate = mert_throughput(Path(work), device, dtype, batch, args.segments)
            print(f"MERT-v1-95M, batch {batch:>3} x 30 s: {rate:,.0f} audio-hours per hour")
        for batch in args.clip_batch_sizes:
            rate = clip_throughput(Path(work), device, dtype, batch, args.frames)
            print(
                f"CLIP ViT-L/14@336, batch {batch:>3}: {rate:,.0f} frames/s = {rate:,.0f} video-hours per hour at 1 fps"
            )
    for batch in args.amt_batch_sizes:
        rate = amt_throughput(device, dtype, batch)
        print(f"AMT generation, batch {batch:>3} x 300 chords: {rate:.2f} videos/s")


if __name__ == "__main__":
    main()
