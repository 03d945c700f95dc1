"""Original-format files (built once per session), a local server for them, a manifest pointing at it,
and an empty EMOTUNE_HOME per test."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.weights.originals import build_originals, write_manifest
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
