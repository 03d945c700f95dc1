"""``emotune score-video``: generate music for a video and write the video with it."""

from __future__ import annotations

NAME = "score-video"
HELP = "Generate music for a video (Video2Music) and write the video with its new soundtrack."


def add_arguments(parser) -> None:
    from ..base.defaults import AMT_MODEL, AMT_REGRESSION_MODEL, CLIP_MODEL, MUSIC2EMO_MODEL

    parser.add_argument("video", metavar="VIDEO", help="the video to score (anything ffmpeg/decord read)")
    parser.add_argument("--primer", default="C", help='the first chords, in --key ("C Am F G"; default "C")')
    parser.add_argument("--key", default="C major", help='the key of the music ("C major", "F# minor", "Am")')
    parser.add_argument(
        "--out", help="the video to write (default VIDEO_music.mp4); MIDI, audio, JSON beside it"
    )
    parser.add_argument("--seed", type=int, help="random seed (reproducible sampling)")
    parser.add_argument("--temperature", type=float, default=1.0, help="sampling temperature (1.0)")
    parser.add_argument("--top-k", type=int, help="sample among the k most likely chords")
    parser.add_argument("--top-p", type=float, help="nucleus sampling threshold")
    parser.add_argument(
        "--keep-original-audio", action="store_true", help="mix the video's own audio under the music"
    )
    parser.add_argument(
        "--original-audio-db", type=float, default=-12.0, help="level of the kept audio (-12 dB)"
    )
    parser.add_argument("--align-to-scenes", action="store_true", help="chord changes fall on scene cuts")
    parser.add_argument(
        "--check-emotion", action="store_true", help="compare the music's emotion with the video's"
    )
    parser.add_argument(
        "--plot", action="store_true", help="also write chord timeline (and affective check) figures"
    )
    parser.add_argument(
        "--tempo", type=float, default=120.0, help="beats per minute of the arrangement (120)"
    )
    parser.add_argument("--instrument", default="0", help="General MIDI program number or name (0, piano)")
    parser.add_argument("--soundfont", help="SoundFont for FluidSynth (default: Debian's FluidR3_GM)")
    parser.add_argument("--model", default=AMT_MODEL, help=f"AMT id or folder ({AMT_MODEL})")
    parser.add_argument("--regression-model", default=AMT_REGRESSION_MODEL, help="bi-GRU id or folder")
    parser.add_argument("--clip-model", default=CLIP_MODEL, help=f"CLIP id or folder ({CLIP_MODEL})")
    parser.add_argument(
        "--emotion-model", default=MUSIC2EMO_MODEL, help="Music2Emo id or folder (--check-emotion)"
    )
    parser.add_argument(
        "--audio-encoder", help="MERT id or folder for --check-emotion (default: the model's)"
    )
    parser.add_argument(
        "--chord-backend", default="btc", help="chord recogniser for --check-emotion: btc or dsp"
    )
    parser.add_argument(
        "--dynamic-model", help="a music2emo_dynamic model: --check-emotion compares second by second"
    )
    parser.add_argument(
        "--from-library", metavar="LIBRARY",
        help="music from your own recordings instead: the song (and start) of this emotion library "
        "(emotune predict --output LIBRARY.parquet|.jsonl) whose emotion follows the video's; needs only CLIP",
    )  # fmt: skip
    parser.add_argument("--device", help="cpu, cuda (default: cuda when available)")
    parser.add_argument("--no-progress", action="store_true")


def run(args) -> int:
    if args.from_library:
        return _score_from_library(args)
    from transformers import pipeline  # the video-to-music task is registered when transformers loads it

    from ..hub import resolve_model

    instrument = int(args.instrument) if args.instrument.isdigit() else args.instrument
    emotion_options = {"chord_backend": args.chord_backend}
    if args.audio_encoder:
        emotion_options["audio_encoder"] = args.audio_encoder
    if args.dynamic_model:
        emotion_options["dynamic_model"] = resolve_model(args.dynamic_model)
    # installed copies of the default ids, else the Hub; each fails fast naming `emotune weights fetch`
    v2m = pipeline(
        "video-to-music", model=resolve_model(args.model), regression_model=resolve_model(args.regression_model),
        clip_model=resolve_model(args.clip_model),
        emotion_model=resolve_model(args.emotion_model) if args.check_emotion else args.emotion_model,
        emotion_options=emotion_options, device=args.device, progress=not args.no_progress,
    )  # fmt: skip
    result = v2m(
        args.video, primer=args.primer, key=args.key, output=args.out, seed=args.seed, temperature=args.temperature,
        top_k=args.top_k, top_p=args.top_p, align_to_scenes=args.align_to_scenes,
        keep_original_audio=args.keep_original_audio, original_audio_db=args.original_audio_db,
        check_emotion=args.check_emotion, plot=args.plot, tempo=args.tempo, instrument=instrument,
        soundfont=args.soundfont,
    )  # fmt: skip
    print(
        f"video: {result['video']}\nmidi:  {result['midi']}\naudio: {result['audio']}\njson:  {result['json']}"
    )
    print(f"key: {result['key']}; chords per second: {' '.join(result['chords'][:32])}"
          + (" ..." if len(result["chords"]) > 32 else ""))  # fmt: skip
    if result["scene_cuts"]:
        share = result["cut_alignment"]
        print(f"scene cuts at {result['scene_cuts']} s; chord changes on {share:.0%} of them")
    if "affective_check" in result:
        from ..pipelines.affective import AffectiveCheck, SegmentCheck

        check = result["affective_check"]
        print(AffectiveCheck([SegmentCheck(**s) for s in check["segments"]], check["agreement"],
                             check["quadrant_agreement"]).table())  # fmt: skip
    return 0


def _score_from_library(args) -> int:
    """``--from-library``: CLIP reads the video's emotion, the library's best song is cut and muxed."""
    from ..hub import resolve_model
    from ..media.video import probe_video
    from ..pipelines.library_soundtrack import match_library, open_library, write_library_soundtrack
    from ..video2music.feature_extraction_video2music import VideoFeatureExtractor

    library = open_library(args.from_library)  # a bad library fails before any model loads
    info = probe_video(args.video)
    features = VideoFeatureExtractor(
        resolve_model(args.clip_model), device=args.device, progress=not args.no_progress
    )(info)
    matches = match_library(features, library)
    output = args.out or str(info.path.with_name(f"{info.path.stem}_music.mp4"))
    result = write_library_soundtrack(
        features, library, matches, output, keep_original_audio=args.keep_original_audio,
        original_audio_db=args.original_audio_db, plot=args.plot,
    )  # fmt: skip
    print(f"video: {result['video']}\naudio: {result['audio']}\njson:  {result['json']}")
    print(f"{'rank':<5} {'score':>7} {'start':>6}  song")
    for match in matches:
        print(f"{match['rank']:<5} {match['score']:>7.3f} {match['offset']:>5d}s  {match['path']}")
    return 0
