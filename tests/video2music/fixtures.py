"""A tiny AMT and regression model (the published architectures at small sizes); a tiny random CLIP
saved to a folder, a feature extractor loading it, the generated test videos (each made once per test
process) and a video-to-music pipeline of tiny models."""

from __future__ import annotations

import pytest

from tests.video2music.videos import make_video


@pytest.fixture(scope="session")
def amt():
    import torch

    from modeling.video2music.configuration_amt import AMTConfig
    from modeling.video2music.modeling_amt import AMTModel

    torch.manual_seed(0)
    config = AMTConfig(
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
    )
    return AMTModel(config).eval()


@pytest.fixture
def video():
    import torch

    torch.manual_seed(1)
    features = torch.rand(2, 24, 776)
    features[..., -6:] = features[..., -6:].softmax(-1)
    return features


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory):
    from modeling.testing import save_random_clip

    return save_random_clip(tmp_path_factory.mktemp("clip") / "tiny-clip", "tiny", seed=0)


@pytest.fixture(scope="session")
def extractor(clip_dir):
    from modeling.video2music.feature_extraction_video2music import VideoFeatureExtractor

    return VideoFeatureExtractor(clip_dir, batch_size=4, progress=False)


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("videos")


@pytest.fixture(scope="session")
def cuts_video(video_dir):
    """8 s, 160x120 at 25 fps, with audio (440 Hz): red 0-3 s, blue 3-5 s, test pattern 5-8 s."""
    return make_video(video_dir / "cuts.mp4", [("red", 3), ("blue", 2), ("testsrc", 3)], audio_hz=440.0)


@pytest.fixture(scope="session")
def patterns_video(video_dir):
    """6 s of three test patterns (cuts at 2 s and 4 s), no audio track."""
    return make_video(video_dir / "patterns.mp4", [("testsrc", 2), ("smptebars", 2), ("rgbtestsrc", 2)])


@pytest.fixture(scope="session")
def v2m_models(tmp_path_factory, clip_dir):
    """Tiny random AMT (and one of max 5 s, to exercise windowing), bi-GRU, MERT and Music2Emo saved to folders."""
    import torch

    from modeling import AMTConfig, AMTModel, AMTRegressionConfig, AMTRegressionModel
    from modeling.music2emo import Music2EmoConfig, Music2EmoModel
    from modeling.testing import save_random_mert

    root = tmp_path_factory.mktemp("v2m-models")
    torch.manual_seed(0)
    small = {"d_model": 32, "encoder_layers": 2, "decoder_layers": 2, "encoder_attention_heads": 4,
             "decoder_attention_heads": 4, "encoder_ffn_dim": 64, "decoder_ffn_dim": 64}  # fmt: skip
    AMTModel(AMTConfig(**small)).save_pretrained(root / "amt")
    AMTModel(AMTConfig(**small, max_sequence_length=5)).save_pretrained(root / "amt-5s")
    AMTRegressionModel(AMTRegressionConfig(hidden_size=8)).save_pretrained(root / "regression")
    mert = save_random_mert(root / "mert", "tiny")
    Music2EmoModel(Music2EmoConfig(audio_embedding_dim=64, audio_encoder=str(mert))).save_pretrained(
        root / "music2emo"
    )
    return {
        "root": root,
        "clip": clip_dir,
        **{name: root / name for name in ("amt", "amt-5s", "regression", "music2emo")},
    }


@pytest.fixture(scope="session")
def v2m(v2m_models):
    from transformers import pipeline

    import modeling  # noqa: F401

    return pipeline(
        "video-to-music", model=str(v2m_models["amt"]), regression_model=str(v2m_models["regression"]),
        clip_model=str(v2m_models["clip"]), emotion_model=str(v2m_models["music2emo"]), device="cpu", progress=False,
        emotion_options={"chord_backend": "dsp"},
    )  # fmt: skip
