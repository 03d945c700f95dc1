"""Time the dataset chain the demo runs: make-synthetic -> build-dataset all -> load + decode at 24 kHz.

    python benchmarks/dataset_build.py [--n 40] [--seconds 4] [--embed-audio]

Prints seconds per stage and throughput; the figures depend on the machine (report it with them).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from datasets import Audio, load_dataset

from dataset_scripts.build_types import BuildOptions
from dataset_scripts.builders import BUILDERS
from dataset_scripts.synthetic.corpus import make_synthetic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="pieces per source (40: 160 clips)")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--embed-audio", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        pieces = make_synthetic(root / "raw", n=args.n, seconds=args.seconds, progress=False)
        synthesized = time.perf_counter()
        options = BuildOptions(embed_audio=args.embed_audio, progress=False)
        BUILDERS["all"](root / "raw", root / "out", options)
        built = time.perf_counter()
        dataset = load_dataset(str(root / "out"), "all", cache_dir=str(root / "cache"))
        loaded = time.perf_counter()
        samples = 0
        for split in dataset.values():
            for row in split.cast_column("audio", Audio(sampling_rate=24000)):
                samples += row["audio"].get_all_samples().data.shape[-1]
        decoded = time.perf_counter()
    clips = sum(len(p) for p in pieces.values())
    audio_seconds = samples / 24000
    print(
        f"clips: {clips} x {args.seconds:g} s ({audio_seconds:.0f} s of audio), embed_audio={args.embed_audio}"
    )
    print(
        f"make-synthetic:        {synthesized - start:6.2f} s  ({clips / (synthesized - start):.1f} clips/s)"
    )
    print(
        f"build-dataset all:     {built - synthesized:6.2f} s  ({clips / (built - synthesized):.1f} rows/s)"
    )
    print(f"load_dataset('all'):   {loaded - built:6.2f} s")
    print(
        f"decode at 24 kHz:      {decoded - loaded:6.2f} s  ({audio_seconds / (decoded - loaded):.0f}x real time)"
    )
    print(f"whole chain:           {decoded - start:6.2f} s")


if __name__ == "__main__":
    main()
