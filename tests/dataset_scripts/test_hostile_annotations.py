"""Hostile annotation tables and audio folders through `emotune build-dataset` (DEAM's song-level table in
Music2Emo's layout): every input row ends in the output or in the skip report with its reason, or the
build stops with one DatasetBuildError naming the file and line, and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataset_scripts.build_types import BuildOptions
from dataset_scripts.builders import BUILDERS
from dataset_scripts.releases.splits import packaged_split_dir
from modeling.base.errors import DatasetBuildError
from tests.dataset_scripts.releases import write_broken_audio, write_clip

HEADER = ["song_id", "valence_mean", "valence_std", "arousal_mean", "arousal_std"]


@pytest.fixture(scope="module")
def ids():
    """Five ids of DEAM's training split (the paper's, shipped with emotune)."""
    return (packaged_split_dir("deam") / "train.txt").read_text().split()[:5]


@pytest.fixture(scope="module")
def clips(tmp_path_factory, ids):
    """A decodable clip per id, and one file that is not audio."""
    folder = tmp_path_factory.mktemp("deam-clips")
    for song in ids:
        write_clip(folder / f"{song}.mp3")
    write_broken_audio(folder / "broken.mp3")
    return folder


def _rows(ids, values=None):
    values = values or {}
    return [[song, *values.get(song, ["5", "1", "6", "1"])] for song in ids]


def _release(tmp_path: Path, clips: Path, text: bytes, audio: dict[str, str]) -> Path:
    """``static_annotations.csv`` holding ``text`` and ``mp3/`` with the clips named in ``audio`` (id ->
    clip file: an id's own clip, ``broken.mp3``, or missing)."""
    raw = tmp_path / "raw"
    (raw / "mp3").mkdir(parents=True)
    (raw / "static_annotations.csv").write_bytes(text)
    for song, clip in audio.items():
        (raw / "mp3" / f"{song}.mp3").write_bytes((clips / clip).read_bytes())
    return raw


def _csv(lines, delimiter=",", newline="\n") -> str:
    return newline.join(delimiter.join(cells) for cells in lines) + newline


def _build(raw: Path, out: Path):
    return BUILDERS["deam"](raw, out, BuildOptions(progress=False))


def _report(out: Path) -> dict:
    return json.loads((out / "skip_report.json").read_text())


def _built_ids(out: Path) -> dict[str, tuple[float, float]]:
    import pyarrow.parquet as pq

    rows = {}
    for shard in sorted((out / "deam").glob("*.parquet")):
        table = pq.read_table(shard, columns=["id", "valence", "arousal"]).to_pylist()
        rows.update({row["id"]: (row["valence"], row["arousal"]) for row in table})
    return rows


def _every_row_accounted(out: Path, ids: list[str]) -> dict[str, str]:
    """id -> 'built' or its skip reason; every input id is one of them, exactly once."""
    outcome = dict.fromkeys(_built_ids(out), "built")
    for skip in _report(out)["skipped"]:
        assert skip["id"] not in outcome, skip
        outcome[skip["id"]] = skip["reason"]
    assert sorted(outcome) == sorted(ids)
    return outcome


# case: (table text from the ids, expected values of the first id (valence, arousal))
WORKING_TABLES = {
    "utf-8 byte-order mark": (lambda ids: ("\ufeff" + _csv([HEADER, *_rows(ids)])).encode(), (5.0, 6.0)),
    "utf-16 (a spreadsheet's unicode text)": (
        lambda ids: _csv([HEADER, *_rows(ids)]).encode("utf-16"),
        (5.0, 6.0),
    ),
    "crlf line ends": (lambda ids: _csv([HEADER, *_rows(ids)], newline="\r\n").encode(), (5.0, 6.0)),
    "semicolons and decimal commas": (
        lambda ids: _csv([HEADER, *_rows(ids, {ids[0]: ["5,5", "1,25", "6,75", "0,5"]})], ";").encode(),
        (5.5, 6.75),
    ),
    "extra columns": (
        lambda ids: (
            _csv([[*HEADER, "comment"], *[[*row, "fine, thanks"] for row in _rows(ids)]])
            .replace("fine, thanks", '"fine, thanks"')
            .encode()
        ),
        (5.0, 6.0),
    ),
    "columns in another order": (
        lambda ids: _csv(
            [HEADER[::-1], *[row[::-1] for row in _rows(ids, {ids[0]: ["3", "1", "7", "1"]})]]
        ).encode(),
        (3.0, 7.0),
    ),
}


@pytest.mark.parametrize("case", list(WORKING_TABLES))
def test_tables_as_spreadsheets_save_them_build(case, ids, clips, tmp_path):
    text, first = WORKING_TABLES[case]
    raw = _release(tmp_path, clips, text(ids), {song: f"{song}.mp3" for song in ids})
    _build(raw, tmp_path / "out")
    assert set(_every_row_accounted(tmp_path / "out", ids).values()) == {"built"}
    assert _built_ids(tmp_path / "out")[ids[0]] == pytest.approx(first)


def test_bad_values_missing_and_unreadable_audio_are_skipped_with_their_reason(ids, clips, tmp_path):
    values = {ids[0]: ["nan", "1", "5", "1"], ids[1]: ["5", "1", "12", "1"], ids[2]: ["", "1", "5", "1"]}
    rows = [*_rows(ids, values), ["999999", "5", "1", "5", "1"]]  # in no split
    audio = {song: f"{song}.mp3" for song in ids[:3]} | {ids[3]: "broken.mp3"}  # ids[4]: no file
    raw = _release(tmp_path, clips, _csv([HEADER, *rows]).encode(), audio)
    with pytest.raises(DatasetBuildError, match="Nothing to build for deam: every input row was skipped"):
        _build(raw, tmp_path / "out")
    assert not (tmp_path / "out").exists()  # nothing half-written
    audio[ids[4]] = f"{ids[4]}.mp3"
    (raw / "mp3" / f"{ids[4]}.mp3").write_bytes((clips / f"{ids[4]}.mp3").read_bytes())
    _build(raw, tmp_path / "out")
    outcome = _every_row_accounted(tmp_path / "out", [*ids, "999999"])
    assert outcome == {
        ids[0]: "unparseable annotation",
        ids[1]: "unparseable annotation",
        ids[2]: "unparseable annotation",
        ids[3]: "audio undecodable",
        ids[4]: "built",
        "999999": "id not in any split",
    }
    details = {skip["id"]: skip["detail"] for skip in _report(tmp_path / "out")["skipped"]}
    assert "valence 'nan' is not a number" in details[ids[0]] and "line 2" in details[ids[0]]
    assert "arousal 12 is outside the release's 1-9 scale" in details[ids[1]]
    assert "valence '' is not a number" in details[ids[2]]
    assert "broken.mp3" not in details[ids[3]] and "cannot be decoded as audio" in details[ids[3]]


def test_a_missing_audio_file_is_reported_where_it_was_looked_for(ids, clips, tmp_path):
    raw = _release(tmp_path, clips, _csv([HEADER, *_rows(ids[:2])]).encode(), {ids[0]: f"{ids[0]}.mp3"})
    _build(raw, tmp_path / "out")
    (skip,) = _report(tmp_path / "out")["skipped"]
    assert (skip["id"], skip["reason"]) == (ids[1], "audio missing")
    assert f"no {ids[1]}.mp3 under {raw / 'mp3'}" in skip["detail"]


# case: (table text from the ids, message)
BROKEN_TABLES = {
    "a missing column": (
        lambda ids: _csv([HEADER[:-1], *[row[:-1] for row in _rows(ids)]]).encode(),
        r"static_annotations\.csv, line 1: the header has no column 'arousal_std'. Found columns: song_id, "
        r"valence_mean, valence_std, arousal_mean; accepted: a header with song_id, valence_mean",
    ),
    "a duplicated id": (
        lambda ids: _csv([HEADER, *_rows(ids), _rows(ids)[1]]).encode(),
        r"line 7: song_id '\d+' repeats line 3. Accepted: each id once per file",
    ),
    "a line with an extra field": (
        lambda ids: _csv([HEADER, *_rows(ids[:2]), [*_rows(ids)[2], "7"]]).encode(),
        r"line 4: 6 fields where the header has 5",
    ),
    "latin-1 text": (
        lambda ids: _csv([HEADER, *_rows(ids)]).replace(ids[0], "Café").encode("latin-1"),
        r"not UTF-8 text .* Accepted: .*UTF-16 with a byte-order mark",
    ),
    "an empty file": (lambda ids: b"", r"the file is empty. Accepted: a header line with song_id"),
}


@pytest.mark.parametrize("case", list(BROKEN_TABLES))
def test_a_broken_table_stops_the_build_with_file_and_line(case, ids, clips, tmp_path, capsys):
    from modeling.cli import main

    text, message = BROKEN_TABLES[case]
    raw = _release(tmp_path, clips, text(ids), {song: f"{song}.mp3" for song in ids})
    with pytest.raises(DatasetBuildError, match=message):
        _build(raw, tmp_path / "out")
    if case == "a duplicated id":  # the command: one line, exit status 1, no folder
        status = main(["build-dataset", "deam", "--raw-dir", str(raw), "--output-dir", str(tmp_path / "out")])
        err = capsys.readouterr().err
        assert status == 1 and err.startswith("emotune build-dataset: error: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()
