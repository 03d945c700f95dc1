"""Video2Music Space: music for a video, with the chord timeline and the affective check.

    python spaces/video2music/app.py [--model DIR_OR_ID] [--regression-model DIR_OR_ID] [--clip-model DIR_OR_ID]
                                     [--emotion-model DIR_OR_ID] [--audio-encoder DIR_OR_ID] [--host] [--port]

Models come from the flags, else the environment (``EMOTUNE_AMT_MODEL``, ``EMOTUNE_REGRESSION_MODEL``,
``EMOTUNE_CLIP_MODEL``, ``EMOTUNE_MODEL``, ``EMOTUNE_AUDIO_ENCODER`` and ``EMOTUNE_CHORD_BACKEND`` for the
affective check,
``EMOTUNE_MAX_VIDEO_SECONDS``), else emotune's published defaults.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from pathlib import Path

from modeling.spaces import MAX_FILE_SIZE, launch_arguments, request_folder, user_errors

MAX_VIDEO_SECONDS = float(os.environ.get("EMOTUNE_MAX_VIDEO_SECONDS", "300"))


def example_video(folder: Path) -> str:
    """A 12-second test video the app makes itself (three test patterns, cuts at 4 s and 8 s)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "test-patterns.mp4"
    if not path.exists():
        inputs = []
        for source in ("testsrc2", "smptebars", "rgbtestsrc"):
            inputs += ["-f", "lavfi", "-i", f"{source}=size=320x240:rate=25:duration=4"]
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", *inputs, "-filter_complex", "concat=n=3:v=1:a=0",
             "-pix_fmt", "yuv420p", str(path)], check=True,
        )  # fmt: skip
    return str(path)


def build_app(
    model: str | None = None,
    regression_model: str | None = None,
    clip_model: str | None = None,
    emotion_model: str | None = None,
    audio_encoder: str | None = None,
    max_seconds: float = MAX_VIDEO_SECONDS,
    chord_backend: str | None = None,
):
    """The Gradio Blocks of the Space, with its pipeline loaded."""
    import gradio as gr
    from transformers import pipeline

    import modeling  # noqa: F401  (registers the pipeline)
    from modeling.base import defaults
    from modeling.base.errors import InvalidVideoError, WeightsDownloadError, WeightsNotFoundError
    from modeling.media.video import probe_video
    from modeling.vocabularies.chords import KEYS
    from modeling.weights import resolve_or_fetch

    audio_encoder = audio_encoder or os.environ.get("EMOTUNE_AUDIO_ENCODER")
    # Default ids that are neither installed nor on the Hub are fetched from their public homes at
    # start-up (`emotune weights fetch`, progress in the logs).
    model = resolve_or_fetch(model or os.environ.get("EMOTUNE_AMT_MODEL", defaults.AMT_MODEL))
    regression_model = resolve_or_fetch(
        regression_model or os.environ.get("EMOTUNE_REGRESSION_MODEL", defaults.AMT_REGRESSION_MODEL)
    )
    emotion_model = emotion_model or os.environ.get("EMOTUNE_MODEL", defaults.MUSIC2EMO_MODEL)
    emotion_options = {
        "chord_backend": chord_backend or os.environ.get("EMOTUNE_CHORD_BACKEND", "btc"),
        **({"audio_encoder": audio_encoder} if audio_encoder else {}),
    }
    try:  # only the optional affective check needs these: the Space starts without them, the check says why
        emotion_model = resolve_or_fetch(emotion_model)
        if emotion_options["chord_backend"] == "btc":
            emotion_options["chord_model"] = resolve_or_fetch(defaults.BTC_CHORD_MODEL)
    except (WeightsNotFoundError, WeightsDownloadError) as error:
        print(f"video2music Space: the affective check will not work: {error}", flush=True)
    v2m = pipeline(
        "video-to-music",
        model=str(model),
        regression_model=str(regression_model),
        clip_model=str(clip_model or os.environ.get("EMOTUNE_CLIP_MODEL", defaults.CLIP_MODEL)),
        emotion_model=str(emotion_model),
        emotion_options=emotion_options,
        progress=False,
    )

    @user_errors
    def score(video, primer, key, seed, temperature, align, keep_audio, check, progress=gr.Progress()):  # noqa: B008
        if not video:
            raise gr.Error("Upload a video first.")
        info = probe_video(video)
        if info.duration > max_seconds:
            raise InvalidVideoError(
                f"The video is {info.duration:.0f} s long; this Space accepts up to {max_seconds:.0f} s. "
                "Accepted: a shorter video (or run emotune score-video locally)"
            )
        progress(0.1, desc="video features, chords, arrangement, rendering")
        result = v2m(
            info, primer=primer, key=key, output=request_folder() / "scored.mp4",
            seed=None if seed in (None, "") else int(seed), temperature=float(temperature), align_to_scenes=align,
            keep_original_audio=keep_audio, check_emotion=check, plot=True,
        )  # fmt: skip
        progress(0.95, desc="done")
        lines = [f"**Key** {result['key']} · **chords per second**: {' '.join(result['chords'])}"]
        if result["scene_cuts"]:
            lines.append(
                f"Scene cuts at {result['scene_cuts']} s; the chord changes on {result['cut_alignment']:.0%} of them."
            )
        if "affective_check" in result:
            check_result = result["affective_check"]
            lines.append(
                f"**Affective check**: agreement {check_result['agreement']:.2f} (1 = the music's valence-arousal "
                f"matches the video's emotion), quadrants agree in {check_result['quadrant_agreement']:.0%} of segments."
            )
        return (
            result["video"], result["midi"], result["audio"], result["plot"], result.get("affective_plot"),
            "\n\n".join(lines),
        )  # fmt: skip

    with gr.Blocks(title="Video2Music · emotune") as demo:
        gr.Markdown(
            "# Video2Music: music for your video\n"
            "Chords from the video's content, scenes, motion and emotion (the Affective Multimodal Transformer, "
            "Kang, Poria & Herremans 2024), arranged and rendered with a General MIDI soundfont. "
            f"Limits: files up to {MAX_FILE_SIZE}, videos up to {max_seconds:.0f} seconds."
        )
        with gr.Row():
            with gr.Column():
                video = gr.Video(label="Video", sources=["upload"])
                primer = gr.Textbox(value="C Am F G", label="Primer chords (in the key below)")
                key = gr.Dropdown([k.name for k in KEYS], value="C major", label="Key")
                with gr.Row():
                    seed = gr.Number(value=0, precision=0, label="Seed")
                    temperature = gr.Slider(0.1, 2.0, value=1.0, step=0.05, label="Temperature")
                align = gr.Checkbox(label="Chord changes on scene cuts")
                keep_audio = gr.Checkbox(label="Keep the original audio (mixed under the music)")
                check = gr.Checkbox(label="Affective check (music emotion vs video emotion)")
                button = gr.Button("Generate music", variant="primary")
                gr.Examples([[example_video(request_folder())]], inputs=video)
            with gr.Column():
                scored = gr.Video(label="Video with music")
                summary = gr.Markdown(elem_id="summary")
                with gr.Row():
                    midi = gr.File(label="MIDI")
                    audio = gr.File(label="Audio")
        timeline = gr.Image(label="Chords per second, note density and loudness", type="filepath")
        affect = gr.Image(label="Affective check over time", type="filepath")
        button.click(
            score, inputs=[video, primer, key, seed, temperature, align, keep_audio, check],
            outputs=[scored, midi, audio, timeline, affect, summary], api_name="score",
        )  # fmt: skip
    demo.queue(default_concurrency_limit=1)
    return demo


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The Video2Music Space")
    parser.add_argument("--model", help="AMT Hub id or folder")
    parser.add_argument("--regression-model", help="bi-GRU Hub id or folder")
    parser.add_argument("--clip-model", help="CLIP Hub id or folder")
    parser.add_argument("--emotion-model", help="Music2Emo Hub id or folder (affective check)")
    parser.add_argument("--audio-encoder", help="MERT Hub id or folder (affective check)")
    parser.add_argument(
        "--chord-backend", help="chord recogniser of the affective check: btc (default) or dsp"
    )
    parser.add_argument("--max-seconds", type=float, default=MAX_VIDEO_SECONDS)
    launch_arguments(parser)
    args = parser.parse_args(argv)
    demo = build_app(
        args.model,
        args.regression_model,
        args.clip_model,
        args.emotion_model,
        args.audio_encoder,
        args.max_seconds,
        args.chord_backend,
    )
    demo.launch(server_name=args.host, server_port=args.port, max_file_size=MAX_FILE_SIZE)


if __name__ == "__main__":
    main()
