"""What `emotune weights fetch` says and accepts: Google Drive out of reach (names --from AMT.zip and the
Drive page), a conversion error in one line (the original file's name, "Nothing was installed", no colour
codes, no staging path), one file of a source of several, --only, and file:// URLs."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch

from modeling.base.errors import InvalidInputError, WeightsDownloadError
from modeling.cli import main
from modeling.hub import installed_models, load_manifest
from modeling.hub.manifest import SHIPPED_MANIFEST
from modeling.weights import fetch, git_blob_id
from tests.weights.originals import snapshot
from tests.weights.server import closed_port_url

BTC = "btc_model_large_voca.pt"
PAGE = "https://drive.google.com/file/d/1qpcBXF04pgdy9hqRexr0mTx7L9_CAFpt/view"


def test_google_drive_out_of_reach_names_the_page_and_from(weights_env, monkeypatch):
    """The shipped Drive link through gdown, with every connection refused (a proxy nobody listens on)."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, closed_port_url())
    shipped = load_manifest(SHIPPED_MANIFEST).source("video2music").files[0]
    weights_env.rewrite(lambda raw: raw["sources"]["video2music"]["files"][0].update(urls=list(shipped.urls)))
    with pytest.raises(WeightsDownloadError) as caught:
        fetch("video2music", progress=False, timeout=5)
    message = str(caught.value)
    assert f"Google Drive could not be reached at {shipped.urls[0]} (ProxyError" in message
    assert (
        f"from its page {PAGE}" in message and "`emotune weights fetch video2music --from AMT.zip`" in message
    )
    assert "broke off" not in message and "resume" not in message and "\n" not in message
    assert snapshot(weights_env.home) == {}  # no empty partial file left behind


def test_a_conversion_error_is_one_line_naming_the_original_file(weights_env, tmp_path, capsys):
    bad = tmp_path / "J_all.ckpt"
    torch.save({"state_dict": {"model.w": np.zeros(3)}}, bad)  # verifies (by its blob id), cannot convert
    weights_env.server.files["/music2emo/J_all.ckpt"] = bad.read_bytes()
    weights_env.rewrite(
        lambda raw: raw["sources"]["music2emo"]["files"][0]["check"].update(git_blob=git_blob_id(bad))
    )
    fetch("btc", progress=False)
    before = snapshot(weights_env.home)
    capsys.readouterr()
    assert main(["weights", "fetch", "music2emo", "--only", "emotune/music2emo", "--no-progress"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(
        "emotune weights: error: J_all.ckpt could not be converted into emotune/music2emo: "
        "torch.load(weights_only=True) refused it: Unsupported global: GLOBAL numpy"
    ), err
    assert err.endswith("Nothing was installed; the installed models are as they were"), err
    assert (
        "\n" not in err and "\x1b" not in err and ".staging" not in err and str(weights_env.home) not in err
    )
    home_now = snapshot(weights_env.home)
    assert {k: v for k, v in home_now.items() if not k.startswith(".downloads")} == before


def test_one_file_of_a_source_of_several_installs_its_models_alone(weights_env, tmp_path, capsys):
    originals = weights_env.originals
    assert (
        main(["weights", "fetch", "music2emo", "--from", str(originals.files["J_all.ckpt"]), "--no-progress"])
        == 0
    )
    assert list(installed_models()) == ["emotune/music2emo"] and weights_env.server.requests == []
    renamed = tmp_path / "student-from-a-friend.ckpt"  # known by its git blob id
    shutil.copy(originals.files["deam_best.ckpt"], renamed)
    assert fetch("music2emo", origin=renamed, progress=False) == {
        "emotune/music2emo-teacher-deam": weights_env.home / "emotune" / "music2emo-teacher-deam"
    }
    other = tmp_path / "other.ckpt"
    other.write_bytes(b"\0" * 100)
    with pytest.raises(
        InvalidInputError, match=r"none of the files of music2emo .* Accepted: J_all.ckpt, jamendo_best"
    ):
        fetch("music2emo", origin=other, progress=False)
    with pytest.raises(
        InvalidInputError, match=r"is J_all.ckpt, which installs emotune/music2emo, not emotune/music2"
    ):
        fetch(
            "music2emo", origin=originals.files["J_all.ckpt"], model_ids=["emotune/music2emo-teacher-pmemo"]
        )
    # an http(s) URL ending with one file's name is that file alone
    url = f"{weights_env.server.url}/music2emo/pmemo_best.ckpt"
    assert list(fetch("music2emo", origin=url, progress=False)) == ["emotune/music2emo-teacher-pmemo"]


def test_only_chooses_among_the_models_of_a_source(weights_env, capsys):
    assert (
        main(["weights", "fetch", "music2emo", "--only", "emotune/music2emo-teacher-deam", "--no-progress"])
        == 0
    )
    assert list(installed_models()) == ["emotune/music2emo-teacher-deam"]
    assert [path for path, _ in weights_env.server.requests] == ["/music2emo/deam_best.ckpt"]
    assert main(["weights", "fetch", "all", "--only", "emotune/btc-large-voca", "--no-progress"]) == 0
    assert sorted(installed_models()) == ["emotune/btc-large-voca", "emotune/music2emo-teacher-deam"]
    capsys.readouterr()
    assert main(["weights", "fetch", "btc", "--only", "emotune/music2emo", "--no-progress"]) == 1
    assert (
        "--only emotune/music2emo: btc installs no such model. Accepted: emotune/btc-large-voca"
        in capsys.readouterr().err
    )


def test_file_urls_in_from_and_in_the_manifest(weights_env, tmp_path):
    copy = tmp_path / "mirror" / BTC
    copy.parent.mkdir()
    shutil.copy(weights_env.originals.files[BTC], copy)
    weights_env.rewrite(
        lambda raw: raw["sources"]["btc"]["files"][0].update(
            urls=[(tmp_path / "none").as_uri(), copy.as_uri()]
        )
    )
    folder = fetch("btc", progress=False)["emotune/btc-large-voca"]
    record = json.loads((folder / "emotune_provenance.json").read_text())
    assert record["downloaded_from"] == copy.as_uri() and copy.is_file()  # used where it is, never deleted
    assert weights_env.server.requests == [] and not (weights_env.home / ".downloads").exists()

    student = weights_env.originals.files["J_all.ckpt"]
    assert list(fetch("music2emo", origin=student.as_uri(), progress=False)) == ["emotune/music2emo"]
    folder_url = student.parent.as_uri()  # a folder holding the files, as a file:// URL
    assert "emotune/music2emo-teacher-deam" in fetch("music2emo", origin=folder_url, progress=False)
    with pytest.raises(InvalidInputError, match="no such file or folder"):
        fetch("btc", origin=(tmp_path / "nothing.pt").as_uri(), force=True, progress=False)
    with pytest.raises(WeightsDownloadError, match=r"cannot download .* file://\S+/none: no such file"):
        weights_env.rewrite(
            lambda raw: raw["sources"]["btc"]["files"][0].update(urls=[(tmp_path / "none").as_uri()])
        )
        fetch("btc", force=True, progress=False)
