"""Music emotion recognition metrics: tag AUCs and valence-arousal R² / RMSE, per source.

The paper's figures: macro ROC-AUC and macro PR-AUC (average precision) over the mood/theme tags
(MTG-Jamendo), and R² and RMSE of valence and arousal (DEAM, PMEmo, EmoMusic), each computed on
one dataset's test split. :func:`mer_metrics` computes them for every source at once; the local
``evaluate`` module ``metrics/mer`` wraps it.

A tag without a positive (or without a negative) in a source's references has no ROC-AUC: it is
left out of the macro average and named in ``tags_without_positives`` /
``tags_without_negatives``, never dropped silently. A metric that is undefined (no rows, constant
references) is ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..base.errors import InvalidInputError
from ..vocabularies.emotion.tags import MOOD_TAGS

__all__ = ["mer_metrics"]


def _matrix(name: str, values, width: int | None) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"{name} must be a rectangular array of numbers (one row per sample); NaN rows mark missing values"
        ) from None
    if array.ndim != 2 or (width is not None and array.shape[1] != width):
        expected = f"(num_samples, {width})" if width is not None else "(num_samples, num_tags)"
        raise InvalidInputError(f"{name} must have shape {expected}, got {array.shape}")
    return array


def _finite_rows(*arrays: np.ndarray) -> np.ndarray:
    keep = np.ones(len(arrays[0]), dtype=bool)
    for array in arrays:
        keep &= np.isfinite(array).all(axis=1)
    return keep


def _tag_metrics(scores: np.ndarray, labels: np.ndarray, tag_names: Sequence[str]) -> dict:
    from sklearn.metrics import average_precision_score, roc_auc_score

    positives = labels.sum(axis=0)
    negatives = len(labels) - positives
    roc, pr = [], []
    for k in range(labels.shape[1]):
        if positives[k] > 0:
            pr.append(average_precision_score(labels[:, k], scores[:, k]))
            if negatives[k] > 0:
                roc.append(roc_auc_score(labels[:, k], scores[:, k]))
    return {
        "roc_auc": float(np.mean(roc)) if roc else None,
        "pr_auc": float(np.mean(pr)) if pr else None,
        "num_tagged_samples": len(labels),
        "tags_without_positives": [tag_names[k] for k in np.flatnonzero(positives == 0)],
        "tags_without_negatives": [tag_names[k] for k in np.flatnonzero(negatives == 0)],
    }


def _va_metrics(predictions: np.ndarray, labels: np.ndarray) -> dict:
    from sklearn.metrics import r2_score

    errors = predictions - labels
    result: dict = {}
    for k, dimension in enumerate(("valence", "arousal")):
        defined = len(labels) >= 2 and np.ptp(labels[:, k]) > 0  # R² needs varying references
        result[f"r2_{dimension}"] = float(r2_score(labels[:, k], predictions[:, k])) if defined else None
        result[f"rmse_{dimension}"] = float(np.sqrt(np.mean(errors[:, k] ** 2)))
    both = [result["r2_valence"], result["r2_arousal"]]
    result["r2"] = None if None in both else float(np.mean(both))
    result["rmse"] = float(np.sqrt(np.mean(errors**2)))
    result["num_va_samples"] = len(labels)
    return result


def mer_metrics(
    *,
    mood_scores=None,
    mood_labels=None,
    va_predictions=None,
    va_labels=None,
    sources: Sequence[str] | None = None,
    tag_names: Sequence[str] | None = None,
) -> dict[str, dict]:
    """Per-source MER metrics.

    Args:
        mood_scores: `(num_samples, num_tags)` tag scores (probabilities or logits: the AUCs only use
            their order). A row containing NaN has no prediction.
        mood_labels: `(num_samples, num_tags)` multi-hot references (0/1). A row containing NaN has no
            tags (e.g. a DEAM clip) and is left out of the tag metrics.
        va_predictions: `(num_samples, 2)` predicted valence and arousal.
        va_labels: `(num_samples, 2)` reference valence and arousal; NaN rows have none.
        sources: one name per sample (e.g. ``"mtg-jamendo"``, ``"deam"``); ``None`` puts every sample
            in one group called ``"all"``.
        tag_names: names of the tag columns, for the lists of tags without positives; defaults to the
            56 MTG-Jamendo mood/theme tags (or ``tag_<i>`` for another width).

    Returns:
        ``{source: metrics}`` in order of first appearance. Tag metrics (where the source has tagged
        samples): ``roc_auc``, ``pr_auc`` (macro), ``num_tagged_samples``, ``tags_without_positives``,
        ``tags_without_negatives``. VA metrics (where it has VA references): ``r2_valence``,
        ``r2_arousal``, ``r2`` (their mean), ``rmse_valence``, ``rmse_arousal``, ``rmse`` (over both),
        ``num_va_samples``.
    """
    if (mood_scores is None) != (mood_labels is None):
        raise InvalidInputError("Give mood_scores and mood_labels together (or neither)")
    if (va_predictions is None) != (va_labels is None):
        raise InvalidInputError("Give va_predictions and va_labels together (or neither)")
    if mood_scores is None and va_predictions is None:
        raise InvalidInputError(
            "Nothing to score: give mood_scores/mood_labels, va_predictions/va_labels or both"
        )

    arrays: dict[str, np.ndarray] = {}
    if mood_scores is not None:
        arrays["mood_scores"] = _matrix("mood_scores", mood_scores, None)
        arrays["mood_labels"] = _matrix("mood_labels", mood_labels, arrays["mood_scores"].shape[1])
        labels = arrays["mood_labels"]
        known = labels[np.isfinite(labels)]
        if not np.isin(known, (0.0, 1.0)).all():
            raise InvalidInputError(
                "mood_labels must be multi-hot: 0 or 1 per tag (NaN rows for untagged samples)"
            )
    if va_predictions is not None:
        arrays["va_predictions"] = _matrix("va_predictions", va_predictions, 2)
        arrays["va_labels"] = _matrix("va_labels", va_labels, 2)
    lengths = {name: len(array) for name, array in arrays.items()}
    num_samples = next(iter(lengths.values()))
    if len(set(lengths.values())) > 1:
        raise InvalidInputError(f"Every input needs one row per sample; got row counts {lengths}")
    if sources is None:
        sources = ["all"] * num_samples
    sources = [str(source) for source in sources]
    if len(sources) != num_samples:
        raise InvalidInputError(f"sources has {len(sources)} names for {num_samples} samples")

    if "mood_scores" in arrays:
        width = arrays["mood_scores"].shape[1]
        if tag_names is None:
            tag_names = MOOD_TAGS if width == len(MOOD_TAGS) else [f"tag_{k}" for k in range(width)]
        if len(tag_names) != width:
            raise InvalidInputError(f"tag_names has {len(tag_names)} names for {width} tag columns")

    source_array = np.asarray(sources, dtype=object)
    results: dict[str, dict] = {}
    for source in dict.fromkeys(sources):
        rows = source_array == source
        result: dict = {}
        if "mood_scores" in arrays:
            scores, labels = arrays["mood_scores"][rows], arrays["mood_labels"][rows]
            keep = _finite_rows(scores, labels)
            if keep.any():
                result.update(_tag_metrics(scores[keep], labels[keep], tag_names))
        if "va_predictions" in arrays:
            predictions, labels = arrays["va_predictions"][rows], arrays["va_labels"][rows]
            keep = _finite_rows(predictions, labels)
            if keep.any():
                result.update(_va_metrics(predictions[keep], labels[keep]))
        results[source] = result
    return results
