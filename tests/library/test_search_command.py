"""`emotune search` end to end on a generated Parquet library, through the CLI's ``main``."""

from __future__ import annotations

import json

import pytest

from modeling.cli import main
from modeling.library import read_m3u
from tests.library.libraries import failed, grid_library, write_library


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """The 81-song grid library (plus one failed file) beside the songs it names."""
    folder = tmp_path_factory.mktemp("music")
    records = grid_library()
    for song in records:
        (folder / song["path"]).write_bytes(b"audio")
    return write_library(
        [*records, failed("broken.mp3", "Cannot decode broken.mp3")], folder / "library.parquet"
    )


def _run(capsys, *argv) -> tuple[int, str, str]:
    status = main(["search", *map(str, argv)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_mood_prints_a_table_and_reports_the_unusable_row(library, capsys):
    status, out, err = _run(capsys, library, "--mood", "calm", "--n", "3")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["#", "score", "V"] and len(lines) == 4
    assert lines[1].split()[0] == "1" and lines[1].endswith("song_9_1.mp3") and "calm 0.90" in lines[1]
    assert "1 unusable row left out: 1 failed file (error)" in err and "broken.mp3" in err


def test_va_as_json(library, capsys):
    status, out, _ = _run(capsys, library, "--va", "7.5,3", "--n", "2", "--json", "--max-duration", "200")
    result = json.loads(out)
    assert status == 0 and result["query"]["va"] == "7.5,3" and result["library"]["songs"] == 81
    assert [song["path"] for song in result["results"]] == ["song_7_3.mp3", "song_8_3.mp3"]
    assert result["results"][0]["va_distance"] == pytest.approx(0.5)


def test_m3u_of_the_found_songs(library, capsys, tmp_path):
    status, out, _ = _run(
        capsys, library, "--mood", "energetic", "--quadrant", "Q2", "--n", "4", "--m3u", tmp_path / "p.m3u"
    )
    assert status == 0 and f"playlist: {tmp_path / 'p.m3u'} (4 songs)" in out
    entries = read_m3u(tmp_path / "p.m3u")
    assert [e.title for e in entries] == ["song_1_9", "song_2_9", "song_3_9", "song_4_9"]
    assert all((tmp_path / e.location).resolve() == library.parent / f"{e.title}.mp3" for e in entries)


def test_playlist_along_a_path(library, capsys, tmp_path):
    status, out, _ = _run(capsys, library, "--playlist", "Q3:Q1", "--n", "5", "--weight", "0", "--json")
    assert status == 0
    assert [s["path"] for s in json.loads(out)["results"]] == [f"song_{i}_{i}.mp3" for i in (3, 4, 5, 6, 7)]
    status, out, _ = _run(capsys, library, "--from-va", "2,8", "--to-va", "8,2", "--n", "4",
                          "--m3u", tmp_path / "path.m3u", "--absolute-paths")  # fmt: skip
    assert status == 0 and out.splitlines()[0].split()[:2] == ["step", "target"]
    assert len(read_m3u(tmp_path / "path.m3u")) == 4
    status, out, _ = _run(capsys, library, "--playlist", "calm:energetic", "--n", "6")
    assert status == 0 and len(out.splitlines()) == 7


def test_like_a_song_of_the_library_and_outside_it(library, capsys, tmp_path, mert_dir):
    status, out, _ = _run(capsys, library, "--like", library.parent / "song_5_2.mp3", "--n", "3")
    assert status == 0 and out.splitlines()[1].endswith("song_5_2.mp3") and " 1.000 " in out.splitlines()[1]
    # a file outside the library is embedded; this library's 32-value embeddings come from no MERT (its records
    # name no encoder), so the tiny MERT's 64 values are refused (tests/library/test_like_outside.py: the rest)
    from tests.collection.clips import write_clips

    (outside,) = write_clips(tmp_path, 1, 1.0)
    status, _, err = _run(capsys, library, "--like", outside, "--audio-encoder", mert_dir)
    assert (
        status == 1
        and "gives 64-value embeddings but the library's have 32" in err
        and "Traceback" not in err
    )


def test_without_a_query_it_tells_what_the_library_holds(library, capsys):
    status, out, _ = _run(capsys, library)
    assert status == 0 and "81 songs" in out and "81 with a 32-value embedding" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--mood", "calmm"], "Unknown mood/theme tag 'calmm' (close: calm"),
        (["--playlist", "calm"], "is not START:END"),
        (["--playlist", "calm:sad", "--mood", "calm"], "Accepted: one or the other"),
        (["--from-va", "3,3"], "--from-va needs --to-va"),
        (["--playlist", "calm:nowhere"], "Unknown playlist end 'nowhere'"),
    ],
)
def test_bad_requests_end_with_one_message(library, capsys, argv, message):
    status, _, err = _run(capsys, library, *argv)
    assert status == 1 and message in err and "Traceback" not in err


def test_a_bad_library_is_one_message(tmp_path, capsys):
    (tmp_path / "lib.csv").write_text("path\n")
    status, _, err = _run(capsys, tmp_path / "lib.csv", "--mood", "calm")
    assert status == 1 and err.startswith("emotune search: error:") and ".parquet or .jsonl" in err
