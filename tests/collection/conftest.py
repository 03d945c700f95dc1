"""The collection tests' inputs: a folder of 16 short clips (3 of them bad), a folder of 4 clips of 1.5 s for the
fast tests (the tiny MER models and the tiny dynamic model are the global fixtures of tests/music2emo)."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile

from tests.audio_files import lavfi_audio

BAD = ("disc 2/notes.wav", "empty.mp3", "truncated.mp3")
"""The bad files among the collection's: text named .wav, 0 bytes, a truncated mp3."""

GOOD = 13
"""Good clips in the collection (enough for two processes to share and a run to be killed half-way)."""

TOTAL = GOOD + len(BAD)
"""Audio files in the collection."""


@pytest.fixture(scope="session")
def collection(tmp_path_factory):
    """``music/``: 13 good clips of 2-4 s (wav, flac, ogg; in two sub-folders) and 3 bad ones, with a text file
    and a hidden file that are not audio; returns the folder."""
    folder = tmp_path_factory.mktemp("collection") / "music"
    rng = np.random.default_rng(0)
    for number in range(GOOD):
        sub = folder / ("disc 1" if number < GOOD // 2 else "disc 2")
        sub.mkdir(parents=True, exist_ok=True)
        seconds = 2.0 + 2.0 * rng.random()
        time = np.arange(int(seconds * 16000)) / 16000
        pitches = 220 * 2 ** (rng.integers(0, 12, 3) / 12)
        wave = (0.2 * sum(np.sin(2 * np.pi * p * time) for p in pitches)).astype(np.float32)
        if number % 9 == 4:
            lavfi_audio(sub / f"track {number:02d}.ogg", f"sine=frequency={pitches[0]:.0f}", seconds=seconds)
        else:
            soundfile.write(sub / f"track {number:02d}.{'flac' if number % 3 else 'wav'}", wave, 16000)
    (folder / "disc 2" / "notes.wav").write_text("not audio\n")
    (folder / "empty.mp3").write_bytes(b"")
    full = lavfi_audio(folder / "full.mp3", "sine=frequency=440", seconds=6.0)
    (folder / "truncated.mp3").write_bytes(full.read_bytes()[: full.stat().st_size // 4])
    full.unlink()
    (folder / "cover.txt").write_text("not a track")
    (folder / "disc 1" / ".hidden.wav").write_bytes(b"")
    return folder


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    """``clips/``: 4 WAV clips of 1.5 s (for the fast tests); returns the folder."""
    from tests.collection.clips import write_clips

    folder = tmp_path_factory.mktemp("small") / "clips"
    write_clips(folder, 4, 1.5)
    return folder
