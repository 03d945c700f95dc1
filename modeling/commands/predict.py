"""``emotune predict``: mood tags, valence-arousal, key and chords of audio files."""

from __future__ import annotations

from pathlib import Path

NAME = "predict"
HELP = "Recognise the emotion of audio files (mood tags, valence-arousal, quadrant, key, chords)."


def add_arguments(parser) -> None:
    from ..defaults import MUSIC2EMO_MODEL

    parser.add_argument("audio", nargs="+", metavar="AUDIO", help="audio files (anything ffmpeg decodes)")
    parser.add_argument(
        "--model", default=MUSIC2EMO_MODEL, help=f"Music2Emo Hub id or folder ({MUSIC2EMO_MODEL})"
    )
    parser.add_argument("--audio-encoder", help="MERT Hub id or folder (default: the model config's)")
    parser.add_argument(
        "--chord-backend", default="btc", help="chord recogniser: btc (Music2Emo's) or dsp (no weights)"
    )
    parser.add_argument("--chord-model", help="Hub id or folder of the chord backend's weights")
    parser.add_argument("--key-method", default="music21", choices=["music21", "profiles"])
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
        help="a music2emo_dynamic model (folder or Hub id): adds valence-arousal every 0.5 s",
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
        from ..music2emo.dynamic_inference import format_curve

        lines.append(format_curve(result["curve"]))
    return "\n".join(lines)


def run(args) -> int:
    import json

    from tqdm.auto import tqdm
    from transformers import pipeline

    import modeling  # noqa: F401  (registers the task)

    from ..defaults import BTC_CHORD_MODEL
    from ..errors import EmotuneError
    from ..weights import resolve_model

    model = resolve_model(args.model)  # the installed copy, else the Hub; fails fast naming the fix
    options = {"chord_backend": args.chord_backend, "key_method": args.key_method}
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
    mer = pipeline("music-emotion-recognition", model=model, device=args.device, **options)
    results, failures = {}, 0
    for path in tqdm(args.audio, desc="predict", unit="file", disable=len(args.audio) == 1):
        try:
            results[path] = mer(path, threshold=args.threshold)
        except EmotuneError as error:
            failures += 1
            results[path] = {"error": str(error)}
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
        from ..music2emo.plotting import summary_figure

        good = [result for result in results.values() if "error" not in result]
        for number, result in enumerate(good):
            target = (
                Path(args.plot)
                if len(good) == 1
                else Path(args.plot).with_name(f"{Path(args.plot).stem}_{number}.png")
            )
            summary_figure(result, threshold=args.threshold).savefig(target, dpi=90)
            print(f"figure: {target}")
    return 1 if failures else 0
