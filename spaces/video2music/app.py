"""Video2Music Space: music for a video, with the chord timeline and the affective check.

    python spaces/video2music/app.py [--model DIR_OR_ID] [--regression-model DIR_OR_ID] [--clip-model DIR_OR_ID]
                                     [--emotion-model DIR_OR_ID] [--audio-encoder DIR_OR_ID] [--host] [--port]

Models come from the flags, else the environment (``EMOTUNE_AMT_MODEL``, ``EMOTUNE_REGRESSION_MODEL``,
``EMOTUNE_CLIP_MODEL``, ``EMOTUNE_MODEL``, ``EMOTUNE_AUDIO_ENCODER`` and ``EMOTUNE_CHORD_BACKEND`` for the
affective check,
``EMOTUNE_MAX_VIDEO_SECONDS``), else emotune's published defaults. With ``--library LIBRARY``
(``EMOTUNE_LIBRARY``: an emotion library written by ``emotune predict --output``) the page also scores a
video with the song of the library whose emotion follows the video's (api ``score_from_library``).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from modeling.base import defaults
from modeling.spaces import (
    MAX_FILE_SIZE,
    Setting,
    launch_space,
    request_folder,
    resolve_settings,
    user_errors,
)

SETTINGS = (
    Setting("model", "EMOTUNE_AMT_MODEL", "AMT Hub id or folder", defaults.AMT_MODEL),
    Setting(
        "regression_model",
        "EMOTUNE_REGRESSION_MODEL",
        "bi-GRU Hub id or folder",
        defaults.AMT_REGRESSION_MODEL,
    ),
    Setting("clip_model", "EMOTUNE_CLIP_MODEL", "CLIP Hub id or folder", defaults.CLIP_MODEL),
    Setting(
        "emotion_model",
        "EMOTUNE_MODEL",
        "Music2Emo Hub id or folder (affective check)",
        defaults.MUSIC2EMO_MODEL,
    ),
    Setting("audio_encoder", "EMOTUNE_AUDIO_ENCODER", "MERT Hub id or folder (affective check)"),
    Setting("max_seconds", "EMOTUNE_MAX_VIDEO_SECONDS", "longest video accepted, in seconds", 300.0, float),
    Setting(
        "chord_backend", "EMOTUNE_CHORD_BACKEND", "chord recogniser of the affective check: btc or dsp", "btc"
    ),
    Setting(
        "library",
        "EMOTUNE_LIBRARY",
        "an emotion library (emotune predict --output): music from your recordings",
    ),
)
"""The Space's settings: a flag, else the environment variable, else the default."""


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


def build_app(**given):
    """The Gradio Blocks of the Space, with its pipeline loaded: ``given`` names some of :data:`SETTINGS`
    (``model``, ``regression_model``, ``clip_model``, ``emotion_model``, ``audio_encoder``, ``max_seconds``,
    ``chord_backend``); the others come from the environment or their defaults."""
    import gradio as gr
    from transformers import pipeline

    from modeling.base.errors import InvalidVideoError, WeightsDownloadError, WeightsNotFoundError
    from modeling.media.video import probe_video
    from modeling.pipelines.library_soundtrack import open_library
    from modeling.vocabularies.chords import KEYS
    from modeling.weights import resolve_or_fetch

    settings = resolve_settings(SETTINGS, given)
    max_seconds, emotion_model = settings["max_seconds"], settings["emotion_model"]
    # Default ids that are neither installed nor on the Hub are fetched from their public homes at
    # start-up (`emotune weights fetch`, progress in the logs).
    model = resolve_or_fetch(settings["model"])
    regression_model = resolve_or_fetch(settings["regression_model"])
    emotion_options = {
        "chord_backend": settings["chord_backend"],
        **({"audio_encoder": settings["audio_encoder"]} if settings["audio_encoder"] else {}),
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
        clip_model=str(settings["clip_model"]),
        emotion_model=str(emotion_model),
        emotion_options=emotion_options,
        progress=False,
    )

    library = open_library(settings["library"]) if settings["library"] else None  # a bad one stops start-up

    def checked(video):
        """The upload's probe (the only one: it travels with the call), within the Space's limits."""
        if not video:
            raise gr.Error("Upload a video first.")
        info = probe_video(video)
        if info.duration > max_seconds:
            raise InvalidVideoError(
                f"The video is {info.duration:.0f} s long; this Space accepts up to {max_seconds:.0f} s. "
                "Accepted: a shorter video (or run emotune score-video locally)"
            )
        return info

    @user_errors
    def score(video, primer, key, seed, temperature, align, keep_audio, check, progress=gr.Progress()):  # noqa: B008
        info = checked(video)
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

    @user_errors
    def from_library(video, keep_audio, progress=gr.Progress()):  # noqa: B008
        info = checked(video)
        progress(0.1, desc="video emotion, matching the library, cutting the excerpt")
        result = v2m(info, library=library, output=request_folder() / "scored.mp4", keep_original_audio=keep_audio,
                     plot=True)  # fmt: skip
        progress(0.95, desc="done")
        song = result["song"]
        lines = [f"**{Path(song['path']).name}** from {song['offset']} s (distance {song['score']:.2f})", "",
                 "| rank | song | start | distance |", "|---|---|---|---|"]  # fmt: skip
        lines += [
            f"| {m['rank']} | {Path(m['path']).name} | {m['offset']} s | {m['score']:.2f} |"
            for m in result["candidates"]
        ]
        return result["video"], result["audio"], result["plot"], "\n".join(lines)

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
        if library is not None:
            with gr.Row():
                gr.Markdown(f"**Your library**: {library.summary()['songs']} songs ({library.source}).")
                library_button = gr.Button("Music from my library", variant="secondary")
            library_button.click(
                from_library, inputs=[video, keep_audio], outputs=[scored, audio, timeline, summary],
                api_name="score_from_library",
            )  # fmt: skip
    demo.queue(default_concurrency_limit=1)
    return demo


def main(argv: list[str] | None = None) -> None:
    launch_space(build_app, "The Video2Music Space", SETTINGS, argv)


if __name__ == "__main__":
    main()
