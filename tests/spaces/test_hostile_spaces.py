"""Both Spaces on the hostile corpus through gradio_client: odd files give results, unusable ones the
app's own message (gr.Error) that says what is accepted, never Gradio's generic error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from tests.hostile_media import corpus_folder, hostile_audio, hostile_video


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return corpus_folder(tmp_path_factory)


def _score(url, path):
    client = Client(url, verbose=False)
    return client.predict(
        handle_file(str(path)), "C", "C major", 0, 1.0, False, False, False, api_name="/score"
    )


@pytest.mark.parametrize(
    ("case", "seconds"), [("tiny 2x2", 2), ("gif", 2), ("av1", 2), ("one frame held 3 s", 3)]
)
def test_the_video_space_scores_odd_videos(case, seconds, video_space, corpus):
    _, midi, audio, _, _, summary = _score(video_space, hostile_video(case, corpus))
    assert "**Key** C major" in summary and len(summary.split("chords per second**: ")[1].split()) == seconds
    assert midi.endswith(".mid") and audio.endswith(".flac")


@pytest.mark.parametrize(
    ("case", "message"),
    [("still image", r"is a still image \(png\), not a video"), ("no video stream", r"has no video stream"),
     ("half a second", r"is too short: 13 frame\(s\)")],
)  # fmt: skip
def test_the_video_space_explains_unusable_files(case, message, video_space, corpus):
    with pytest.raises(Exception, match=message) as caught:
        _score(video_space, hostile_video(case, corpus))
    assert "Accepted: a video" in str(caught.value)


def _predict(url, path):
    return Client(url, verbose=False).predict(handle_file(str(path)), 0.5, api_name="/predict")


@pytest.mark.parametrize("case", ["8-bit wav", "7.1 channels", "mp3 named .wav", "dc offset"])
def test_the_music_space_reads_odd_audio(case, music_space, corpus):
    summary, *_, download = _predict(music_space, hostile_audio(case, corpus))
    result = json.loads(Path(download).read_text(encoding="utf-8"))
    assert "**Key** C major" in summary and [c["label"] for c in result["chords"]] == ["C"]


def test_the_music_space_explains_a_video_without_sound(music_space, corpus):
    with pytest.raises(Exception, match="has no audio stream") as caught:
        _predict(music_space, hostile_video("tiny 2x2", corpus))
    assert "Accepted" in str(caught.value)
