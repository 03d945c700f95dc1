"""Per-second video features on generated videos with hard cuts at known seconds."""

from __future__ import annotations

import numpy as np
import pytest

from modeling.video2music.feature_extraction_video2music import scene_offsets, second_frame_indices
from modeling.vocabularies.emotion import VIDEO_EMOTIONS
from tests.video2music.videos import make_video


@pytest.fixture(scope="module")
def cuts_features(extractor, cuts_video):
    return extractor(cuts_video)


def test_one_row_per_second_with_the_right_shapes(cuts_features):
    features = cuts_features
    assert features.num_seconds == 8
    assert features.semantic.shape == (8, 768) and features.semantic.dtype == np.float32
    assert features.emotion.shape == (8, len(VIDEO_EMOTIONS)) == (8, 6)
    assert features.scene_offset.shape == features.motion.shape == (8,)
    np.testing.assert_allclose(features.emotion.sum(axis=1), 1.0, atol=1e-5)
    assert (features.emotion > 0).all()
    assert features.duration == pytest.approx(8.0, abs=0.05)
    assert features.fps == pytest.approx(25.0)
    assert (features.width, features.height, features.has_audio) == (160, 120, True)
    assert set(features.timings) == {"decode", "clip", "scenes", "motion"}


def test_scene_offsets_restart_exactly_at_the_cuts(cuts_features):
    assert cuts_features.scene_cuts == (3.0, 5.0)
    assert cuts_features.scene_offset.tolist() == [1, 2, 3, 1, 2, 1, 2, 3]


def test_motion_is_zero_on_a_still_field_and_large_across_a_cut(cuts_features):
    motion = cuts_features.motion
    assert motion[0] == 0.0  # second 0 has no frame before it, as in the original
    assert motion[1] < 1.0 and motion[2] < 1.0 and motion[4] < 1.0  # still red, still blue
    assert motion[3] > 50.0  # red -> blue at 3.0 s
    assert motion[5] > 50.0  # blue -> test pattern at 5.0 s


def test_model_input_concatenates_in_amt_order(cuts_features):
    rows = cuts_features.as_model_input()
    assert rows.shape == (8, 776) and rows.dtype == np.float32
    np.testing.assert_array_equal(rows[:, :768], cuts_features.semantic)
    np.testing.assert_array_equal(rows[:, 768], cuts_features.scene_offset)
    np.testing.assert_array_equal(rows[:, 769], cuts_features.motion)
    np.testing.assert_array_equal(rows[:, 770:], cuts_features.emotion)


def test_clip_rows_are_the_frames_at_each_whole_second(extractor, cuts_video, cuts_features):
    import decord

    reader = decord.VideoReader(str(cuts_video))
    frames = reader.get_batch([0, 75, 125]).asnumpy()  # 0 s, 3 s, 5 s at 25 fps
    semantic, emotion = extractor.encoder.encode(extractor.encoder.preprocess(list(frames)))
    np.testing.assert_allclose(cuts_features.semantic[[0, 3, 5]], semantic, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(cuts_features.emotion[[0, 3, 5]], emotion, rtol=1e-4, atol=1e-6)


def test_patterns_without_audio(extractor, patterns_video):
    features = extractor(patterns_video)
    assert features.has_audio is False
    assert features.scene_cuts == (2.0, 4.0)
    assert features.scene_offset.tolist() == [1, 2, 1, 2, 1, 2]
    assert features.motion[2] > 20.0 and features.motion[4] > 20.0


def test_variable_frame_rate_uses_real_timestamps(extractor, video_dir):
    # 2 s at 10 fps then 2 s at 30 fps: a frame-count clock would put the cut near 1 s.
    path = make_video(video_dir / "vfr.mp4", [("red", 2), ("blue", 2)], fps=[10, 30])
    features = extractor(path)
    assert features.num_seconds == 4
    assert features.scene_cuts == (2.0,)
    assert features.scene_offset.tolist() == [1, 2, 1, 2]
    assert features.motion[2] > 50.0 and features.motion[1] < 1.0 and features.motion[3] < 1.0


def test_portrait_and_4k_are_valid(extractor, video_dir):
    portrait = extractor(make_video(video_dir / "portrait.mp4", [("green", 2)], size="90x160"))
    assert (portrait.width, portrait.height, portrait.num_seconds) == (90, 160, 2)
    uhd = extractor(
        make_video(video_dir / "uhd.mp4", [("red", 1.2), ("blue", 0.8)], size="3840x2160", fps=15)
    )
    assert (uhd.width, uhd.height, uhd.num_seconds) == (3840, 2160, 2)
    assert uhd.semantic.shape == (2, 768)
    assert uhd.scene_offset.tolist() == [1, 2]  # the cut at 1.2 s falls inside second 1
    assert uhd.scene_cuts == (1.2,)


def test_max_seconds_keeps_the_first_seconds(extractor, cuts_video, cuts_features):
    first = extractor(cuts_video, max_seconds=4)
    assert first.num_seconds == 4
    np.testing.assert_allclose(first.semantic, cuts_features.semantic[:4], rtol=1e-5, atol=1e-6)
    assert first.scene_offset.tolist() == [1, 2, 3, 1]
    assert first.scene_cuts == (3.0,)


def test_second_frame_indices_take_the_first_frame_at_or_after_each_second():
    stamps = [0.0, 0.4, 0.9999999, 1.5, 2.5, 4.2]
    assert second_frame_indices(stamps, 5).tolist() == [0, 2, 4, 5, 5]


def test_scene_offsets_count_from_one_per_scene():
    assert scene_offsets([0, 25, 50, 75, 100], cut_frames=[60]).tolist() == [1, 2, 3, 1, 2]
    assert scene_offsets([0, 25, 50], cut_frames=[]).tolist() == [1, 2, 3]
    # two cuts inside one second still start one new scene at that second
    assert scene_offsets([0, 25, 50, 75], cut_frames=[30, 40]).tolist() == [1, 2, 1, 2]


def test_importing_the_modules_loads_no_video_library():
    from tests.conftest import REPO_ROOT, run_python

    code = (
        "import sys, modeling, modeling.video2music.feature_extraction_video2music, modeling.soundtrack.outputs\n"
        "heavy = {'decord', 'scenedetect', 'cv2', 'pretty_midi'} & set(sys.modules)\n"
        "assert not heavy, heavy"
    )
    result = run_python(code, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
