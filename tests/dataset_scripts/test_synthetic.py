"""The synthetic corpus: official raw layouts that build with nothing skipped, labels that follow
the pieces' parameters, audio that carries them, determinism."""

from __future__ import annotations

import json

import numpy as np
import pytest
from datasets import load_dataset

from dataset_scripts.schema import SOURCES
from dataset_scripts.synthetic.corpus import (
    SYNTHETIC_MARKER,
    Piece,
    affect,
    make_synthetic,
    nearest_tags,
    render_piece,
)
from modeling.base.errors import InvalidInputError
from modeling.vocabularies.chords import PITCH_CLASSES
from modeling.vocabularies.emotion import MOOD_TAGS, TAG_VA, lexicon_va, quadrant


def _rows(build, source, tmp_path):
    dataset = load_dataset(str(build.output_dir), source, cache_dir=str(tmp_path / "cache"))
    return {row["id"]: row for split in dataset.values() for row in split.remove_columns("audio")}


def test_the_corpus_builds_with_nothing_skipped_and_says_synthetic(synthetic_build):
    report = json.loads((synthetic_build.output_dir / "skip_report.json").read_text())
    assert report["skipped"] == []
    assert {s: v["built"] for s, v in report["sources"].items()} == dict.fromkeys(SOURCES, 6)
    card = (synthetic_build.output_dir / "README.md").read_text()
    assert "(SYNTHETIC)" in card and "**Synthetic data.**" in card and "- synthetic" in card
    assert "SYNTHETIC" in (synthetic_build.raw_dir / "README.md").read_text().upper()
    for source in SOURCES:
        marker = json.loads((synthetic_build.raw_dir / source / SYNTHETIC_MARKER).read_text())
        assert [p["id"] for p in marker["pieces"]] == [p.id for p in synthetic_build.pieces[source]]
        assert [p.split for p in synthetic_build.pieces[source]] == ["train"] * 4 + ["validation", "test"]


@pytest.mark.parametrize("source", ["deam", "pmemo", "emomusic"])
def test_annotated_labels_survive_each_raw_layout(synthetic_build, source, tmp_path):
    rows = _rows(synthetic_build, source, tmp_path)
    for piece in synthetic_build.pieces[source]:
        row = rows[piece.id]
        assert row["split"] == piece.split and row["va_source"] == "annotated"
        for name in ("valence", "arousal", "valence_std", "arousal_std"):
            assert row[name] == pytest.approx(getattr(piece, name), abs=1e-5), name
        assert row["quadrant"] == quadrant(piece.valence, piece.arousal)
        times, valence, arousal = zip(*piece.dynamic())
        assert row["dynamic"]["time"] == pytest.approx(times)
        assert row["dynamic"]["valence"] == pytest.approx(valence, abs=1e-3)
        assert row["dynamic"]["arousal"] == pytest.approx(arousal, abs=1e-3)
        assert row["duration"] == pytest.approx(piece.seconds, abs=0.05)


def test_mtg_jamendo_tags_and_lexicon_va(synthetic_build, tmp_path):
    rows = _rows(synthetic_build, "mtg-jamendo", tmp_path)
    for piece in synthetic_build.pieces["mtg-jamendo"]:
        row = rows[piece.id]
        assert tuple(MOOD_TAGS[i] for i, v in enumerate(row["moods"]) if v) == piece.tags
        assert (row["valence"], row["arousal"]) == pytest.approx(lexicon_va(piece.tags), abs=1e-5)
        # the tags were chosen near the piece's valence-arousal, so the lexicon agrees with it
        assert abs(row["valence"] - piece.valence) < 2.5 and abs(row["arousal"] - piece.arousal) < 2.5


def test_labels_follow_the_affect_correlates():
    base = dict(tempo=120.0, loudness=0.6, register=4)
    assert affect("major", **base)[0] > affect("minor", **base)[0] + 4
    assert affect("major", 170.0, 0.6, 4)[1] > affect("major", 70.0, 0.6, 4)[1] + 2
    assert affect("major", 120.0, 0.95, 4)[1] > affect("major", 120.0, 0.3, 4)[1] + 2
    lowest = min(affect("major", t, 0.6, r)[0] for t in (60.0, 180.0) for r in (3, 5))
    highest = max(affect("minor", t, 0.6, r)[0] for t in (60.0, 180.0) for r in (3, 5))
    assert lowest > highest  # mode alone separates valence
    tags = nearest_tags(2.0, 3.0, 3)
    others = [t for t in MOOD_TAGS if t not in tags]
    worst_chosen = max((TAG_VA[t][0] - 2.0) ** 2 + (TAG_VA[t][1] - 3.0) ** 2 for t in tags)
    assert all((TAG_VA[t][0] - 2.0) ** 2 + (TAG_VA[t][1] - 3.0) ** 2 >= worst_chosen for t in others)


def _piece(**changes) -> Piece:
    fields = dict(
        id="1", split="train", tonic=0, mode="major", tempo=120.0, loudness=0.6, register=4, swell=0.0,
        seconds=3.0, valence=5.0, arousal=5.0, valence_std=1.0, arousal_std=1.0, tags=("happy",),
    )  # fmt: skip
    return Piece(**{**fields, **changes})


def _chroma(wave: np.ndarray, sr: int) -> np.ndarray:
    spectrum = np.abs(np.fft.rfft(wave))
    freqs = np.fft.rfftfreq(len(wave), 1 / sr)
    keep = (freqs > 60) & (freqs < 2000)
    chroma = np.zeros(12)
    np.add.at(chroma, np.round(12 * np.log2(freqs[keep] / 440.0) + 69).astype(int) % 12, spectrum[keep])
    return chroma


def _attacks(wave: np.ndarray, sr: int) -> int:
    """Count of note attacks: 20 ms frames whose RMS jumps above 1.6 x the previous frame's."""
    hop = sr // 50
    frames = np.sqrt((wave[: len(wave) // hop * hop].reshape(-1, hop) ** 2).mean(axis=1))
    rising = (frames[1:] > 1.6 * frames[:-1]) & (frames[1:] > 0.1 * frames.max())
    return int(np.sum(rising & ~np.r_[False, rising[:-1]]))


def test_audio_carries_mode_loudness_and_tempo():
    sr = 22050
    e, d_sharp = PITCH_CLASSES.index("E"), PITCH_CLASSES.index("D#")
    major, minor = (
        _chroma(render_piece(_piece(), sr), sr),
        _chroma(render_piece(_piece(mode="minor"), sr), sr),
    )
    assert major[e] > 2 * major[d_sharp]  # C major: E, no E-flat
    assert minor[d_sharp] > 2 * minor[e]  # C minor: E-flat, no E
    loud, quiet = render_piece(_piece(loudness=0.9), sr), render_piece(_piece(loudness=0.3), sr)
    assert np.sqrt(np.mean(loud**2)) > 2.5 * np.sqrt(np.mean(quiet**2))
    fast, slow = (
        _attacks(render_piece(_piece(tempo=170.0), sr), sr),
        _attacks(render_piece(_piece(tempo=70.0), sr), sr),
    )
    assert fast >= 2 * slow > 0
    swell = render_piece(_piece(swell=0.4), sr)
    assert np.abs(swell[-sr:]).max() > 1.2 * np.abs(swell[:sr]).max()


def test_same_seed_same_corpus_and_a_guarded_output_folder(tmp_path):
    first = make_synthetic(tmp_path / "a", n=3, seed=7, seconds=1.0, progress=False)
    second = make_synthetic(tmp_path / "b", n=3, seed=7, seconds=1.0, progress=False)
    assert first == second
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) == 4 * 3 + 20  # 12 clips, 15 annotation files, 4 markers, README
    for name in files:
        if name.suffix != ".mp3":
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert make_synthetic(tmp_path / "a", n=3, seed=8, seconds=1.0, progress=False) != first  # replaces
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "thesis.tex").write_text("precious")
    with pytest.raises(InvalidInputError, match="Refusing to write into"):
        make_synthetic(tmp_path / "c", n=3, progress=False)
    with pytest.raises(InvalidInputError, match="at least 3"):
        make_synthetic(tmp_path / "d", n=2, progress=False)
