"""Procedural audio used by tests, the synthetic corpus and the demo."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile

from dataset_scripts.synthetic.audio import midi_to_hz, render_progression
from modeling.base.errors import InvalidInputError
from modeling.media.audio import write_audio


def test_progression_has_the_chord_tones():
    sr = 22050
    wave = render_progression(["C", "A:min", "N"], seconds_per_chord=1.0, sampling_rate=sr)
    assert wave.shape == (3 * sr,) and wave.dtype == np.float32 and np.abs(wave).max() <= 0.9
    assert np.abs(wave[2 * sr + 2000 :]).max() == 0.0  # N is silence
    for second, pitch_classes in ((0, {0, 4, 7}), (1, {9, 0, 4})):
        segment = wave[second * sr + 2000 : second * sr + 12000]
        spectrum = np.abs(np.fft.rfft(segment))
        freqs = np.fft.rfftfreq(len(segment), 1 / sr)
        chroma = np.zeros(12)
        for f, a in zip(freqs[1:], spectrum[1:]):
            if 60 < f < 1000:
                chroma[int(round(12 * np.log2(f / 440.0) + 69)) % 12] += a
        assert set(np.argsort(chroma)[-3:].tolist()) == pitch_classes
    assert midi_to_hz(69) == 440.0


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg", ".mp3", ".m4a"])
def test_write_audio_formats_decode_back(tmp_path, suffix):
    import librosa

    wave = render_progression(["G"], 1.0, 22050)
    path = write_audio(tmp_path / f"clip{suffix}", np.stack([wave, wave], axis=1), 22050)
    decoded, sr = librosa.load(path, sr=None, mono=False)
    assert decoded.shape[0] == 2 and abs(decoded.shape[1] / sr - 1.0) < 0.1
    if suffix in (".wav", ".flac"):
        assert soundfile.info(path).samplerate == 22050


def test_write_audio_refuses_unknown_format(tmp_path):
    with pytest.raises(InvalidInputError, match="Accepted: .wav"):
        write_audio(tmp_path / "x.aiff", np.zeros(10), 8000)
