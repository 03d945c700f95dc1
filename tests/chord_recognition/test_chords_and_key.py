"""The offline chord backend on synthesized progressions (mir_eval majmin), and key detection."""

import itertools

import mir_eval
import numpy as np
import pytest

from dataset_scripts.synthetic.audio import render_progression
from modeling.base.errors import InvalidInputError
from modeling.chord_recognition.backends import load_chord_recognizer
from modeling.chord_recognition.dsp import DSPChordRecognizer
from modeling.chord_recognition.key import chord_pitch_intervals, detect_key
from modeling.vocabularies.chords import PITCH_CLASSES, TimedChord, parse_key

SECONDS = 2.0


def majmin_accuracy(reference: list[str], estimated: list[TimedChord], metric: str = "majmin") -> float:
    ref_intervals = np.array([[i * SECONDS, (i + 1) * SECONDS] for i in range(len(reference))])
    est_intervals = np.array([[c.start, c.end] for c in estimated])
    est_labels = [c.label for c in estimated]
    est_intervals, est_labels = mir_eval.util.adjust_intervals(
        est_intervals, est_labels, ref_intervals.min(), ref_intervals.max(), "N", "N"
    )
    intervals, ref, est = mir_eval.util.merge_labeled_intervals(
        ref_intervals, reference, est_intervals, est_labels
    )
    return mir_eval.chord.weighted_accuracy(
        getattr(mir_eval.chord, metric)(ref, est), mir_eval.util.intervals_to_durations(intervals)
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dsp_backend_reaches_80_percent_majmin_on_triads(seed):
    rng = np.random.default_rng(seed)
    progression = [
        f"{PITCH_CLASSES[root]}:{quality}"
        for root, quality in zip(rng.integers(0, 12, 12), rng.choice(["maj", "min"], 12))
    ]
    wave = render_progression(progression, SECONDS, 22050)
    chords = load_chord_recognizer("dsp")(wave, 22050)
    assert majmin_accuracy(progression, chords) >= 0.80


def test_silence_is_no_chord_and_segments_are_contiguous():
    wave = np.concatenate(
        [np.zeros(22050 * 3, np.float32), render_progression(["C:maj", "G:maj"], 2.0, 22050)]
    )
    chords = DSPChordRecognizer()(wave, 22050)
    assert chords[0].label == "N" and chords[0].end == pytest.approx(3.0, abs=0.4)
    assert all(a.end == b.start for a, b in itertools.pairwise(chords))
    assert chords[-1].end == pytest.approx(7.0, abs=1e-6)


def test_other_sampling_rates_are_resampled():
    wave = render_progression(["A:min", "A:min", "F:maj", "F:maj"], 2.0, 44100)
    labels = [c.label for c in DSPChordRecognizer()(wave, 44100)]
    assert labels[0] == "A:min" and "F" in labels


def test_the_sevenths_option_names_dominant_sevenths_and_keeps_triads():
    progression = ["C", "G:7", "C", "A:min", "D:7", "G", "E:7", "A:min"]
    wave = render_progression(progression, SECONDS, 22050)
    sevenths = DSPChordRecognizer(qualities=("maj", "min", "7"))(wave, 22050)
    triads = DSPChordRecognizer()(wave, 22050)
    assert majmin_accuracy(progression, sevenths) >= 0.9 and majmin_accuracy(progression, triads) >= 0.9
    # the sevenths decay in this synthesized rendering: the first second of each is named a seventh
    assert majmin_accuracy(progression, sevenths, "sevenths") >= 0.8
    assert majmin_accuracy(progression, triads, "sevenths") <= 0.65
    assert {c.label for c in sevenths} >= {"G:7", "D:7", "E:7"}
    # a triad with a short passing seventh stays the triad
    triad = render_progression(["C", "C", "F", "F"], SECONDS, 22050)
    passing = render_progression(["C:7"], 0.25, 22050)
    triad[int(1.5 * 22050) : int(1.5 * 22050) + len(passing)] += 0.3 * passing
    labels = lambda penalty: [  # noqa: E731
        c.label
        for c in DSPChordRecognizer(qualities=("maj", "min", "7"), four_note_penalty=penalty)(triad, 22050)
    ]
    assert labels(0.07) == ["C", "F", "N"]  # the default penalty (N: the last notes' decay)
    assert labels(0.0) == ["C", "C:7", "C", "F", "N"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"qualities": ("maj", "minor")}, "qualities=('maj', 'minor') do not fit method 'nnls'"),
        ({"qualities": ()}, "qualities=() do not fit"),
        ({"method": "templates", "qualities": ("maj", "min", "7")}, "for templates, ('maj', 'min')"),
    ],
)
def test_unknown_qualities_are_refused(options, message):
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        DSPChordRecognizer(**options)


def test_unknown_backend_names_the_accepted_ones():
    with pytest.raises(InvalidInputError, match="Accepted: dsp"):
        load_chord_recognizer("chordino")


def progression(labels):
    return [TimedChord(i * 2.0, (i + 1) * 2.0, label) for i, label in enumerate(labels)]


@pytest.mark.parametrize("method", ["music21", "profiles"])
@pytest.mark.parametrize(
    ("labels", "key"),
    [
        (["C", "F", "G", "C", "A:min", "F", "G", "C"], "C major"),
        (["A:min", "D:min", "E", "A:min", "F", "E", "A:min"], "A minor"),
        (["D", "G", "A", "D", "B:min", "G", "A", "D"], "D major"),
    ],
)
def test_key_of_clear_progressions(method, labels, key):
    assert detect_key(progression(labels), method).name == key


def test_key_falls_back_to_c_major_without_chords():
    assert detect_key(progression(["N", "N"])).name == "C major"
    with pytest.raises(InvalidInputError, match="music21, profiles"):
        detect_key(progression(["C"]), "temperley")


def test_midi_rendering_holds_common_tones():
    notes = chord_pitch_intervals(progression(["C", "A:min"]))
    # C and E sound through both chords (one note each), G only in C, A only in A minor
    assert (0.0, 4.0, 48) in notes and (0.0, 4.0, 52) in notes
    assert (0.0, 2.0, 55) in notes and (2.0, 4.0, 57) in notes


def _key_from_a_midi_file(chords, folder):
    """The original's key detection, step by step: the MIDI written to disk, parsed by music21, analysed."""
    from music21 import converter

    from modeling.chord_recognition.key import chords_midi_bytes

    path = folder / "chords.mid"
    path.write_bytes(chords_midi_bytes(chord_pitch_intervals(chords)))
    return converter.parse(str(path), forceSource=True).analyze("key")


def _random_progression(rng, frame_seconds, count):
    labels = [f"{root}:{quality}" for root in PITCH_CLASSES for quality in ("maj", "min", "7", "min7", "maj7", "dim", "aug", "sus4", "hdim7")]  # fmt: skip
    chords, time = [], 0.0
    for _ in range(count):
        length = frame_seconds * int(rng.integers(1, 30))
        label = "N" if rng.random() < 0.1 else labels[int(rng.integers(len(labels)))]
        chords.append(TimedChord(time, time + length, label))
        time += length
    return chords


def test_key_from_midi_in_memory_equals_the_original_file_round_trip(tmp_path):
    """Random progressions on the BTC and DSP frame grids and off any grid (voices, ties across bars, notes
    shorter than music21's quantisation step): the same key and the same 24 correlations, to the last bit."""
    from modeling.chord_recognition.key import music21_key_analysis

    rng = np.random.default_rng(0)
    checked = 0
    for frame in (10 / 108, 4096 / 22050, 0.013, 1 / 3, 0.5) * 4:
        chords = _random_progression(rng, frame, int(rng.integers(1, 30)))
        notes = chord_pitch_intervals(chords)
        if not notes:
            continue
        original, in_memory = _key_from_a_midi_file(chords, tmp_path), music21_key_analysis(notes)
        assert [(k.tonic.name, k.mode, k.correlationCoefficient) for k in [original, *original.alternateInterpretations]] == [
            (k.tonic.name, k.mode, k.correlationCoefficient) for k in [in_memory, *in_memory.alternateInterpretations]
        ]  # fmt: skip
        assert detect_key(chords).name == parse_key(f"{original.tonic.name} {original.mode}").name
        checked += 1
    assert checked >= 15
