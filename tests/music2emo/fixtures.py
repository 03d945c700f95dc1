"""Fixtures of the Music2Emo tests: a tiny random MERT-architecture encoder and a tiny Music2Emo model
saved to folders, a pipeline loading them (the dsp chord backend), and a tiny model in memory. The
training fixtures (features dataset, teachers, student) are in ``training_fixtures.py``, which the
root conftest registers for every folder. Also a tiny random MERT-v1
in the form of the Hub repo, with minimal remote code for its auto_map."""

from __future__ import annotations

import pytest

from tests.music2emo.factories import tiny_config
from tests.music2emo.mert_forms import write_remote_code


@pytest.fixture(scope="session")
def mert_dir(tmp_path_factory):
    from modeling.testing import save_random_mert

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


@pytest.fixture
def tiny_model():
    import torch

    from modeling.music2emo import Music2EmoModel

    torch.manual_seed(0)
    return Music2EmoModel(tiny_config()).eval()


@pytest.fixture(scope="session")
def hub_mert(tmp_path_factory):
    from modeling.testing import save_random_mert

    return write_remote_code(
        save_random_mert(tmp_path_factory.mktemp("hub-mert") / "MERT-v1-tiny", "tiny", seed=3)
    )


@pytest.fixture(scope="session")
def dynamic_dir(tmp_path_factory, mert_dir):
    """A tiny music2emo_dynamic model on the tiny MERT (64-value windows)."""
    import torch

    from modeling.music2emo_dynamic import Music2EmoDynamicModel
    from tests.music2emo_dynamic.factories import tiny_dynamic_config

    torch.manual_seed(1)
    folder = tmp_path_factory.mktemp("dynamic-model") / "tiny-dynamic"
    Music2EmoDynamicModel(
        tiny_dynamic_config(audio_embedding_dim=64, audio_encoder=str(mert_dir))
    ).save_pretrained(folder)
    return folder
