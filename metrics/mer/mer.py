"""MER: the music emotion recognition metrics of Music2Emo, as an `evaluate` module.

Load it offline from a checkout: ``evaluate.load("metrics/mer")`` (or an absolute path to this
folder). The computation is :func:`modeling.metrics.mer.mer_metrics` (the trainer calls that
function directly); this module gives it the `evaluate` interface.
"""

import datasets
import evaluate

from modeling.metrics.dynamic_mer import dynamic_mer_metrics
from modeling.metrics.mer import mer_metrics

_CITATION = """\
@article{kang2025music2emo,
  title={Towards Unified Music Emotion Recognition across Dimensional and Categorical Models},
  author={Kang, Jaeyong and Herremans, Dorien},
  journal={arXiv preprint arXiv:2502.03979},
  year={2025}
}
"""

_DESCRIPTION = """\
Music emotion recognition metrics, per source dataset: macro ROC-AUC and macro PR-AUC over mood/theme
tags (MTG-Jamendo's 56 by default), and R^2 and RMSE of valence and arousal (DEAM, PMEmo, EmoMusic).
Tags with no positive (or no negative) reference in a source are left out of the macro averages and
reported by name.
"""

_KWARGS_DESCRIPTION = """
Args:
    mood_scores (`list[list[float]]`): per sample, one score per tag (probability or logit). NaN rows = no prediction.
    mood_labels (`list[list[float]]`): per sample, multi-hot tags (0/1). NaN rows = the sample has no tags.
    va_predictions (`list[list[float]]`): per sample, predicted [valence, arousal].
    va_labels (`list[list[float]]`): per sample, reference [valence, arousal]; NaN rows = no VA label.
    sources (`list[str]`): per sample, the dataset it comes from; metrics are reported per source.
    tag_names (`list[str]`, *optional*): names of the tag columns (defaults to the 56 MTG-Jamendo tags).

The "default" configuration takes all five inputs; "tags" takes mood_scores, mood_labels and sources;
"va" takes va_predictions, va_labels and sources. "dynamic" scores curves (the time-continuous task):
one (num_steps, 2) va_predictions and va_labels curve per song (NaN label steps are not annotated),
and its source; the figures are the means over a source's songs of each song's RMSE, Pearson r and
CCC (``modeling.metrics.dynamic_mer``).

Returns:
    `{source: metrics}`. Tag metrics: roc_auc, pr_auc, num_tagged_samples, tags_without_positives,
    tags_without_negatives. VA metrics: r2_valence, r2_arousal, r2, rmse_valence, rmse_arousal, rmse,
    num_va_samples. Dynamic: rmse_valence, rmse_arousal, r_valence, r_arousal, ccc_valence, ccc_arousal
    (per-song means, each with _std), songs_without_r_valence ..., num_songs, num_steps. Undefined values
    are None.

Examples:
    >>> mer = evaluate.load("metrics/mer", "va")
    >>> mer.compute(va_predictions=[[5.0, 4.0], [6.0, 6.5]], va_labels=[[5.5, 4.0], [6.0, 7.0]],
    ...             sources=["deam", "deam"])["deam"]["rmse_valence"]
    0.3535...
"""

_ROWS = datasets.Sequence(datasets.Value("float32"))
_CURVES = datasets.Sequence(datasets.Sequence(datasets.Value("float32")))
_INPUTS = {
    "default": ("mood_scores", "mood_labels", "va_predictions", "va_labels"),
    "tags": ("mood_scores", "mood_labels"),
    "va": ("va_predictions", "va_labels"),
    "dynamic": ("va_predictions", "va_labels"),
}


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class MER(evaluate.Metric):
    def _info(self):
        if self.config_name not in _INPUTS:
            raise KeyError(f"Unknown configuration {self.config_name!r}; accepted: {sorted(_INPUTS)}")
        rows = _CURVES if self.config_name == "dynamic" else _ROWS
        features = {name: rows for name in _INPUTS[self.config_name]}
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features({**features, "sources": datasets.Value("string")}),
            reference_urls=["https://arxiv.org/abs/2502.03979"],
        )

    def _compute(
        self,
        sources,
        mood_scores=None,
        mood_labels=None,
        va_predictions=None,
        va_labels=None,
        tag_names=None,
    ):
        if self.config_name == "dynamic":
            return dynamic_mer_metrics(va_predictions=va_predictions, va_labels=va_labels, sources=sources)
        return mer_metrics(
            mood_scores=mood_scores,
            mood_labels=mood_labels,
            va_predictions=va_predictions,
            va_labels=va_labels,
            sources=sources,
            tag_names=tag_names,
        )
