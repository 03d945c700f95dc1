"""The Video2Music Space: gradio_client end to end, concurrent requests, bad input, a real browser."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from gradio_client import Client, handle_file

from tests.video2music.videos import ffprobe_streams, make_video


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("space-videos")
    cuts = make_video(folder / "cuts.mp4", [("red", 2), ("blue", 2), ("testsrc", 2)])
    (folder / "broken.mp4").write_bytes(b"\x00" * 2048)
    return {"cuts": cuts, "broken": folder / "broken.mp4"}


def score(url, path, primer="C Am", key="A minor", align=True, check=False):
    client = Client(url, verbose=False)
    return client.predict(handle_file(str(path)), primer, key, 0, 1.0, align, False, check, api_name="/score")


def test_a_video_is_scored_end_to_end(video_space, videos):
    scored, midi, audio, timeline, affect, summary = score(video_space, videos["cuts"], check=True)
    streams = ffprobe_streams(scored if isinstance(scored, str) else scored["video"])
    assert streams["audio"] == pytest.approx(6.0, abs=0.2)
    assert midi.endswith(".mid") and audio.endswith(".flac") and timeline.endswith(".png")
    assert (
        "**Key** A minor" in summary and "chord changes on 100%" in summary and "Affective check" in summary
    )
    assert affect.endswith(".png")


def test_concurrent_requests_wait_in_line(video_space, videos):
    keys = ["A minor", "D major", "F# minor", "E major"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda k: score(video_space, videos["cuts"], primer="C", key=k), keys))
    assert [a[5].split("·")[0].replace("**Key**", "").strip() for a in answers] == keys


def test_bad_inputs_get_the_apps_error_messages(video_space, videos):
    with pytest.raises(Exception, match="Cannot parse chord label"):
        score(video_space, videos["cuts"], primer="C Xm")
    with pytest.raises(Exception, match="InvalidVideo|cannot|not a video|decode|no video"):
        score(video_space, videos["broken"])


def test_in_a_real_browser(video_space, videos, browser_page, tmp_path):
    page = browser_page
    page.goto(video_space)
    page.get_by_text("Limits: files up to").wait_for()
    page.locator("input[type=file]").first.set_input_files(str(videos["cuts"]))
    page.get_by_role("button", name="Generate music").click()
    summary = page.locator("#summary")
    summary.get_by_text("chords per second").wait_for(timeout=90_000)
    assert "C major" in summary.inner_text()
    page.screenshot(path=str(tmp_path / "video2music.png"), full_page=True)
    assert (tmp_path / "video2music.png").stat().st_size > 20_000
