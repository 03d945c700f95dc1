"""``emotune extract-features``: a unified emotion dataset -> Music2Emo features (what train.py reads).

Resumable (``--resume``) and shared among the processes of ``accelerate launch -m modeling
extract-features ...`` (see :func:`dataset_scripts.features.extraction.extract_features`). One run at a time
writes a folder: it holds ``OUTPUT_DIR.lock`` (:mod:`modeling.collection.lock`). Errors that need no model
come first, before torch is imported: a dataset folder that does not exist, an output folder that cannot be
written there, an interrupted extraction without ``--resume`` or ``--overwrite``, another run writing it.
"""

from __future__ import annotations

from pathlib import Path

NAME = "extract-features"
HELP = (
    "Extract Music2Emo features (MERT embeddings per 30 s segment, chords, key) for every recording of a "
    "unified dataset folder built by `emotune build-dataset`."
)


def add_arguments(parser) -> None:
    from ..base.defaults import MERT_MODEL
    from ._chord_options import add_chord_arguments

    parser.add_argument("dataset", metavar="DATASET", help="unified dataset folder (or Hub id)")
    parser.add_argument("--output-dir", type=Path, required=True, help="the features dataset folder to write")
    parser.add_argument("--audio-encoder", default=MERT_MODEL, help=f"MERT Hub id or folder ({MERT_MODEL})")
    parser.add_argument(
        "--layers", type=int, nargs="+", help="encoder layers pooled (default: Music2Emo's, its config's)"
    )
    add_chord_arguments(parser)  # --chord-backend, --chord-model, --chord-qualities, --key-method
    parser.add_argument("--sources", nargs="+", help="only these source configs (default: all)")
    parser.add_argument("--device", help="cpu, cuda (default: cuda when available)")
    parser.add_argument("--dtype", choices=["float32", "bfloat16", "float16"], help="encoder precision")
    parser.add_argument("--batch-size", type=int, help="encoder segments per pass (1 on CPU, 8 on GPU)")
    parser.add_argument("--push-to-hub", metavar="REPO", help="upload the features folder afterwards")
    from dataset_scripts.features.dynamic import add_dynamic_arguments

    add_dynamic_arguments(parser)  # --dynamic, --window-seconds, --hop-seconds, --chords-per-window
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument(
        "--resume", action="store_true", help="continue an interrupted run (its journals in OUTPUT_DIR.parts)"
    )
    parser.add_argument("--overwrite", action="store_true", help="discard an interrupted run's journals")
    parser.add_argument(
        "--no-overlap",
        action="store_true",
        help="run each recording's stages one after another (no background workers)",
    )


def _check_dataset(dataset: str) -> None:
    """Refuse a ``DATASET`` that is a file, or a path that names no folder and cannot be a Hub id either."""
    from ..base.errors import InvalidInputError

    accepted = (
        "Accepted: a unified dataset folder written by emotune build-dataset, or its Hub id (owner/name)"
    )
    path = Path(dataset).expanduser()
    if path.exists():
        if not path.is_dir():
            raise InvalidInputError(f"DATASET {dataset} is a file. {accepted}")
        return
    slashes = dataset.strip("/").count("/")
    local = (
        dataset.startswith(("/", ".", "~"))
        or slashes > 1
        or (slashes == 1 and path.parent.is_dir())  # data/unifed beside a folder data/: a mistyped folder
    )
    if local:
        raise InvalidInputError(f"No dataset folder at {dataset}. {accepted}")


def _check_options(args) -> None:
    """Refuse option values that cannot work, before any model loads."""
    from ..base.errors import InvalidInputError
    from ._chord_options import check_chord_arguments

    check_chord_arguments(args)
    if args.batch_size is not None and args.batch_size < 1:
        raise InvalidInputError(f"--batch-size must be at least 1, got {args.batch_size}")
    if args.layers and min(args.layers) < 0:
        raise InvalidInputError(
            f"--layers {args.layers} holds a negative index. Accepted: indices into hidden_states[1:] (0, 1, ...)"
        )


def run(args) -> int:
    from dataset_scripts.features.output import FeaturesOutput

    from ..collection.processes import launched_processes

    # what needs no model, before torch is imported: the dataset's place, the output folder and its lock
    _check_options(args)
    _check_dataset(args.dataset)
    output = FeaturesOutput(args.output_dir, resume=args.resume, overwrite=args.overwrite)
    if launched_processes() == 1:
        output.lock.acquire()
    try:
        return _run(args, output)
    finally:
        output.lock.release()


def _run(args, output) -> int:
    """The run once the output folder is known to be usable (and locked by this run, when it runs alone)."""
    from dataset_scripts.features.extraction import extract_features
    from dataset_scripts.hub_layout import push_to_hub

    from ..collection import Processes
    from ..music2emo.feature_extraction_music2emo import Music2EmoFeatureExtractor

    processes = Processes()
    device = args.device or (processes.device if processes.count > 1 else None)  # one accelerator a process
    extractor = Music2EmoFeatureExtractor(
        args.audio_encoder,
        **({"layers": tuple(args.layers)} if args.layers else {}),
        chord_backend=args.chord_backend,
        chord_model=args.chord_model,
        chord_qualities=args.chord_qualities,
        key_method=args.key_method,
        device=device,
        dtype=args.dtype,
        batch_size=args.batch_size,
    )
    from dataset_scripts.features.dynamic import dynamic_extraction

    extractor, dynamic = dynamic_extraction(args, extractor)  # --dynamic: windows too; else unchanged, {}
    summary = extract_features(
        args.dataset,
        args.output_dir,
        extractor,
        sources=args.sources,
        description=extractor.describe(),
        progress=not args.no_progress,
        resume=args.resume,
        overwrite=args.overwrite,
        overlap=not args.no_overlap,
        processes=processes,
        lock=output.lock,
        **dynamic,
    )
    if summary is None:  # not the main process, or nothing to resume
        return 0
    print(summary.text)
    if dynamic:  # counts of the rows this process extracted in this run
        print(dynamic["row_columns"].summary())
    if args.push_to_hub:
        print(f"Pushed to {push_to_hub(summary.folder.path, args.push_to_hub)}")
    return 0
