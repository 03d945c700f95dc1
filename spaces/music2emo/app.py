"""Music2Emo Space: mood tags, valence-arousal, key and chords of a piece of music.

    python spaces/music2emo/app.py [--model DIR_OR_ID] [--audio-encoder DIR_OR_ID] [--chord-backend btc|dsp]
                                   [--dynamic-model DIR_OR_ID] [--host 127.0.0.1] [--port 7860]

Models come from the flags, else the environment (``EMOTUNE_MODEL``, ``EMOTUNE_AUDIO_ENCODER``,
``EMOTUNE_CHORD_BACKEND``, ``EMOTUNE_CHORD_MODEL``, ``EMOTUNE_DYNAMIC_MODEL``, ``EMOTUNE_MAX_SECONDS``), else
emotune's published defaults. With a time-resolved model (``music2emo_dynamic``) the page also draws valence
and arousal every 0.5 s (an output after the JSON file, so the API's first six stay as they are).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from modeling.base.defaults import BTC_CHORD_MODEL, MUSIC2EMO_MODEL
from modeling.spaces import (
    MAX_FILE_SIZE,
    Setting,
    launch_space,
    request_folder,
    resolve_settings,
    user_errors,
)

SETTINGS = (
    Setting("model", "EMOTUNE_MODEL", "Music2Emo Hub id or folder", MUSIC2EMO_MODEL),
    Setting("audio_encoder", "EMOTUNE_AUDIO_ENCODER", "MERT Hub id or folder (default: the model's)"),
    Setting("chord_backend", "EMOTUNE_CHORD_BACKEND", "chord recogniser: btc or dsp", "btc"),
    Setting("chord_model", "EMOTUNE_CHORD_MODEL", "Hub id or folder of the chord backend's weights"),
    Setting("max_seconds", "EMOTUNE_MAX_SECONDS", "longest audio accepted, in seconds", 600.0, float),
    Setting(
        "dynamic_model", "EMOTUNE_DYNAMIC_MODEL", "a music2emo_dynamic model: valence-arousal every 0.5 s"
    ),
)
"""The Space's settings: a flag, else the environment variable, else the default."""


def example_clips(folder: Path) -> list[str]:
    """Two clips the app makes itself: a bright major progression and a slow minor one."""
    from dataset_scripts.synthetic.audio import SAMPLING_RATE, render_progression
    from modeling.media.audio import write_audio

    folder.mkdir(parents=True, exist_ok=True)
    clips = {
        "major-progression.wav": (["C", "G", "A:min", "F"] * 3, 1.0),
        "minor-progression.wav": (["A:min", "D:min", "E", "A:min"] * 2, 2.0),
    }
    paths = []
    for name, (chords, seconds) in clips.items():
        path = folder / name
        if not path.exists():
            write_audio(path, render_progression(chords, seconds), SAMPLING_RATE)
        paths.append(str(path))
    return paths


def build_app(**given):
    """The Gradio Blocks of the Space, with its pipeline loaded: ``given`` names some of :data:`SETTINGS`
    (``model``, ``audio_encoder``, ``chord_backend``, ``chord_model``, ``max_seconds``, ``dynamic_model``);
    the others come from the environment or their defaults."""
    import gradio as gr
    from transformers import pipeline

    from modeling.base.errors import InvalidAudioError
    from modeling.hub import resolve_model
    from modeling.media.audio import AudioInput
    from modeling.pipelines.figures import chord_timeline, emotion_curve, mood_bars, va_circumplex
    from modeling.weights import resolve_or_fetch

    # A default id that is neither installed nor on the Hub is fetched from its public home at start-up
    # (`emotune weights fetch`, progress in the logs); folders and other ids are used as they are.
    settings = resolve_settings(SETTINGS, given)
    model, max_seconds, dynamic_model = settings["model"], settings["max_seconds"], settings["dynamic_model"]
    model = resolve_or_fetch(model)
    options = {"chord_backend": settings["chord_backend"]}
    if settings["audio_encoder"]:
        options["audio_encoder"] = settings["audio_encoder"]
    if settings["chord_model"] or options["chord_backend"] == "btc":
        options["chord_model"] = resolve_or_fetch(settings["chord_model"] or BTC_CHORD_MODEL)
    if dynamic_model:  # valence-arousal every 0.5 s (modeling.pipelines.curves)
        from modeling.pipelines.figures import plot_curve

        options["dynamic_model"] = resolve_model(dynamic_model)
    mer = pipeline("music-emotion-recognition", model=str(model), **options)

    @user_errors
    def recognise(audio_path, threshold, progress=gr.Progress()):  # noqa: B008 (Gradio's idiom)
        if not audio_path:
            raise gr.Error("Upload or record some audio first.")
        progress(0.05, desc="reading the audio")
        audio = AudioInput(audio_path)
        if audio.duration > max_seconds:
            raise InvalidAudioError(
                f"The audio is {audio.duration:.0f} s long; this Space accepts up to {max_seconds:.0f} s. "
                "Accepted: a shorter clip (or run emotune predict locally)"
            )
        progress(0.2, desc="MERT embeddings, chords, key, emotion")
        result = mer(audio_path, threshold=float(threshold))
        progress(0.9, desc="drawing")
        out = request_folder() / "music2emo.json"
        out.write_text(json.dumps(result, indent=2), encoding="utf-8")
        summary = (
            f"**Valence** {result['valence']:.2f} · **Arousal** {result['arousal']:.2f} (1-9) · "
            f"**Quadrant** {result['quadrant']} · **Key** {result['key']}\n\n"
            f"**Predicted moods** (score ≥ {float(threshold):.2f}): "
            f"{', '.join(result['predicted_moods']) or 'none'}"
        )
        return (
            summary,
            mood_bars(result, threshold=float(threshold)),
            va_circumplex(result),
            emotion_curve(result),
            chord_timeline(result),
            str(out),
        ) + ((plot_curve(result),) if dynamic_model else ())

    with gr.Blocks(title="Music2Emo · emotune") as demo:
        gr.Markdown(
            "# Music2Emo: music emotion recognition\n"
            "56 mood/theme tags and valence-arousal from audio (MERT embeddings, chords and key), after "
            "Kang & Herremans (2025). "
            f"Limits: files up to {MAX_FILE_SIZE}, audio up to {max_seconds:.0f} seconds."
        )
        with gr.Row():
            with gr.Column():
                audio = gr.Audio(label="Music", sources=["upload", "microphone"], type="filepath")
                threshold = gr.Slider(0.0, 1.0, value=0.5, step=0.01, label="Tag threshold")
                button = gr.Button("Recognise emotion", variant="primary")
                gr.Examples(
                    example_clips(Path(os.environ.get("EMOTUNE_EXAMPLES_DIR", request_folder()))),
                    inputs=audio,
                )
            with gr.Column():
                summary = gr.Markdown(elem_id="summary")
                download = gr.File(label="Result (JSON)")
        with gr.Row():
            bars = gr.Plot(label="Top mood tags")
            circumplex = gr.Plot(label="Valence-arousal (Russell's circumplex)")
        curve = gr.Plot(label="Emotion over 30 s segments")
        dynamic = [gr.Plot(label="Emotion every 0.5 s")] if dynamic_model else []
        timeline = gr.Plot(label="Chords")
        button.click(
            recognise, inputs=[audio, threshold],
            outputs=[summary, bars, circumplex, curve, timeline, download, *dynamic], api_name="predict",
        )  # fmt: skip
    demo.queue(default_concurrency_limit=2)
    return demo


def main(argv: list[str] | None = None) -> None:
    launch_space(build_app, "The Music2Emo Space", SETTINGS, argv)


if __name__ == "__main__":
    main()
