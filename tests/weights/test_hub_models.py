"""MERT and CLIP, fetched by `emotune weights fetch mert|clip` into the Hugging Face cache from a local
stand-in of the Hub, then loaded with HF_HUB_OFFLINE=1 by emotune's own loaders (load_mert,
ClipFrameEncoder) and found by resolve_model: only the files the loaders read are downloaded."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch

from modeling.base.defaults import CLIP_MODEL, MERT_MODEL
from modeling.base.errors import WeightsDownloadError, WeightsNotFoundError
from modeling.hub import load_manifest, resolve_model
from modeling.hub.cache import cached_snapshot
from modeling.music2emo import mert as mert_module
from modeling.weights import fetch
from tests.weights.hub_server import HubRepo, set_offline

MERT_FILES = {"config.json", "preprocessor_config.json", "pytorch_model.bin"}
CLIP_FILES = {"config.json", "preprocessor_config.json", "tokenizer_config.json", "tokenizer.json",
              "special_tokens_map.json", "model.safetensors"}  # fmt: skip


def test_fetch_takes_only_what_the_loaders_read_and_they_load_it_offline(hub_env, monkeypatch):
    from modeling.video2music.clip_encoder import ClipFrameEncoder

    mert_folder = fetch("mert", progress=False)[MERT_MODEL]
    clip_folder = fetch("clip", progress=False)[CLIP_MODEL]
    assert hub_env.server.downloaded(MERT_MODEL) == MERT_FILES  # not README.md, not the remote code
    assert hub_env.server.downloaded(CLIP_MODEL) == CLIP_FILES  # not tf_model.h5, vocab.json, merges.txt
    # the Hub cache layout: the revision's ref, a snapshot of links to blobs
    storage = hub_env.cache / "models--m-a-p--MERT-v1-95M"
    commit = hub_env.repos[MERT_MODEL].commit
    assert (storage / "refs" / "main").read_text() == commit and mert_folder == storage / "snapshots" / commit
    assert {path.name for path in mert_folder.iterdir()} == MERT_FILES
    assert {path.name for path in clip_folder.iterdir()} == CLIP_FILES

    hub_env.server.requests.clear()
    assert fetch("mert", progress=False) == {MERT_MODEL: mert_folder}  # in the cache: not asked again
    assert hub_env.server.requests == []

    set_offline(monkeypatch, True)
    model, processor = mert_module.load_mert(MERT_MODEL)
    assert type(model).__name__ == "HubertModel" and processor.sampling_rate == 24000
    encoder = ClipFrameEncoder(CLIP_MODEL, device="cpu")
    semantic, emotion = encoder.encode(encoder.preprocess([np.zeros((40, 60, 3), "uint8")]))
    assert semantic.shape == (1, 768) and emotion.shape == (1, 6)
    assert resolve_model(MERT_MODEL) == MERT_MODEL and resolve_model(CLIP_MODEL) == CLIP_MODEL
    assert hub_env.server.requests == []  # everything came from disk


def test_safetensors_are_preferred_and_the_snapshot_loads_offline(hub_env, monkeypatch):
    """A repository holding both weight formats: only model.safetensors is fetched, and the offline load
    takes the snapshot as it is (it used to call the snapshot incomplete, lacking the .bin)."""
    from safetensors.torch import save

    repo = hub_env.repos[MERT_MODEL]
    state = torch.load(io.BytesIO(repo.files["pytorch_model.bin"]), weights_only=True)
    both = HubRepo({**repo.files, "model.safetensors": save({k: v.contiguous() for k, v in state.items()})})
    hub_env.server.repos[MERT_MODEL] = both
    folder = fetch("mert", progress=False)[MERT_MODEL]
    assert {path.name for path in folder.iterdir()} == {
        "config.json",
        "preprocessor_config.json",
        "model.safetensors",
    }
    set_offline(monkeypatch, True)
    model, _ = mert_module.load_mert(MERT_MODEL)
    torch.testing.assert_close(
        model.feature_projection.projection.weight, state["feature_projection.projection.weight"]
    )


def test_load_mert_online_once_then_offline(hub_env, monkeypatch):
    """The loader's own first use (no `emotune weights fetch`) also leaves what the offline loads need."""
    mert_module.load_mert(MERT_MODEL)
    assert hub_env.server.downloaded(MERT_MODEL) == MERT_FILES
    set_offline(monkeypatch, True)
    hub_env.server.requests.clear()
    mert_module.load_mert(MERT_MODEL)
    assert hub_env.server.requests == []


def test_offline_and_not_cached_names_the_fetch_command(hub_env, monkeypatch):
    set_offline(monkeypatch, True)
    with pytest.raises(WeightsNotFoundError, match=r"emotune weights fetch mert"):
        mert_module.load_mert(MERT_MODEL)
    with pytest.raises(WeightsNotFoundError) as caught:
        resolve_model(CLIP_MODEL)
    message = str(caught.value)
    assert "`emotune weights fetch clip`" in message and "not in the Hugging Face cache" in message
    assert str(hub_env.cache) in message and "MIT licence" in message
    with pytest.raises(WeightsDownloadError, match="HF_HUB_OFFLINE is set"):
        fetch("clip", progress=False)
    assert hub_env.server.requests == []


def test_a_repository_lacking_a_file_the_loader_needs_is_refused(hub_env):
    files = dict(hub_env.repos[CLIP_MODEL].files)
    del files["preprocessor_config.json"], files["tokenizer.json"]
    hub_env.server.repos[CLIP_MODEL] = HubRepo(files)  # vocab.json + merges.txt stand in for tokenizer.json
    with pytest.raises(
        WeightsDownloadError, match=r"lacks preprocessor_config.json or processor_config.json, which"
    ):
        fetch("clip", progress=False)
    assert not cached_snapshot(load_manifest().source("clip")).complete
    hub_env.server.repos.pop(CLIP_MODEL)
    with pytest.raises(WeightsDownloadError, match="the Hub answered RepositoryNotFoundError"):
        fetch("clip", progress=False)


def test_an_unreachable_hub_is_one_error(hub_env, monkeypatch):
    from huggingface_hub import constants

    from tests.weights.server import closed_port_url

    dead = closed_port_url()
    monkeypatch.setattr(constants, "ENDPOINT", dead)
    with pytest.raises(WeightsDownloadError, match=f"Cannot reach the Hub at {dead} for {MERT_MODEL}"):
        fetch("mert", progress=False, timeout=2)


def test_the_manifest_names_what_the_loaders_read():
    """The shipped hub sources ask for the files load_mert and CLIPModel/CLIPProcessor read."""
    manifest = load_manifest()
    mert, clip = manifest.source("mert"), manifest.source("clip")
    assert (mert.repo_id, clip.repo_id) == (MERT_MODEL, CLIP_MODEL)
    weights = (mert_module.SAFETENSORS_PATTERNS[:1], mert_module.SAFETENSORS_PATTERNS[1:],
               mert_module.BIN_PATTERNS[:1], mert_module.BIN_PATTERNS[1:])  # fmt: skip
    assert mert.groups == (((mert_module.CONFIG_NAME,),), ((mert_module.PREPROCESSOR_NAME,),), weights)
    assert clip.groups[-1] == weights
    # a repository as the Hub holds the real ones: the one format of weights there, nothing else
    real_mert = ["README.md", "config.json", "configuration_MERT.py", "modeling_MERT.py", "preprocessor_config.json",
                 "pytorch_model.bin", ".gitattributes"]  # fmt: skip
    assert mert.select(real_mert) == (sorted(MERT_FILES), [])
    real_clip = ["config.json", "merges.txt", "preprocessor_config.json", "pytorch_model.bin", "special_tokens_map.json",
                 "tf_model.h5", "tokenizer.json", "tokenizer_config.json", "vocab.json", "README.md"]  # fmt: skip
    chosen, missing = clip.select(real_clip)
    assert missing == [] and chosen == sorted(CLIP_FILES - {"model.safetensors"} | {"pytorch_model.bin"})
    sharded = clip.select([*real_clip, "model.safetensors.index.json", "model-00001-of-00002.safetensors",
                           "model-00002-of-00002.safetensors"])[0]  # fmt: skip
    assert "model-00002-of-00002.safetensors" in sharded and "pytorch_model.bin" not in sharded


def test_hub_server_speaks_enough_of_the_hub(hub_env):
    """The stand-in answers as huggingface_hub expects (a guard on the test server itself)."""
    from huggingface_hub import HfApi, hf_hub_download

    info = HfApi().model_info(MERT_MODEL)
    assert info.sha == hub_env.repos[MERT_MODEL].commit and "config.json" in {
        s.rfilename for s in info.siblings
    }
    path = hf_hub_download(MERT_MODEL, "config.json")
    assert path.endswith("config.json")
