"""The pipelines apply the thread policy (modeling.base.devices.thread_budget): the counts torch has inside
the AMT's generation, the MERT encoder and the chord thread of a MER call and of a collection run, in a
process nobody configured and with ``OMP_NUM_THREADS`` set. Counts only: no test times anything."""

from __future__ import annotations

import threading

import pytest
import torch

from tests.audio_files import lavfi_audio


def _record_generation(v2m, monkeypatch) -> list[int]:
    counts, generate = [], v2m.model.generate
    monkeypatch.setattr(
        v2m.model, "generate", lambda *a, **k: counts.append(torch.get_num_threads()) or generate(*a, **k)
    )
    return counts


def test_video_to_music_generates_with_one_thread(v2m, cuts_video, default_process, monkeypatch):
    counts = _record_generation(v2m, monkeypatch)
    outputs = v2m._forward(v2m.preprocess(str(cuts_video)), seed=0)
    assert counts == [1] and len(outputs["normalized_chords"]) == 8
    assert torch.get_num_threads() == 2  # the count is given back


def test_video_to_music_keeps_a_users_count(v2m, cuts_video, default_process, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    counts = _record_generation(v2m, monkeypatch)
    v2m._forward(v2m.preprocess(str(cuts_video)), seed=0)
    assert counts == [2]


def _record_mer_stages(extractor, monkeypatch) -> dict[str, list]:
    """Torch's count in the encoder and in chords-and-key, and the thread each ran in."""
    seen: dict[str, list] = {"encoder": [], "chords": []}
    embed, chords_and_key = extractor.encoder._embed, extractor.chords_and_key

    def recording_embed(segments):
        seen["encoder"].append((torch.get_num_threads(), threading.current_thread().name))
        return embed(segments)

    def recording_chords(blocks, timings):
        seen["chords"].append((torch.get_num_threads(), threading.current_thread().name))
        return chords_and_key(blocks, timings)

    monkeypatch.setattr(extractor.encoder, "_embed", recording_embed)
    monkeypatch.setattr(extractor, "chords_and_key", recording_chords)
    return seen


@pytest.fixture(scope="module")
def songs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("thread-songs")
    return [lavfi_audio(folder / f"song {n}.wav", f"sine=f={220 * (n + 1)}", seconds=2.0) for n in range(2)]


def test_mer_encodes_with_its_count_and_finds_chords_with_one(mer, songs, default_process, monkeypatch):
    seen = _record_mer_stages(mer.feature_extractor, monkeypatch)
    mer(str(songs[0]))
    assert seen["encoder"] == [(2, threading.current_thread().name)]
    assert seen["chords"] == [(1, "emotune-chords")]


def test_mer_keeps_a_users_count(mer, songs, default_process, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    seen = _record_mer_stages(mer.feature_extractor, monkeypatch)
    mer(str(songs[0]))
    assert [count for count, _ in seen["encoder"] + seen["chords"]] == [2, 2]


def test_a_collection_runs_its_chord_worker_with_one_thread(mer, songs, default_process, monkeypatch):
    from modeling.collection import FeatureRunner

    seen = _record_mer_stages(mer.feature_extractor, monkeypatch)
    outcomes = list(FeatureRunner(mer.feature_extractor).run(songs))
    assert all(outcome.error is None for outcome in outcomes) and len(outcomes) == 2
    assert {count for count, _ in seen["encoder"]} == {2}
    assert seen["chords"] == [(1, "emotune-chords")] * 2
    assert torch.get_num_threads() == 2
