"""Time-continuous MER metrics (per-song RMSE, Pearson r, CCC, averaged per source) against SciPy/NumPy
computed here, and the `dynamic` configuration of the ``metrics/mer`` evaluate module."""

from __future__ import annotations

import evaluate
import numpy as np
import pytest
from scipy.stats import pearsonr

from modeling.base.errors import InvalidInputError
from modeling.metrics.dynamic_mer import concordance_correlation, dynamic_mer_metrics
from tests.conftest import REPO_ROOT


def _ccc(p, t):
    return 2 * np.cov(p, t, bias=True)[0, 1] / (p.var() + t.var() + (p.mean() - t.mean()) ** 2)


def _songs(seed=0):
    rng = np.random.default_rng(seed)
    songs, sources = [], []
    for index in range(7):
        steps = int(rng.integers(20, 60))
        labels = np.cumsum(rng.normal(0, 0.2, (steps, 2)), axis=0) + 5
        labels[: int(rng.integers(0, 10))] = np.nan  # not annotated at the start (DEAM: the first 15 s)
        predictions = np.where(np.isnan(labels), 5.0, labels) + rng.normal(0, 0.3, (steps, 2))
        songs.append((predictions, labels))
        sources.append("deam" if index < 4 else "pmemo")
    return songs, sources


def test_means_over_songs_of_per_song_rmse_r_and_ccc():
    songs, sources = _songs()
    result = dynamic_mer_metrics(
        va_predictions=[p for p, _ in songs], va_labels=[t for _, t in songs], sources=sources
    )
    assert list(result) == ["deam", "pmemo"]
    for source, chosen in (("deam", songs[:4]), ("pmemo", songs[4:])):
        for k, dimension in enumerate(("valence", "arousal")):
            rmse, r, ccc = [], [], []
            for predictions, labels in chosen:
                keep = np.isfinite(labels[:, k])
                p, t = predictions[keep, k], labels[keep, k]
                rmse.append(np.sqrt(np.mean((p - t) ** 2)))
                r.append(pearsonr(p, t)[0])
                ccc.append(_ccc(p, t))
            assert result[source][f"rmse_{dimension}"] == pytest.approx(np.mean(rmse))
            assert result[source][f"r_{dimension}"] == pytest.approx(np.mean(r))
            assert result[source][f"ccc_{dimension}"] == pytest.approx(np.mean(ccc))
            assert result[source][f"ccc_{dimension}_std"] == pytest.approx(np.std(ccc))
        assert result[source]["num_songs"] == len(chosen)
        assert result[source]["num_steps"] == sum(int(np.isfinite(t[:, 0]).sum()) for _, t in chosen)


def test_a_constant_prediction_scores_zero_and_undefined_songs_are_counted():
    rising = np.stack([np.linspace(3, 7, 30), np.linspace(4, 6, 30)], axis=1)
    constant = np.full((30, 2), 5.0)
    result = dynamic_mer_metrics(
        va_predictions=[constant, rising, rising[:1], constant[:5]],
        va_labels=[rising, constant, rising[:1], np.full((5, 2), np.nan)],
    )["all"]
    # a constant prediction follows nothing: CCC 0 (r undefined); a constant reference likewise
    assert result["ccc_valence"] == 0.0 and result["ccc_arousal"] == 0.0
    assert result["r_valence"] is None and result["songs_without_r_valence"] == 3
    assert result["songs_without_ccc_valence"] == 1  # the one-step song
    assert result["num_songs"] == 3 and result["songs_without_labels"] == 1
    assert concordance_correlation(np.ones(3), np.ones(3)) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"va_predictions": [np.zeros((3, 2))], "va_labels": []}, "one prediction curve per label curve"),
        ({"va_predictions": [np.zeros((3, 2))], "va_labels": [np.zeros((4, 2))]}, "same time steps"),
        ({"va_predictions": [np.zeros(3)], "va_labels": [np.zeros(3)]}, r"shape \(num_steps, 2\)"),
        ({"va_predictions": [], "va_labels": []}, "Nothing to score"),
    ],
)
def test_bad_inputs_get_clear_errors(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        dynamic_mer_metrics(**kwargs)


def test_evaluate_module_dynamic_configuration_matches_the_function():
    songs, sources = _songs(seed=1)
    predictions = [p.tolist() for p, _ in songs]
    labels = [[[None if np.isnan(v) else v for v in step] for step in t] for _, t in songs]  # None = NaN
    mer = evaluate.load(str(REPO_ROOT / "metrics" / "mer"), "dynamic")
    got = mer.compute(va_predictions=predictions, va_labels=labels, sources=sources)
    expected = dynamic_mer_metrics(
        va_predictions=[p for p, _ in songs], va_labels=[t for _, t in songs], sources=sources
    )
    for source in expected:
        for name, value in expected[source].items():
            assert got[source][name] == (
                pytest.approx(value, rel=1e-5) if isinstance(value, float) else value
            )
