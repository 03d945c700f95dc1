"""Time-continuous emotion metrics, as the MediaEval Emotion in Music task and DEAM report them.

For each song: the RMSE, Pearson's r and Lin's concordance correlation coefficient (CCC) between the
predicted and the annotated valence (and arousal) curves over its annotated time steps; then the mean
(and standard deviation) of each over the songs of a source. Per-song correlations measure whether a model
follows the music *within* a song: a constant prediction has CCC 0 for every song, whatever its level.

A song with fewer than two annotated steps has no r and no CCC; a song whose annotated or predicted curve
is constant has no r (CCC stays defined unless both are constant and equal). Such songs are left out of
those means and counted (``songs_without_r_valence``, ...), never dropped silently; RMSE counts every song
with an annotated step.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..base.errors import InvalidInputError

__all__ = ["DYNAMIC_HEADLINE", "concordance_correlation", "dynamic_mer_metrics", "song_metrics"]

DYNAMIC_HEADLINE = ("ccc_valence", "ccc_arousal", "r_valence", "r_arousal", "rmse_valence", "rmse_arousal")
"""The figures a table or model card shows."""

_DIMENSIONS = ("valence", "arousal")


def concordance_correlation(predicted: np.ndarray, reference: np.ndarray) -> float | None:
    """Lin's CCC of two equally long 1-D arrays (population moments); ``None`` when undefined."""
    if len(predicted) < 2:
        return None
    mean_p, mean_r = predicted.mean(), reference.mean()
    denominator = predicted.var() + reference.var() + (mean_p - mean_r) ** 2
    if denominator <= 0:
        return None
    return float(2 * np.mean((predicted - mean_p) * (reference - mean_r)) / denominator)


def _pearson(predicted: np.ndarray, reference: np.ndarray) -> float | None:
    if len(predicted) < 2 or np.ptp(predicted) == 0 or np.ptp(reference) == 0:
        return None
    return float(np.corrcoef(predicted, reference)[0, 1])


def _curve(name: str, values, index: int) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"{name}[{index}] must be a (num_steps, 2) array of numbers (valence, arousal per time step); "
            "NaN or None marks a step without annotation"
        ) from None
    if array.ndim != 2 or array.shape[1] != 2:
        raise InvalidInputError(f"{name}[{index}] must have shape (num_steps, 2), got {array.shape}")
    return array


def song_metrics(predicted, reference) -> dict | None:
    """RMSE, r and CCC of one song's curves (``(num_steps, 2)``; steps with a NaN reference or prediction
    do not count); ``None`` when no step is annotated."""
    keep = np.isfinite(reference).all(axis=1) & np.isfinite(predicted).all(axis=1)
    if not keep.any():
        return None
    predicted, reference = predicted[keep], reference[keep]
    result = {"num_steps": int(keep.sum())}
    for k, dimension in enumerate(_DIMENSIONS):
        result[f"rmse_{dimension}"] = float(np.sqrt(np.mean((predicted[:, k] - reference[:, k]) ** 2)))
        result[f"r_{dimension}"] = _pearson(predicted[:, k], reference[:, k])
        result[f"ccc_{dimension}"] = concordance_correlation(predicted[:, k], reference[:, k])
    return result


def _summary(songs: list[dict]) -> dict:
    result: dict = {"num_songs": len(songs), "num_steps": int(sum(song["num_steps"] for song in songs))}
    for metric in ("rmse", "r", "ccc"):
        for dimension in _DIMENSIONS:
            name = f"{metric}_{dimension}"
            values = [song[name] for song in songs if song[name] is not None]
            result[name] = float(np.mean(values)) if values else None
            result[f"{name}_std"] = float(np.std(values)) if values else None
            if metric != "rmse":
                result[f"songs_without_{name}"] = len(songs) - len(values)
    return result


def dynamic_mer_metrics(
    *, va_predictions: Sequence, va_labels: Sequence, sources: Sequence[str] | None = None
) -> dict[str, dict]:
    """Per-source time-continuous metrics, each the mean over the source's songs of the per-song figure.

    Args:
        va_predictions: one ``(num_steps, 2)`` array per song: predicted valence and arousal per time step.
        va_labels: one ``(num_steps, 2)`` array per song, aligned with its predictions: the annotated
            valence and arousal; NaN (or None) where a step has no annotation.
        sources: one name per song; ``None`` puts every song in ``"all"``.

    Returns:
        ``{source: metrics}`` in order of first appearance: ``rmse_valence``, ``rmse_arousal``,
        ``r_valence``, ``r_arousal``, ``ccc_valence``, ``ccc_arousal`` (means over songs; ``None`` when no
        song defines them), each with ``_std``; ``songs_without_r_valence`` (... ``ccc_arousal``): songs
        left out of a mean; ``num_songs`` (songs with an annotated step) and ``num_steps``;
        ``songs_without_labels``: songs given without any annotated step.
    """
    if len(va_predictions) != len(va_labels):
        raise InvalidInputError(
            f"Give one prediction curve per label curve: {len(va_predictions)} predictions, {len(va_labels)} labels"
        )
    if sources is None:
        sources = ["all"] * len(va_labels)
    sources = [str(source) for source in sources]
    if len(sources) != len(va_labels):
        raise InvalidInputError(f"sources has {len(sources)} names for {len(va_labels)} songs")
    if not va_labels:
        raise InvalidInputError("Nothing to score: give at least one song's curves")
    per_source: dict[str, list[dict]] = {}
    unlabelled: dict[str, int] = {}
    for index, (predicted, reference, source) in enumerate(zip(va_predictions, va_labels, sources)):
        predicted, reference = (
            _curve("va_predictions", predicted, index),
            _curve("va_labels", reference, index),
        )
        if predicted.shape != reference.shape:
            raise InvalidInputError(
                f"Song {index}: {predicted.shape[0]} predicted steps but {reference.shape[0]} label steps. "
                "Accepted: the two curves on the same time steps"
            )
        per_source.setdefault(source, [])
        unlabelled.setdefault(source, 0)
        song = song_metrics(predicted, reference)
        if song is None:
            unlabelled[source] += 1
        else:
            per_source[source].append(song)
    return {
        source: {**_summary(songs), "songs_without_labels": unlabelled[source]}
        for source, songs in per_source.items()
    }
