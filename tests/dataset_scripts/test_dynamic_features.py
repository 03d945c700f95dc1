"""Time-resolved features datasets: each release's annotation grid on the windows, the moving synthetic
corpus through `emotune make-synthetic --moving`, `build-dataset` and `extract-features --dynamic`."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

from dataset_scripts.build_types import BuildOptions
from dataset_scripts.builders import BUILDERS
from dataset_scripts.features.dynamic import align_to_windows
from dataset_scripts.releases.va_tables import UNIT, read_long_dynamic
from dataset_scripts.synthetic.corpus import FIRST_ANNOTATION, MovingPiece, make_synthetic
from modeling.base.errors import InvalidInputError
from modeling.hub.datasets import load_dataset_folder
from modeling.music2emo_dynamic.feature_extraction_music2emo_dynamic import window_times


def test_pmemo_frame_times_fall_on_windows(reference_dir):
    # the real release: song 1 is a 32.1 s chorus annotated every 0.5 s from 15.5 s to 32 s
    series, problems = read_long_dynamic(
        reference_dir / "music2emo/pmemo/dynamic_annotations.csv", id_column="musicId", time_column="frameTime",
        valence_column="Valence(mean)", arousal_column="Arousal(mean)", scale=UNIT,
    )  # fmt: skip
    assert not problems
    song = series["1"]
    times = window_times(32.1, 0.5)
    labels, after = align_to_windows(song, len(times), 0.5)
    assert after == 0
    labelled = np.flatnonzero(np.isfinite(labels[:, 0]))
    assert times[labelled].tolist() == pytest.approx(song["time"])
    assert times[labelled[0]] == 15.5 and times[labelled[-1]] == 32.0
    np.testing.assert_allclose(labels[labelled, 0], song["valence"], rtol=1e-6)
    np.testing.assert_allclose(labels[labelled, 1], song["arousal"], rtol=1e-6)


def test_a_coarser_hop_averages_and_steps_after_the_audio_are_counted():
    dynamic = {"time": [15.0, 15.5, 16.0, 16.5, 17.0], "valence": [1, 2, 3, 4, 5], "arousal": [5, 5, 5, 5, 9]}
    labels, after = align_to_windows(dynamic, num_windows=17, hop_seconds=1.0)  # windows 0..16 s
    assert after == 2  # 16.5 and 17.0 round to 17 s, which has no window
    assert labels[15].tolist() == [1.0, 5.0]  # 15.0
    assert labels[16].tolist() == [2.5, 5.0]  # 15.5 and 16.0 round to 16
    assert np.isnan(labels[:15]).all()
    with pytest.raises(InvalidInputError, match="one value of each per time"):
        align_to_windows({"time": [1.0], "valence": [], "arousal": []}, 4, 0.5)


@pytest.fixture(scope="module")
def moving_features(tmp_path_factory):
    """3 moving pieces of 20 s per source -> unified dataset -> `emotune extract-features --dynamic`
    (the tiny MERT stand-in, the dsp chord backend)."""
    from modeling.cli import main
    from modeling.testing import save_random_mert

    root = tmp_path_factory.mktemp("moving")
    mert_dir = save_random_mert(root / "mert", "tiny")
    pieces = make_synthetic(root / "raw", n=3, seed=5, seconds=20.0, moving=True, progress=False)
    BUILDERS["all"](root / "raw", root / "unified", BuildOptions(progress=False))
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        code = main(["extract-features", str(root / "unified"), "--output-dir", str(root / "features"),
                     "--audio-encoder", str(mert_dir), "--chord-backend", "dsp", "--dynamic", "--no-progress"])  # fmt: skip
    assert code == 0
    (root / "stdout.txt").write_text(output.getvalue())
    return pieces, root


def test_moving_pieces_carry_their_labels_in_each_release_layout(moving_features):
    pieces, root = moving_features
    for source in ("deam", "pmemo", "emomusic"):
        unified = load_dataset_folder(str(root / "unified"), source)
        rows = {row["id"]: row for split in unified.values() for row in split.remove_columns("audio")}
        for piece in pieces[source]:
            assert isinstance(piece, MovingPiece) and len(piece.sections) >= 3
            dynamic = rows[piece.id]["dynamic"]
            assert dynamic["time"][0] == FIRST_ANNOTATION[source] and dynamic["time"][-1] == 19.5
            # the labels move: the mode changes inside the annotated part
            assert np.ptp(dynamic["valence"]) > 1.0
            expected = piece.curve(np.asarray(dynamic["time"]))
            np.testing.assert_allclose(dynamic["valence"], expected[:, 0], atol=2e-3)
            np.testing.assert_allclose(dynamic["arousal"], expected[:, 1], atol=2e-3)
            assert rows[piece.id]["valence"] == pytest.approx(piece.valence, abs=1e-5)
    marker = json.loads((root / "raw/deam/emotune_synthetic.json").read_text())
    assert marker["moving"] is True and marker["pieces"][0]["sections"][0]["start"] == 0.0


def test_extract_features_dynamic_puts_each_step_on_its_window(moving_features):
    _, root = moving_features
    for source in ("deam", "pmemo", "emomusic"):
        features = load_dataset_folder(str(root / "features"), source)
        for row in (row for split in features.values() for row in split):
            assert row["has_dynamic"]
            times = np.asarray(row["window_times"])
            assert times.tolist() == (np.arange(41) * 0.5).tolist()  # 0 .. 20 s
            assert np.shape(row["window_embeddings"]) == (41, 64)
            assert np.shape(row["window_chord_root_ids"]) == np.shape(row["window_chord_weights"]) == (41, 2)
            valence = np.array(row["window_valence"], dtype=float)
            labelled = np.flatnonzero(np.isfinite(valence))
            assert times[labelled].tolist() == pytest.approx(row["dynamic"]["time"])
            assert times[labelled[0]] == FIRST_ANNOTATION[source]  # DEAM/EmoMusic 15 s, PMEmo 15.5 s
            np.testing.assert_allclose(valence[labelled], row["dynamic"]["valence"], rtol=1e-6)
    # samples without dynamic labels stay for the clip-level heads, without windows
    tagged = load_dataset_folder(str(root / "features"), "mtg-jamendo")
    for row in (row for split in tagged.values() for row in split):
        assert not row["has_dynamic"] and row["window_times"] == [] and len(row["segment_embeddings"]) == 1
    card = (root / "features/README.md").read_text()
    assert "windows of 1 s centred every 0.5 s" in card and "`window_valence`" in card
    printed = (root / "stdout.txt").read_text()  # 10 steps from 15 s (DEAM, EmoMusic), 9 from 15.5 s (PMEmo)
    assert "Dynamic: 9 of 12 rows have per-time-step labels; 87 annotation steps placed on windows" in printed
