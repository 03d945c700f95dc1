"""``emotune predict``: mood tags, valence-arousal, key and chords of audio files, folders and whole
collections.

A handful of files: the results are printed (or ``--json``, ``--plot``). A collection: ``--output
results.jsonl`` (or ``.csv``, ``.parquet``) gets one record per file as it is done (with ``--embeddings``
each file's clip embedding, with ``--dynamic-model`` its 0.5 s curve), ``--resume`` continues an
interrupted run, and ``accelerate launch -m modeling predict ...`` shares the files among the processes of
the launch (see :mod:`modeling.collection`). One run at a time writes an output: it holds the output's lock
(:mod:`modeling.collection.lock`) from the start to the merge.

Errors that need no model come first and fast, before torch is imported: a bad option, an input that does
not exist, an output that cannot be written there, exists (without ``--resume`` or ``--overwrite``) or is
being written by another run.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

NAME = "predict"
HELP = "Recognise the emotion of audio files (mood tags, valence-arousal, quadrant, key, chords)."


def add_arguments(parser) -> None:
    from ..base.defaults import MUSIC2EMO_MODEL
    from ._chord_options import add_chord_arguments

    parser.add_argument(
        "audio", nargs="*", metavar="AUDIO", help="audio files (anything ffmpeg decodes) or folders of them"
    )
    parser.add_argument(
        "--glob", help="in folders, the files matching this pattern (default: audio extensions)"
    )
    parser.add_argument("--files-from", metavar="LIST", help="a text file of paths, one a line ('-': stdin)")
    parser.add_argument(
        "--output",
        metavar="OUT",
        help="write a record per file as it is done: OUT.jsonl, OUT.csv or OUT.parquet",
    )
    parser.add_argument("--resume", action="store_true", help="skip the files OUT already holds")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    parser.add_argument(
        "--no-overlap",
        action="store_true",
        help="run each file's stages one after another (no background workers)",
    )
    parser.add_argument(
        "--model", default=MUSIC2EMO_MODEL, help=f"Music2Emo Hub id or folder ({MUSIC2EMO_MODEL})"
    )
    parser.add_argument("--audio-encoder", help="MERT Hub id or folder (default: the model config's)")
    add_chord_arguments(parser)  # --chord-backend, --chord-model, --chord-qualities, --key-method
    parser.add_argument(
        "--threshold", type=float, default=0.5, help="score above which a tag is predicted (0.5)"
    )
    parser.add_argument("--top-k", type=int, default=10, help="tags shown per file (10)")
    parser.add_argument("--device", help="cpu, cuda, cuda:1 (default: cuda when available)")
    parser.add_argument("--dtype", choices=["float32", "bfloat16", "float16"], help="encoder precision")
    parser.add_argument(
        "--encoder-quantization", choices=["dynamic-int8"], help="int8 encoder on a CPU: faster, not exact"
    )
    parser.add_argument(
        "--dynamic-model",
        help="a music2emo_dynamic model (folder or Hub id): adds valence-arousal every 0.5 s (printed, and the "
        "records' curve column with --output)",
    )
    parser.add_argument(
        "--embeddings",
        action="store_true",
        help="with --output: store each file's clip embedding (the pooled MERT values the model reads) and its "
        "encoder, for emotune search --like",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--plot", metavar="PNG", help="save a figure per file (PNG, or PNG_<n>.png for several)"
    )


def _bar(score: float, width: int = 30) -> str:
    filled = int(round(score * width))
    return "█" * filled + "·" * (width - filled)


def format_result(name: str, result: dict, top_k: int = 10) -> str:
    """The readable summary ``emotune predict`` prints for one file."""
    lines = [f"== {name} ({result['duration']:.1f} s)"]
    for mood in result["moods"][:top_k]:
        lines.append(f"  {mood['label']:<14} {_bar(mood['score'])} {mood['score']:.2f}")
    lines.append(f"  predicted: {', '.join(result['predicted_moods']) or '(none above the threshold)'}")
    lines.append(
        f"  valence {result['valence']:.2f}  arousal {result['arousal']:.2f}  (1-9)  quadrant {result['quadrant']}"
    )
    lines.append(f"  key: {result['key']}")
    chords = [c["label"] for c in result["chords"]]
    shown = " ".join(chords[:24]) + (f" ... ({len(chords)} chords)" if len(chords) > 24 else "")
    lines.append(f"  chords: {shown}")
    if len(result["segments"]) > 1:
        curve = ", ".join(
            f"{s['start']:.0f}s V{s['valence']:.1f}/A{s['arousal']:.1f}" for s in result["segments"]
        )
        lines.append(f"  segments: {curve}")
    if result.get("curve"):  # --dynamic-model
        from ..pipelines.curves import format_curve

        lines.append(format_curve(result["curve"]))
    return "\n".join(lines)


def _check_options(args) -> tuple[str, ...]:
    """Refuse option combinations that cannot work (no model needed); the optional record columns
    ``--output`` gets."""
    from ..base.errors import InvalidInputError
    from ._chord_options import check_chord_arguments

    if args.output and (args.json or args.plot):
        raise InvalidInputError(
            "--json and --plot show the results of a handful of files; --output writes the records of a "
            "collection to a file. Accepted: one or the other"
        )
    if args.embeddings and not args.output:
        raise InvalidInputError(
            "--embeddings stores each file's clip embedding in the records of --output. Accepted: --embeddings "
            "with --output LIBRARY.parquet (.jsonl, .csv)"
        )
    if (args.resume or args.overwrite) and not args.output:
        raise InvalidInputError(
            "--resume and --overwrite are about the file of --output. Accepted: with --output"
        )
    if args.resume and args.overwrite:
        raise InvalidInputError(
            "--resume keeps what OUT holds, --overwrite deletes it. Accepted: one of them"
        )
    check_chord_arguments(args)
    if not 0.0 <= args.threshold <= 1.0:
        raise InvalidInputError(f"--threshold must be between 0 and 1, got {args.threshold!r}")
    if args.top_k < 1:
        raise InvalidInputError(f"--top-k must be 1 or more, got {args.top_k!r}")
    return (("curve",) if args.dynamic_model else ()) + (
        ("embedding", "embedding_encoder") if args.embeddings else ()
    )


def run(args) -> int:
    from ..base.errors import InvalidInputError
    from ..collection.files import collect_audio_files
    from ..collection.processes import launched_processes

    # what needs no model, before torch is imported: options, inputs, the output and its lock
    extras = _check_options(args)
    files = collect_audio_files(args.audio, glob=args.glob, files_from=args.files_from)
    output = None
    if args.output:
        from ..collection.output import RecordOutput

        output = RecordOutput(args.output, resume=args.resume, overwrite=args.overwrite, extras=extras)
        if launched_processes() == 1:
            output.lock.acquire()
    elif launched_processes() > 1:
        raise InvalidInputError(
            f"{launched_processes()} processes share the files only with --output. Accepted: --output OUT.jsonl "
            "(.csv, .parquet)"
        )
    try:
        return _run(args, files, output)
    finally:
        if output is not None:
            output.lock.release()


def _run(args, files: list[str], output) -> int:
    """The run once its inputs and output are known to be usable (and the output locked by this run)."""
    from ..base.errors import InvalidInputError
    from ..collection import CollectionProgress, FeatureRunner, Processes
    from ..collection.embeddings import encoder_identity

    processes = Processes()
    if output is not None:
        processes.main_decides(lambda: output.lock.acquire(processes.count))  # a launch is one run
        if processes.is_main:
            output.clear()
        processes.wait_for_everyone()
        done = output.done()
        if args.embeddings and output.encoders:  # every process refuses another encoder, with work or not
            from ..collection.embeddings import model_encoder

            output.check_encoder(model_encoder(args.model, args.audio_encoder))
        processes.wait_for_everyone()  # every process has read what is done before any writes
        todo = [path for path in files if path not in done]
    elif processes.count > 1:
        raise InvalidInputError(
            f"{processes.count} processes share the files only with --output. Accepted: --output OUT.jsonl "
            "(.csv, .parquet)"
        )
    else:
        todo = files
    mine = processes.share(todo)
    mer = _pipeline(args, processes) if mine else None
    encoder = encoder_identity(mer.feature_extractor) if mine and args.embeddings else None
    if encoder is not None:
        output.check_encoder(encoder)  # what the pipeline loaded (the check above read the model's config)
    postprocess = mer._sanitize_parameters(threshold=args.threshold)[2] if mine else {}
    outcomes = []
    if mine:  # the dynamic curve's extractor observes the encoder's frames of one file at a time
        extractor = mer.dynamic.extractor if mer.dynamic else mer.feature_extractor
        outcomes = FeatureRunner(extractor, overlap=not args.no_overlap and not mer.dynamic).run(mine)
    writer = output.writer(processes.index, processes.count) if output and mine else None
    description = " ".join(["predict", processes.label()]).strip()
    progress = CollectionProgress(len(mine), description, enabled=len(mine) > 1 and processes.is_main)
    results = {}
    try:
        for outcome in outcomes:
            record, result = _record(mer, outcome, postprocess, encoder)
            if writer is not None:
                start = time.perf_counter()
                writer.write(record)
                outcome.timings["write"] = time.perf_counter() - start
            else:
                results[outcome.item] = result
            progress.update(outcome.error is None, outcome.duration, outcome.timings)
    except KeyboardInterrupt:
        if writer is not None:
            done_now = progress.succeeded + progress.failed
            print(f"interrupted after {done_now} files: their records are in {writer.path}; the same command with "
                  "--resume does the rest", file=sys.stderr)  # fmt: skip
        raise
    finally:
        if outcomes and hasattr(outcomes, "close"):
            outcomes.close()  # stops the background workers
        if writer is not None:
            writer.close()
        progress.close()
    if output is None:
        return _print_results(args, results)
    processes.wait_for_everyone()
    totals = output.finish(files) if processes.is_main else None
    processes.wait_for_everyone()
    label = f"{processes.label()}: " if processes.count > 1 else ""
    if args.resume and len(files) > len(todo):
        label += f"{len(files) - len(todo)} files already done; "
    print(f"{label}{progress.summary()}", flush=True)
    if totals is not None:
        print(f"{output.path}: {totals['records']} records, {totals['failed']} of them errors", flush=True)
    return 0


def _pipeline(args, processes):
    from transformers import pipeline

    from ..base.defaults import BTC_CHORD_MODEL
    from ..hub import resolve_model

    model = resolve_model(args.model)  # the installed copy, else the Hub; fails fast naming the fix
    options = {"chord_backend": args.chord_backend, "key_method": args.key_method}
    if args.chord_qualities:
        options["chord_qualities"] = args.chord_qualities
    if args.audio_encoder:
        options["audio_encoder"] = args.audio_encoder
    if args.chord_model or args.chord_backend == "btc":
        options["chord_model"] = resolve_model(args.chord_model or BTC_CHORD_MODEL)
    if args.dtype:
        options["encoder_dtype"] = args.dtype
    if args.encoder_quantization:
        options["encoder_quantization"] = args.encoder_quantization
    if args.dynamic_model:
        options["dynamic_model"] = resolve_model(args.dynamic_model)
    device = args.device or (processes.device if processes.count > 1 else None)  # one accelerator a process
    return pipeline("music-emotion-recognition", model=model, device=device, **options)


def _record(mer, outcome, postprocess: dict, encoder: dict | None = None) -> tuple[dict, dict]:
    """The output record and the printed result of one outcome; with ``encoder`` (``--embeddings``) the
    record has the clip embedding the model read."""
    from ..collection.embeddings import clip_embedding
    from ..collection.records import error_record, result_record

    if outcome.error is not None:
        return error_record(outcome.item, str(outcome.error), outcome.duration), {"error": str(outcome.error)}
    start = time.perf_counter()
    result = mer.postprocess(mer.forward({"features": outcome.features}), **postprocess)
    outcome.timings["head"] = time.perf_counter() - start
    embedding = clip_embedding(outcome.features) if encoder is not None else None
    return result_record(outcome.item, result, embedding=embedding, encoder=encoder), result


def _print_results(args, results: dict) -> int:
    import json

    if args.json:
        print(json.dumps(results if len(results) > 1 else next(iter(results.values())), indent=2))
    else:
        for path, result in results.items():
            print(
                f"== {path}: error: {result['error']}"
                if "error" in result
                else format_result(path, result, args.top_k)
            )
    if args.plot:
        from ..pipelines.figures import summary_figure

        good = [result for result in results.values() if "error" not in result]
        for number, result in enumerate(good):
            target = (
                Path(args.plot)
                if len(good) == 1
                else Path(args.plot).with_name(f"{Path(args.plot).stem}_{number}.png")
            )
            summary_figure(result, threshold=args.threshold).savefig(target, dpi=90)
            print(f"figure: {target}")
    return 1 if any("error" in result for result in results.values()) else 0
