"""The time-resolved curve at inference: what the ``music-emotion-recognition`` pipeline adds when it is
given a ``dynamic_model`` (a :class:`~modeling.music2emo_dynamic.Music2EmoDynamicModel`), and how the command line
and the figures show it.

The pipeline's feature extractor is wrapped (:class:`Music2EmoDynamicFeatureExtractor`) so the encoder
runs once per segment for the clip, its segments and its windows; the dynamic model then gives valence and
arousal every hop, and the result gains ``curve``: ``[{"time", "valence", "arousal"}, ...]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..base.errors import InvalidInputError
from ..music2emo_dynamic.feature_extraction_music2emo_dynamic import (
    Music2EmoDynamicFeatureExtractor,
    Music2EmoDynamicFeatures,
)

__all__ = ["DynamicCurve", "curve_seconds", "format_curve", "sparkline"]

_BLOCKS = "▁▂▃▄▅▆▇█"


class DynamicCurve:
    """A loaded dynamic model and the windowed extractor around a pipeline's feature extractor.

    Args:
        model: a :class:`~modeling.music2emo_dynamic.Music2EmoDynamicModel`, or its folder / Hub id (an installed
            default id resolves to its installed copy first).
        extractor: the pipeline's :class:`~modeling.music2emo.feature_extraction_music2emo.Music2EmoFeatureExtractor`.
        device: where the model runs.
    """

    def __init__(self, model, extractor, device):
        if not hasattr(model, "config"):
            from transformers import PretrainedConfig

            from ..hub import resolve_model
            from ..music2emo_dynamic import Music2EmoDynamicModel

            folder = resolve_model(str(model))
            model_type = PretrainedConfig.get_config_dict(folder)[0].get("model_type")
            _check_model_type(model_type)
            model = Music2EmoDynamicModel.from_pretrained(folder)
        _check_model_type(getattr(model.config, "model_type", None))
        self.model = model.to(device).eval()
        self.device = device
        self.extractor = Music2EmoDynamicFeatureExtractor.for_model(model.config, extractor)

    def __call__(self, features: Music2EmoDynamicFeatures) -> np.ndarray:
        """``(num_windows, 2)`` valence and arousal of the clip's windows."""
        import torch

        if getattr(features, "window_embeddings", None) is None:
            raise InvalidInputError(
                "These features have no windows: with a dynamic_model, extract them with the pipeline's "
                "windowed extractor (pipeline.dynamic.extractor), which wraps pipeline.feature_extractor"
            )

        dtype = next(self.model.parameters()).dtype
        inputs = {
            name: value.to(self.device, dtype=dtype if value.is_floating_point() else value.dtype)
            for name, value in features.window_inputs().items()
        }
        with torch.inference_mode():
            return self.model(**inputs).va[0].float().cpu().numpy()

    @staticmethod
    def points(features: Music2EmoDynamicFeatures, curve: np.ndarray) -> list[dict]:
        """The result's ``curve``: ``{"time", "valence", "arousal"}`` per window."""
        return [
            {"time": round(float(t), 3), "valence": float(v), "arousal": float(a)}
            for t, (v, a) in zip(features.window_times, curve)
        ]


def _check_model_type(model_type) -> None:
    if model_type != "music2emo_dynamic":
        raise InvalidInputError(
            f"dynamic_model must be a music2emo_dynamic model, got model type {model_type!r}. Accepted: a "
            "music2emo_dynamic model or its folder (`train.py dynamic` writes one)"
        )


def sparkline(values: Sequence[float], width: int = 60, low: float = 1.0, high: float = 9.0) -> str:
    """``values`` on the 1-9 scale as a line of block characters, averaged down to at most ``width``."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) > width:
        values = np.array([chunk.mean() for chunk in np.array_split(values, width)])
    levels = np.clip(((values - low) / (high - low) * len(_BLOCKS)).astype(int), 0, len(_BLOCKS) - 1)
    return "".join(_BLOCKS[level] for level in levels)


def format_curve(curve: Sequence[Mapping], width: int = 60) -> str:
    """The compact curve ``emotune predict`` prints: one line per dimension, its range and where it peaks."""
    if not curve:
        return ""
    times = [point["time"] for point in curve]
    hop = times[1] - times[0] if len(times) > 1 else 0.0
    lines = [f"  curve: every {hop:g} s, {len(curve)} points ({times[0]:g}-{times[-1]:g} s; 1-9 as ▁..█)"]
    for name in ("valence", "arousal"):
        values = [point[name] for point in curve]
        low, high = int(np.argmin(values)), int(np.argmax(values))
        lines.append(
            f"    {name:<8}{sparkline(values, width)}  {min(values):.1f} at {times[low]:g} s .. "
            f"{max(values):.1f} at {times[high]:g} s"
        )
    return "\n".join(lines)


def curve_seconds(curve: Sequence[Mapping], seconds: int | None = None) -> list[dict]:
    """The curve as one ``{start, end, valence, arousal}`` row per second (the mean of the points in
    ``[s, s + 1)``; a second without a point takes the nearest point's values), for comparisons with
    per-second video features (:func:`modeling.pipelines.affective.affective_check`)."""
    if not curve:
        raise InvalidInputError("The curve is empty: nothing to compare per second")
    times = np.array([point["time"] for point in curve], dtype=np.float64)
    values = np.array([[point["valence"], point["arousal"]] for point in curve], dtype=np.float64)
    seconds = int(np.ceil(times[-1])) if seconds is None else int(seconds)
    rows = []
    for second in range(max(seconds, 1)):
        inside = (times >= second) & (times < second + 1)
        mean = (
            values[inside].mean(axis=0) if inside.any() else values[np.argmin(np.abs(times - second - 0.5))]
        )
        rows.append({"start": float(second), "end": float(second + 1), "valence": float(mean[0]),
                     "arousal": float(mean[1])})  # fmt: skip
    return rows
