"""Session fixtures: a tiny random CLIP saved to a folder, a feature extractor loading it, and the
generated test videos (each made once per test process)."""

from __future__ import annotations

import pytest

from tests.video_pipeline.videos import make_video


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory):
    from modeling.video2music.stand_in_clip import save_random_clip

    return save_random_clip(tmp_path_factory.mktemp("clip") / "tiny-clip", "tiny", seed=0)


@pytest.fixture(scope="session")
def extractor(clip_dir):
    from modeling.video2music.video_features import VideoFeatureExtractor

    return VideoFeatureExtractor(clip_dir, batch_size=4, progress=False)


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("videos")


@pytest.fixture(scope="session")
def cuts_video(video_dir):
    """8 s, 160x120 at 25 fps, with audio (440 Hz): red 0-3 s, blue 3-5 s, test pattern 5-8 s."""
    return make_video(video_dir / "cuts.mp4", [("red", 3), ("blue", 2), ("testsrc", 3)], audio_hz=440.0)


@pytest.fixture(scope="session")
def patterns_video(video_dir):
    """6 s of three test patterns (cuts at 2 s and 4 s), no audio track."""
    return make_video(video_dir / "patterns.mp4", [("testsrc", 2), ("smptebars", 2), ("rgbtestsrc", 2)])
