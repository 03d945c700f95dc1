"""``emotune build-dataset``: an official release -> unified Parquet dataset folder (+ card)."""

from __future__ import annotations

from pathlib import Path

NAME = "build-dataset"
HELP = (
    "Build a Hub-ready dataset folder (Parquet + dataset card + skip report) from a dataset's official "
    "release; `all` builds every unified source from one folder per source."
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "source",
        metavar="SOURCE",
        help="a source of the registry in dataset_scripts/builders.py: mtg-jamendo, deam, pmemo, emomusic, all, "
        "muvi-sync (Video2Music's dataset)",
    )
    parser.add_argument(
        "--raw-dir",
        type=Path,
        required=True,
        help="the unpacked release (for `all`: one subfolder per source)",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        required=True,
        help="the dataset folder to write (replaced if it holds an earlier build)",
    )
    parser.add_argument("--split", type=int, default=0, help="MTG-Jamendo's official split, 0-4 (0)")
    parser.add_argument(
        "--audio-dir", type=Path, help="the audio folder, when it is not inside --raw-dir (one source only)"
    )
    parser.add_argument(
        "--embed-audio",
        action="store_true",
        help="store the audio bytes in the Parquet files instead of paths",
    )
    parser.add_argument(
        "--push-to-hub", metavar="REPO", help="upload the folder to this Hub dataset repo afterwards"
    )
    parser.add_argument("--private", action="store_true", help="with --push-to-hub: create the repo private")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def run(args) -> int:
    from dataset_scripts.build_types import BuildOptions
    from dataset_scripts.builders import BUILDERS
    from dataset_scripts.hub_layout import push_to_hub

    from ..base.errors import InvalidInputError

    if args.source not in BUILDERS:
        raise InvalidInputError(f"Unknown source {args.source!r}. Accepted: {', '.join(BUILDERS)}")
    options = BuildOptions(
        mtg_split=args.split,
        audio_dir=args.audio_dir,
        embed_audio=args.embed_audio,
        progress=not args.no_progress,
    )
    summary = BUILDERS[args.source](args.raw_dir, args.output_dir, options)
    print(summary.text)
    if args.push_to_hub:
        if not args.embed_audio:
            print(
                "note: the audio column holds paths on this machine; people loading the Hub copy get the labels "
                "but cannot decode the audio (rebuild with --embed-audio where the audio's license allows it)"
            )
        url = push_to_hub(summary.output_dir, args.push_to_hub, private=args.private or None)
        print(f"Pushed to {url}")
    return 0
