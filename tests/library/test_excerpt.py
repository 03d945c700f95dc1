"""Excerpts for a video (modeling.soundtrack.excerpt, from a library match): cut by ffmpeg to the right length, faded, loudness-normalised; clear errors."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest
import soundfile

from modeling.base.errors import AudioDecodingError, InvalidInputError, LibraryError, MissingDependencyError
from modeling.library import load_library
from modeling.soundtrack.excerpt import cut_excerpt
from tests.audio_files import lavfi_audio
from tests.library.libraries import record, write_library


@pytest.fixture(scope="module")
def sine(tmp_path_factory):
    """20 s of a 440 Hz sine at 44.1 kHz (amplitude 1/8: about -21 dBFS RMS, quieter than -16 LUFS)."""
    return lavfi_audio(tmp_path_factory.mktemp("excerpt") / "sine.wav", "sine=frequency=440", seconds=20.0)


def _duration(path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    return float(json.loads(out)["format"]["duration"])


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_the_excerpt_has_the_video_length_fades_and_the_target_loudness(sine, tmp_path, suffix):
    out = cut_excerpt(sine, tmp_path / f"excerpt{suffix}", start=5.0, duration=8.0)
    assert _duration(out) == pytest.approx(8.0, abs=0.03)
    samples, rate = soundfile.read(out)
    assert rate == 44100
    rms_db = 20 * np.log10(np.sqrt(np.mean(samples[rate * 2 : rate * 6] ** 2)))
    assert -18 < rms_db < -13  # raised from about -21 dBFS to -16 LUFS (a mono 440 Hz sine: about -15 dBFS)
    edge = int(0.05 * rate)
    middle = np.abs(samples[rate * 3 : rate * 4]).max()
    assert np.abs(samples[:edge]).max() < 0.2 * middle and np.abs(samples[-edge:]).max() < 0.2 * middle


def test_the_library_cuts_the_excerpt_of_a_match(sine, tmp_path):
    curve = np.tile([[3.0, 3.0]], (41, 1))
    curve[20:] = [7.0, 7.0]  # 0-10 s sad, 10-20 s happy
    library = load_library(
        write_library([record("sine.wav", 5, 5, duration=20.0, curve=curve)], sine.parent / "lib.jsonl")
    )
    [match] = library.match_video(np.array([[3.0, 3.0]] * 3 + [[7.0, 7.0]] * 3), top=1)
    assert match["offset"] == 7 and match["end"] == 13  # 3 s sad then 3 s happy
    out = library.cut_excerpt(match, tmp_path / "match.m4a")
    assert _duration(out) == pytest.approx(6.0, abs=0.05)  # AAC: whole frames of 1024 samples


def test_a_moved_song_is_one_clear_message_naming_it_and_the_library(tmp_path):
    library = load_library(write_library([record("gone.wav", 5, 5, duration=20.0, curve=np.full((41, 2), 5.0))],
                                         tmp_path / "lib.parquet"))  # fmt: skip
    match = library.match_video(np.full((5, 2), 5.0), top=1)[0]
    with pytest.raises(
        LibraryError, match=r"The song 'gone.wav' of the library .*lib.parquet is not there any more"
    ):
        library.cut_excerpt(match, tmp_path / "out.wav")


def test_bad_requests_and_ffmpeg_failures_are_clear(sine, tmp_path):
    with pytest.raises(InvalidInputError, match=r"Accepted: a path ending in .wav, .flac, .m4a"):
        cut_excerpt(sine, tmp_path / "out.mp4", start=0, duration=1)
    with pytest.raises(InvalidInputError, match=r"runs past the end of .*sine.wav \(20.00 s\)"):
        cut_excerpt(sine, tmp_path / "out.wav", start=15, duration=10)
    text = tmp_path / "notes.wav"
    text.write_text("not audio\n")
    with pytest.raises(AudioDecodingError, match="has no audio ffprobe reads"):
        cut_excerpt(text, tmp_path / "out.wav", start=0, duration=1)


def test_missing_ffmpeg_is_a_missing_dependency(sine, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingDependencyError, match="ffprobe|ffmpeg"):
        cut_excerpt(sine, tmp_path / "out.wav", start=0, duration=1)
