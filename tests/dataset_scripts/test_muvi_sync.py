"""The MuVi-Sync builder on a small release in the Zenodo layout (random values, real ids and splits),
and Video2Music's evaluation measures on hand-made numbers."""

import json

import numpy as np
import pytest
import torch
from datasets import load_dataset

from dataset_scripts.build_types import BuildOptions
from dataset_scripts.builders import BUILDERS
from modeling.base.errors import DatasetBuildError
from modeling.metrics.video2music import chord_accuracy, emotion_correspondence, hits_at_k, rmse
from modeling.vocabularies.chords import CHORD_VOCAB
from tests.dataset_scripts.muvi_release import first_ids, write_video


@pytest.fixture(scope="module")
def release(reference_dir, tmp_path_factory):
    raw = tmp_path_factory.mktemp("muvi") / "release"
    rng = np.random.default_rng(0)
    train, val, test = (
        first_ids(reference_dir, "train", 3),
        first_ids(reference_dir, "val", 1),
        first_ids(reference_dir, "test", 2),
    )
    write_video(
        raw, train[0], 7, rng, key="A minor", chords=["A:min", "A:min", "F", "G", "E:7", "A:min", "N"]
    )
    write_video(raw, train[1], 5, rng)
    write_video(raw, train[2], 6, rng, emotion_seconds=4)  # inconsistent lengths
    write_video(raw, val[0], 4, rng)
    write_video(raw, test[0], 3, rng)
    (raw / "vevo_semantic/all/2d/clip_l14p" / f"{test[0]}.npy").unlink()  # missing CLIP features
    write_video(raw, test[1], 3, rng, chords=["C", "Q:min", "C"])  # a chord outside the vocabulary
    return raw, {"train": train, "val": val, "test": test}


def test_builds_rows_with_every_sequence_and_reports_what_it_skipped(release, tmp_path):
    raw, ids = release
    summary = BUILDERS["muvi-sync"](raw, tmp_path / "out", BuildOptions(progress=False))
    data = load_dataset(str(tmp_path / "out"), "muvi-sync")
    assert {split: len(rows) for split, rows in data.items()} == {"train": 2, "validation": 1}
    row = next(r for r in data["train"] if r["id"] == ids["train"][0])
    assert row["key"] == "A minor" and row["mode"] == 1 and row["seconds"] == 7
    assert row["chords"][:4] == ["A:min", "A:min", "F", "G"] and row["chord_ids"][0] == CHORD_VOCAB.index(
        "A:min"
    )
    assert np.array(row["semantic"]).shape == (7, 768) and np.array(row["emotion"]).shape == (7, 6)
    assert row["scene_offset"][:5] == [1.0, 2.0, 3.0, 4.0, 1.0]  # +1, as the AMT was trained
    report = json.loads((tmp_path / "out" / "skip_report.json").read_text())
    reasons = {s["id"]: (s["reason"], s["detail"]) for s in report["skipped"]}
    assert "different lengths" in reasons[ids["train"][2]][1]
    assert "CLIP features" in reasons[ids["test"][0]][1]
    assert "Q:min" in reasons[ids["test"][1]][1]
    assert report["sources"]["muvi-sync"]["built"] == 3
    assert report["sources"]["muvi-sync"]["input_rows"] == 747  # every id of the release's split files
    assert "3 videos" in summary.text
    card = (tmp_path / "out" / "README.md").read_text()
    assert "MuVi-Sync" in card and "Rows left out" in card


def test_a_folder_that_is_not_a_release_is_refused(tmp_path):
    with pytest.raises(DatasetBuildError, match="not a MuVi-Sync release"):
        BUILDERS["muvi-sync"](tmp_path, tmp_path / "out", BuildOptions(progress=False))


def one_hot_logits(ids):
    logits = torch.full((len(ids), 159), -5.0)
    logits[torch.arange(len(ids)), torch.tensor(ids)] = 5.0
    return logits


def test_accuracy_and_hits_ignore_padding():
    logits = one_hot_logits([1, 2, 3, 4])
    logits[3, 9] = 4.0  # second choice at step 3
    labels = torch.tensor([1, 2, 5, 9])
    assert chord_accuracy(logits, labels) == 0.5
    assert hits_at_k(logits, labels, 1) == 0.5 and hits_at_k(logits, labels, 2) == 0.75
    assert chord_accuracy(logits, torch.tensor([1, 2, 158, 158])) == 1.0


def test_emotion_correspondence_counts_confident_non_neutral_steps():
    c_maj, c_min, c_7 = CHORD_VOCAB.index("C"), CHORD_VOCAB.index("C:min"), CHORD_VOCAB.index("G:7")
    logits = one_hot_logits([c_maj, c_min, c_7, c_maj, c_maj])
    labels = torch.tensor([1, 1, 1, 1, 158])
    emotions = torch.zeros(5, 6)
    emotions[0, 0] = 0.9  # exciting: maj matches
    emotions[1, 0] = 0.9  # exciting: min does not
    emotions[2, 2] = 0.85  # tense: 7 matches
    emotions[3, 3] = 0.5  # sad, but not confident: not counted
    emotions[4, 0] = 0.9  # padding: not counted
    assert emotion_correspondence(logits, labels, emotions) == pytest.approx(2 / 3)
    # the original reads a predicted "N" as a major chord: it matches "exciting", not "sad"
    no_chord = one_hot_logits([CHORD_VOCAB.index("N")] * 2)
    moods = torch.zeros(2, 6)
    moods[0, 0], moods[1, 3] = 0.9, 0.9
    assert emotion_correspondence(no_chord, torch.tensor([1, 1]), moods) == pytest.approx(1 / 2)
    neutral = torch.zeros(5, 6)
    neutral[:, 5] = 1.0
    assert emotion_correspondence(logits, labels, neutral) is None


def test_rmse_over_real_seconds():
    predictions, targets = torch.tensor([[1.0, 2.0], [3.0, 9.0]]), torch.tensor([[1.0, 0.0], [3.0, 0.0]])
    assert rmse(predictions, targets, torch.tensor([[1, 1], [1, 0]])) == pytest.approx((4 / 3) ** 0.5)
