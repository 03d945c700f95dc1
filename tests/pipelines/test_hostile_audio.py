"""The hostile-audio corpus (tests/hostile_media.py) through the music-emotion-recognition pipeline:
odd sample formats, 7.1 channels, clipping, DC offset and lying extensions all give the right chord
and key; integer PCM arrays are scaled; a two-hour file streams in bounded memory with a progress bar."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from modeling.base.errors import InvalidAudioError
from tests.hostile_media import AUDIO_CASES, _tone, corpus_folder, hostile_audio, two_hour_audio


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return corpus_folder(tmp_path_factory)


@pytest.mark.parametrize("case", list(AUDIO_CASES))
def test_every_odd_but_valid_file_gives_the_right_chord_and_key(case, corpus, mer):
    """Each file holds 3 s of a C major triad (8-bit, float, 24-bit, 8 channels, clipped, offset, in a
    container its extension does not name): the dsp backend must hear C and the key C major."""
    result = mer(str(hostile_audio(case, corpus)))
    assert result["duration"] == pytest.approx(3.0, abs=0.06)
    assert [chord["label"] for chord in result["chords"]] == ["C"] and result["key"] == "C major"
    assert len(result["moods"]) == 56 and all(np.isfinite([result["valence"], result["arousal"]]))


def test_integer_pcm_arrays_are_scaled_like_the_files(mer):
    floats = _tone()[:, 0].astype(np.float32)
    pcm16 = np.round(floats * 32767).astype(np.int16)
    pcm8 = np.round(floats * 127 + 128).astype(np.uint8)
    expected = mer(floats, sampling_rate=22050)
    for array in (pcm16, pcm8):
        result = mer(array, sampling_rate=22050)
        assert [c["label"] for c in result["chords"]] == ["C"]
        assert result["valence"] == pytest.approx(expected["valence"], abs=0.02)
    with pytest.raises(InvalidAudioError, match="must hold real numbers, got dtype bool"):
        mer(floats > 0, sampling_rate=22050)


class _NoEncoder:
    """Stands in for MERT's forward pass (timed elsewhere): what is tested is the streaming around it."""

    def __init__(self, encoder):
        self.encoder = encoder
        self.segments = 0

    def embed(self, segments):
        self.segments += len(segments)
        return np.zeros((len(segments), self.encoder.embedding_dim), np.float32)


class _CountingChords:
    """A chord backend that consumes its blocks (at a low rate: cheap to decode) and hears no chord
    (the key step: tests/chords/test_key_import.py, benchmarks/key_detection.py)."""

    sampling_rate = 4000
    block_seconds = 60.0
    seconds = 0.0

    def recognize_blocks(self, blocks):
        self.seconds = sum(len(block) for block in blocks) / self.sampling_rate
        return []


def test_two_hours_stream_in_bounded_memory_with_a_progress_bar(mer, tmp_path_factory, monkeypatch, capsys):
    """The whole decoding and segmenting path over 2 hours (MERT and the chord model stubbed: a whole
    two-hour prediction with even the tiny MERT takes minutes on the test machine): 240 segments of
    30 s, a progress bar over them, and memory that stays flat (the decoded audio alone is 690 MB)."""
    path = two_hour_audio(corpus_folder(tmp_path_factory))
    extractor = mer.feature_extractor
    stub = _NoEncoder(extractor.encoder)
    monkeypatch.setattr(extractor.encoder, "embed", stub.embed)
    chords = _CountingChords()
    monkeypatch.setattr(extractor, "chord_recognizer", chords)
    monkeypatch.setattr(extractor, "progress", True)
    tracemalloc.start()
    try:
        features = extractor(str(path))
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    assert stub.segments == len(features.segments) == 240
    assert features.segments[-1][1] == pytest.approx(7200.0, abs=0.01)
    assert chords.seconds == pytest.approx(7200.0, abs=0.01)
    assert peak < 64, f"{peak:.0f} MB traced at the peak"
    bar = capsys.readouterr().err
    assert "two-hours.flac" in bar and "/240" in bar and "segment" in bar


def test_the_predict_command_on_odd_files(corpus, model_dir, capsys):
    import json

    from modeling.cli import main

    paths = [str(hostile_audio(case, corpus)) for case in ("7.1 channels", "mp3 named .wav", "no extension")]
    assert main(["predict", *paths, "--model", str(model_dir), "--chord-backend", "dsp", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert {path: results[path]["key"] for path in paths} == dict.fromkeys(paths, "C major")
