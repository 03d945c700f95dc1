"""The Music2Emo Space: gradio_client end to end, 8 requests at once, a bad file, a real browser."""

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from dataset_scripts.synthetic.audio import render_progression
from modeling.media.audio import write_audio


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    minor = write_audio(
        folder / "minor.wav", render_progression(["A:min", "D:min", "E", "A:min"] * 2, 1.0), 22050
    )
    major = write_audio(folder / "major.wav", render_progression(["D", "G", "A", "D"] * 2, 1.0), 22050)
    (folder / "broken.wav").write_text("not audio at all")
    return {"minor": minor, "major": major, "broken": folder / "broken.wav"}


def predict(url, path, threshold=0.5):
    return Client(url, verbose=False).predict(handle_file(str(path)), threshold, api_name="/predict")


def test_a_prediction_end_to_end(music_space, clips):
    summary, bars, circumplex, curve, timeline, download = predict(music_space, clips["minor"])
    assert "**Key** A minor" in summary and "**Quadrant**" in summary
    result = json.loads(Path(download).read_text(encoding="utf-8"))
    assert result["key"] == "A minor" and len(result["moods"]) == 56
    assert [c["label"] for c in result["chords"][:3]] == ["A:min", "D:min", "E"]
    assert all(plot is not None for plot in (bars, circumplex, curve, timeline))


def test_eight_requests_at_once_are_all_answered_correctly(music_space, clips):
    paths = [clips["minor"], clips["major"]] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda p: predict(music_space, p), paths))
    keys = [json.loads(Path(a[5]).read_text(encoding="utf-8"))["key"] for a in answers]
    assert keys == ["A minor", "D major"] * 4


def test_a_bad_file_gets_the_apps_error_message(music_space, clips):
    with pytest.raises(Exception, match="cannot be decoded as audio") as caught:
        predict(music_space, clips["broken"])
    assert "Accepted" in str(caught.value)


def test_in_a_real_browser(music_space, clips, browser_page, tmp_path):
    page = browser_page
    page.goto(music_space)
    page.get_by_text("Limits: files up to").wait_for()
    page.locator("input[type=file]").first.set_input_files(str(clips["minor"]))
    page.get_by_role("button", name="Recognise emotion").click()
    summary = page.locator("#summary")
    summary.get_by_text("A minor").wait_for(timeout=60_000)
    assert "Quadrant" in summary.inner_text()
    page.screenshot(path=str(tmp_path / "music2emo.png"), full_page=True)
    assert (tmp_path / "music2emo.png").stat().st_size > 20_000
