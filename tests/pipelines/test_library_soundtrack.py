"""A soundtrack from an emotion library: the video-to-music pipeline's ``library=`` and ``emotune score-video
--from-library``, end to end with the tiny CLIP: a song planted with the video's own emotion curve at a
known offset is found with its offset, cut to the video's length and muxed; clear errors otherwise."""

from __future__ import annotations

import json

import numpy as np
import pytest

from modeling.base.errors import InvalidInputError, LibraryError
from modeling.vocabularies.emotion.video import video_va
from tests.audio_files import lavfi_audio
from tests.library.libraries import record, write_library
from tests.video2music.videos import ffprobe_streams

PLANTED_OFFSET = 7


@pytest.fixture(scope="module")
def library(tmp_path_factory, extractor, cuts_video):
    """Five 40 s songs: four with random curves, one (``planted.wav``) whose curve holds the video's own
    per-second emotion from second 7 (each second twice: the curve has a point every 0.5 s)."""
    folder = tmp_path_factory.mktemp("library")
    video = video_va(extractor(cuts_video).emotion)  # (8, 2) on the 1-9 scale
    rng = np.random.default_rng(0)
    records = []
    for index in range(5):
        name = "planted.wav" if index == 3 else f"song{index}.wav"
        lavfi_audio(folder / name, f"sine=frequency={220 * (index + 1)}", seconds=40.0)
        curve = rng.uniform(1, 9, size=(80, 2))
        if name == "planted.wav":
            curve[2 * PLANTED_OFFSET : 2 * (PLANTED_OFFSET + len(video))] = np.repeat(video, 2, axis=0)
        records.append(record(name, 5.0, 5.0, duration=40.0, curve=curve))
    return write_library(records, folder / "library.parquet")


def test_the_pipeline_scores_a_video_from_the_library(v2m, cuts_video, library, tmp_path):
    result = v2m(str(cuts_video), library=str(library), output=tmp_path / "scored.mp4", plot=True)
    assert result["source"] == "library"
    assert result["song"]["path"] == "planted.wav" and result["song"]["offset"] == PLANTED_OFFSET
    assert result["song"]["score"] == pytest.approx(0.0, abs=1e-9)
    assert len(result["candidates"]) == 5 and [c["rank"] for c in result["candidates"]] == [1, 2, 3, 4, 5]
    streams = ffprobe_streams(tmp_path / "scored.mp4")
    assert streams["audio"] == pytest.approx(8.0, abs=0.15) and streams["video"] == pytest.approx(
        8.0, abs=0.15
    )
    summary = json.loads((tmp_path / "scored.json").read_text())
    assert (
        summary["song"]["path"] == "planted.wav" and len(summary["video_va"]) == len(summary["song_va"]) == 8
    )
    assert (tmp_path / "scored.png").stat().st_size > 0 and (tmp_path / "scored.flac").is_file()


def test_generation_options_do_not_apply_to_a_library_soundtrack(v2m, cuts_video, library, tmp_path):
    with pytest.raises(InvalidInputError, match="primer do\\(es\\) not apply to a soundtrack from a library"):
        v2m(str(cuts_video), library=str(library), primer="C Am", output=tmp_path / "x.mp4")


def test_the_command_needs_only_clip(clip_dir, cuts_video, library, tmp_path, capsys):
    from modeling.cli import main

    out = tmp_path / "cmd.mp4"
    status = main(["score-video", str(cuts_video), "--from-library", str(library), "--clip-model", str(clip_dir),
                   "--out", str(out), "--no-progress", "--model", "nobody/no-amt-needed"])  # fmt: skip
    printed = capsys.readouterr().out
    assert status == 0, printed
    assert f"{PLANTED_OFFSET}s  planted.wav" in printed.splitlines()[4]  # the first row of the table
    assert ffprobe_streams(out)["audio"] == pytest.approx(8.0, abs=0.15)


def test_a_video_longer_than_every_song_and_a_moved_song_are_clear(v2m, cuts_video, tmp_path):
    folder = tmp_path / "short"
    folder.mkdir()
    lavfi_audio(folder / "short.wav", "sine=frequency=330", seconds=5.0)
    short = write_library([record("short.wav", 5, 5, duration=5.0, curve=np.full((10, 2), 5.0))],
                          folder / "lib.jsonl")  # fmt: skip
    with pytest.raises(LibraryError, match="longer than"):
        v2m(str(cuts_video), library=str(short), output=tmp_path / "a.mp4")
    moved = write_library([record("gone.wav", 5, 5, duration=40.0, curve=np.full((80, 2), 5.0))],
                          tmp_path / "moved" / "lib.parquet")  # fmt: skip
    with pytest.raises(LibraryError, match="gone.wav.*is not there any more"):
        v2m(str(cuts_video), library=str(moved), output=tmp_path / "b.mp4")
    assert not (tmp_path / "b.mp4").exists() and not (tmp_path / "b.json").exists()
