"""Time the Video2Music pipeline per stage on generated videos: decode, CLIP (ViT-L/14@336 size,
random weights), scenes, motion, generation, rendering (arrangement + FluidSynth), muxing.

    python benchmarks/video2music_pipeline.py [--durations 30 120 300] [--size 1280x720] [--fps 30]
        [--clip-model DIR_OR_ID] [--device cuda] [--dtype bfloat16] [--batch-size 16]

Without ``--clip-model`` a random-weight CLIP with the real ViT-L/14@336 architecture is saved to a
temporary folder and loaded with ``from_pretrained`` (as users load the real one); CLIP's cost does
not depend on its weights. The videos are 2D test patterns with a hard cut every 10 s and a sine
audio track, encoded with ffmpeg. Generation is a stand-in (a fixed progression, constant curves)
until the AMT model is available: replace :func:`generate` with the model call to time it.
Decode, CLIP, scenes and motion share one pass over the frames and are timed inside it.
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

from modeling.video2music.arrangement import arrange
from modeling.video2music.rendering import mux_video, render_midi
from modeling.video2music.stand_in_clip import save_random_clip
from modeling.video2music.video_features import VideoFeatureExtractor, VideoFeatures

STAGES = ("decode", "clip", "scenes", "motion", "generation", "rendering", "muxing")


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


def generate(features: VideoFeatures) -> tuple[list[str], float, float, float | None]:
    """Stand-in for AMT generation + the bi-GRU: ``(chords, note_density, loudness, seconds or None)``.

    Returns None as its time so the table says the stage was not measured.
    """
    progression = ["C", "A:min", "F", "G"]
    chords = [progression[(second // 2) % 4] for second in range(features.num_seconds)]
    return chords, 12.0, 0.3, None


def peak_rss_mib() -> float:
    """Peak resident memory of this process (decord, CLIP, scenes, motion, arrangement), MiB.

    ffmpeg and FluidSynth run as separate programs and are not counted.
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(extractor: VideoFeatureExtractor, video: Path, out_dir: Path) -> dict[str, float | None]:
    features = extractor(video)
    times: dict[str, float | None] = dict(features.timings)
    chords, density, loudness, times["generation"] = generate(features)
    start = time.perf_counter()
    midi = arrange(chords, "C major", note_density=density, loudness=loudness)
    audio = render_midi(midi, out_dir / f"{video.stem}.flac", duration=features.duration)
    times["rendering"] = time.perf_counter() - start
    start = time.perf_counter()
    mux_video(video, audio, out_dir / f"{video.stem}-music.mp4")
    times["muxing"] = time.perf_counter() - start
    times["seconds"] = features.num_seconds
    return times


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
        start = time.perf_counter()
        extractor = VideoFeatureExtractor(
            clip, device=args.device, dtype=args.dtype, batch_size=args.batch_size, progress=False
        )
        encoder = extractor.encoder
        print(
            f"loaded CLIP from {encoder.name} in {time.perf_counter() - start:.1f} s "
            f"({sum(p.numel() for p in encoder.model.parameters()) / 1e6:.0f} M parameters, "
            f"{encoder.device}, {str(encoder.dtype).removeprefix('torch.')}, batch {args.batch_size})"
        )
        header = (
            f"{'video':>8} "
            + " ".join(f"{stage:>10}" for stage in STAGES)
            + f" {'total':>8} {'x realtime':>10}"
        )
        print(f"\nseconds per stage ({args.size} at {args.fps} fps, a cut every 10 s)\n{header}")
        for seconds in args.durations:
            video = make_video(root / f"video-{seconds}s.mp4", seconds, args.size, args.fps)
            times = run_one(extractor, video, root)
            total = sum(value for key, value in times.items() if key in STAGES and value is not None)
            cells = " ".join(f"{'-' if times[s] is None else f'{times[s]:.2f}':>10}" for s in STAGES)
            print(f"{seconds:>7}s {cells} {total:>8.2f} {seconds / total:>10.2f}", flush=True)
        print(
            f"\npeak RSS of the Python process: {peak_rss_mib():.0f} MiB (ffmpeg and FluidSynth not counted)"
        )
        print("generation '-': stand-in progression; the AMT model is not part of this benchmark yet")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
