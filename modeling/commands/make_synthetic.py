"""``emotune make-synthetic``: a small labelled corpus of generated music in the four raw layouts."""

from __future__ import annotations

from pathlib import Path

NAME = "make-synthetic"
HELP = (
    "Write a synthetic labelled corpus (short generated pieces whose mode, tempo, loudness and register set "
    "their valence-arousal and tags) in the raw layouts of MTG-Jamendo, DEAM, PMEmo and EmoMusic."
)


def add_arguments(parser) -> None:
    from dataset_scripts.synthetic.audio import SAMPLING_RATE

    parser.add_argument(
        "output_dir", metavar="OUT", type=Path, help="the corpus folder (one subfolder per source)"
    )
    parser.add_argument("--n", type=int, default=24, help="pieces per source (24)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
    parser.add_argument("--seconds", type=float, help="length of each piece in seconds (4; 30 with --moving)")
    parser.add_argument(
        "--moving", action="store_true",
        help="pieces whose mode, tempo and loudness change inside, with per-time-step labels that follow "
        "(in each release's dynamic layout: DEAM/EmoMusic from 15 s, PMEmo from 15.5 s)",
    )  # fmt: skip
    parser.add_argument(
        "--sampling-rate", type=int, default=SAMPLING_RATE, help=f"audio sampling rate ({SAMPLING_RATE})"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args) -> int:
    from dataset_scripts.synthetic.corpus import make_synthetic

    pieces = make_synthetic(
        args.output_dir,
        n=args.n,
        seed=args.seed,
        seconds=args.seconds,
        sampling_rate=args.sampling_rate,
        progress=not args.no_progress,
        moving=args.moving,
    )
    total = sum(len(p) for p in pieces.values())
    print(f"Wrote {total} synthetic pieces ({args.n} per source: {', '.join(pieces)}) to {args.output_dir}")
    print(f"Next: emotune build-dataset all --raw-dir {args.output_dir} --output-dir DATASET_DIR")
    return 0
