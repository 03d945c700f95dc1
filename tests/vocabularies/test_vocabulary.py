"""The chord vocabulary, label parsing, keys and normalisation."""

from __future__ import annotations

import json

import pytest

from modeling.base.errors import ChordLabelError, EmotuneError, InvalidKeyError
from modeling.vocabularies.chords import (
    AMT_CHORD_END,
    AMT_CHORD_PAD,
    AMT_NUM_CHORD_TOKENS,
    AMT_QUALITY_END,
    AMT_QUALITY_PAD,
    AMT_ROOT_END,
    AMT_ROOT_PAD,
    CHORD_VOCAB,
    KEYS,
    QUALITY_IDS,
    ROOT_IDS,
    Chord,
    denormalize_chords,
    encode_chords,
    normalize_chords,
    parse_chord,
    parse_key,
    parse_progression,
)


def test_vocabulary_matches_both_releases_index_for_index(reference_dir):
    for folder in ("music2emo/meta", "video2music/vevo_meta"):
        chords = json.loads((reference_dir / folder / "chord.json").read_text())
        inverse = {
            int(k): v for k, v in json.loads((reference_dir / folder / "chord_inv.json").read_text()).items()
        }
        roots = json.loads((reference_dir / folder / "chord_root.json").read_text())
        qualities = json.loads((reference_dir / folder / "chord_attr.json").read_text())
        ours = {label: i for i, label in enumerate(CHORD_VOCAB)}
        # Music2Emo's list has one more entry, X = 157, which its model never reads (X is encoded as N).
        assert {k: v for k, v in chords.items() if k != "X"} == ours
        assert {i: inverse[i] for i in range(len(CHORD_VOCAB))} == dict(enumerate(CHORD_VOCAB))
        assert roots == ROOT_IDS
        assert qualities == QUALITY_IDS
    assert len(CHORD_VOCAB) == 157


def test_amt_extension_ids():
    assert (AMT_CHORD_END, AMT_CHORD_PAD, AMT_NUM_CHORD_TOKENS) == (157, 158, 159)
    assert (AMT_ROOT_END, AMT_ROOT_PAD, AMT_QUALITY_END, AMT_QUALITY_PAD) == (13, 14, 14, 15)


def test_chord_ids_round_trip():
    for chord_id in range(157):
        chord = Chord.from_id(chord_id)
        assert chord.id == chord_id
        assert parse_chord(chord.label) == chord


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("C:min7", "C:min7"),
        ("N", "N"),
        ("X", "N"),
        ("Am", "A:min"),
        ("Bb", "A#"),
        ("F#m7", "F#:min7"),
        ("Cmaj7", "C:maj7"),
        ("Dm6", "D:min6"),
        ("Gsus4", "G:sus4"),
        ("C", "C"),
        ("C:maj", "C"),
        ("Db", "C#"),
        ("D-", "C#"),
        ("Db:min", "C#:min"),
        ("Eb:maj7", "D#:maj7"),
        ("Gb7", "F#:7"),
        ("Ab:hdim7", "G#:hdim7"),
        ("Cb", "B"),
        ("E#", "F"),
        ("Bm7b5", "B:hdim7"),
        ("Cdim", "C:dim"),
        ("Cdim7", "C:dim7"),
        ("Caug", "C:aug"),
        ("C+", "C:aug"),
        ("G7", "G:7"),
        ("A:sus2", "A:sus2"),
        ("C:maj7/3", "C:maj7"),
        ("C/E", "C"),
        ("C:(1,b3,5)", "C:min"),
        ("C:(3,5,b7)", "C:7"),
        ("E:minmaj7", "E:min"),
        ("D:9", "D:7"),
        ("F:min9", "F:min7"),
        ("  Am  ", "A:min"),
    ],
)
def test_chord_spellings(label, expected):
    assert parse_chord(label).label == expected


@pytest.mark.parametrize("label", ["H", "C:foo", "Cxyz", "", "C:(1,3,6)", "C:(1,z)", "1", "C:"])
def test_unparseable_chord_names_label_and_syntax(label):
    with pytest.raises(ChordLabelError) as info:
        parse_chord(label)
    message = str(info.value)
    assert repr(label) in message
    assert "Accepted:" in message and "C:min7" in message and "Am" in message
    assert isinstance(info.value, EmotuneError) and isinstance(info.value, ValueError)


def test_non_string_chord_is_rejected():
    with pytest.raises(ChordLabelError, match="expected a string"):
        parse_chord(3)


def test_pitch_classes_of_qualities():
    assert parse_chord("C").pitch_classes == (0, 4, 7)
    assert parse_chord("A:min7").pitch_classes == (9, 0, 4, 7)
    assert parse_chord("B:hdim7").pitch_classes == (11, 2, 5, 9)
    assert parse_chord("N").pitch_classes == ()


@pytest.mark.parametrize(
    ("text", "name", "mode_id"),
    [
        ("C major", "C major", 0),
        ("A minor", "A minor", 1),
        ("a minor", "A minor", 1),
        ("e- minor", "D# minor", 1),
        ("Bb major", "A# major", 0),
        ("F# minor", "F# minor", 1),
        ("C:maj", "C major", 0),
        ("A:min", "A minor", 1),
        ("Am", "A minor", 1),
        ("C", "C major", 0),
        ("Ebm", "D# minor", 1),
        ("g MAJOR", "G major", 0),
    ],
)
def test_key_spellings(text, name, mode_id):
    key = parse_key(text)
    assert key.name == name and key.mode_id == mode_id


@pytest.mark.parametrize("text", ["H major", "C dorian", "", "major", None])
def test_bad_keys(text):
    with pytest.raises(InvalidKeyError, match="Accepted: a tonic and a mode"):
        parse_key(text)


def test_normalisation_of_whole_progressions():
    # A I-V-vi-IV pop progression in D major becomes C G Am F; in G major too.
    assert [c.label for c in normalize_chords("D A Bm G".split(), "D major")] == ["C", "G", "A:min", "F"]
    assert [c.label for c in normalize_chords("G D Em C".split(), "G major")] == ["C", "G", "A:min", "F"]
    # i-VI-III-VII in E minor becomes Am F C G; in C# minor (spelled Db) too; N stays N.
    assert [c.label for c in normalize_chords("Em C G D N".split(), "E minor")] == [
        "A:min",
        "F",
        "C",
        "G",
        "N",
    ]
    assert [c.label for c in normalize_chords("C#m A E B".split(), "Db minor")] == ["A:min", "F", "C", "G"]
    # Qualities survive transposition.
    assert [c.label for c in normalize_chords(["F#:hdim7", "B:7", "E:min7"], "E minor")] == [
        "B:hdim7",
        "E:7",
        "A:min7",
    ]


def test_normalise_then_denormalise_is_identity_in_all_24_keys():
    progression = parse_progression("C:maj7 A:min7 D:min7 G:7 E:hdim7 A:7 N B:dim7 F#:sus4")
    assert len(KEYS) == 24
    for key in KEYS:
        moved = denormalize_chords(progression, key)
        assert normalize_chords(moved, key) == progression
        tonic_chord = moved[0] if key.mode == "major" else denormalize_chords(["A:min"], key)[0]
        assert tonic_chord.root == key.tonic


def test_parse_progression_separators():
    assert [c.label for c in parse_progression("C, Am | F  G")] == ["C", "A:min", "F", "G"]
    assert parse_progression(["C", Chord(9, "min")])[1].label == "A:min"
    with pytest.raises(ChordLabelError, match="'Q'"):
        parse_progression("C Q F")


def test_encode_chords_pads_truncates_like_the_original():
    encoded = encode_chords(parse_progression("C Am F G"), max_length=6)
    assert encoded.root_ids == [1, 10, 6, 8, 0, 0]
    assert encoded.quality_ids == [1, 5, 1, 1, 0, 0]
    assert encoded.chord_ids == [1, 122, 66, 92, 0, 0]  # chord.json: C 1, A:min 122, F 66, G 92
    assert encoded.attention_mask == [1, 1, 1, 1, 0, 0]
    long = encode_chords([parse_chord("G")] * 150)
    assert len(long.root_ids) == 100 and all(r == 8 for r in long.root_ids)
    empty = encode_chords(
        [], max_length=3
    )  # no chords -> one N, as the original does for a missing chord file
    assert empty.attention_mask == [1, 0, 0] and empty.root_ids == [0, 0, 0]
