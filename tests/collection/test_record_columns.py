"""The library is the collection output (issue 24, point 1): `predict --output --embeddings` stores the clip
embedding the model reads and its encoder, `--dynamic-model` the 0.5 s curve; `--resume` on a grown folder
adds the new files with these columns, and refuses to mix records of other options or another encoder."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from modeling.cli import main
from modeling.collection.output import read_records
from tests.collection.clips import write_clips


def _predict(inputs, model_dir, output, *more) -> list[str]:
    inputs = [str(path) for path in inputs] if isinstance(inputs, list) else [str(inputs)]
    return ["predict", *inputs, "--model", str(model_dir), "--chord-backend", "dsp", "--output", str(output),
            *more]  # fmt: skip


def test_embeddings_are_the_clip_embedding_the_model_reads(clips, model_dir, mert_dir, tmp_path, capsys):
    from datasets import load_dataset
    from transformers import pipeline

    from modeling.library import load_library

    library = tmp_path / "library.parquet"
    assert main(_predict(clips, model_dir, library, "--embeddings")) == 0
    records = read_records(library)
    mer = pipeline("music-emotion-recognition", model=str(model_dir), chord_backend="dsp", device="cpu")
    for record in records[:2]:
        features = mer.feature_extractor(record["path"])
        read_by_model = features.model_inputs()["audio_embeddings"][0].numpy()
        np.testing.assert_allclose(record["embedding"], read_by_model, rtol=1e-5, atol=1e-6)
        assert record["embedding_encoder"] == {"name": str(mert_dir.resolve()), "layers": [5, 6],
                                               "segment_seconds": 30.0}  # fmt: skip
        result = {
            key: value for key, value in record.items() if key not in ("embedding", "embedding_encoder")
        }
        assert result == {
            "path": record["path"],
            **mer(record["path"]),
            "error": None,
        }  # the results unchanged
    dataset = load_dataset(
        "parquet", data_files=str(library), split="train", cache_dir=str(tmp_path / "cache")
    )
    assert dataset.features["embedding"].feature.dtype == "float32" and len(dataset[0]["embedding"]) == 64
    loaded = load_library(library)
    assert len(loaded) == 4 and loaded.embedding_dim == 64 and loaded.has_embedding.all()


def test_curves_come_through_the_collection_runner(clips, model_dir, dynamic_dir, tmp_path):
    from transformers import pipeline

    from modeling.library import load_library

    library = tmp_path / "library.jsonl"
    assert main(_predict(clips, model_dir, library, "--dynamic-model", str(dynamic_dir), "--no-overlap")) == 0
    records = read_records(library)
    mer = pipeline("music-emotion-recognition", model=str(model_dir), dynamic_model=str(dynamic_dir),
                   chord_backend="dsp", device="cpu")  # fmt: skip
    assert [record["curve"] for record in records[:2]] == [
        mer(record["path"])["curve"] for record in records[:2]
    ]
    assert [point["time"] for point in records[0]["curve"]][:3] == [0.0, 0.5, 1.0]
    loaded = load_library(library, all_columns=True)
    assert (loaded.curves.source == 1).all()  # every song's per-second curve comes from its 0.5 s curve


def test_resume_on_a_grown_folder_adds_the_new_files_with_the_new_columns(
    model_dir, dynamic_dir, tmp_path, capsys
):
    folder = tmp_path / "music"
    write_clips(folder, 2, 1.0, seed=1, prefix="old")
    library = tmp_path / "library.parquet"
    options = ("--embeddings", "--dynamic-model", str(dynamic_dir))
    assert main(_predict(folder, model_dir, library, *options)) == 0
    write_clips(folder, 2, 1.0, seed=2, prefix="new")
    capsys.readouterr()
    assert main(_predict(folder, model_dir, library, *options, "--resume")) == 0
    assert "2 files already done; 2 files in" in capsys.readouterr().out
    records = read_records(library)
    assert [record["path"] for record in records] == sorted(str(path) for path in folder.iterdir())
    assert all(len(record["embedding"]) == 64 and record["curve"] for record in records)


def test_resume_refuses_records_of_other_options(clips, model_dir, tmp_path, capsys):
    """An OUT written before these columns existed (or without the option) is not mixed with records that
    have them, nor the other way round: one line says what to do."""
    clips = sorted(clips.iterdir())[:2]
    plain = tmp_path / "plain.jsonl"
    assert main(_predict(clips, model_dir, plain)) == 0
    capsys.readouterr()
    assert main(_predict(clips, model_dir, plain, "--resume", "--embeddings")) == 1
    err = capsys.readouterr().err
    assert "plain.jsonl holds records without embeddings or curves, but this run writes records with " in err
    assert "embeddings (--embeddings)" in err and "--overwrite to write it again with these options" in err
    old_csv = tmp_path / "old.csv"
    assert main(_predict(clips, model_dir, old_csv)) == 0  # the header of an older version: the base columns
    assert old_csv.read_text().splitlines()[0].endswith(",chords,segments")
    assert main(_predict(clips, model_dir, old_csv, "--resume", "--embeddings")) == 1
    assert "old.csv holds records without embeddings or curves" in capsys.readouterr().err
    with_embeddings = tmp_path / "with.parquet"
    assert main(_predict(clips, model_dir, with_embeddings, "--embeddings")) == 0
    assert main(_predict(clips, model_dir, with_embeddings, "--resume")) == 1
    assert (
        "with.parquet holds records with embeddings (--embeddings), but this run writes records without"
        in (capsys.readouterr().err)
    )


def test_resume_refuses_embeddings_of_another_encoder(clips, model_dir, mert_dir, tmp_path, capsys):
    from modeling.testing import save_random_mert

    folder = tmp_path / "music"
    shutil.copytree(clips, folder)
    library = tmp_path / "library.jsonl"
    assert main(_predict(folder, model_dir, library, "--embeddings")) == 0
    write_clips(folder, 1, 1.0, seed=3, prefix="new")
    other = save_random_mert(tmp_path / "other-mert", "tiny", seed=1)
    capsys.readouterr()
    assert (
        main(_predict(folder, model_dir, library, "--embeddings", "--resume", "--audio-encoder", str(other)))
        == 1
    )
    err = capsys.readouterr().err
    assert (
        f"The embeddings in {library} come from the encoder {mert_dir.resolve()} (layers 5, 6; 30 s segments), "
        f"this run's from {other.resolve()} (layers 5, 6; 30 s segments): embeddings of two encoders cannot be "
        "compared" in err
    )
    assert len(read_records(library)) == 4


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_records_with_curves_and_embeddings_load_as_a_library(
    clips, model_dir, dynamic_dir, tmp_path, suffix
):
    from modeling.library import load_library

    library = tmp_path / f"library{suffix}"
    more = ("--embeddings", "--dynamic-model", str(dynamic_dir), "--no-overlap")
    assert main(_predict(sorted(clips.iterdir())[:2], model_dir, library, *more)) == 0
    loaded = load_library(library, all_columns=True)
    table = loaded.dataset.data.table
    assert {"embedding", "embedding_encoder", "curve"} <= set(table.column_names)
    assert loaded.embedding_dim == 64 and (loaded.curves.source == 1).all()
    assert table.column("curve").to_pylist() == [record["curve"] for record in read_records(library)]
