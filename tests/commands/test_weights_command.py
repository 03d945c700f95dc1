"""`emotune weights fetch all` from a local server of original-format files and a local stand-in of the Hub
(MERT, CLIP), then, with HF_HUB_OFFLINE=1, `emotune predict` and `emotune score-video` with ALL their
default models (the converted ones from EMOTUNE_HOME, MERT and CLIP from the Hugging Face cache) and no
request to any server; `weights list`, `--only`, `--from` one file, and `weights push`."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

from modeling.base.defaults import CLIP_MODEL, MERT_MODEL
from modeling.cli import main
from tests.weights.hub_server import HubServer, set_offline, use_endpoint
from tests.weights.originals import build_originals, hub_repos, write_manifest
from tests.weights.server import FileServer

MODEL_IDS = ["emotune/music2emo", *(f"emotune/music2emo-teacher-{t}" for t in ("jamendo", "deam", "pmemo", "emomusic")),
             "emotune/btc-large-voca", "emotune/video2music-amt", "emotune/video2music-regression"]  # fmt: skip


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """EMOTUNE_HOME and the Hugging Face cache filled by `emotune weights fetch all`, then HF_HUB_OFFLINE=1
    (the environment stays set for the module)."""
    root = tmp_path_factory.mktemp("weights-command")
    originals = build_originals(root / "originals")
    repos = hub_repos(root / "hub-repos")
    with (
        pytest.MonkeyPatch.context() as patch,
        FileServer(originals.served()) as server,
        HubServer(repos) as hub,
    ):
        patch.setenv("EMOTUNE_HOME", str(root / "home"))
        patch.setenv(
            "EMOTUNE_WEIGHTS_MANIFEST", str(write_manifest(root / "manifest.json", server.url, originals))
        )
        use_endpoint(patch, hub.url, root / "hf-cache")
        assert main(["weights", "fetch", "all", "--no-progress"]) == 0
        set_offline(patch, True)
        server.requests.clear()
        hub.requests.clear()
        yield {"root": root, "home": root / "home", "originals": originals, "server": server, "hub": hub,
               "cache": root / "hf-cache"}  # fmt: skip


def test_fetch_all_installs_every_default_and_list_shows_them(installed, capsys):
    home = installed["home"]
    for model_id in MODEL_IDS:
        assert (home / model_id / "config.json").is_file() and (home / model_id / "README.md").is_file()
    assert main(["weights", "list"]) == 0
    listing = capsys.readouterr().out
    assert (
        f"EMOTUNE_HOME: {home}" in listing and "not installed" not in listing and "not cached" not in listing
    )
    assert f"Hugging Face cache: {installed['cache']}" in listing
    for model_id in MODEL_IDS:
        assert re.search(rf"^{re.escape(model_id)} +installed +verified +[\d.]+ [KM]B  {re.escape(str(home / model_id))}$",
                         listing, re.M), model_id  # fmt: skip
    for repo in (MERT_MODEL, CLIP_MODEL):  # cached, with their size and snapshot folder
        folder = installed["cache"] / f"models--{repo.replace('/', '--')}" / "snapshots"
        assert re.search(rf"^{re.escape(repo)} +cached +- +[\d.]+ KB  {re.escape(str(folder))}/[0-9a-f]{{40}}$",
                         listing, re.M), repo  # fmt: skip
    assert f"from {installed['server'].url}/music2emo/J_all.ckpt" in listing


def test_predict_offline_with_the_default_models_runs_the_installed_originals(installed, tmp_path, capsys):
    from transformers import pipeline

    from dataset_scripts.synthetic.audio import render_progression
    from modeling.media.audio import write_audio

    wav = write_audio(tmp_path / "song.wav", render_progression(["A:min", "F", "C", "G"], 0.75, 22050), 22050)
    # HF_HUB_OFFLINE=1: the default --model and BTC chord model from EMOTUNE_HOME, MERT from the HF cache
    assert main(["predict", str(wav), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert len(result["moods"]) == 56 and result["chords"]
    assert installed["server"].requests == [] and installed["hub"].requests == []

    # the numbers are the ORIGINAL student's on the pipeline's own inputs
    mer = pipeline("music-emotion-recognition", model=str(installed["home"] / "emotune/music2emo"), audio_encoder=MERT_MODEL,
                   chord_model=str(installed["home"] / "emotune/btc-large-voca"), device="cpu")  # fmt: skip
    inputs = mer.feature_extractor(str(wav)).model_inputs()
    with torch.no_grad():
        moods, va = installed["originals"].models["J_all.ckpt"](
            inputs["audio_embeddings"],
            inputs["chord_root_ids"],
            inputs["chord_attr_ids"],
            inputs["mode_ids"][:, None],
        )
    np.testing.assert_allclose([result["valence"], result["arousal"]], va[0].numpy(), rtol=1e-4, atol=1e-4)
    scores = {mood["label"]: mood["score"] for mood in result["moods"]}
    np.testing.assert_allclose(
        sorted(scores.values()), np.sort(moods.sigmoid()[0].numpy()), rtol=1e-4, atol=1e-5
    )


def test_score_video_offline_with_the_default_models(installed, tmp_path, capsys):
    from tests.video2music.videos import make_video

    video = make_video(tmp_path / "v.mp4", [("red", 1.5), ("testsrc", 1.5)])
    out = tmp_path / "scored.mp4"
    # HF_HUB_OFFLINE=1; --model and --regression-model are the defaults (emotune/video2music-amt and
    # -regression, installed), --clip-model too (openai/clip-vit-large-patch14-336, in the HF cache)
    assert main(["score-video", str(video), "--out", str(out), "--seed", "0", "--no-progress"]) == 0
    chords = json.loads(out.with_suffix(".json").read_text())["chords"]
    assert out.is_file() and 3 <= len(chords) <= 4  # one per (started) second
    assert f"chords per second: {' '.join(chords)}" in capsys.readouterr().out
    assert installed["server"].requests == [] and installed["hub"].requests == []


def test_push_uploads_the_installed_folder_with_its_card(installed, tmp_path, capsys):
    from modeling.weights import push

    class Api:
        def __init__(self):
            self.calls = []

        def create_repo(self, repo_id, **kwargs):
            self.calls.append(("create_repo", repo_id, kwargs))

        def upload_folder(self, *, repo_id, folder_path, **kwargs):
            files = {
                path.name: path.read_text()
                for path in folder_path.iterdir()
                if path.suffix in (".md", ".json")
            }
            self.calls.append(("upload_folder", repo_id, files))
            return type("Commit", (), {"commit_url": f"https://huggingface.co/{repo_id}/commit/abc"})()

    api = Api()
    assert push("emotune/btc-large-voca", "me/btc", api=api) == "https://huggingface.co/me/btc/commit/abc"
    (_, repo, options), (_, _, files) = api.calls
    assert repo == "me/btc" and options == {"repo_type": "model", "private": False, "exist_ok": True}
    assert 'from_pretrained("me/btc")' in files["README.md"] and "## Original weights" in files["README.md"]
    assert json.loads(files["emotune_provenance.json"])["model_id"] == "emotune/btc-large-voca"

    assert main(["weights", "push", "emotune/not-there", "me/x"]) == 1
    assert "is not an installed model or a saved model folder" in capsys.readouterr().err
    assert main(["weights", "push", "emotune/btc-large-voca", "not a repo"]) == 1
    assert "is not a Hub repository id" in capsys.readouterr().err
    assert main(["weights", "push", "emotune/btc-large-voca", "me/btc"]) == 1  # the tests run offline
    assert "HF_HUB_OFFLINE is set" in capsys.readouterr().err
