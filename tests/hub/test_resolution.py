"""`resolve_model`: folders as they are, emotune default ids from EMOTUNE_HOME first, then the Hub; one
quick WeightsNotFoundError naming the command that installs what is missing. Wired into the commands,
train.py and the pipeline task defaults."""

from __future__ import annotations

import sys
import time
from typing import ClassVar

import pytest
import torch

import modeling  # noqa: F401
from modeling.base.errors import WeightsNotFoundError
from modeling.hub import resolve_model
from modeling.weights import fetch, resolve_or_fetch
from tests.audio_files import lavfi_audio
from tests.conftest import REPO_ROOT


@pytest.fixture
def online(monkeypatch):
    """Offline mode off; the Hub is replaced by ``calls``' stub (set ``.answer`` to an exception or None)."""
    import huggingface_hub
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)

    class Hub:
        answer: Exception | None = None
        calls: ClassVar[list] = []

    def metadata(url, timeout=None, **kwargs):
        Hub.calls.append((url, timeout))
        if Hub.answer is not None:
            raise Hub.answer
        return object()

    monkeypatch.setattr(huggingface_hub, "get_hf_file_metadata", metadata)
    return Hub


def not_found(url="https://huggingface.co/x"):
    import httpx2
    from huggingface_hub.errors import RepositoryNotFoundError

    return RepositoryNotFoundError("404", response=httpx2.Response(404, request=httpx2.Request("HEAD", url)))


def test_a_folder_is_used_as_it_is(tmp_path):
    assert resolve_model(tmp_path) == str(tmp_path)
    with pytest.raises(WeightsNotFoundError, match="No model folder at './missing/model'"):
        resolve_model("./missing/model")


def test_default_ids_resolve_to_the_installed_copy_else_fail_fast_offline(weights_env):
    start = time.perf_counter()
    with pytest.raises(WeightsNotFoundError) as caught:
        resolve_model("emotune/btc-large-voca")
    assert time.perf_counter() - start < 2.0
    message = str(caught.value)
    assert (
        "`emotune weights fetch btc`" in message and "HF_HUB_OFFLINE" in message and "MIT licence" in message
    )
    with pytest.raises(WeightsNotFoundError, match="emotune weights fetch btc"):
        resolve_or_fetch("emotune/btc-large-voca")  # offline mode: no downloads from anywhere
    assert weights_env.server.requests == []
    folder = fetch("btc", progress=False)["emotune/btc-large-voca"]
    assert resolve_model("emotune/btc-large-voca") == str(folder)
    with pytest.raises(WeightsNotFoundError, match="hf download someone/model"):  # any other Hub id: the Hub
        resolve_model("someone/model")


def test_a_hub_id_in_the_hf_cache_resolves_offline(tmp_path, monkeypatch):
    from huggingface_hub import constants

    snapshot = tmp_path / "hub" / "models--someone--model" / "snapshots" / ("a" * 40)
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (tmp_path / "hub" / "models--someone--model" / "refs").mkdir()
    (tmp_path / "hub" / "models--someone--model" / "refs" / "main").write_text("a" * 40)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    assert resolve_model("someone/model") == "someone/model"


def test_online_the_hub_is_asked_once_with_a_short_timeout(weights_env, online):
    assert (
        resolve_model("emotune/music2emo") == "emotune/music2emo"
    )  # published on the Hub: loaded from there
    assert online.calls == [("https://huggingface.co/emotune/music2emo/resolve/main/config.json", 5.0)]
    online.answer = not_found()
    with pytest.raises(
        WeightsNotFoundError, match=r"the Hub has no such repository.*`emotune weights fetch music2emo`"
    ):
        resolve_model("emotune/music2emo")
    assert len(online.calls) == 2  # no retries
    # the Spaces' start-up: a default id neither installed nor on the Hub is fetched from its public home
    folder = resolve_or_fetch("emotune/btc-large-voca")
    assert folder == str(weights_env.home / "emotune" / "btc-large-voca")
    assert resolve_model("emotune/btc-large-voca") == folder and len(online.calls) == 3


def test_pipeline_without_a_model_resolves_the_default_when_called(weights_env, tmp_path):
    from transformers import pipeline

    from modeling.music2emo import Music2EmoConfig, Music2EmoModel
    from modeling.testing import save_random_mert

    with pytest.raises(WeightsNotFoundError, match="emotune weights fetch music2emo"):
        pipeline("music-emotion-recognition", chord_backend="dsp")
    mert = save_random_mert(tmp_path / "mert", "tiny")
    torch.manual_seed(0)
    installed = weights_env.home / "emotune" / "music2emo"
    Music2EmoModel(Music2EmoConfig(audio_embedding_dim=64, audio_encoder=str(mert))).save_pretrained(
        installed
    )
    mer = pipeline("music-emotion-recognition", chord_backend="dsp", device="cpu")
    assert mer.model.name_or_path == str(installed) and mer.model.config.model_type == "music2emo"


def test_the_commands_fail_fast_naming_the_fetch_command(weights_env, tmp_path, capsys):
    import train
    from modeling.cli import main

    assert main(["score-video", str(tmp_path / "v.mp4"), "--clip-model", str(tmp_path)]) == 1
    assert "emotune score-video: error: emotune/video2music-amt is not installed" in capsys.readouterr().err
    clip = lavfi_audio(tmp_path / "x.wav", "sine=frequency=440", seconds=2.0)
    assert main(["predict", str(clip), "--model", str(tmp_path), "--chord-backend", "btc"]) == 1
    assert "`emotune weights fetch btc`" in capsys.readouterr().err
    assert train.main(["evaluate", "--model", "emotune/music2emo", "--data", str(tmp_path)]) == 1
    assert (
        "train.py evaluate: error:" in (err := capsys.readouterr().err)
        and "emotune weights fetch music2emo" in err
    )


def test_predict_offline_with_nothing_installed_exits_1_within_seconds(tmp_path):
    import os
    import subprocess

    from dataset_scripts.synthetic.audio import render_progression
    from modeling.media.audio import write_audio

    wav = write_audio(tmp_path / "x.wav", render_progression(["C", "G"], 1.0, 22050), 22050)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "EMOTUNE_HOME": str(tmp_path / "home"),
           "HF_HOME": str(tmp_path / "hf"), "PYTHONPATH": str(REPO_ROOT)}  # fmt: skip
    env.pop("EMOTUNE_WEIGHTS_MANIFEST", None)

    def timed(*args):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=120)  # fmt: skip
        return done, time.perf_counter() - start

    done, elapsed = timed("-m", "modeling", "predict", str(wav))
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("emotune predict: error: emotune/music2emo is not installed"), done.stderr
    assert "`emotune weights fetch music2emo`" in done.stderr and "Traceback" not in done.stderr
    # under 10 s (about 5 s on an idle 2-core machine, nearly all of it importing torch and transformers);
    # on a machine so busy that the imports alone take longer, the failure may add at most 4 s to them
    _, imports = timed("-c", "import modeling.cli")
    assert elapsed < max(10.0, imports + 4.0), (elapsed, imports)


def test_a_hub_model_the_manifest_fetches_resolves_to_the_cache_only_when_complete(tmp_path, monkeypatch):
    """MERT with only its config.json cached (what an AutoConfig call leaves) is not loadable offline: the
    error names what is missing and `emotune weights fetch mert`; with every file its loader reads, the id
    resolves (the loader then reads the cache)."""
    from huggingface_hub import constants

    from modeling.base.defaults import MERT_MODEL

    commit = "b" * 40
    storage = tmp_path / "hub" / "models--m-a-p--MERT-v1-95M"
    snapshot = storage / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (storage / "refs").mkdir()
    (storage / "refs" / "main").write_text(commit)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.delenv("EMOTUNE_WEIGHTS_MANIFEST", raising=False)
    with pytest.raises(WeightsNotFoundError) as caught:
        resolve_model(MERT_MODEL)
    message = str(caught.value)
    assert "holds only part of it (no preprocessor_config.json; no model.safetensors or" in message
    assert "HF_HUB_OFFLINE is set" in message and "`emotune weights fetch mert`" in message
    assert "CC BY-NC 4.0 licence" in message
    (snapshot / "preprocessor_config.json").write_text("{}")
    (snapshot / "pytorch_model.bin").write_bytes(b"weights")
    assert resolve_model(MERT_MODEL) == MERT_MODEL
