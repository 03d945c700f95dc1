"""Launched Spaces with tiny random models, on 127.0.0.1 and a free port (one per module)."""

from __future__ import annotations

import runpy

import pytest

from tests.conftest import REPO_ROOT, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def launch(app_name: str, **models):
    namespace = runpy.run_path(str(REPO_ROOT / "spaces" / app_name / "app.py"), run_name=f"space_{app_name}")
    demo = namespace["build_app"](**models)
    port = free_port()
    demo.launch(
        server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, max_file_size="5mb", quiet=True
    )
    return demo, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory):
    import torch

    from modeling import AMTConfig, AMTModel, AMTRegressionConfig, AMTRegressionModel
    from modeling.music2emo import Music2EmoConfig, Music2EmoModel
    from modeling.testing import save_random_clip, save_random_mert

    root = tmp_path_factory.mktemp("space-models")
    torch.manual_seed(0)
    mert = save_random_mert(root / "mert", "tiny")
    Music2EmoModel(Music2EmoConfig(audio_embedding_dim=64, audio_encoder=str(mert))).save_pretrained(
        root / "music2emo"
    )
    small = {
        "d_model": 32,
        "encoder_layers": 2,
        "decoder_layers": 2,
        "encoder_attention_heads": 4,
        "decoder_attention_heads": 4,
        "encoder_ffn_dim": 64,
        "decoder_ffn_dim": 64,
    }
    AMTModel(AMTConfig(**small)).save_pretrained(root / "amt")
    AMTRegressionModel(AMTRegressionConfig(hidden_size=8)).save_pretrained(root / "regression")
    save_random_clip(root / "clip", "tiny")
    return {name: str(root / name) for name in ("music2emo", "amt", "regression", "clip")}


@pytest.fixture(scope="module")
def music_space(tiny_models, tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setenv("EMOTUNE_EXAMPLES_DIR", str(tmp_path_factory.mktemp("examples")))
    demo, url = launch("music2emo", model=tiny_models["music2emo"], chord_backend="dsp", max_seconds=60)
    yield url
    demo.close()


@pytest.fixture(scope="module")
def video_space(tiny_models):
    demo, url = launch(
        "video2music", model=tiny_models["amt"], regression_model=tiny_models["regression"],
        clip_model=tiny_models["clip"], emotion_model=tiny_models["music2emo"], max_seconds=30, chord_backend="dsp",
    )  # fmt: skip
    yield url
    demo.close()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture
def browser_page(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 1600},
        )  # fmt: skip
        page = context.new_page()
        yield page
        context.close()
