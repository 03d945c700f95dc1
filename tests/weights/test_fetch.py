"""`modeling.weights.fetch`: download -> verify -> convert -> atomic install, and every way it can fail
leaving the installed models exactly as they were."""

from __future__ import annotations

import json
import shutil

import pytest
import torch
from transformers import AutoModel

import modeling  # noqa: F401  (registers the model classes)
from modeling.base.errors import InvalidInputError, WeightsDownloadError
from modeling.hub import installed_models, load_manifest
from modeling.hub.manifest import SHIPPED_MANIFEST
from modeling.weights import fetch, git_blob_id
from tests.weights.originals import snapshot, zip_pickles
from tests.weights.server import closed_port_url

BTC = "btc_model_large_voca.pt"


def test_git_blob_id_is_gits(tmp_path):
    (tmp_path / "hello").write_bytes(b"hello\n")
    assert git_blob_id(tmp_path / "hello") == "ce013625030ba8dba906f756967f9e9ca394464a"  # git hash-object


def test_the_shipped_manifest_names_every_default_and_its_public_home():
    from modeling.base import defaults

    manifest = load_manifest()
    assert {
        defaults.MUSIC2EMO_MODEL,
        defaults.BTC_CHORD_MODEL,
        defaults.AMT_MODEL,
        defaults.AMT_REGRESSION_MODEL,
    } <= set(manifest.model_ids)
    assert (
        len(manifest.source("music2emo").files) == 5 and manifest.source("music2emo").licence["name"] == "MIT"
    )
    j_all = manifest.source("music2emo").files[0]
    assert j_all.check == {"git_blob": "95926289d2adb3f9db9bbee94423f21584d71a7c"}
    assert all("c5f7984f78d9928b841f25bd05a47377c12c58ca" in url for url in j_all.urls)
    assert manifest.source("video2music").files[0].urls == (
        "https://drive.google.com/uc?id=1qpcBXF04pgdy9hqRexr0mTx7L9_CAFpt",
    )
    with pytest.raises(InvalidInputError, match="Accepted: music2emo, btc, video2music"):
        manifest.source("nope")


def test_fetch_verifies_converts_and_installs_with_card_and_provenance(weights_env):
    installed = fetch("btc", progress=False)
    folder = weights_env.home / "emotune" / "btc-large-voca"
    assert installed == {"emotune/btc-large-voca": folder} and installed_models() == installed
    model = AutoModel.from_pretrained(folder).eval()
    features = torch.randn(2, 108, 144)
    with torch.no_grad():  # the original's outputs, and the NumPy-scalar statistics as floats
        original = weights_env.originals.models[BTC]
        torch.testing.assert_close(model(features).logits, original(features), rtol=1e-4, atol=1e-4)
    assert model.config.feature_mean == pytest.approx(-4.2)

    blob = git_blob_id(weights_env.originals.files[BTC])
    record = json.loads((folder / "emotune_provenance.json").read_text())
    assert record["git_blob"] == blob and record["check"] == {"git_blob": blob}
    assert (
        record["downloaded_from"] == f"{weights_env.server.url}/btc/{BTC}"
        and record["licence"]["name"] == "MIT"
    )
    card = (folder / "README.md").read_text()
    for fact in (blob, f"{weights_env.server.url}/btc/{BTC}", "MIT", "Jonggwon Park",
                 "python -m modeling.btc.convert_original_checkpoint", "emotune weights fetch btc",
                 'from_pretrained("emotune/btc-large-voca")', "## Citation"):  # fmt: skip
        assert fact in card, fact
    assert card.index("## Original weights") < card.index("## Citation")
    assert not (weights_env.home / ".downloads").exists()  # the original is not kept once converted

    requests = len(weights_env.server.requests)
    assert fetch("btc", progress=False) == installed  # installed and matching the manifest: nothing to do
    assert len(weights_env.server.requests) == requests


def test_a_zip_gives_both_video2music_models(weights_env):
    installed = fetch("video2music", progress=False)
    assert sorted(installed) == ["emotune/video2music-amt", "emotune/video2music-regression"]
    regression = AutoModel.from_pretrained(installed["emotune/video2music-regression"]).eval()
    features = torch.rand(1, 5, 776)
    with torch.no_grad():
        original = weights_env.originals.models["best_rmse_weights.pickle"]
        torch.testing.assert_close(regression(features).predictions, original(features), rtol=1e-5, atol=1e-5)
    record = json.loads((installed["emotune/video2music-amt"] / "emotune_provenance.json").read_text())
    assert record["member"] == "best_loss_weights.pickle" and record["file"] == "AMT.zip"


def test_a_blob_id_mismatch_is_refused_and_changes_nothing(weights_env):
    fetch("btc", progress=False)
    before = snapshot(weights_env.home)
    weights_env.rewrite(lambda raw: raw["sources"]["btc"]["files"][0]["check"].update(git_blob="0" * 40))
    with pytest.raises(WeightsDownloadError) as caught:
        fetch("btc", force=True, progress=False)
    message = str(caught.value)
    actual = git_blob_id(weights_env.originals.files[BTC])
    assert f"git blob id is {actual}, expected {'0' * 40}" in message and "Nothing was installed" in message
    assert snapshot(weights_env.home) == before


def test_an_interrupted_download_errors_then_resumes_with_a_range_request(weights_env):
    fetch("video2music", progress=False)
    before = snapshot(weights_env.home)
    path, size = f"/btc/{BTC}", weights_env.originals.files[BTC].stat().st_size
    weights_env.server.cut_after[path] = 5000
    with pytest.raises(WeightsDownloadError, match=f"truncated transfer: 5000 of {size} bytes arrived"):
        fetch("btc", progress=False)
    part = weights_env.home / ".downloads" / "btc" / f"{BTC}.part"
    assert part.stat().st_size == 5000  # the bytes received, kept for the next fetch ...
    assert snapshot(weights_env.home) == {
        **before,
        str(part.relative_to(weights_env.home)): snapshot(part.parent)[part.name],
    }

    weights_env.server.requests.clear()
    installed = fetch("btc", progress=False)  # ... which asks for the rest only
    assert weights_env.server.requests == [(path, "bytes=5000-")]
    assert (
        json.loads((installed["emotune/btc-large-voca"] / "emotune_provenance.json").read_text())["size"]
        == size
    )
    assert not part.exists()


def test_a_partial_file_that_is_already_whole_or_foreign_is_handled(weights_env):
    part = weights_env.home / ".downloads" / "btc" / f"{BTC}.part"
    part.parent.mkdir(parents=True)
    size = weights_env.originals.files[BTC].stat().st_size
    part.write_bytes(weights_env.originals.files[BTC].read_bytes())  # every byte came; the rename did not
    assert "emotune/btc-large-voca" in fetch("btc", progress=False)
    assert weights_env.server.requests == [(f"/btc/{BTC}", f"bytes={size}-")]  # answered 416: nothing missing
    weights_env.server.requests.clear()
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"x" * 10**6)  # longer than the file: not a prefix the server knows, so it starts again
    fetch("btc", force=True, progress=False)
    assert [r[1] for r in weights_env.server.requests] == ["bytes=1000000-", None]


def test_a_zip_without_the_pickles_is_refused_and_changes_nothing(weights_env, tmp_path):
    fetch("btc", progress=False)
    before = snapshot(weights_env.home)
    weights_env.server.files["/video2music/AMT.zip"] = zip_pickles(
        tmp_path / "other.zip", {"AMT/best_loss_weights.pickle": {"w": torch.zeros(1)}}
    ).read_bytes()
    with pytest.raises(WeightsDownloadError, match=r"holds 0 files named 'best_rmse_weights.pickle'"):
        fetch("video2music", progress=False)
    weights_env.server.files["/video2music/AMT.zip"] = b"PK\x03\x04 a truncated zip"
    with pytest.raises(WeightsDownloadError, match="is not a zip file"):
        fetch("video2music", progress=False)
    assert snapshot(weights_env.home) == before


def test_an_unreachable_url_is_reported_and_changes_nothing(weights_env):
    dead = closed_port_url()
    weights_env.rewrite(lambda raw: raw["sources"]["btc"]["files"][0].update(urls=[f"{dead}/{BTC}"]))
    with pytest.raises(WeightsDownloadError, match=f"cannot download {BTC} of btc: cannot reach {dead}"):
        fetch("btc", progress=False)
    assert snapshot(weights_env.home) == {}
    assert not weights_env.home.exists()
    # a dead mirror first, then a 404, then the file: the first URL that serves it is used
    url = f"{weights_env.server.url}/btc/{BTC}"
    weights_env.rewrite(
        lambda raw: raw["sources"]["btc"]["files"][0].update(
            urls=[f"{dead}/x", f"{weights_env.server.url}/404", url]
        )
    )
    installed = fetch("btc", progress=False)
    record = json.loads((installed["emotune/btc-large-voca"] / "emotune_provenance.json").read_text())
    assert record["downloaded_from"] == url


def test_from_takes_local_files_and_still_verifies_them(weights_env, tmp_path):
    originals = weights_env.originals
    installed = fetch("btc", origin=originals.files[BTC], progress=False)
    record = json.loads((installed["emotune/btc-large-voca"] / "emotune_provenance.json").read_text())
    assert record["downloaded_from"] == str(originals.files[BTC].resolve())
    assert weights_env.server.requests == [] and originals.files[BTC].is_file()

    before = snapshot(weights_env.home)
    wrong = tmp_path / "wrong.pt"
    shutil.copy(originals.files[BTC], wrong)
    with wrong.open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(WeightsDownloadError, match="does not verify"):
        fetch("btc", origin=wrong, force=True, progress=False)
    assert wrong.is_file() and snapshot(weights_env.home) == before  # a user's file is never deleted

    with pytest.raises(
        InvalidInputError, match="no jamendo_best.ckpt, deam_best.ckpt, pmemo_best.ckpt, emomusic_best"
    ):
        only = tmp_path / "only-student"
        only.mkdir()
        shutil.copy(originals.files["J_all.ckpt"], only)
        fetch("music2emo", origin=only, progress=False)
    assert snapshot(weights_env.home) == before


def test_google_drive_links_go_through_gdown_with_resume(weights_env, monkeypatch):
    """The shipped manifest's Drive link (the network is replaced by a stub that writes the test zip)."""
    import gdown

    calls = []

    def download(url, output, quiet, resume, timeout):
        calls.append((url, resume))
        shutil.copy(weights_env.originals.files["AMT.zip"], output)
        return output

    monkeypatch.setattr(gdown, "download", download)
    shipped = list(load_manifest(SHIPPED_MANIFEST).source("video2music").files[0].urls)
    weights_env.rewrite(lambda raw: raw["sources"]["video2music"]["files"][0].update(urls=shipped))
    installed = fetch("video2music", progress=False)
    assert calls == [("https://drive.google.com/uc?id=1qpcBXF04pgdy9hqRexr0mTx7L9_CAFpt", True)]
    assert sorted(installed) == ["emotune/video2music-amt", "emotune/video2music-regression"]


def test_a_manifest_that_is_not_one_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("EMOTUNE_WEIGHTS_MANIFEST", str(tmp_path / "missing.json"))
    with pytest.raises(InvalidInputError, match="No weights manifest at"):
        load_manifest()
    (tmp_path / "bad.json").write_text('{"format": 1, "sources": {"x": {"files": [{"name": "a"}]}}}')
    with pytest.raises(InvalidInputError, match="a file entry needs 'urls'"):
        load_manifest(tmp_path / "bad.json")
