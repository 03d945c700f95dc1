"""The MER metrics (``modeling.metrics.mer.mer_metrics`` and the ``metrics/mer`` evaluate module)
against scikit-learn computed here on random data."""

from __future__ import annotations

import json

import evaluate
import numpy as np
import pytest
from sklearn.metrics import average_precision_score, mean_squared_error, r2_score, roc_auc_score

from modeling.base.errors import InvalidInputError
from modeling.metrics.mer import mer_metrics
from modeling.vocabularies.emotion import MOOD_TAGS
from tests.conftest import REPO_ROOT, run_python

METRIC_DIR = REPO_ROOT / "metrics" / "mer"


def random_predictions(seed: int = 0, n: int = 120):
    """Two tag sources and two VA sources, as a trainer's gathered predictions look."""
    rng = np.random.default_rng(seed)
    sources = np.array(["mtg-jamendo"] * 50 + ["other-tags"] * 20 + ["deam"] * 30 + ["pmemo"] * 20)
    labels = (rng.random((n, 56)) < 0.15).astype(np.float64)
    scores = np.clip(labels * 0.3 + rng.random((n, 56)), 0, 1)
    va_labels = rng.uniform(1, 9, (n, 2))
    va_predictions = va_labels + rng.normal(0, 1.0, (n, 2))
    tagged = np.isin(sources, ["mtg-jamendo", "other-tags"])
    labels[~tagged] = np.nan
    va_labels[tagged] = np.nan
    return scores, labels, va_predictions, va_labels, sources


def sklearn_tags(scores, labels):
    with_positive = labels.sum(axis=0) > 0
    both = with_positive & (labels.sum(axis=0) < len(labels))
    return (
        roc_auc_score(labels[:, both], scores[:, both], average="macro"),
        average_precision_score(labels[:, with_positive], scores[:, with_positive], average="macro"),
    )


def test_tag_and_va_metrics_match_sklearn_per_source():
    scores, labels, va_predictions, va_labels, sources = random_predictions()
    results = mer_metrics(
        mood_scores=scores,
        mood_labels=labels,
        va_predictions=va_predictions,
        va_labels=va_labels,
        sources=sources,
    )
    assert list(results) == ["mtg-jamendo", "other-tags", "deam", "pmemo"]
    for source in ("mtg-jamendo", "other-tags"):
        rows = sources == source
        roc, pr = sklearn_tags(scores[rows], labels[rows])
        assert results[source]["roc_auc"] == pytest.approx(roc, abs=1e-12)
        assert results[source]["pr_auc"] == pytest.approx(pr, abs=1e-12)
        assert results[source]["num_tagged_samples"] == rows.sum()
        assert "r2_valence" not in results[source]
    for source in ("deam", "pmemo"):
        rows = sources == source
        y, p = va_labels[rows], va_predictions[rows]
        got = results[source]
        assert got["r2_valence"] == pytest.approx(r2_score(y[:, 0], p[:, 0]), abs=1e-12)
        assert got["r2_arousal"] == pytest.approx(r2_score(y[:, 1], p[:, 1]), abs=1e-12)
        assert got["r2"] == pytest.approx(r2_score(y, p), abs=1e-12)
        assert got["rmse_valence"] == pytest.approx(np.sqrt(mean_squared_error(y[:, 0], p[:, 0])), abs=1e-12)
        assert got["rmse_arousal"] == pytest.approx(np.sqrt(mean_squared_error(y[:, 1], p[:, 1])), abs=1e-12)
        assert got["rmse"] == pytest.approx(np.sqrt(mean_squared_error(y, p)), abs=1e-12)
        assert got["num_va_samples"] == rows.sum()
        assert "roc_auc" not in got


def test_tags_without_positives_or_negatives_are_named_and_left_out():
    rng = np.random.default_rng(1)
    labels = (rng.random((40, 56)) < 0.3).astype(float)
    labels[:, MOOD_TAGS.index("happy")] = 0
    labels[:, MOOD_TAGS.index("sad")] = 0
    labels[:, MOOD_TAGS.index("epic")] = 1
    scores = rng.random((40, 56))
    result = mer_metrics(mood_scores=scores, mood_labels=labels)["all"]
    assert result["tags_without_positives"] == ["happy", "sad"]
    assert result["tags_without_negatives"] == ["epic"]
    roc, pr = sklearn_tags(scores, labels)
    assert result["roc_auc"] == pytest.approx(roc)
    assert result["pr_auc"] == pytest.approx(pr)
    # A tag that is always present has a perfect PR-AUC and counts in it; it has no ROC-AUC.
    keep = [k for k in range(56) if MOOD_TAGS[k] not in ("happy", "sad")]
    assert result["pr_auc"] == pytest.approx(
        np.mean([average_precision_score(labels[:, k], scores[:, k]) for k in keep])
    )


def test_undefined_values_are_none_and_nan_rows_are_skipped():
    result = mer_metrics(
        va_predictions=[[5.0, 5.0], [6.0, 4.0], [1.0, 1.0]],
        va_labels=[[5.0, 3.0], [5.0, 3.0], [np.nan, np.nan]],
    )
    assert result["all"]["num_va_samples"] == 2
    assert result["all"]["r2_valence"] is None  # constant references
    assert result["all"]["r2"] is None
    assert result["all"]["rmse_valence"] == pytest.approx(np.sqrt(0.5))
    single = mer_metrics(va_predictions=[[5.0, 5.0]], va_labels=[[4.0, 4.0]])["all"]
    assert single["r2_arousal"] is None and single["rmse"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mood_scores": np.zeros((3, 56))}, "together"),
        ({}, "Nothing to score"),
        ({"mood_scores": np.zeros((3, 56)), "mood_labels": np.full((3, 56), 0.5)}, "multi-hot"),
        ({"mood_scores": np.zeros((3, 56)), "mood_labels": np.zeros((3, 50))}, r"shape \(num_samples, 56\)"),
        ({"va_predictions": np.zeros((3, 3)), "va_labels": np.zeros((3, 3))}, r"shape \(num_samples, 2\)"),
        ({"va_predictions": np.zeros((3, 2)), "va_labels": np.zeros((4, 2))}, "one row per sample"),
        (
            {"va_predictions": np.zeros((3, 2)), "va_labels": np.zeros((3, 2)), "sources": ["a"]},
            "1 names for 3",
        ),
        ({"va_predictions": [[1, 2], [3]], "va_labels": np.zeros((2, 2))}, "rectangular"),
    ],
)
def test_bad_inputs_get_clear_errors(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        mer_metrics(**kwargs)


def test_evaluate_module_loads_by_absolute_path_and_matches_the_function():
    scores, labels, va_predictions, va_labels, sources = random_predictions(seed=2)
    expected = mer_metrics(
        mood_scores=scores,
        mood_labels=labels,
        va_predictions=va_predictions,
        va_labels=va_labels,
        sources=sources,
    )
    mer = evaluate.load(str(METRIC_DIR))
    for start in range(0, len(sources), 32):  # batches, as an evaluation loop adds them
        part = slice(start, start + 32)
        mer.add_batch(
            mood_scores=scores[part], mood_labels=labels[part], va_predictions=va_predictions[part],
            va_labels=va_labels[part], sources=sources[part].tolist(),
        )  # fmt: skip
    got = mer.compute()
    assert got.keys() == expected.keys()
    for source, values in expected.items():
        for name, value in values.items():
            assert got[source][name] == (
                pytest.approx(value, abs=1e-5) if isinstance(value, float) else value
            )

    tags = evaluate.load(str(METRIC_DIR), "tags")
    only_tags = tags.compute(mood_scores=scores[:50], mood_labels=labels[:50], sources=sources[:50].tolist())
    assert only_tags["mtg-jamendo"]["pr_auc"] == pytest.approx(expected["mtg-jamendo"]["pr_auc"], abs=1e-5)


def test_evaluate_load_relative_path_offline_in_a_fresh_process():
    code = (
        "import json, evaluate\n"
        "mer = evaluate.load('metrics/mer', 'va')\n"
        "print(json.dumps(mer.compute(va_predictions=[[5.0, 4.0], [6.0, 6.5]], va_labels=[[5.5, 4.0], [6.0, 7.0]],"
        " sources=['deam', 'deam'])))\n"
    )
    done = run_python(code, cwd=REPO_ROOT, env={"HF_HUB_OFFLINE": "1", "HF_EVALUATE_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])["deam"]
    assert result["rmse_valence"] == pytest.approx(np.sqrt(0.125))
    assert result["r2_arousal"] == pytest.approx(r2_score([4.0, 7.0], [4.0, 6.5]))
