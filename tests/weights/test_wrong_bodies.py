"""A URL that answers 200 with something else than the file (an HTML page, a Git LFS pointer) makes way for
the next URL of the manifest; when none serves the file, the one error lists what each URL gave."""

from __future__ import annotations

import hashlib
import json

import pytest

from modeling.base.errors import WeightsDownloadError
from modeling.cli import main
from modeling.weights import fetch, git_blob_id
from tests.weights.originals import snapshot
from tests.weights.server import closed_port_url

BTC = "btc_model_large_voca.pt"
SIGN_IN = (
    b"<!DOCTYPE html>\n<html><head><title>Sign in - Google Accounts</title></head><body>...</body></html>"
)


def lfs_pointer(data: bytes) -> bytes:
    """The Git LFS pointer a repository holds in place of ``data``."""
    return (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{hashlib.sha256(data).hexdigest()}\n"
        f"size {len(data)}\n"
    ).encode()


def _serve(weights_env, urls_and_bodies: dict[str, bytes]) -> list[str]:
    weights_env.server.files.update(urls_and_bodies)
    return [f"{weights_env.server.url}{path}" for path in urls_and_bodies]


def test_an_html_page_or_a_git_lfs_pointer_makes_way_for_the_next_url(weights_env):
    data = weights_env.originals.files[BTC].read_bytes()
    served = _serve(weights_env, {"/page": SIGN_IN, "/raw/btc.pt": lfs_pointer(data)})
    urls = [*served, f"{weights_env.server.url}/btc/{BTC}"]
    weights_env.rewrite(lambda raw: raw["sources"]["btc"]["files"][0].update(urls=urls))
    installed = fetch("btc", progress=False)
    record = json.loads((installed["emotune/btc-large-voca"] / "emotune_provenance.json").read_text())
    assert record["downloaded_from"] == urls[2] and record["git_blob"] == git_blob_id(
        weights_env.originals.files[BTC]
    )
    assert [path for path, _ in weights_env.server.requests] == ["/page", "/raw/btc.pt", f"/btc/{BTC}"]
    assert not (weights_env.home / ".downloads").exists()  # nothing of the page or the pointer was kept


def test_when_no_url_serves_the_file_the_error_lists_what_each_gave(weights_env):
    data = weights_env.originals.files[BTC].read_bytes()
    dead = closed_port_url()
    urls = [*_serve(weights_env, {"/page": SIGN_IN, "/raw/btc.pt": lfs_pointer(data)}),
            f"{weights_env.server.url}/missing", f"{dead}/btc.pt"]  # fmt: skip
    weights_env.rewrite(lambda raw: raw["sources"]["btc"]["files"][0].update(urls=urls))
    with pytest.raises(WeightsDownloadError) as caught:
        fetch("btc", progress=False)
    message = str(caught.value)
    assert message.startswith(f"cannot download {BTC} of btc: ") and "\n" not in message
    for said in (f'{urls[0]} answered an HTML page titled "Sign in - Google Accounts", {len(SIGN_IN)} bytes',
                 f"{urls[1]} answered a Git LFS pointer (for a file of {len(data)} bytes",
                 f"{urls[2]} answered HTTP 404", f"cannot reach {dead}/btc.pt", "Nothing was installed"):  # fmt: skip
        assert said in message, said
    assert snapshot(weights_env.home) == {}


def test_a_pointer_whose_blob_id_the_manifest_names_vouches_for_the_file(weights_env, capsys):
    """GitHub's listing gives an LFS-tracked file the blob id of its pointer: the pointer (verified by that
    id) names the sha256 and size the file from the next URL must have."""
    data = weights_env.originals.files[BTC].read_bytes()
    pointer = lfs_pointer(data)
    blob = hashlib.sha1(f"blob {len(pointer)}\0".encode() + pointer).hexdigest()
    urls = [*_serve(weights_env, {"/raw/btc.pt": pointer}), f"{weights_env.server.url}/media/btc.pt"]

    def pointer_manifest(raw):
        raw["sources"]["btc"]["files"][0].update(urls=urls, check={"git_blob": blob})

    weights_env.rewrite(pointer_manifest)
    weights_env.server.files["/media/btc.pt"] = data[:-1] + bytes([data[-1] ^ 1])  # not the file it names
    with pytest.raises(WeightsDownloadError, match=f"the Git LFS pointer of git blob id {blob} names sha256"):
        fetch("btc", progress=False)
    weights_env.server.files["/media/btc.pt"] = data
    folder = fetch("btc", progress=False)["emotune/btc-large-voca"]
    record = json.loads((folder / "emotune_provenance.json").read_text())
    assert record["lfs_pointer"] == {
        "git_blob": blob,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    assert "of the Git LFS pointer, whose sha256" in (folder / "README.md").read_text()
    assert main(["weights", "list"]) == 0
    assert "emotune/btc-large-voca               installed      verified" in capsys.readouterr().out


def test_from_a_clone_made_without_git_lfs(weights_env, tmp_path):
    clone = tmp_path / "Music2Emotion"
    (clone / "inference" / "data").mkdir(parents=True)
    (clone / "inference" / "data" / BTC).write_bytes(
        lfs_pointer(weights_env.originals.files[BTC].read_bytes())
    )
    with pytest.raises(
        WeightsDownloadError, match=r"is a Git LFS pointer .* not the file .*run `git lfs pull`"
    ):
        fetch("btc", origin=clone, progress=False)
    assert snapshot(weights_env.home) == {}
