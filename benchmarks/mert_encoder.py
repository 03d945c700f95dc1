"""The MERT encoder's run options at MERT-v1-95M's size (random weights): all layers, only the layers
Music2Emo pools (the default), and int8 dynamic quantisation on top.

    python benchmarks/mert_encoder.py [--minutes 2] [--size 95m|tiny] [--layers 5 6] [--device cpu]

The encoder is a random-weight MERT-v1 saved in the Hub repo's form (``save_random_mert``; the real
weights cannot be downloaded here, the compute is the same) and loaded as users load it. The audio is
a synthesized chord progression cut into 30 s segments, one segment per forward pass (the CPU default).
The options are timed in interleaved rounds and the best round counts (the development machine is shared).
Prints, per option: encoder seconds per minute of audio and the speed-up over all layers; the seconds the
convolutional front end (which no option changes) takes; whether the
truncated encoder's embeddings equal the full one's bit for bit; for int8: the cosine similarity of its
embeddings to float32's, and the largest change it makes to the 56 tag scores and to valence/arousal of a
random Music2Emo model reading them (per segment and for the clip). With random weights, the int8 drift
says how the arithmetic behaves, not how the real MERT-v1-95M weights (whose value ranges differ) would.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

PROGRESSION = ["C", "G", "A:min", "F", "D:min", "G", "E", "A:min"]


def segments_of(minutes: float, rate: int = 24000) -> list[np.ndarray]:
    from dataset_scripts.synthetic.audio import render_progression

    bar = render_progression(PROGRESSION, 2.0, rate)
    audio = np.tile(bar, int(np.ceil(minutes * 60 * rate / len(bar))))[: int(minutes * 60 * rate)]
    step = 30 * rate
    return [audio[start : start + step].astype(np.float32) for start in range(0, len(audio), step)]


def load_option(folder: Path, args, **options):
    from modeling.music2emo.audio_encoder import MertEncoder

    encoder = MertEncoder(str(folder), tuple(args.layers), device=args.device, **options)
    encoder.embed([np.zeros(5 * 24000, dtype=np.float32)])  # warm-up
    return encoder


def timed_embed(encoder, segments) -> tuple[np.ndarray, float]:
    if encoder.device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    embeddings = encoder.embed(segments)
    if encoder.device.type == "cuda":
        torch.cuda.synchronize()
    return embeddings, time.perf_counter() - start


def head_outputs(model, embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Tag scores ``(rows, 56)`` and VA ``(rows, 2)`` of each segment's embedding and, last, the clip mean."""
    from modeling.vocabularies.chords import encode_chords, normalize_chords, parse_key

    rows = torch.from_numpy(np.concatenate([embeddings, embeddings.mean(axis=0, keepdims=True)]))
    chords = encode_chords(normalize_chords(PROGRESSION, parse_key("C major")), model.config.max_chords)
    batch = len(rows)
    with torch.inference_mode():
        out = model(
            audio_embeddings=rows,
            chord_root_ids=torch.tensor([chords.root_ids] * batch),
            chord_attr_ids=torch.tensor([chords.quality_ids] * batch),
            chord_attention_mask=torch.tensor([chords.attention_mask] * batch),
            mode_ids=torch.zeros(batch, dtype=torch.long),
        )
    return torch.sigmoid(out.mood_logits).numpy(), out.va.numpy()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=1.0, help="audio timed per option and round (1)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved timing rounds, the best counts (3)"
    )
    parser.add_argument("--size", default="95m", choices=["95m", "tiny"])
    parser.add_argument("--layers", type=int, nargs="+", default=[5, 6])
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    from modeling.music2emo import Music2EmoConfig, Music2EmoModel
    from modeling.testing import save_random_mert

    segments = segments_of(args.minutes)
    minutes = sum(len(s) for s in segments) / 24000 / 60
    options = {
        "all layers": {"truncate_layers": False},
        "only the pooled layers (default)": {},
        "pooled layers + dynamic-int8": {"encoder_quantization": "dynamic-int8"},
    }
    if args.device != "cpu":
        del options["pooled layers + dynamic-int8"]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="emotune-mert-bench-") as work:
        folder = save_random_mert(Path(work) / "mert", args.size)
        encoders = {name: load_option(folder, args, **settings) for name, settings in options.items()}
    embeddings, best = {}, dict.fromkeys(options, float("inf"))
    # options interleaved, the best round counts: robust to other work on the machine
    for _ in range(args.rounds):
        for name, encoder in encoders.items():
            embeddings[name], seconds = timed_embed(encoder, segments)
            best[name] = min(best[name], seconds)
    full, cut = embeddings["all layers"], embeddings["only the pooled layers (default)"]
    int8 = embeddings.get("pooled layers + dynamic-int8")

    threads = f"{torch.get_num_threads()} threads" if args.device == "cpu" else args.device
    print(f"MERT-v1 {args.size} (random weights), layers {args.layers}, {args.device} ({threads}), "
          f"{minutes:g} min of audio in {len(segments)} segments of 30 s, batch 1, best of {args.rounds} "
          f"interleaved rounds (load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after)")  # fmt: skip
    print(f"{'option':<34} {'layers run':>10} {'s / audio min':>14} {'speed-up':>9}")
    for name, encoder in encoders.items():
        seconds = best[name]
        print(
            f"{name:<34} {encoder.layers_run:>10} {seconds / minutes:>14.2f} {best['all layers'] / seconds:>8.2f}x"
        )
    front_end = encoders["only the pooled layers (default)"].model.feature_extractor
    with torch.inference_mode():
        start = time.perf_counter()
        for segment in segments:
            front_end(torch.from_numpy(segment)[None].to(args.device))
        front_s = time.perf_counter() - start
    print(
        f"of which the convolutional front end (float32 in every option): {front_s / minutes:.2f} s / audio min"
    )
    print(f"truncated embeddings equal the full model's bit for bit: {np.array_equal(full, cut)}")
    if int8 is None:
        print("dynamic-int8 runs on the CPU only: not measured on", args.device)
        return
    cosine = (int8 * cut).sum(1) / np.linalg.norm(int8, axis=1) / np.linalg.norm(cut, axis=1)
    print(f"int8 embedding cosine similarity to float32: min {cosine.min():.5f}, mean {cosine.mean():.5f}")
    torch.manual_seed(0)
    head = Music2EmoModel(Music2EmoConfig(audio_embedding_dim=cut.shape[1])).eval()
    (tags, va), (tags8, va8) = head_outputs(head, cut), head_outputs(head, int8)
    print("a random Music2Emo model on top, largest change made by int8 (per segment / clip):")
    print(f"  tag score (0-1)   {np.abs(tags8 - tags)[:-1].max():.4f} / {np.abs(tags8 - tags)[-1].max():.4f}")
    for index, name in enumerate(("valence", "arousal")):
        change = np.abs(va8[:, index] - va[:, index])
        print(f"  {name} (1-9)     {change[:-1].max():.4f} / {change[-1]:.4f}")


if __name__ == "__main__":
    main()
