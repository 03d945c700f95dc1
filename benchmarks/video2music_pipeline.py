"""Time the Video2Music pipeline per stage on generated videos: decode, CLIP (ViT-L/14@336 size,
random weights), scenes, motion, chord generation (the AMT), curves (the bi-GRU), rendering
(arrangement, FluidSynth and muxing), all through the ``video-to-music`` pipeline.

    python benchmarks/video2music_pipeline.py [--durations 30 120 300] [--size 1280x720] [--fps 30]
        [--clip-model DIR_OR_ID] [--device cuda] [--dtype bfloat16] [--batch-size 16]

Without ``--clip-model`` a random-weight CLIP with the real ViT-L/14@336 architecture is saved to a
temporary folder and loaded with ``from_pretrained`` (as users load the real one); CLIP's cost does
not depend on its weights. The videos are 2D test patterns with a hard cut every 10 s and a sine
audio track, encoded with ffmpeg. The AMT and the bi-GRU are random models of the published sizes
(``AMTConfig()``, ``AMTRegressionConfig()``), saved and loaded through the ``video-to-music``
pipeline; their cost does not depend on their weights. Chords are sampled as the pipeline does
(windows of ``max_sequence_length`` seconds, the cached decoder). Decode, CLIP, scenes and motion
share one pass over the frames and are timed inside it.
Prints seconds per stage, throughput and peak RSS; the figures depend on the machine (report it).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from transformers import pipeline

from modeling.testing import save_random_clip
from modeling.video2music.configuration_amt import AMTConfig
from modeling.video2music.configuration_amt_regression import AMTRegressionConfig
from modeling.video2music.modeling_amt import AMTModel
from modeling.video2music.modeling_amt_regression import AMTRegressionModel

STAGES = ("decode", "clip", "scenes", "motion", "chords", "curves", "rendering")


def make_video(path: Path, seconds: int, size: str, fps: int) -> Path:
    """``seconds`` of alternating test patterns (a hard cut every 10 s) with a 440 Hz audio track."""
    sources = ("testsrc2", "smptehdbars")
    pieces = [min(10, seconds - start) for start in range(0, seconds, 10)]
    inputs = []
    for index, length in enumerate(pieces):
        inputs += ["-f", "lavfi", "-i", f"{sources[index % 2]}=s={size}:r={fps}:d={length}"]
    inputs += ["-f", "lavfi", "-i", f"sine=f=440:d={seconds}"]
    graph = (
        "".join(f"[{i}:v]" for i in range(len(pieces))) + f"concat=n={len(pieces)}:v=1:a=0,format=yuv420p[v]"
    )
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *inputs, "-filter_complex", graph,
         "-map", "[v]", "-map", f"{len(pieces)}:a", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
         "-c:a", "aac", str(path)],
        check=True,
    )  # fmt: skip
    return path


def peak_rss_mib() -> float:
    """Peak resident memory of this process (decord, CLIP, scenes, motion, arrangement), MiB.

    ffmpeg and FluidSynth run as separate programs and are not counted.
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(v2m, video: Path, out_dir: Path) -> dict[str, float]:
    result = v2m(
        str(video), primer="C Am F G", key="C major", seed=0, output=out_dir / f"{video.stem}-music.mp4"
    )
    return {**result["timings"], "seconds": len(result["chords"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--durations", type=int, nargs="+", default=[30, 120, 300], help="video lengths, s")
    parser.add_argument("--size", default="1280x720", help="video size (1280x720)")
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--clip-model", help="CLIP Hub id or folder (default: random ViT-L/14@336 stand-in)")
    parser.add_argument("--clip-size", default="vit-l-14-336", choices=["vit-l-14-336", "tiny"])
    parser.add_argument("--device", default=None)
    parser.add_argument("--dtype", default=None, choices=["float32", "bfloat16", "float16"])
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="emotune-bench-") as tmp:
        root = Path(tmp)
        clip = args.clip_model
        if clip is None:
            start = time.perf_counter()
            clip = save_random_clip(root / "clip", args.clip_size, seed=0)
            print(f"saved a random {args.clip_size} CLIP in {time.perf_counter() - start:.1f} s")
        torch.manual_seed(0)
        AMTModel(AMTConfig()).save_pretrained(root / "amt")
        AMTRegressionModel(AMTRegressionConfig()).save_pretrained(root / "regression")
        start = time.perf_counter()
        v2m = pipeline(
            "video-to-music",
            model=str(root / "amt"),
            regression_model=str(root / "regression"),
            clip_model=str(clip),
            clip_dtype=args.dtype,
            device=args.device,
            progress=False,
        )
        v2m.features.batch_size = args.batch_size
        encoder = v2m.features.encoder
        print(
            f"loaded the pipeline in {time.perf_counter() - start:.1f} s: CLIP {encoder.name} "
            f"({sum(p.numel() for p in encoder.model.parameters()) / 1e6:.0f} M parameters, {encoder.device}, "
            f"{str(encoder.dtype).removeprefix('torch.')}, batch {args.batch_size}), "
            f"AMT {sum(p.numel() for p in v2m.model.parameters()) / 1e6:.1f} M, "
            f"bi-GRU {sum(p.numel() for p in v2m.regression_model.parameters()) / 1e6:.2f} M"
        )
        header = (
            f"{'video':>8} "
            + " ".join(f"{stage:>10}" for stage in STAGES)
            + f" {'total':>8} {'x realtime':>10}"
        )
        print(f"\nseconds per stage ({args.size} at {args.fps} fps, a cut every 10 s)\n{header}")
        for seconds in args.durations:
            video = make_video(root / f"video-{seconds}s.mp4", seconds, args.size, args.fps)
            times = run_one(v2m, video, root)
            total = sum(times[s] for s in STAGES)  # decode, clip, scenes and motion make up `features`
            cells = " ".join(f"{times[s]:>10.2f}" for s in STAGES)
            print(f"{seconds:>7}s {cells} {total:>8.2f} {seconds / total:>10.2f}", flush=True)
        print(
            f"\npeak RSS of the Python process: {peak_rss_mib():.0f} MiB (ffmpeg and FluidSynth not counted)"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
