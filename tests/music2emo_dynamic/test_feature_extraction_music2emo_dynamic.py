"""Time-resolved features: windows pooled from the encoder pass that makes the clip embedding, chords per window."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dataset_scripts.synthetic.audio import render_progression
from modeling.music2emo.feature_extraction_music2emo import Music2EmoFeatureExtractor
from modeling.music2emo_dynamic.feature_extraction_music2emo_dynamic import (
    Music2EmoDynamicFeatureExtractor,
    WindowPooler,
    window_chords,
    window_times,
)
from modeling.vocabularies.chords import Key, TimedChord


def test_pooler_averages_the_frames_centred_in_each_window_across_segments():
    rng = np.random.default_rng(0)
    # two "segments" of 3 s with 10 frames per second, first centre 0.05 s in
    segments = [rng.normal(size=(30, 4)).astype(np.float32) for _ in range(2)]
    pooler = WindowPooler(4, window_seconds=1.0, hop_seconds=0.5, segment_seconds=3.0, frame_seconds=0.1,
                          first_frame_seconds=0.05)  # fmt: skip
    for frames in segments:
        pooler(frames)
    times, embeddings = pooler.windows(duration=6.0)
    np.testing.assert_allclose(times, np.arange(13) * 0.5)
    frames = np.concatenate(segments)
    centres = np.concatenate([k * 3.0 + 0.05 + np.arange(30) * 0.1 for k in range(2)])
    for time, embedding in zip(times, embeddings):
        inside = (centres >= time - 0.5) & (centres < time + 0.5)
        np.testing.assert_allclose(embedding, frames[inside].mean(axis=0), rtol=1e-5, atol=1e-6)
    # the window at 3.0 s spans the two segments: 5 frames of each
    inside = (centres >= 2.5) & (centres < 3.5)
    assert inside[:30].sum() == 5 and inside[30:].sum() == 5


def test_a_window_without_frames_takes_the_nearest_one():
    wide = WindowPooler(2, 0.6, 0.5, 10.0, frame_seconds=0.5, first_frame_seconds=0.25)
    wide(np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]], dtype=np.float32))
    _, embeddings = wide.windows(duration=2.0)
    # windows at 0, 0.5, 1.0 hold frames (0.25 | 0.25, 0.75 | 0.75, 1.25); 1.5 holds 1.25; 2.0 none -> 1.5's
    assert embeddings[:, 0].tolist() == [1.0, 1.5, 2.5, 3.0, 3.0]


def test_window_chords_keep_the_longest_overlaps_in_the_normalised_key():
    chords = [TimedChord(0.0, 1.2, "D"), TimedChord(1.2, 1.5, "G"), TimedChord(1.5, 3.0, "B:min")]
    times = window_times(2.0, 0.5)  # 0, 0.5, 1.0, 1.5, 2.0
    roots, qualities, weights = window_chords(chords, Key(2, "major"), times, 1.0, 2)  # D major -> C major
    # window 1.0 s spans 0.5-1.5: D for 0.7 s, G for 0.3 s -> C (root 1) then F (root 6), both major
    assert roots[2].tolist() == [1, 6] and qualities[2].tolist() == [1, 1]
    np.testing.assert_allclose(weights[2], [0.7, 0.3], atol=1e-6)
    # window 0 s spans -0.5-0.5: half of it before the audio; D only, padded
    assert roots[0].tolist() == [1, 0] and weights[0].tolist() == [0.5, 0.0]
    # window 2.0 s: B minor -> A minor (root 10, quality min = 5)
    assert roots[4].tolist() == [10, 0] and qualities[4].tolist() == [5, 0]
    roots, _, weights = window_chords([], Key(0, "major"), times, 1.0, 2)
    assert roots.tolist() == [[0, 0]] * 5 and weights[:, 0].tolist() == [1.0] * 5  # no chord: N


@pytest.fixture(scope="module")
def extractor(mert_dir):
    return Music2EmoFeatureExtractor(str(mert_dir), chord_backend="dsp", device="cpu")


def test_one_encoder_pass_gives_the_clip_embedding_and_the_windows(extractor, monkeypatch):
    wave = render_progression(["C", "A:min", "F", "G"] * 4, 2.0, 22050)  # 32 s: two segments
    calls = []
    forward = extractor.encoder.model.forward
    monkeypatch.setattr(
        extractor.encoder.model, "forward", lambda *a, **k: calls.append(1) or forward(*a, **k)
    )
    dynamic = Music2EmoDynamicFeatureExtractor(extractor)
    features = dynamic(wave, sampling_rate=22050)
    assert len(calls) == 2 == len(features.segments)
    calls.clear()
    static = extractor(wave, sampling_rate=22050)
    assert len(calls) == 2
    np.testing.assert_array_equal(features.segment_embeddings, static.segment_embeddings)
    assert [c.label for c in features.chords] == [c.label for c in static.chords]

    assert features.window_times.tolist() == (np.arange(65) * 0.5).tolist()  # 0 .. 32 s
    assert features.window_embeddings.shape == (65, extractor.encoder.embedding_dim)
    # the window at 30 s averages frames of both segments, as the hidden states give them
    encoder, rate = extractor.encoder, extractor.encoder.sampling_rate
    audio = static.segments  # [(0, 30), (30, 32)]
    from modeling.media.audio import AudioInput

    signal = AudioInput(wave, 22050).load(rate)
    frames, centres = [], []
    for start, end in audio:
        piece = signal[int(start * rate) : int(end * rate)]
        inputs = encoder.processor(piece, sampling_rate=rate, return_tensors="pt")
        with torch.inference_mode():
            hidden = encoder.hidden_states(dict(inputs))
        states = torch.cat([hidden[layer][0] for layer in encoder.layers], dim=-1).numpy()
        frames.append(states)
        centres.append(start + (np.arange(len(states)) * 320 + 199.5) / rate)
    frames, centres = np.concatenate(frames), np.concatenate(centres)
    for index in (0, 1, 30, 59, 60, 64):
        time = features.window_times[index]
        inside = (centres >= time - 0.5) & (centres < time + 0.5)
        np.testing.assert_allclose(features.window_embeddings[index], frames[inside].mean(axis=0), rtol=1e-4,
                                   atol=1e-5)  # fmt: skip
    inputs = features.window_inputs()
    assert inputs["window_embeddings"].shape == (1, 65, encoder.embedding_dim)
    assert inputs["chord_root_ids"].shape == (1, 65, 2) and inputs["mode_ids"].shape == (1,)
