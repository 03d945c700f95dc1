"""The Video2Music Space started with a library: a second button scores the video with the song of the
library whose emotion follows the video's (``/score_from_library``)."""

from __future__ import annotations

import numpy as np
import pytest
from gradio_client import Client, handle_file

from modeling.vocabularies.emotion.video import video_va
from tests.audio_files import lavfi_audio
from tests.library.libraries import record, write_library
from tests.spaces.conftest import launch
from tests.video2music.videos import ffprobe_streams, make_video


def test_the_space_scores_a_video_from_the_library(tiny_models, tmp_path):
    from modeling.video2music.feature_extraction_video2music import VideoFeatureExtractor

    video = make_video(tmp_path / "cuts.mp4", [("red", 2), ("blue", 2), ("testsrc", 2)])
    curve = video_va(VideoFeatureExtractor(tiny_models["clip"], progress=False)(video).emotion)
    records = []
    for index, name in enumerate(["other.wav", "planted.wav"]):
        lavfi_audio(tmp_path / name, f"sine=frequency={330 * (index + 1)}", seconds=20.0)
        points = np.full((40, 2), 9.0 if index == 0 else 1.0)
        if name == "planted.wav":
            points[10 : 10 + 2 * len(curve)] = np.repeat(curve, 2, axis=0)  # the video's emotion from 5 s
        records.append(record(name, 5, 5, duration=20.0, curve=points))
    library = write_library(records, tmp_path / "library.parquet")
    demo, url = launch(
        "video2music", model=tiny_models["amt"], regression_model=tiny_models["regression"],
        clip_model=tiny_models["clip"], emotion_model=tiny_models["music2emo"], chord_backend="dsp",
        library=str(library),
    )  # fmt: skip
    try:
        scored, audio, plot, summary = Client(url, verbose=False).predict(
            handle_file(str(video)), False, api_name="/score_from_library"
        )
    finally:
        demo.close()
    assert "**planted.wav** from 5 s" in summary and "| 2 | other.wav |" in summary
    streams = ffprobe_streams(scored if isinstance(scored, str) else scored["video"])
    assert streams["audio"] == pytest.approx(6.0, abs=0.2)
    assert audio.endswith(".flac") and plot.endswith(".png")
