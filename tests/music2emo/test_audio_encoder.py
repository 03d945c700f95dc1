"""MERT embeddings as Music2Emo computes them, through the stand-in encoder saved to a folder."""

import numpy as np
import torch

from modeling.music2emo.audio_encoder import MertEncoder
from modeling.music2emo.feature_extraction_music2emo import Music2EmoFeatureExtractor
from modeling.music2emo.mert import load_mert


def test_stand_in_loads_like_the_real_mert(mert_dir):
    model, processor = load_mert(mert_dir)
    assert processor.sampling_rate == 24000 and processor.do_normalize
    with torch.inference_mode():
        frames = model(torch.zeros(1, 24000)).last_hidden_state.shape[1]
    assert frames == 74  # 75 frames per second (320-sample hop), minus the receptive field's edge


def test_embedding_is_layers_5_and_6_of_hidden_states_without_the_embedding_output(mert_dir):
    rng = np.random.default_rng(0)
    segment = rng.normal(0, 0.1, 24000 * 3).astype(np.float32)
    encoder = MertEncoder(str(mert_dir))
    got = encoder.embed([segment])[0]

    model, processor = load_mert(mert_dir)
    inputs = processor(segment, sampling_rate=24000, return_tensors="pt")
    with torch.inference_mode():
        states = model(**inputs, output_hidden_states=True).hidden_states
    expected = torch.cat([states[6].mean(dim=1), states[7].mean(dim=1)], dim=-1)[0].numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert got.shape == (2 * model.config.hidden_size,)


def test_batching_does_not_change_embeddings(mert_dir):
    rng = np.random.default_rng(1)
    segments = [rng.normal(0, 0.1, 24000 * 2).astype(np.float32) for _ in range(3)]
    one = MertEncoder(str(mert_dir), batch_size=1).embed(segments)
    three = MertEncoder(str(mert_dir), batch_size=3).embed(segments)
    np.testing.assert_allclose(one, three, rtol=1e-4, atol=1e-5)


def test_clips_are_cut_into_30_s_segments_and_a_short_clip_is_one(mert_dir):
    extractor = Music2EmoFeatureExtractor(str(mert_dir), chord_backend="dsp")
    rng = np.random.default_rng(2)
    long_clip = rng.normal(0, 0.05, 16000 * 65).astype(np.float32)
    features = extractor(long_clip, sampling_rate=16000)
    assert features.segments == [(0.0, 30.0), (30.0, 60.0), (60.0, 65.0)]
    assert features.segment_embeddings.shape == (3, 64)
    inputs = features.model_inputs()
    np.testing.assert_allclose(
        inputs["audio_embeddings"][0].numpy(), features.segment_embeddings.mean(axis=0)
    )
    assert inputs["chord_root_ids"].shape == (1, 100) and inputs["mode_ids"].tolist() == [
        features.key.mode_id
    ]
    assert extractor(long_clip[: 16000 * 12], sampling_rate=16000).segments == [(0.0, 12.0)]
