"""Official raw layouts, exact scale conversions, and bad releases: malformed files fail with file
and line, unusable rows are skipped with their reason, nothing is dropped silently."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dataset_scripts.build_types import BuildOptions
from dataset_scripts.builders import BUILDERS
from dataset_scripts.releases.records import SourceBuild
from dataset_scripts.releases.skips import AUDIO_MISSING, NO_ANNOTATION, NOT_IN_SPLIT, UNPARSEABLE_ANNOTATION
from dataset_scripts.releases.splits import packaged_split_dir
from dataset_scripts.sources import COLLECTORS
from modeling.base.errors import DatasetBuildError, InvalidInputError
from tests.dataset_scripts.releases import write_clip

OPTIONS = BuildOptions(progress=False)


def _collect(source: str, raw_dir: Path, **options) -> SourceBuild:
    return COLLECTORS[source].collect(raw_dir, BuildOptions(progress=False, **options))


def _paper_ids(source: str, split: str, count: int) -> list[str]:
    return (packaged_split_dir(source) / f"{split}.txt").read_text().split()[:count]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_pmemo_official_release_converts_unit_scale_exactly(tmp_path):
    first, second = _paper_ids("pmemo", "train", 2)
    root = tmp_path / "PMEmo2019"
    _write(
        root / "annotations/static_annotations.csv",
        f"musicId,Arousal(mean),Valence(mean)\n{first},0.5,0.5\n{second},0.125,1.0\n",
    )
    _write(
        root / "annotations/static_annotations_std.csv",
        f"musicId,Arousal(std),Valence(std)\n{first},0.1,0.25\n{second},0,0.05\n",
    )
    _write(
        root / "annotations/dynamic_annotations.csv",
        f"musicId,frameTime,Arousal(mean),Valence(mean)\n{first},16.0,0.25,0.75\n{first},15.5,0.5,0.5\n",
    )
    _write(
        root / "metadata.csv",
        f'musicId,fileName,title\n{first},{first}.mp3,"A, B"\n{second},{second}.mp3,C\n9999,9999.mp3,D\n',
    )
    for song in (first, second):
        write_clip(root / "chorus" / f"{song}.mp3")
    build = _collect("pmemo", tmp_path)
    rows = {row["id"]: row for row in build.rows}
    assert (rows[first]["valence"], rows[first]["arousal"]) == (5.0, 5.0)  # 0.5 -> 5
    assert (rows[first]["valence_std"], rows[first]["arousal_std"]) == (2.0, 0.8)  # s -> 8 s
    assert (rows[second]["valence"], rows[second]["arousal"]) == (9.0, 2.0)
    assert rows[first]["dynamic"] == {"time": [15.5, 16.0], "valence": [5.0, 7.0], "arousal": [5.0, 3.0]}
    assert rows[second]["dynamic"] == {"time": [], "valence": [], "arousal": []}
    assert [(s.id, s.reason) for s in build.skipped] == [("9999", NO_ANNOTATION)]
    assert "metadata.csv" in build.skipped[0].detail
    assert build.layout.startswith("official PMEmo2019 release")


def _deam(tmp_path: Path, song_level: str, extra: str = "", dynamic: tuple[str, str] | None = None) -> Path:
    averaged = tmp_path / "DEAM_Annotations/annotations/annotations averaged per song"
    _write(averaged / "song_level/static_annotations_averaged_songs_1_2000.csv", song_level)
    _write(
        averaged / "song_level/static_annotations_averaged_songs_2000_2058.csv",
        "song_id, valence_mean, valence_std, arousal_mean, arousal_std, valence_max_mean, arousal_max_mean\n"
        + extra,
    )
    if dynamic:
        _write(averaged / "dynamic (per second annotations)/valence.csv", dynamic[0])
        _write(averaged / "dynamic (per second annotations)/arousal.csv", dynamic[1])
    return averaged / "song_level/static_annotations_averaged_songs_1_2000.csv"


def test_deam_official_release_with_its_quirks(tmp_path):
    a, b = _paper_ids("deam", "test", 2)
    late = next(i for i in (packaged_split_dir("deam") / "train.txt").read_text().split() if int(i) > 2000)
    _deam(
        tmp_path,
        f"song_id, valence_mean, valence_std, arousal_mean, arousal_std\n{a}, 3.1, 0.94, 3, 0.63\n{b}, 6, 1, 7, 1.5\n",
        extra=f"{late}, 4.5, 1.2, 5.5, 1.1, 6, 7\n",
        dynamic=(
            f"song_id,sample_15000ms,sample_15500ms,sample_16000ms\n{a},-1,0.5,0\n{b},0.25,,\n",
            f"song_id,sample_15000ms,sample_15500ms,sample_16000ms\n{a},1,-0.5,0\n{b},0.75\n",
        ),
    )
    for song in (a, b, late):
        write_clip(tmp_path / "DEAM_audio/MEMD_audio" / f"{song}.mp3")
    rows = {row["id"]: row for row in _collect("deam", tmp_path).rows}
    assert (rows[a]["valence"], rows[a]["valence_std"], rows[a]["arousal"]) == (3.1, 0.94, 3.0)
    assert rows[a]["dynamic"] == {
        "time": [15.0, 15.5, 16.0],
        "valence": [1.0, 7.0, 5.0],
        "arousal": [9.0, 3.0, 5.0],
    }
    assert rows[b]["dynamic"] == {
        "time": [15.0],
        "valence": [6.0],
        "arousal": [8.0],
    }  # a shorter (ragged) row
    assert (rows[late]["valence"], rows[late]["split"]) == (4.5, "train")
    assert rows[a]["split"] == "test"


def test_a_malformed_annotation_file_fails_with_file_and_line(tmp_path):
    (a,) = _paper_ids("deam", "test", 1)
    path = _deam(
        tmp_path,
        f"song_id, valence_mean, valence_std, arousal_mean, arousal_std\n{a}, 3, 1, 3, 1\n{a}7, 3, 1, 3\n",
    )
    write_clip(tmp_path / "MEMD_audio" / f"{a}.mp3")
    with pytest.raises(DatasetBuildError, match=rf"{path}, line 3: 4 fields where the header has 5"):
        _collect("deam", tmp_path)
    _write(path, f"song_id, valence_mean, arousal_mean\n{a}, 3, 3\n")
    with pytest.raises(
        DatasetBuildError, match=r"line 1: the header has no column 'valence_std', 'arousal_std'"
    ):
        _collect("deam", tmp_path)
    _write(
        path,
        f"song_id, valence_mean, valence_std, arousal_mean, arousal_std\n{a}, 3, 1, 3, 1\n\n{a}, 4, 1, 4, 1\n",
    )
    with pytest.raises(DatasetBuildError, match=rf"line 4: song_id '{a}' repeats line 2"):
        _collect("deam", tmp_path)
    path.write_bytes(b"song_id, valence_mean\n\xff\xfe\n")
    with pytest.raises(DatasetBuildError, match="not UTF-8"):
        _collect("deam", tmp_path)


def test_unusable_rows_are_skipped_with_their_reason(tmp_path):
    a, b, c, d = _paper_ids("emomusic", "train", 4)
    header = "song_id,mean_arousal,std_arousal,mean_valence,std_valence\n"
    _write(
        tmp_path / "annotations/static_annotations.csv",
        header + f"{a},5,1,5,1\n{b},abc,1,5,1\n{c},5,1,12,1\n{d},5,1,5,1\n777777,5,1,5,1\n",
    )
    wide = "song_id,sample_15000ms,sample_15500ms\n"
    _write(tmp_path / "annotations/valence_cont_average.csv", wide + f"{a},0.1,0.2\n{d},0.1,x\n")
    _write(tmp_path / "annotations/arousal_cont_average.csv", wide + f"{a},0.1,0.2\n{d},0.1,0.2\n")
    for song in (a, b, c, d, "777777"):
        write_clip(tmp_path / "clips_45seconds" / f"{song}.mp3")
    build = _collect("emomusic", tmp_path)
    assert [row["id"] for row in build.rows] == [a]
    assert build.rows[0]["dynamic"]["valence"] == pytest.approx([5.4, 5.8])
    skipped = {s.id: s for s in build.skipped}
    assert skipped[b].reason == UNPARSEABLE_ANNOTATION and "'abc' is not a number" in skipped[b].detail
    assert "static_annotations.csv, line 3" in skipped[b].detail
    assert (
        skipped[c].reason == UNPARSEABLE_ANNOTATION and "outside the release's 1-9 scale" in skipped[c].detail
    )
    assert skipped[d].reason == UNPARSEABLE_ANNOTATION
    assert skipped[d].detail == (
        "per-time-step valence 'x' at 15.5 s is not a number on [-1, 1] "
        "(valence_cont_average.csv / arousal_cont_average.csv)"
    )
    assert skipped["777777"].reason == NOT_IN_SPLIT


def test_every_row_skipped_is_an_error_not_an_empty_dataset(tmp_path):
    (a,) = _paper_ids("emomusic", "test", 1)
    _write(
        tmp_path / "annotations/static_annotations.csv",
        f"song_id,mean_arousal,std_arousal,mean_valence,std_valence\n{a},5,1,5,1\n",
    )
    (tmp_path / "clips_45seconds").mkdir()
    with pytest.raises(
        DatasetBuildError, match=rf"Nothing to build for emomusic.*1 {AUDIO_MISSING}.*{a}.mp3"
    ):
        _collect("emomusic", tmp_path)
    shutil.rmtree(tmp_path / "clips_45seconds")
    with pytest.raises(
        DatasetBuildError, match="No emomusic audio folder.*clips_45seconds, mp3.*--audio-dir"
    ):
        _collect("emomusic", tmp_path)
    write_clip(tmp_path / "elsewhere" / f"{a}.mp3")
    assert [r["id"] for r in _collect("emomusic", tmp_path, audio_dir=tmp_path / "elsewhere").rows] == [a]


def test_a_missing_release_says_which_layouts_are_accepted(tmp_path):
    with pytest.raises(
        DatasetBuildError,
        match=r"EmoMusic's song-level annotations not found.*annotations/static_annotations.csv",
    ):
        _collect("emomusic", tmp_path)
    with pytest.raises(DatasetBuildError, match=r"has no deam, pmemo, emomusic folder"):
        (tmp_path / "mtg-jamendo").mkdir()
        BUILDERS["all"](tmp_path, tmp_path / "out", OPTIONS)


def _mtg(tmp_path: Path, rows: dict[str, list[str]], folder: str = "data/splits/split-0") -> None:
    header = "TRACK_ID\tARTIST_ID\tALBUM_ID\tPATH\tDURATION\tTAGS\r\n"
    for split in ("train", "validation", "test"):
        _write(
            tmp_path / folder / f"autotagging_moodtheme-{split}.tsv",
            header + "".join(line + "\r\n" for line in rows.get(split, [])),
        )


def test_mtg_jamendo_tags_low_quality_audio_and_bad_rows(tmp_path):
    _mtg(
        tmp_path,
        {
            "train": [
                "track_0000001\ta\tb\t01/1.mp3\t10.0\tmood/theme---happy\tmood/theme---sad",
                "track_0000002\ta\tb\t02/2.mp3\t10.0\tgenre---rock",
                "track_0000003\ta\tb\t03/3.mp3\t10.0\tmood/theme---grumpy",
            ],
            "test": ["track_0000004\ta\tb\t04/4.mp3\t10.0\tmood/theme---calm"],
        },
    )
    write_clip(tmp_path / "audio-low/01/1.low.mp3")
    build = _collect("mtg-jamendo", tmp_path)
    assert [row["id"] for row in build.rows] == ["track_0000001"]
    assert build.rows[0]["audio"].endswith("1.low.mp3") and build.rows[0]["has_moods"]
    reasons = {s.id: (s.reason, s.detail) for s in build.skipped}
    assert (
        reasons["track_0000002"][0] == UNPARSEABLE_ANNOTATION
        and "not a mood/theme tag" in reasons["track_0000002"][1]
    )
    assert "not one of the 56" in reasons["track_0000003"][1]
    assert (
        reasons["track_0000004"][0] == AUDIO_MISSING
        and "04/4.mp3 or 04/4.low.mp3" in reasons["track_0000004"][1]
    )
    _mtg(
        tmp_path,
        {
            "train": ["track_0000001\ta\tb\t01/1.mp3\t10.0\tmood/theme---happy"],
            "test": ["track_0000001\ta\tb\t01/1.mp3\t1\tmood/theme---sad"],
        },
    )
    with pytest.raises(
        DatasetBuildError,
        match=r"autotagging_moodtheme-test.tsv, line 2: track track_0000001 is already listed",
    ):
        _collect("mtg-jamendo", tmp_path)
    with pytest.raises(DatasetBuildError, match="MTG-Jamendo split 3 not found"):
        _collect("mtg-jamendo", tmp_path, mtg_split=3)
    with pytest.raises(InvalidInputError, match="splits 0-4"):
        _collect("mtg-jamendo", tmp_path, mtg_split=7)


def test_mtg_jamendo_falls_back_to_the_shipped_split_0(tmp_path, reference_dir):
    write_clip(tmp_path / "48/948.mp3")  # track_0000948, in split 0's train TSV
    build = _collect("mtg-jamendo", tmp_path)
    assert [row["id"] for row in build.rows] == ["track_0000948"]
    assert "copy shipped with emotune" in build.layout
    shipped = packaged_split_dir("mtg-jamendo") / "split-0"
    for tsv in (reference_dir / "mtg_jamendo/splits/split-0").iterdir():
        assert (shipped / tsv.name).read_bytes() == tsv.read_bytes()
    # every row of the three TSVs is accounted for: built or skipped
    assert len(build.rows) + len(build.skipped) == sum(
        len(t.read_text().splitlines()) - 1 for t in shipped.iterdir()
    )
    for source in ("deam", "pmemo", "emomusic"):
        for split in ("train", "validation", "test"):
            shipped_ids = (packaged_split_dir(source) / f"{split}.txt").read_bytes()
            assert (
                shipped_ids == (reference_dir / "music2emo" / source / "split" / f"{split}.txt").read_bytes()
            )
