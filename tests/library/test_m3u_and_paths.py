"""Where a library's songs are, and the M3U playlists written of them."""

from __future__ import annotations

import os

import pytest

from modeling.base.errors import LibraryError
from modeling.library import PathResolver, load_library, read_m3u, write_m3u
from tests.library.libraries import record, write_library


@pytest.fixture
def music(tmp_path):
    """``music/`` with three songs (one in a sub-folder, one with a space) and a library beside them."""
    folder = tmp_path / "music"
    for name in ("a.mp3", "disc 2/b song.flac", "c.wav"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"audio")
    records = [
        record("a.mp3", 7.0, 3.0, duration=201.4),
        record("disc 2/b song.flac", 6.0, 3.5, duration=99.6),
        record(str(folder / "c.wav"), 5.5, 4.0, duration=30.0),  # absolute, as predict stores /abs/paths
    ]
    return folder, write_library(records, folder / "library.parquet")


@pytest.mark.parametrize("relative", [True, False])
def test_an_m3u_lists_the_songs_and_parses_back_to_the_files(music, tmp_path, relative):
    _, path = music
    library = load_library(path)
    songs = library.search(va="Q4", n=3)
    playlist = library.write_m3u(songs, tmp_path / "lists" / "calm.m3u", relative=relative)
    lines = playlist.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U" and lines[1] == "#EXTINF:201,a" and len(lines) == 7
    entries = read_m3u(playlist)
    assert [(e.seconds, e.title) for e in entries] == [(201, "a"), (100, "b song"), (30, "c")]
    if relative:
        assert [e.location for e in entries] == [
            "../music/a.mp3",
            "../music/disc 2/b song.flac",
            "../music/c.wav",
        ]
    else:
        assert all(os.path.isabs(e.location) for e in entries)
    # what a player does: each location, relative to the playlist's folder, is the song file
    for entry, song in zip(entries, songs):
        assert os.path.samefile(playlist.parent / entry.location, song["file"])


def test_unknown_lengths_and_bad_suffixes(tmp_path):
    playlist = write_m3u([{"file": "x.mp3", "duration": None, "title": "two\nlines"}], tmp_path / "p.m3u8")
    assert playlist.read_text().splitlines()[1] == "#EXTINF:-1,two lines"
    with pytest.raises(LibraryError, match=r"Accepted: a path ending in .m3u or .m3u8"):
        write_m3u([], tmp_path / "p.pls")


def test_relative_paths_start_from_the_library_folder_when_the_song_is_there_else_the_cwd(
    tmp_path, monkeypatch
):
    (tmp_path / "lib").mkdir()
    (tmp_path / "run").mkdir()
    (tmp_path / "lib" / "here.mp3").write_bytes(b"x")
    (tmp_path / "run" / "there.mp3").write_bytes(b"x")
    monkeypatch.chdir(tmp_path / "run")
    resolver = PathResolver(tmp_path / "lib" / "library.jsonl")
    assert resolver.resolve("here.mp3") == tmp_path / "lib" / "here.mp3"
    assert resolver.resolve("there.mp3") == tmp_path / "run" / "there.mp3"
    assert resolver.resolve("gone.mp3") == tmp_path / "run" / "gone.mp3"
    assert resolver.resolve(str(tmp_path / "abs.mp3")) == tmp_path / "abs.mp3"
    based = PathResolver(tmp_path / "lib" / "library.jsonl", base_dir=tmp_path / "run")
    assert based.resolve("here.mp3") == tmp_path / "run" / "here.mp3"  # base_dir only


def test_a_moved_song_is_reported_when_it_is_needed_naming_the_path_and_the_library(tmp_path):
    resolver = PathResolver(tmp_path / "library.parquet", cwd=tmp_path / "elsewhere")
    with pytest.raises(LibraryError) as caught:
        resolver.require("songs/moved.mp3")
    message = str(caught.value)
    assert "'songs/moved.mp3'" in message and str(tmp_path / "library.parquet") in message
    assert str(tmp_path / "songs" / "moved.mp3") in message and str(tmp_path / "elsewhere") in message
    assert "--base-dir" in message
