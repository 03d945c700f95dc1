"""Time AMT chord generation at the published size (6+6 layers, d_model 512, random weights).

    python benchmarks/amt_generation.py [--lengths 60 150 300] [--batch-sizes 1 2 8] [--rounds 1]
        [--device cuda] [--dtype bfloat16] [--threads N] [--skip-full] [--no-busy] [--quick]

Prints two tables:

1. **Cached against full recomputation** (greedy, batch 1, torch's own thread count): incremental decoding
   (the encoder once per window, cached keys/values, the relative term for the new step only) against the
   whole model recomputed at every step (the original's way), their ratio and whether the chords are
   identical. The videos are padded to 300 s as the model was trained (``video_padding="zeros"``), so the
   recomputation runs the encoder over 300 s at every step, as the original does.
2. **Threads** (cached greedy generation): each ``--lengths`` at batch 1 and the longest at each
   ``--batch-sizes``, with torch's default intra-op threads (the behaviour before the thread policy) and with
   the policy's count (:func:`modeling.base.devices.thread_budget`: one thread at batch 2 or less on a CPU,
   torch's count otherwise), first on the machine as it is, then beside a **busy neighbour** (a process
   spinning on the last CPU, started and stopped by this script: ``benchmarks/busy_neighbour.py``); the
   policy's speed-up in each, whether the chords are identical, and the videos per second of the policy.

A cached step reads every weight (~63 MB per chord) for one multiply-add per weight and video: bound by
memory, not arithmetic, so a second thread adds little, and beside a busy process each of its many small
operations waits for the thread that lost its core. ``--threads N`` sets torch's count as a user would: the
policy then keeps out and both columns are the same. ``--quick`` (under a minute on 2 cores): 30 chords,
batch 1 and 2, no recomputation. Take figures on an otherwise idle machine (``uptime`` load below 0.5).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from busy_neighbour import busy_neighbour

from modeling.base.devices import resolve_device_dtype, stage_threads, thread_budget, user_thread_choice
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


def inputs(model: AMTModel, batch: int, length: int, device) -> tuple[torch.Tensor, ...]:
    """Random per-second features of ``batch`` videos of ``length`` s, major mode, primed with one chord."""
    generator = torch.Generator().manual_seed(length * 100 + batch)
    features = torch.rand(batch, length, model.config.video_feature_dim, generator=generator).to(device)
    modes = torch.zeros(batch, dtype=torch.long, device=device)
    return features, modes, torch.ones(batch, 1, dtype=torch.long, device=device)


def generation(model: AMTModel, case: tuple[int, int], device, policy: bool) -> tuple[float, torch.Tensor]:
    """Cached greedy generation of ``case`` (length, batch): with torch's default count, or the policy's."""
    length, batch = case
    features, modes, primer = inputs(model, batch, length, device)
    with stage_threads("cached-generation", device=device, batch_size=batch) if policy else nullcontext():
        model.generate(features[:, :8], modes, primer, do_sample=False)  # warm-up at this count
        return timed(model, features, modes, primer, do_sample=False)


def thread_columns(model, cases, device, rounds: int) -> dict:
    """Best seconds of each case with the default count and the policy's (alternating, ``rounds`` rounds),
    and whether their chords are identical."""
    best, same = {}, {}
    for _ in range(rounds):
        for case in cases:
            outputs = {}
            for policy in (False, True):
                seconds, outputs[policy] = generation(model, case, device, policy)
                best[case, policy] = min(best.get((case, policy), float("inf")), seconds)
            same[case] = same.get(case, True) and torch.equal(outputs[False], outputs[True])
    return {"best": best, "same": same}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lengths", type=int, nargs="+", default=[60, 150, 300])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default=None, choices=["float32", "bfloat16", "float16"])
    parser.add_argument("--batch-sizes", type=int, nargs="*", default=[1, 2, 8])
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds, the best counts (1)")
    parser.add_argument("--threads", type=int, help="set torch's intra-op threads, as a user would")
    parser.add_argument("--skip-full", action="store_true", help="leave out table 1")
    parser.add_argument("--no-busy", action="store_true", help="leave out the busy-neighbour columns")
    parser.add_argument("--quick", action="store_true", help="30 chords, batch 1 and 2, no table 1")
    args = parser.parse_args()
    if args.quick:
        args.lengths, args.batch_sizes, args.skip_full, args.rounds = [30], [1, 2], True, 1
    if args.threads:
        torch.set_num_threads(args.threads)
    device, dtype = resolve_device_dtype(args.device, args.dtype)
    torch.manual_seed(0)
    model = AMTModel(AMTConfig()).to(device=device, dtype=dtype).eval()
    choice = user_thread_choice()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"AMT at the published size on {device} ({dtype}), torch's default {torch.get_num_threads()} CPU "
          f"threads, {os.cpu_count()} CPUs, load average {load:.2f} before; thread policy: "
          f"{'off, ' + choice if choice else 'on'}")  # fmt: skip

    if not args.skip_full:
        print("\n1. Cached against full recomputation (greedy, batch 1, torch's default threads)")
        print(f"{'chords':>6}  {'cached s':>9}  {'full s':>9}  {'ratio':>6}  identical")
        for length in args.lengths:
            features, modes, primer = inputs(model, 1, length, device)
            model.generate(features[:, :8], modes, primer, do_sample=False)  # warm-up
            cached_s, cached = timed(model, features, modes, primer, do_sample=False)
            full_s, full = timed(model, features, modes, primer, do_sample=False, use_cache=False)
            print(f"{length:>6}  {cached_s:>9.2f}  {full_s:>9.2f}  {full_s / cached_s:>6.1f}  {torch.equal(cached, full)}")  # fmt: skip

    cases = [(length, 1) for length in args.lengths]
    cases += [
        (max(args.lengths), batch) for batch in args.batch_sizes if (max(args.lengths), batch) not in cases
    ]
    columns = {"idle": thread_columns(model, cases, device, args.rounds)}
    if not args.no_busy:
        with busy_neighbour() as where:
            columns["busy"] = thread_columns(model, cases, device, args.rounds)
    print(f"\n2. Threads: cached greedy generation, seconds (best of {args.rounds}); default = torch's "
          f"{torch.get_num_threads()} threads, policy = thread_budget('cached-generation')"
          + ("" if args.no_busy else f"; busy = beside {where}"))  # fmt: skip
    header = f"{'chords':>6}{'batch':>6}{'threads':>9}"
    for name in columns:
        header += f"  {name + ' default':>13}{name + ' policy':>13}{'speed-up':>9}"
    print(header + f"  {'identical':>9}  videos/s (idle, policy)")
    for case in cases:
        length, batch = case
        budget = (
            thread_budget("cached-generation", device=device, batch_size=batch) or torch.get_num_threads()
        )
        row = f"{length:>6}{batch:>6}{f'{torch.get_num_threads()}->{budget}':>9}"
        for column in columns.values():
            old, new = column["best"][case, False], column["best"][case, True]
            row += f"  {old:>13.2f}{new:>13.2f}{old / new:>8.2f}x"
        same = all(column["same"][case] for column in columns.values())
        print(row + f"  {same!s:>9}  {batch / columns['idle']['best'][case, True]:.2f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "")


if __name__ == "__main__":
    main()
