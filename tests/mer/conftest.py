"""Session fixtures for the MER tests: a tiny random MERT-architecture encoder and a tiny
Music2Emo model saved to folders, and a pipeline loading them (the dsp chord backend)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def mert_dir(tmp_path_factory):
    from modeling.stand_ins import save_random_mert

    return save_random_mert(tmp_path_factory.mktemp("mert") / "tiny-mert", "tiny", seed=0)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory, mert_dir):
    import torch

    from modeling.music2emo import Music2EmoConfig, Music2EmoModel

    torch.manual_seed(0)
    config = Music2EmoConfig(audio_embedding_dim=64, audio_encoder=str(mert_dir))
    folder = tmp_path_factory.mktemp("music2emo") / "tiny-music2emo"
    Music2EmoModel(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def mer(model_dir):
    from transformers import pipeline

    import modeling  # noqa: F401

    return pipeline("music-emotion-recognition", model=str(model_dir), chord_backend="dsp", device="cpu")


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("audio")
