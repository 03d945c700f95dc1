"""Which files a collection run takes, and the record forms (CSV cells, Parquet rows) giving back each record."""

from __future__ import annotations

import pytest

from modeling.base.errors import InvalidInputError
from modeling.collection import collect_audio_files
from modeling.collection.output import RecordOutput, read_records


def test_folders_globs_and_lists_in_a_deterministic_order(collection, tmp_path, monkeypatch):
    every = collect_audio_files([str(collection)])
    assert not any("cover.txt" in path or ".hidden" in path for path in every)
    flac = collect_audio_files([str(collection)], glob="*.flac")
    assert flac and all(path.endswith(".flac") for path in flac) and flac == sorted(flac)
    assert collect_audio_files([str(collection)], glob="disc 1/*.wav") == [
        path for path in every if "/disc 1/" in path and path.endswith(".wav")
    ]
    listing = tmp_path / "list.txt"
    listing.write_text(f"# chosen tracks\n{every[5]}\n\n{every[1]}\n{every[5]}\n{tmp_path / 'gone.mp3'}\n")
    # files first, then the list; a file named twice once; a missing file stays (it gets its error record)
    assert collect_audio_files([every[1]], files_from=str(listing)) == [
        every[1],
        every[5],
        str(tmp_path / "gone.mp3"),
    ]
    monkeypatch.chdir(collection)
    assert collect_audio_files(["disc 1"])[0] == "disc 1/track 00.wav"  # paths as given


def test_nothing_to_do_is_an_error_that_says_what_is_accepted(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInputError, match="No audio files .* in .*empty"):
        collect_audio_files([str(tmp_path / "empty")])
    with pytest.raises(InvalidInputError, match="--files-from"):
        collect_audio_files([])
    with pytest.raises(InvalidInputError, match="does not exist"):
        collect_audio_files(files_from=str(tmp_path / "nope.txt"))


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_every_form_gives_back_the_records_it_was_given(tmp_path, suffix):
    records = [
        {"path": "a\\b,\n\"c\".mp3", "duration": None, "error": "line one\nline two, with \\n and a comma"},
        {"path": "d.wav", "duration": 2.5, "error": None, "valence": 5.123456789012345, "arousal": 1 / 3,
         "quadrant": "Q1", "key": "A minor", "predicted_moods": [], "moods": [{"label": "calm", "score": 0.1}],
         "chords": [{"start": 0.0, "end": 2.5, "label": "A:min"}],
         "segments": [{"start": 0.0, "end": 2.5, "valence": 5.1, "arousal": 0.3, "quadrant": "Q1",
                       "moods": [{"label": "calm", "score": 0.1}]}]},
    ]  # fmt: skip
    output = RecordOutput(tmp_path / f"results{suffix}")
    output.done()
    writer = output.writer(0, 1)
    for record in records:
        writer.write(record)
    writer.close()
    assert output.finish(["d.wav", records[0]["path"]]) == {"records": 2, "failed": 1}
    assert [record for _, _, record in output._read(output.path)] == records[::-1]  # in the order given
    with pytest.raises(InvalidInputError, match="already exists. Accepted: --resume"):
        RecordOutput(tmp_path / f"results{suffix}")
    with pytest.raises(InvalidInputError, match="Accepted: a path ending in .jsonl"):
        RecordOutput(tmp_path / "results.xlsx")


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_every_form_gives_back_embeddings_and_curves(tmp_path, suffix):
    """The optional columns (--embeddings, --dynamic-model): the embedding comes back as the float32 values it
    was, the encoder and the curve as they were, in every form; error records stay without them."""
    import numpy as np

    from modeling.collection.records import result_record

    embedding = np.random.default_rng(0).standard_normal(1536).astype(np.float32) / 7
    result = {"duration": 2.5, "valence": 5.5, "arousal": 4.25, "quadrant": "Q4", "key": "C major",
              "predicted_moods": ["calm"], "moods": [{"label": "calm", "score": 0.75}], "chords": [], "segments": [],
              "curve": [{"time": 0.0, "valence": 5.0, "arousal": 4.0}, {"time": 0.5, "valence": 5.5, "arousal": 4.5}]}  # fmt: skip
    encoder = {"name": "m-a-p/MERT-v1-95M", "layers": [5, 6], "segment_seconds": 30.0}
    records = [
        result_record("a.wav", result, embedding=embedding, encoder=encoder),
        {"path": "b.wav", "duration": None, "error": "Cannot decode b.wav"},
    ]
    extras = ("curve", "embedding", "embedding_encoder")
    output = RecordOutput(tmp_path / f"library{suffix}", extras=extras)
    output.done()
    writer = output.writer(0, 1)
    for record in records:
        writer.write(record)
    writer.close()
    assert output.finish(["a.wav", "b.wav"]) == {"records": 2, "failed": 1}
    back = read_records(output.path)
    assert back == records and back[0]["embedding"] == embedding.tolist()  # float32 values, exactly
    if suffix == ".jsonl":  # each value as the shortest text of its float32
        assert str(embedding[0]) in output.path.read_text() and len(output.path.read_bytes()) < 1536 * 14
    resumed = RecordOutput(output.path, resume=True, extras=extras)
    assert resumed.done() == {"a.wav", "b.wav"} and resumed.encoders == [encoder]
