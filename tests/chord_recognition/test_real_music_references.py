"""The references of benchmarks/real_music.py: which corpus scores count as chord-symbol tunes, and the
``signature+final`` key of a piece (read from the whole score, not from the excerpt), and the diagnostic
``excerpt`` key (of what the excerpt sounds)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "real_music.py"


@pytest.fixture(scope="module")
def real_music():
    spec = importlib.util.spec_from_file_location("real_music_benchmark", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.mark.parametrize(
    ("piece_id", "verdict"),
    [
        ("nottingham-dataset/reelsa-c.abc#80", "accepted"),
        ("leadSheet/fosterBrownHair.mxl", "accepted"),
        # Ryan's Mammoth: quoted fingerings and dynamics; music21 reads the "f" of a dynamic as an F chord
        ("ryansMammoth/AcaciaReel.abc#1", "no chord symbols"),
        ("ryansMammoth/WalkAroundDontGetWeary.abc#1", "chord symbols that are not chord names"),
        # the American fife tunes mark their sections "A", "B", "C"
        ("miscFolk/americanfifeopus.abc#111", "too few chord symbols"),
    ],
)
def test_chord_symbol_verdicts(real_music, piece_id, verdict):
    assert real_music.chord_symbol_verdict(real_music.parse_score(piece_id)).startswith(verdict)


def test_abc_tunes_without_quotes_are_bare_melodies(real_music):
    text = 'X: 1\nT:Two\nK:G\n"G"GABc "D7"d2 % "C" in a comment\nX: 2\nT:"Quoted" title\nK:D\nDEFG|\n'
    assert real_music._abc_tunes(text) == [(1, True), (2, False)]


@pytest.mark.parametrize(
    ("piece_id", "source", "expected"),
    [
        ("nottingham-dataset/reelsa-c.abc#80", "chord-symbols", "D major"),
        ("nottingham-dataset/reelsa-c.abc#81", "chord-symbols", "A minor"),
        # no flat in its signature, and its last symbol (C, the dominant before the repeat) is not under the
        # melody's final F: no reference rather than a wrong "C major"
        ("leadSheet/berlinAlexandersRagtime.mxl", "chord-symbols", None),
        ("palestrina/Credo_04_c.krn", "renaissance", None),  # modal: ends on G under no signature
    ],
)
def test_signature_final_key_reads_the_whole_score(real_music, piece_id, source, expected):
    piece = real_music.build_piece(piece_id, source, excerpt_seconds=5.0)
    assert piece.key_signature_final == expected
    assert (piece.key_reference_note == "") == (expected is not None)
    assert piece.duration <= 5.0


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("G", "G"),
        ("D/f+", "D/F#"),  # the database's bass: lower case, "+" sharp (music21 reads "+" as augmented)
        ("Gm/bb", "Gm/B-"),
        ("Cd", "Cdim"),
        ("Ca", "Caug"),
        ("Ebd", "E-dim"),
        ("A7/c+", "A7/C#"),
        ("E7b9", "E7b9"),
        ("(E7)", None),  # an optional chord
        ("Segue", None),
    ],
)
def test_nottingham_chords_become_figures_music21_reads(real_music, text, figure):
    assert real_music.nmd_chord_figure(text) == figure


NMD_FILE = """X: 1
T:First
% Nottingham Music Database
M:4/4
L:1/4
K:G
"G"GABc|"D/f+"dcBA|"Em"GABc|"Cd"c2 "(D7)"B2|"Am/c"ABcd|"D7"d2c2|"G"B2A2|"G/b"B2 "D7"A2|"G"G4|]

X: 2
T:Second, a melody alone
M:4/4
K:D
DEFG|ABcd|
"""


def test_a_nottingham_tune_is_read_with_its_chords(real_music, tmp_path):
    (tmp_path / "reels.abc").write_text(NMD_FILE)
    assert real_music.nottingham_tunes(tmp_path) == ["nottingham/reels.abc#1", "nottingham/reels.abc#2"]
    score = real_music.parse_score("nottingham/reels.abc#1", tmp_path)
    named, rejected = real_music.chord_name_symbols(score)
    labels = [real_music._chord_symbol_label(symbol) for symbol in named]
    assert labels == ["G:maj", "D:maj", "E:min", "C:dim", "A:min", "D:7", "G:maj", "G:maj", "D:7", "G:maj"]
    assert rejected == [] and named[1].bass().name == "F#"
    census = real_music.nottingham_census(tmp_path, tmp_path / "cache", count=1)
    assert census["tunes"]["nottingham/reels.abc#1"] == "accepted"
    assert set(census["files"]) == {"reels.abc"}
    piece = real_music.build_piece("nottingham/reels.abc#1", "nottingham", 60.0, nottingham=tmp_path)
    assert piece.key_signature_final == "G major" and piece.accompaniment
    assert [label for *_, label in piece.chords][:3] == ["G:maj", "D:maj", "E:min"]
    with pytest.raises(FileNotFoundError, match="--nottingham"):
        real_music.parse_score("nottingham/reels.abc#1", None)


def test_the_excerpt_key_weighs_every_sounding_note_by_its_seconds(real_music):
    """The diagnostic ``excerpt`` reference: music21's key analysis of what the excerpt sounds, the chord
    symbols' accompaniment counted with the melody."""
    melody = [(0.5 * i, 0.5 * i + 0.5, 72 + step, 0) for i, step in enumerate([0, 4, 7, 4, 0, 2, 4, 5, 7, 9, 7, 4, 2, 0])]  # fmt: skip

    def piece(accompaniment):
        return real_music.Piece("x", "nottingham", 7.0, melody, accompaniment, [], None, "C major")

    assert real_music.excerpt_key(piece([])) == "C major"
    a_minor = [(beat, beat + 0.9, pitch) for beat in range(7) for pitch in (45, 57, 60, 64)]
    assert real_music.excerpt_key(piece(a_minor)) == "A minor"
    d_major = [(beat, beat + 0.9, pitch) for beat in range(7) for pitch in (38, 50, 54, 57)]
    assert real_music.excerpt_key(piece(d_major)) == "D major"
