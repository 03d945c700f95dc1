"""Playlists along a path of the valence-arousal plane: forward only, no song twice, smooth in sound."""

from __future__ import annotations

import numpy as np
import pytest

from modeling.base.errors import LibraryError
from modeling.library import (
    FRIENDLY_POINTS,
    QUADRANT_POINTS,
    load_library,
    mood_path,
    target_point,
)
from modeling.vocabularies.emotion import TAG_VA
from tests.library.libraries import grid_library, record, write_library


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    return load_library(write_library(grid_library(), tmp_path_factory.mktemp("grid") / "lib.parquet"))


def _progress(songs, start, end) -> list[float]:
    start, end = np.array(start), np.array(end)
    direction = (end - start) / np.linalg.norm(end - start)
    return [float((np.array([s["valence"], s["arousal"]]) - start) @ direction) for s in songs]


def test_without_the_embedding_term_the_songs_are_the_waypoints(grid):
    songs = grid.playlist("Q3", "Q1", 5, weight=0)
    assert [s["path"] for s in songs] == [f"song_{i}_{i}.mp3" for i in (3, 4, 5, 6, 7)]
    assert [s["target"] for s in songs] == [[i, i] for i in (3.0, 4.0, 5.0, 6.0, 7.0)]
    assert [s["step"] for s in songs] == [1, 2, 3, 4, 5] and songs[0]["similarity"] is None


@pytest.mark.parametrize(
    ("start", "end"), [("calm", "energetic"), ("sad", "happy"), ((2, 8), (8, 2)), ("Q2", "relaxed")]
)
def test_the_list_moves_forward_along_the_path_with_no_song_twice(grid, start, end):
    songs = grid.playlist(start, end, 12)
    a, b = target_point(start), target_point(end)
    progress = _progress(songs, a, b)
    assert progress == sorted(progress)  # monotone along the path
    assert len({s["path"] for s in songs}) == len(songs) == 12
    assert all(s["similarity"] is not None for s in songs[1:])  # the embedding term took part
    # random 32-d embeddings differ a lot (cosines of +-0.4): the weight 2 may trade up to ~1.5 units for them
    assert np.hypot(songs[0]["valence"] - a[0], songs[0]["arousal"] - a[1]) < 1.0  # the first has no previous
    assert np.hypot(songs[-1]["valence"] - b[0], songs[-1]["arousal"] - b[1]) < 2.0


def test_each_step_prefers_the_song_that_sounds_like_the_previous_one():
    # from (1, 1) to (9, 1): at the second waypoint two songs are equally close; one sounds like the first song
    points = np.array([[1.0, 1.0], [5.0, 1.5], [5.0, 0.5], [9.0, 1.0]])
    vectors = np.array([[1, 0, 0], [0, 1, 0], [0.8, 0.6, 0], [0, 0, 1]], np.float32)
    present = np.ones(4, bool)
    steps = mood_path(points, (1, 1), (9, 1), 3, vectors=vectors, present=present)
    assert [s.row for s in steps] == [0, 2, 3] and steps[1].cosine == pytest.approx(0.8)
    assert [
        s.row for s in mood_path(points, (1, 1), (9, 1), 3, vectors=vectors, present=present, weight=0)
    ] == [0, 1, 3]


def test_the_ends_a_playlist_accepts():
    assert target_point("Q4") == QUADRANT_POINTS["Q4"] == (7.0, 3.0)
    assert target_point("calm") == FRIENDLY_POINTS["calm"]  # the friendly point, not the tag's lexicon point
    assert target_point("melancholic") == TAG_VA["melancholic"]
    assert target_point("8,2.5") == (8.0, 2.5) and target_point((3, 4)) == (3.0, 4.0)
    for name, (valence, arousal) in FRIENDLY_POINTS.items():
        assert 1 <= valence <= 9 and 1 <= arousal <= 9, name
    assert FRIENDLY_POINTS["calm"][1] < 5 < FRIENDLY_POINTS["energetic"][1]
    assert FRIENDLY_POINTS["sad"][0] < 5 < FRIENDLY_POINTS["happy"][0]
    with pytest.raises(
        LibraryError, match=r"Unknown playlist start 'clam' \(close: calm.*Accepted: a quadrant"
    ):
        target_point("clam", "playlist start")


def test_a_small_library_gives_a_shorter_list_and_filters_apply(tmp_path):
    records = [record(f"s{i}.mp3", 1.0 + i, 1.0 + i, duration=100.0 + 50 * i) for i in range(4)]
    library = load_library(write_library(records, tmp_path / "lib.jsonl"))
    assert [s["path"] for s in library.playlist("1,1", "9,9", 10)] == ["s0.mp3", "s1.mp3", "s2.mp3", "s3.mp3"]
    assert [s["path"] for s in library.playlist("1,1", "9,9", 10, min_duration=150)] == [
        "s1.mp3",
        "s2.mp3",
        "s3.mp3",
    ]
    assert [s["path"] for s in library.playlist("Q3", "Q3", 1)] == ["s2.mp3"]  # (3, 3)
    with pytest.raises(LibraryError, match="at least one song"):
        library.playlist("Q3", "Q1", 0)
