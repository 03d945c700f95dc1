"""Search on a library whose moods and valence-arousal are known: the rankings it must give."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from modeling.base.errors import LibraryError
from modeling.library import VA_DIAGONAL, load_library
from tests.library.libraries import grid_library, record, write_library


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    """81 songs on the 1-9 grid (``song_V_A.mp3``, tags following the plane, 32-d random embeddings)."""
    return load_library(write_library(grid_library(), tmp_path_factory.mktemp("grid") / "lib.parquet"))


def _paths(results) -> list[str]:
    return [song["path"] for song in results]


def test_mood_ranks_by_the_mean_of_the_tags_scores_ties_in_library_order(grid):
    results = grid.search(mood="calm", n=3)
    # calm = (v + 10 - a) / 20: (9, 1) first, then (8, 1) and (9, 2) tied at 0.9, in the library's order
    assert _paths(results) == ["song_9_1.mp3", "song_8_1.mp3", "song_9_2.mp3"]
    assert [r["rank"] for r in results] == [1, 2, 3]
    assert results[0]["score"] == pytest.approx(0.9) and results[0]["mood_score"] == pytest.approx(0.9)
    both = grid.search(mood=["calm", "energetic"], n=1)[0]  # (v + 10 - a) / 40 + a / 20: (9, 9)
    assert both["path"] == "song_9_9.mp3" and both["mood_score"] == pytest.approx((0.5 + 0.9) / 2)
    assert both["moods"][0] == {"label": "energetic", "score": pytest.approx(0.9)}


def test_va_ranks_by_distance_in_the_plane(grid):
    results = grid.search(va=(7.5, 3.0), n=6)
    assert _paths(results)[:2] == ["song_7_3.mp3", "song_8_3.mp3"]  # both 0.5 away: library order
    assert set(_paths(results)[2:]) == {"song_7_2.mp3", "song_7_4.mp3", "song_8_2.mp3", "song_8_4.mp3"}
    assert results[0]["va_distance"] == pytest.approx(0.5)
    assert results[0]["score"] == pytest.approx(1 - 0.5 / VA_DIAGONAL)
    assert grid.search(va="Q4", n=1)[0]["path"] == "song_7_3.mp3"  # the quadrant's centre (7, 3)
    assert grid.search(va="3,7", n=1)[0]["path"] == "song_3_7.mp3"


def test_a_planted_song_is_found_by_like_with_itself_first(grid):
    row = grid.paths.index("song_4_6.mp3")
    results = grid.search(like=grid.embedding(row) * 3.0, n=5)  # any length: cosine similarity
    assert results[0]["path"] == "song_4_6.mp3" and results[0]["similarity"] == pytest.approx(1.0, abs=1e-5)
    assert results[0]["score"] == pytest.approx(1.0, abs=1e-5)
    assert all(a["similarity"] >= b["similarity"] for a, b in itertools.pairwise(results))


def test_the_exact_faiss_search_equals_brute_force(grid):
    vectors = np.array([r["embedding"] for r in grid_library()], np.float32)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    query = np.random.default_rng(5).standard_normal(32).astype(np.float32)
    expected = np.argsort(-(unit @ (query / np.linalg.norm(query))), kind="stable")[:10]
    results = grid.search(like=query, n=10)
    assert [r["row"] for r in results] == expected.tolist()
    assert grid.dataset.list_indexes() == ["embedding"]  # through datasets' FAISS integration
    _, examples = grid.dataset.get_nearest_examples("embedding", query / np.linalg.norm(query), k=3)
    assert examples["path"] == [grid.paths[r] for r in expected[:3]]


def test_filters_combine_with_every_criterion(grid):
    for query in (
        {"mood": "calm"},
        {"va": (7.5, 3.0)},
        {"like": grid.embedding(0)},
        {"mood": "sad", "like": grid.embedding(0)},
    ):
        results = grid.search(**query, n=50, min_duration=100, max_duration=140, quadrant="Q1,Q4")
        assert results, query
        for song in results:
            assert 100 <= song["duration"] <= 140 and song["quadrant"] in ("Q1", "Q4")
    # the filtered rows are the ones ranked: the best calm song of Q1 is (9, 5)
    assert grid.search(mood="calm", quadrant="Q1", n=1)[0]["path"] == "song_9_5.mp3"
    assert grid.search(mood="calm", min_duration=1000) == []


def test_mood_and_like_together_score_the_mean_of_both(grid):
    query = grid.embedding(grid.paths.index("song_2_2.mp3"))
    results = grid.search(mood="sad", like=query, n=81)
    for song in results:
        assert song["score"] == pytest.approx(
            (song["mood_score"] + (1 + song["similarity"]) / 2) / 2, abs=1e-6
        )
    assert [s["score"] for s in results] == sorted((s["score"] for s in results), reverse=True)


def test_like_by_the_path_of_a_song_of_the_library(tmp_path):
    for name in ("a.wav", "b.wav"):
        (tmp_path / name).write_bytes(b"RIFF")
    records = [record("a.wav", 6, 6, embedding=[1, 0, 0]), record("b.wav", 4, 4, embedding=[0, 1, 0])]
    library = load_library(write_library(records, tmp_path / "lib.jsonl"))
    assert library.find(tmp_path / "b.wav") == 1 and library.find(tmp_path / "c.wav") is None
    assert library.search(like=tmp_path / "b.wav", n=1)[0]["path"] == "b.wav"
    with pytest.raises(LibraryError, match="is not a song of"):
        library.search(like=tmp_path / "lib.jsonl")


def test_query_errors_say_what_is_accepted(grid, tmp_path):
    with pytest.raises(LibraryError, match=r"Unknown mood/theme tag 'calmm' \(close: calm"):
        grid.search(mood="calm,calmm")
    with pytest.raises(LibraryError, match="A search needs mood, va or like"):
        grid.search(min_duration=3)
    with pytest.raises(LibraryError, match="like= has 5 values; the library's embeddings have 32"):
        grid.search(like=[1.0] * 5)
    with pytest.raises(LibraryError, match="Unknown quadrant 'Q5'. Accepted: Q1, Q2, Q3, Q4"):
        grid.search(mood="calm", quadrant="Q5")
    with pytest.raises(LibraryError, match="outside the 1-9 scale"):
        grid.search(va=(0.0, 5.0))
    plain = load_library(write_library([record("a.mp3", 5, 5)], tmp_path / "plain.parquet"))
    with pytest.raises(
        LibraryError, match="has no embeddings. Accepted: a library written by emotune predict --embeddings"
    ):
        plain.search(like=[1.0, 2.0])


@pytest.mark.parametrize("kind", ["ivf", "hnsw"])
def test_an_approximate_index_is_a_named_option(tmp_path, kind):
    library = load_library(write_library(grid_library(), tmp_path / "lib.parquet"), index=kind)
    results = library.search(like=library.embedding(10), n=3)
    assert library.build_index().kind == kind and results[0]["row"] == 10
