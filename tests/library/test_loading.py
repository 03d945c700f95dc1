"""Reading libraries: the two forms predict writes, the rows that cannot be used, and one clear error for
each kind of bad library."""

from __future__ import annotations

import pytest

from modeling.base.errors import InvalidInputError, LibraryError
from modeling.library import EmotionLibrary, load_library
from tests.library.libraries import failed, record, write_library


def _songs(count: int = 4, dim: int = 8) -> list[dict]:
    return [record(f"s{i}.mp3", 2.0 + i, 3.0 + i, embedding=[float(i + 1)] * dim) for i in range(count)]


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_both_forms_load_with_unusable_rows_counted_not_dropped_silently(tmp_path, suffix):
    no_va = record("no_va.mp3", 5.0, 5.0) | {"valence": None}
    records = [*_songs(), failed("bad.mp3", "Cannot decode bad.mp3"), no_va]
    library = load_library(write_library(records, tmp_path / f"lib{suffix}"))
    assert len(library) == 4 and library.paths == ["s0.mp3", "s1.mp3", "s2.mp3", "s3.mp3"]
    assert (library.unusable.errors, library.unusable.without_va, library.unusable.total) == (1, 1, 2)
    text = library.unusable.describe()
    assert (
        "2 unusable rows left out" in text and "1 failed file" in text and "without valence-arousal" in text
    )
    assert "bad.mp3: Cannot decode bad.mp3" in text
    assert library.embedding_dim == 8 and library.has_embedding.all()
    assert library.summary()["quadrants"] == {"Q1": 1, "Q2": 1, "Q3": 2, "Q4": 0}  # (4, 5) is Q2: 5 is high
    assert library.dataset.num_rows == 4  # a datasets.Dataset of the usable rows


def test_a_jsonl_line_cut_short_by_a_kill_is_counted(tmp_path):
    path = write_library(_songs(3), tmp_path / "lib.jsonl")
    with open(path, "a") as file:
        file.write('{"path": "cut.mp3", "durat')
    library = load_library(path)
    assert len(library) == 3 and library.unusable.bad_lines == 1
    assert "1 line that is not a record" in library.unusable.describe()


def test_a_library_predict_wrote_loads(tmp_path):
    from modeling.collection.output import RecordOutput

    out = RecordOutput(tmp_path / "predict.parquet")
    writer = out.writer(0, 1)
    for song in [*_songs(3), failed("x.mp3")]:
        writer.write({k: v for k, v in song.items() if k != "embedding"})
    writer.close()
    out.finish(["s0.mp3", "s1.mp3", "s2.mp3", "x.mp3"])
    library = load_library(tmp_path / "predict.parquet")
    assert len(library) == 3 and library.unusable.errors == 1 and library.embedding_dim is None


def test_a_dataset_from_load_dataset_is_a_library(tmp_path):
    from datasets import load_dataset

    path = write_library([*_songs(3), failed("x.mp3")], tmp_path / "lib.parquet")
    dataset = load_dataset("parquet", data_files=str(path), cache_dir=str(tmp_path / "cache"))["train"]
    library = EmotionLibrary(dataset.select([0, 1, 3]), source=path)
    assert library.paths == ["s0.mp3", "s1.mp3"] and library.unusable.errors == 1


def _error(path, **options) -> str:
    with pytest.raises(LibraryError) as caught:
        load_library(path, **options)
    assert isinstance(caught.value, InvalidInputError)  # the emotune error family
    return str(caught.value)


def test_csv_and_other_forms_are_refused_naming_the_accepted_ones(tmp_path):
    (tmp_path / "lib.csv").write_text("path,duration\n")
    message = _error(tmp_path / "lib.csv")
    assert "CSV" in message and ".parquet or .jsonl" in message
    (tmp_path / "lib.txt").write_text("x")
    assert "unknown form" in _error(tmp_path / "lib.txt") and "LIBRARY.parquet" in _error(
        tmp_path / "lib.txt"
    )
    assert "does not exist" in _error(tmp_path / "missing.parquet")


def test_a_file_that_is_not_what_its_suffix_says(tmp_path):
    (tmp_path / "lib.parquet").write_text('{"path": "a.mp3"}\n')
    assert "is not a Parquet file" in _error(tmp_path / "lib.parquet")
    (tmp_path / "lib.jsonl").write_bytes(b"PAR1\x00\x01 not json\n")
    message = _error(tmp_path / "lib.jsonl")
    assert "no JSON record" in message and "emotune predict" in message


def test_missing_columns_are_named(tmp_path):
    records = [{k: v for k, v in song.items() if k != "moods"} for song in _songs()]
    for suffix in (".parquet", ".jsonl"):
        message = _error(write_library(records, tmp_path / f"lib{suffix}"))
        assert "lacks the column(s) moods" in message and "columns path, valence, arousal, moods" in message
    message = _error(write_library([{"file": "a.mp3", "valence": 5}], tmp_path / "nopath.parquet"))
    assert "no 'path' column" in message


def test_embeddings_of_another_size(tmp_path):
    records = _songs(4, dim=8)
    records[2]["embedding"] = [0.5] * 6
    message = _error(write_library(records, tmp_path / "lib.parquet"))
    assert "another size than the 8 values held by most records" in message
    assert "'s2.mp3' with 6 values" in message and "one embedding size" in message
    message = _error(write_library(_songs(3, dim=8), tmp_path / "ok.parquet"), embedding_dim=1536)
    assert "another size than the 1536 values asked for" in message and "with 8 values" in message


def test_no_usable_rows(tmp_path):
    message = _error(write_library([failed("a.mp3", "boom"), failed("b.mp3")], tmp_path / "lib.jsonl"))
    assert (
        "no usable row" in message and "all 2 records are files that failed" in message and "boom" in message
    )
    records = [record("a.mp3", 5.0, 5.0) | {"valence": None}, record("b.mp3", 5.0, 5.0) | {"arousal": None}]
    message = _error(write_library(records, tmp_path / "nova.parquet"))
    assert "no usable row" in message and "2 records without valence-arousal" in message
