"""`emotune search LIB --like FILE` with a file that is not in the library: it is embedded as `predict
--embeddings` embedded the library's songs, with the encoder the library's records name, never another."""

from __future__ import annotations

import json
import shutil
from types import SimpleNamespace

import numpy as np
import pytest

from modeling.cli import main
from modeling.collection.output import read_records
from tests.collection.clips import write_clips
from tests.library.libraries import record, write_library


@pytest.fixture(scope="module")
def library(tmp_path_factory, model_dir):
    """A library of 4 clips that `emotune predict --embeddings` wrote (Parquet), and a copy of its third
    clip outside it."""
    root = tmp_path_factory.mktemp("like")
    clips = write_clips(root / "music", 4, 1.5, seed=4)
    path = root / "library.parquet"
    assert main(["predict", str(root / "music"), "--model", str(model_dir), "--chord-backend", "dsp",
                 "--output", str(path), "--embeddings"]) == 0  # fmt: skip
    (root / "elsewhere").mkdir()
    outside = shutil.copy(clips[2], root / "elsewhere" / "same song.wav")
    return path, clips, outside


def _run(capsys, *argv) -> tuple[int, str, str]:
    status = main(["search", *map(str, argv)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_a_file_outside_the_library_is_embedded_as_predict_embedded_the_songs(library, capsys):
    from modeling.commands.search import embed_audio_file
    from modeling.library import load_library

    path, clips, outside = library
    status, out, _ = _run(capsys, path, "--like", outside, "--n", "2", "--json")
    assert status == 0
    results = json.loads(out)["results"]
    assert results[0]["path"] == str(clips[2]) and results[0]["similarity"] == pytest.approx(1.0, abs=1e-6)
    stored = next(r for r in read_records(path) if r["path"] == str(clips[2]))
    encoder = stored["embedding_encoder"]
    vector = embed_audio_file(outside, SimpleNamespace(device="cpu"), encoder)
    assert vector.dtype == np.float32 and vector.tolist() == stored["embedding"]  # the same float32 values
    from modeling.commands.search import library_encoder

    assert library_encoder(load_library(path), SimpleNamespace(audio_encoder=None)) == encoder


def test_another_encoder_is_refused(library, tmp_path, capsys):
    from modeling.testing import save_random_mert

    path, _, outside = library
    other = save_random_mert(tmp_path / "other-mert", "tiny", seed=2)
    status, _, err = _run(capsys, path, "--like", outside, "--audio-encoder", other)
    assert status == 1 and f"--audio-encoder {other} is not the encoder of the library's embeddings" in err
    assert "Accepted: --audio-encoder left out (the library's is used)" in err


def test_a_library_of_two_encoders_or_without_embeddings_is_refused(library, tmp_path, capsys):
    *_, outside = library
    songs = [
        record(f"s{n}.wav", 5.0, 5.0, embedding=[0.1 * (n + 1)] * 8)
        | {"embedding_encoder": {"name": f"mert-{n}", "layers": [5, 6], "segment_seconds": 30.0}}
        for n in range(2)
    ]
    mixed = write_library(songs, tmp_path / "mixed.jsonl")
    status, _, err = _run(capsys, mixed, "--like", outside)
    assert status == 1 and "come from 2 encoders (mert-0 (layers 5, 6; 30 s segments); mert-1" in err
    plain = write_library([record("s.wav", 5.0, 5.0)], tmp_path / "plain.parquet")
    status, _, err = _run(capsys, plain, "--like", outside)
    assert (
        status == 1
        and "has no embeddings. Accepted: a library written by emotune predict --embeddings" in err
    )
    status, _, err = _run(capsys, plain, "--mood", "calm", "--audio-encoder", "x")
    assert status == 1 and "--audio-encoder and --device embed a --like file" in err
