"""Music2Emo's training parts: the features reader and its label masks, the random-run augmentation,
the distillation losses, and the per-dataset loss of a training step."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from accelerate import Accelerator
from datasets import Dataset

from dataset_scripts.schema import music2emo_features
from modeling.base.errors import DatasetBuildError, InvalidInputError
from modeling.music2emo.modeling_music2emo import Music2EmoOutput
from modeling.training.engine import LoopConfig, SourceItem
from modeling.training.recipes.music2emo.data import (
    FeatureRows,
    Music2EmoCollator,
    Music2EmoItems,
    load_feature_rows,
)
from modeling.training.recipes.music2emo.distillation import distillation_loss
from modeling.training.recipes.music2emo.training import Music2EmoRecipe
from tests.music2emo.training_fixtures import recipe


def test_label_masks_follow_the_original(features):
    jamendo = load_feature_rows(str(features), "mtg-jamendo", "train")
    assert jamendo.has_moods.all() and jamendo.has_tags
    assert np.isfinite(jamendo.va).all()  # lexicon VA is there ...
    assert not jamendo.va_usable.any() and not jamendo.has_va  # ... but not a training target by default
    assert load_feature_rows(str(features), "mtg-jamendo", "train", lexicon_va=True).va_usable.all()
    deam = load_feature_rows(str(features), "deam", "validation")
    assert not deam.has_moods.any() and np.isnan(deam.moods).all()
    assert deam.va_annotated.all() and deam.va_usable.all()
    assert (deam.embedding_dim, len(deam), deam.split) == (12, 8, "validation")


def test_random_run_augmentation(features):
    rows = load_feature_rows(str(features), "pmemo", "train")
    items = Music2EmoItems([rows])
    row = int(np.flatnonzero(rows.num_segments == 4)[0])
    segments = rows.segments(row)
    runs = {(a, b): segments[a:b].mean(axis=0) for a in range(4) for b in range(a + 1, 5)}
    seen = set()
    for epoch in range(40):
        embedding = items[SourceItem(0, row, (0, epoch, 0, 0))]["audio_embeddings"]
        (match,) = [run for run, mean in runs.items() if np.allclose(mean, embedding, atol=1e-6)]
        seen.add(match)
    assert len(seen) > 4  # different runs in different epochs
    again = items[SourceItem(0, row, (0, 3, 0, 0))]["audio_embeddings"]
    assert np.array_equal(again, items[SourceItem(0, row, (0, 3, 0, 0))]["audio_embeddings"])
    assert np.allclose(items[SourceItem(0, row, None)]["audio_embeddings"], segments.mean(axis=0), atol=1e-6)
    plain = Music2EmoItems([rows], augmentation="none")
    assert np.allclose(
        plain[SourceItem(0, row, (0, 3, 0, 0))]["audio_embeddings"], segments.mean(axis=0), atol=1e-6
    )


def test_collator_groups_items_by_source(features):
    sources = [load_feature_rows(str(features), s, "test") for s in ("mtg-jamendo", "deam")]
    items = Music2EmoItems(sources)
    batch = Music2EmoCollator(["mtg-jamendo", "deam"])(
        [items[SourceItem(s, r, None)] for s, r in [(1, 0), (0, 2), (1, 5)]]
    )
    assert list(batch) == ["mtg-jamendo", "deam"]
    assert batch["deam"]["rows"].tolist() == [0, 5]
    assert batch["deam"]["audio_embeddings"].shape == (2, 12) and batch["deam"]["chord_root_ids"].shape == (
        2,
        100,
    )
    assert batch["mtg-jamendo"]["mood_labels_mask"].tolist() == [True]
    assert batch["deam"]["va_labels_mask"].tolist() == [True, True]


def _features(tmp_path, segments):
    columns = {name: [] for name in music2emo_features()}
    row = {"id": "x", "source": "deam", "split": "train", "segment_embeddings": segments, "chord_root_ids": [0] * 100,
           "chord_attr_ids": [0] * 100, "chord_attention_mask": [0] * 100, "chords": [], "key": "C major", "mode": 0,
           "moods": [0.0] * 56, "has_moods": False, "valence": 5.0, "arousal": 5.0, "valence_std": 1.0,
           "arousal_std": 1.0, "va_source": "annotated", "quadrant": "Q1"}  # fmt: skip
    for name in columns:
        columns[name].append(row[name])
    return Dataset.from_dict(columns, features=music2emo_features(), split="train")


def test_unusable_features_fail_clearly(tmp_path, features):
    with pytest.raises(DatasetBuildError, match="1 row\\(s\\) have no segment embedding \\(first: id 'x'\\)"):
        FeatureRows(_features(tmp_path, []), "deam")
    with pytest.raises(DatasetBuildError, match="mixed widths \\[2, 3\\]"):
        FeatureRows(_features(tmp_path, [[1.0, 2.0], [1.0, 2.0, 3.0]]), "deam")
    with pytest.raises(InvalidInputError, match="No features dataset at"):
        load_feature_rows(str(tmp_path / "nothing"), "deam", "train")


def test_kl_distillation_is_the_originals_formula():
    torch.manual_seed(0)
    student = Music2EmoOutput(mood_logits=torch.randn(4, 56), va=torch.randn(4, 2) + 5)
    mood_teacher = Music2EmoOutput(mood_logits=torch.randn(4, 56))
    va_teacher = Music2EmoOutput(va=torch.randn(4, 2) + 5)
    kl = torch.nn.KLDivLoss(reduction="batchmean")
    for temperature in (1.0, 2.0):
        expected = kl(
            torch.log_softmax(student.mood_logits / temperature, -1),
            torch.softmax(mood_teacher.mood_logits / temperature, -1),
        )
        assert torch.allclose(distillation_loss(student, mood_teacher, "kl", temperature), expected)
        expected = kl(
            torch.log_softmax(student.va / temperature, -1), torch.softmax(va_teacher.va / temperature, -1)
        )
        assert torch.allclose(distillation_loss(student, va_teacher, "kl", temperature), expected)
    assert distillation_loss(student, student, "kl").abs() < 1e-6


def test_sigmoid_distillation_is_the_named_alternative():
    torch.manual_seed(1)
    student = Music2EmoOutput(mood_logits=torch.randn(3, 56), va=torch.randn(3, 2))
    teacher = Music2EmoOutput(mood_logits=torch.randn(3, 56), va=torch.randn(3, 2))
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        student.mood_logits, torch.sigmoid(teacher.mood_logits)
    ) + torch.nn.functional.mse_loss(student.va, teacher.va)
    assert torch.allclose(distillation_loss(student, teacher, "sigmoid"), expected)
    with pytest.raises(InvalidInputError, match="share no head"):
        distillation_loss(
            Music2EmoOutput(va=torch.zeros(1, 2)), Music2EmoOutput(mood_logits=torch.zeros(1, 56))
        )


def test_training_step_sums_weighted_distillation_and_supervision_per_dataset(features, teachers):
    overrides = [f"distillation.teachers.{s}={p}" for s, p in teachers.items()]
    student = Music2EmoRecipe(
        "student", recipe("smoke-student.yaml", features, "distillation.weight=0.8", *overrides)
    )
    student.setup(Accelerator(cpu=True), LoopConfig())
    batch = next(iter(student.train_loader))
    assert list(batch) == ["mtg-jamendo", "deam", "pmemo", "emomusic"]
    model = student.model.eval()  # no dropout: the recomputation below must see the same outputs
    loss, values = student.training_step(model, batch)
    expected = 0.0
    for source, inputs in batch.items():
        model_inputs = {
            k: inputs[k]
            for k in (
                "audio_embeddings",
                "chord_root_ids",
                "chord_attr_ids",
                "chord_attention_mask",
                "mode_ids",
            )
        }
        output = model(**model_inputs)
        if source == "mtg-jamendo":
            supervised = model.mood_loss(
                output.mood_logits, inputs["mood_labels"]
            )  # tags only: the lexicon VA is not a target
        else:
            supervised = model.va_loss(output.va, inputs["va_labels"])
        teacher = student.teachers[source](**model_inputs)
        distilled = distillation_loss(output, teacher, "kl", 1.0)
        assert values[f"supervised/{source}"] == pytest.approx(supervised.item(), rel=1e-5)
        assert values[f"distillation/{source}"] == pytest.approx(distilled.item(), rel=1e-5)
        expected += 0.8 * distilled + 0.2 * supervised
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    loss.backward()
    assert all(p.grad is not None for p in model.mood_head.parameters())
    assert all(p.grad is None for p in student.teachers["deam"].parameters())
