"""Original-format files and stand-ins of the Hub repositories of MERT and CLIP (built once per session),
local servers for them (a file server; a Hub), a manifest pointing at the file server, an empty
EMOTUNE_HOME and an empty Hugging Face cache per test."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.weights.hub_server import HubServer, use_endpoint
from tests.weights.originals import build_originals, hub_repos, write_manifest
from tests.weights.server import FileServer


@pytest.fixture(scope="session")
def originals(tmp_path_factory):
    return build_originals(tmp_path_factory.mktemp("originals"))


@pytest.fixture
def weights_env(originals, tmp_path, monkeypatch):
    """A server of the original files, a manifest of them (EMOTUNE_WEIGHTS_MANIFEST), an empty EMOTUNE_HOME."""
    home = tmp_path / "emotune-home"
    monkeypatch.setenv("EMOTUNE_HOME", str(home))
    with FileServer(originals.served()) as server:
        manifest = write_manifest(tmp_path / "manifest.json", server.url, originals)
        monkeypatch.setenv("EMOTUNE_WEIGHTS_MANIFEST", str(manifest))

        def rewrite(edit):
            write_manifest(manifest, server.url, originals, edit)

        yield SimpleNamespace(
            home=home, server=server, manifest=manifest, originals=originals, rewrite=rewrite
        )


@pytest.fixture(scope="session")
def stand_in_repos(tmp_path_factory):
    """The Hub repositories of MERT and CLIP, tiny, in the form the Hub holds them."""
    return hub_repos(tmp_path_factory.mktemp("hub-repos"))


@pytest.fixture
def hub_env(stand_in_repos, tmp_path, monkeypatch):
    """A local Hub serving the MERT and CLIP stand-ins (huggingface_hub pointed at it, online), an empty
    Hugging Face cache and an empty EMOTUNE_HOME."""
    monkeypatch.setenv("EMOTUNE_HOME", str(tmp_path / "emotune-home"))
    monkeypatch.delenv("EMOTUNE_WEIGHTS_MANIFEST", raising=False)
    with HubServer(stand_in_repos) as server:
        use_endpoint(monkeypatch, server.url, tmp_path / "hf-cache")
        yield SimpleNamespace(server=server, cache=tmp_path / "hf-cache", repos=stand_in_repos)
