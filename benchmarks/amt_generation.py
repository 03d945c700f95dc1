"""Time AMT chord generation: incremental decoding (encoder once, cached keys/values, the relative
term for the new step only) against full recomputation at every step (the original's way), with the
same random weights at the published size (6+6 layers, d_model 512).

    python benchmarks/amt_generation.py [--lengths 60 150 300] [--device cuda] [--dtype bfloat16]
        [--batch-sizes 8] [--threads N]

Prints, per length, the seconds of each way, their ratio and whether greedy outputs are identical;
with ``--batch-sizes``, the throughput of cached sampling in videos per second (300 chords each).
The videos are padded to 300 s as the model was trained (``video_padding="zeros"``), so the
recomputation runs the encoder over 300 s at every step, as the original does. ``--threads`` sets
torch's intra-op threads: recomputation is bound by arithmetic and gains from a second core, a cached
step by reading the weights (~63 MB per chord) and does not, so the ratio depends on it.
"""

from __future__ import annotations

import argparse
import time

import torch

from modeling.base.devices import resolve_device_dtype
from modeling.video2music.configuration_amt import AMTConfig
from modeling.video2music.modeling_amt import AMTModel


def timed(model: AMTModel, *args, **kwargs) -> tuple[float, torch.Tensor]:
    """Seconds taken by ``model.generate(*args, **kwargs)`` and its output."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start = time.perf_counter()
    result = model.generate(*args, **kwargs)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lengths", type=int, nargs="+", default=[60, 150, 300])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default=None, choices=["float32", "bfloat16", "float16"])
    parser.add_argument("--batch-sizes", type=int, nargs="*", default=[8])
    parser.add_argument("--threads", type=int, help="torch intra-op threads (default: torch's)")
    parser.add_argument("--skip-full", action="store_true", help="only time the cached decoding")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device, dtype = resolve_device_dtype(args.device, args.dtype)
    torch.manual_seed(0)
    model = AMTModel(AMTConfig()).to(device=device, dtype=dtype).eval()
    width, longest = model.config.video_feature_dim, model.config.max_sequence_length
    print(f"AMT at the published size on {device} ({dtype}), {torch.get_num_threads()} CPU threads")
    print(f"{'chords':>6}  {'cached s':>9}  {'full s':>9}  {'ratio':>6}  identical")
    for length in args.lengths:
        features = torch.rand(1, length, width, device=device)
        modes, primer = torch.tensor([0], device=device), torch.tensor([[1]], device=device)
        model.generate(features[:, :8], modes, primer, do_sample=False)  # warm-up
        cached_s, cached = timed(model, features, modes, primer, do_sample=False)
        if args.skip_full:
            print(f"{length:>6}  {cached_s:>9.2f}")
            continue
        full_s, full = timed(model, features, modes, primer, do_sample=False, use_cache=False)
        print(
            f"{length:>6}  {cached_s:>9.2f}  {full_s:>9.2f}  {full_s / cached_s:>6.1f}  {torch.equal(cached, full)}"
        )
    for batch in args.batch_sizes:
        features = torch.rand(batch, longest, width, device=device)
        modes, primer = (
            torch.zeros(batch, dtype=torch.long, device=device),
            torch.ones(batch, 1, dtype=torch.long, device=device),
        )
        model.generate(features[:, :8], modes, primer, seed=0)
        seconds, _ = timed(model, features, modes, primer, seed=0)
        print(
            f"batch {batch:>3}: {seconds:.2f} s for {batch} videos of {longest} s -> {batch / seconds:.2f} videos/s"
        )


if __name__ == "__main__":
    main()
