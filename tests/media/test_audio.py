"""Audio in: every bad input gets one clear error from the family; unusual valid audio works."""

import numpy as np
import pytest
import soundfile

from modeling.base.errors import AudioDecodingError, EmotuneError, InvalidAudioError
from modeling.media.audio import AudioInput, load_audio
from tests.audio_files import ffmpeg, lavfi_audio


def test_formats_decode_to_mono_at_the_requested_rate(audio_dir):
    for suffix in (".wav", ".flac", ".mp3", ".ogg", ".m4a"):
        path = lavfi_audio(audio_dir / f"tone{suffix}", "sine=frequency=440", channels=2, seconds=2.0)
        wave = load_audio(path, 24000)
        assert wave.dtype == np.float32 and wave.ndim == 1
        assert abs(len(wave) / 24000 - 2.0) < 0.1, suffix
        spectrum = np.abs(np.fft.rfft(wave))
        assert abs(np.argmax(spectrum) * 24000 / len(wave) - 440) < 5, suffix


def test_arrays_are_mixed_and_resampled():
    t = np.arange(44100 * 2) / 44100
    stereo = np.stack([np.sin(2 * np.pi * 220 * t), np.sin(2 * np.pi * 220 * t)]).astype(np.float32)
    for array in (stereo, stereo.T):
        wave = load_audio(array, 22050, original_sampling_rate=44100)
        assert len(wave) == 44100
        np.testing.assert_allclose(np.abs(wave).max(), 1.0, atol=0.02)


def test_blocks_cover_the_file(audio_dir):
    path = lavfi_audio(audio_dir / "blocks.wav", "sine=frequency=300", seconds=7.0)
    blocks = list(AudioInput(path).blocks(8000, 3.0))
    assert [len(b) for b in blocks] == [24000, 24000, 8000]


@pytest.fixture(scope="module")
def bad_files(audio_dir):
    folder = audio_dir / "bad"
    folder.mkdir()
    (folder / "empty.wav").write_bytes(b"")
    (folder / "text.wav").write_text("these are not the samples you are looking for\n")
    full = lavfi_audio(folder / "full.mp3", "sine=frequency=440", seconds=6.0)
    (folder / "truncated.mp3").write_bytes(full.read_bytes()[: full.stat().st_size // 4])
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x48:rate=5:duration=2", str(folder / "silent_video.mp4"))
    lavfi_audio(folder / "short.wav", "sine=frequency=440", seconds=0.5)
    nan = np.zeros(22050 * 2, dtype=np.float32)
    nan[100] = np.nan
    soundfile.write(folder / "nan.wav", nan, 22050, subtype="FLOAT")
    return folder


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("missing.wav", AudioDecodingError, "not found"),
        ("empty.wav", AudioDecodingError, "is empty"),
        ("text.wav", AudioDecodingError, "cannot be decoded as audio"),
        ("truncated.mp3", AudioDecodingError, "truncated or corrupt"),
        ("silent_video.mp4", AudioDecodingError, "no audio stream"),
        ("short.wav", InvalidAudioError, "at least 1 s"),
        ("nan.wav", InvalidAudioError, "NaN or infinite"),
    ],
)
def test_bad_files_get_one_clear_error(bad_files, name, error, message):
    with pytest.raises(error, match=message) as caught:
        load_audio(bad_files / name, 24000)
    assert isinstance(caught.value, EmotuneError)
    assert "Accepted" in str(caught.value)


def test_bad_arrays_are_refused():
    with pytest.raises(InvalidAudioError, match="sampling rate"):
        AudioInput(np.zeros(48000, np.float32))
    with pytest.raises(InvalidAudioError, match="NaN or infinite"):
        AudioInput(np.full(48000, np.inf, np.float32), 48000)
    with pytest.raises(InvalidAudioError, match="shape"):
        AudioInput(np.zeros((2, 2, 48000), np.float32), 48000)
    with pytest.raises(InvalidAudioError, match="at least 1 s"):
        AudioInput(np.zeros(100, np.float32), 48000)


def test_minutes_of_ogg_are_written_block_by_block(tmp_path):
    """libsndfile's Vorbis encoder crashes (SIGSEGV) on one write of minutes of audio: write_audio writes
    block by block."""
    import soundfile

    from modeling.media.audio import write_audio

    wave = (0.1 * np.sin(np.arange(44100 * 150) * 2 * np.pi * 440 / 44100)).astype(np.float32)
    path = write_audio(tmp_path / "long.ogg", wave, 44100)
    assert soundfile.info(path).duration == pytest.approx(150.0, abs=0.01)
