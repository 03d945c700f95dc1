"""Curve matching for soundtracks: per-second song curves, and sliding a video's curve over them."""

from __future__ import annotations

import numpy as np
import pytest

from modeling.base.errors import LibraryError
from modeling.library import load_library, match_curve, song_curves, video_curve
from modeling.vocabularies.emotion import VIDEO_EMOTIONS
from modeling.vocabularies.emotion.video import VIDEO_EMOTION_VA
from tests.library.libraries import failed, record, write_library


def _walk(rng, points: int) -> np.ndarray:
    """``(points, 2)`` a smooth random valence-arousal walk inside 1.5-8.5 (a 0.5 s curve)."""
    steps = rng.normal(0, 0.15, (points, 2))
    return np.clip(5 + np.cumsum(steps, axis=0), 1.5, 8.5)


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """40 songs of 100-200 s with 0.5 s curves (random walks), and 5 with segments only; two failed files
    among them (the deferred columns, read when matching, must line up with the usable rows)."""
    rng = np.random.default_rng(7)
    records = []
    for number in range(40):
        duration = float(rng.uniform(100, 200))
        curve = _walk(rng, int(duration / 0.5) + 1)  # points at 0, 0.5, ... up to the end
        records.append(record(f"curve{number}.mp3", *curve.mean(axis=0), duration=duration, curve=curve))
        if number in (2, 20):
            records.append(failed(f"failed{number}.mp3"))
    for number in range(5):
        segments = [(0.0, 30.0, 3.0, 3.0), (30.0, 60.0, 7.0, 7.0), (60.0, 75.5, 5.0, 2.0)]
        records.append(record(f"segments{number}.mp3", 5.0, 4.0, duration=75.5, segments=segments))
    return load_library(write_library(records, tmp_path_factory.mktemp("curves") / "lib.parquet"))


def test_song_curves_are_per_second_means_of_the_curve_or_segment_steps(library):
    assert "curve" not in library.dataset.column_names and library.deferred == ["chords", "segments", "curve"]
    curves = library.curves  # read from the file now, for the usable rows
    table = load_library(library.source, all_columns=True).dataset.data.table
    assert library.paths[3] == "curve3.mp3" and table.column("path")[3].as_py() == "curve3.mp3"
    points = np.array([[p["valence"], p["arousal"]] for p in table.column("curve")[3].as_py()])
    duration = library.duration[3]
    assert curves.lengths[3] == int(np.floor(duration)) and curves.source[3] == 1
    expected = (points[0:-1:2] + points[1::2])[: int(np.floor(duration))] / 2  # the points at k and k + 0.5
    np.testing.assert_allclose(curves.of(3), expected)
    row = library.paths.index("segments2.mp3")
    assert curves.source[row] == 2 and curves.lengths[row] == 75  # whole seconds of a 75.5 s song
    second = curves.of(row)
    np.testing.assert_array_equal(second[:30], [[3.0, 3.0]] * 30)
    np.testing.assert_array_equal(second[30:60], [[7.0, 7.0]] * 30)
    np.testing.assert_array_equal(second[60:], [[5.0, 2.0]] * 15)


def test_gaps_in_a_curve_take_the_nearest_earlier_second(tmp_path):
    curve = np.array([[2.0, 2.0], [2.0, 2.0], [6.0, 6.0], [6.0, 6.0], [8.0, 8.0], [8.0, 8.0]])
    song = record("a.mp3", 5.0, 5.0, duration=3.0, curve=curve)
    song["curve"] = [p for p in song["curve"] if p["time"] not in (1.0, 1.5)]  # second 1 has no point
    library = load_library(write_library([song], tmp_path / "lib.jsonl"))
    np.testing.assert_array_equal(library.curves.of(0), [[2.0, 2.0], [2.0, 2.0], [8.0, 8.0]])


@pytest.mark.parametrize("noise", [0.0, 0.3])
def test_a_planted_song_and_offset_are_recovered(library, noise):
    rng = np.random.default_rng(11)
    for row, offset, seconds in ((5, 17, 60), (22, 0, 45), (31, 40, 30)):
        song = library.curves.of(row)
        offset = min(offset, len(song) - seconds)
        video = song[offset : offset + seconds] + rng.normal(0, noise, (seconds, 2))
        matches = library.match_video(video)
        assert (matches[0]["row"], matches[0]["offset"]) == (row, offset)
        assert matches[0]["end"] == offset + seconds and matches[0]["curve"] == "curve"
        assert len(matches) == 6 and len({m["row"] for m in matches}) == 6  # the best and the next five songs
        scores = [m["score"] for m in matches]
        assert scores == sorted(scores)
        if noise == 0:
            assert scores[0] == pytest.approx(0.0, abs=1e-12)
        else:  # the mean squared distance of the noise alone: 2 sigma^2
            assert scores[0] == pytest.approx(2 * noise**2, rel=0.3)


def test_the_score_is_the_mean_squared_distance_in_the_plane():
    curves = song_curves_of([[[1.0, 1.0], [2.0, 2.0], [3.0, 5.0], [4.0, 4.0]]])
    video = np.array([[2.0, 2.0], [3.0, 3.0]])
    [match] = match_curve(video, curves, top=1)
    # offset 0: (1 + 1) + (1 + 1) -> 2; offset 1: 0 + (0 + 4) -> 2; offset 2: (1 + 9) + (1 + 1) -> 6
    assert (match.offset, match.score) == (0, 2.0)  # the earliest of equal offsets


def song_curves_of(curves: list) -> object:
    """SongCurves from per-second curves (each second a point at k and k + 0.5)."""
    import pyarrow as pa

    rows = [
        [
            {"time": t / 2, "valence": float(v), "arousal": float(a)}
            for t, (v, a) in enumerate(np.repeat(c, 2, axis=0))
        ]
        for c in curves
    ]
    return song_curves(pa.table({"curve": rows, "duration": [float(len(c)) for c in curves]}))


def test_a_video_longer_than_every_song_and_a_library_without_curves_are_errors(library, tmp_path):
    with pytest.raises(
        LibraryError, match=r"The video is 250 s long and the longest song curve of the library is 1\d\d s"
    ):
        library.match_video(np.full((250, 2), 5.0))
    with pytest.raises(LibraryError, match=r"shape \(seconds, 2\)"):
        library.match_video(np.full((10, 3), 5.0))
    bare = record("a.mp3", 5.0, 5.0, segments=[])
    plain = load_library(write_library([bare], tmp_path / "plain.jsonl"))
    with pytest.raises(LibraryError, match="No song of .* has a curve or segments"):
        plain.match_video(np.full((10, 2), 5.0))


def test_filters_and_the_video_curve_from_emotion_probabilities(library):
    matches = library.match_video(np.full((20, 2), 5.0), min_duration=150)
    assert all(m["duration"] >= 150 for m in matches)
    probabilities = np.eye(len(VIDEO_EMOTIONS))[[0, 0, 3]]  # exciting, exciting, sad
    np.testing.assert_allclose(
        video_curve(probabilities), [VIDEO_EMOTION_VA["exciting"]] * 2 + [VIDEO_EMOTION_VA["sad"]]
    )
