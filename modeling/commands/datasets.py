"""``emotune datasets``: the music emotion datasets of the MER survey, and which emotune builds."""

from __future__ import annotations

NAME = "datasets"
HELP = (
    "List the music emotion datasets of the MER survey (Kang & Herremans 2024) and which emotune can build."
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "--format", choices=("text", "markdown", "csv"), default="text", help="output format (text)"
    )
    parser.add_argument(
        "--buildable", action="store_true", help="only the datasets `emotune build-dataset` builds"
    )


def run(args) -> int:
    from dataset_scripts.catalogue import SURVEY, catalogue, format_catalogue

    entries = [entry for entry in catalogue() if entry.builder or not args.buildable]
    print(format_catalogue(entries, style=args.format))
    if args.format == "text":
        buildable = sum(entry.builder is not None for entry in entries)
        print(
            f"\n{len(entries)} datasets, {buildable} with an emotune builder (`emotune build-dataset SOURCE`)."
        )
        print(f"Source: {SURVEY}.")
    return 0
