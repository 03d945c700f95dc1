"""`emotune demo` chooses the real models when they can be had and says which chain it ran (the stand-in
chain itself is tested in tests/training/test_demo_chain.py)."""

from __future__ import annotations

from modeling.cli import main
from modeling.commands.demo import find_recordings, real_models


def test_offline_without_weights_the_real_models_are_unavailable_and_nothing_is_fetched(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("EMOTUNE_HOME", str(tmp_path / "home"))
    models, reason = real_models(fetch=True)
    assert models is None and "m-a-p/MERT-v1-95M" in reason and "HF_HUB_OFFLINE" in reason
    assert not (tmp_path / "home").exists()
    assert main(["demo", "--chain", "real", "--work-dir", str(tmp_path / "demo")]) == 1


def test_recordings_come_from_the_first_music_package_present(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.ogg").write_bytes(b"OggS")
    packages = (
        ("a-music", str(tmp_path / "a"), ("one.ogg",), "A"),
        ("b-music", str(tmp_path / "b"), ("two.ogg", "x.ogg"), "B"),
    )
    assert find_recordings(packages, install=False) == ([tmp_path / "b" / "two.ogg"], "B")
    found, reason = find_recordings(packages[:1], install=False)
    assert found == [] and "a-music" in reason
