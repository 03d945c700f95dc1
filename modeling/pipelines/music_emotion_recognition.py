"""The ``music-emotion-recognition`` pipeline: audio in, mood tags, valence-arousal, key and chords out.

    from transformers import pipeline
    import modeling  # registers the task

    mer = pipeline("music-emotion-recognition", model="emotune/music2emo",
                   audio_encoder="m-a-p/MERT-v1-95M", chord_backend="dsp")
    mer("song.mp3")
    mer(["a.mp3", "b.wav"])                      # one result per input
    mer(["a.mp3", "b.wav"], batch_size=8)        # the Music2Emo model runs once per 8 inputs
    mer({"array": wave, "sampling_rate": 44100})  # arrays need their sampling rate

The steps of transformers' ``Pipeline``: ``preprocess`` decodes the audio and computes its features
(:class:`Music2EmoFeatureExtractor`: MERT embeddings per 30 s segment, chords, key), ``_forward``
runs the model on the clips and their segments, ``postprocess`` names the scores with the model's own
labels (``config.id2label``).

Each result is a dict: ``moods`` (all tags, ``{"label", "score"}``, best first),
``predicted_moods`` (labels whose score is at least ``threshold``, 0.5 as in the original),
``valence`` and ``arousal`` (1-9), ``quadrant`` (Russell's, ``Q1``..``Q4``), ``key`` (``"A minor"``),
``chords`` (``{"start", "end", "label"}`` in the clip's key), ``segments`` (the emotion curve: the
model applied to each 30 s segment: ``start``, ``end``, ``valence``, ``arousal``, ``quadrant`` and
its top-5 ``moods``) and ``duration``. With a ``dynamic_model`` (a time-resolved
:class:`~modeling.music2emo_dynamic.Music2EmoDynamicModel`, :mod:`modeling.pipelines.curves`) it also has
``curve``: ``{"time", "valence", "arousal"}`` every hop (0.5 s), from the same encoder pass.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from transformers import Pipeline

from ..base.errors import InvalidInputError
from ..music2emo.feature_extraction_music2emo import Music2EmoFeatureExtractor, Music2EmoFeatures
from ..vocabularies.emotion import quadrant

__all__ = ["MusicEmotionRecognitionPipeline"]

_EXTRACTOR_OPTIONS = (
    "audio_encoder",
    "layers",
    "chord_backend",
    "chord_model",
    "chord_qualities",
    "key_method",
    "encoder_dtype",
    "batch_size",
    "encoder_quantization",
    "overlap",
)


class MusicEmotionRecognitionPipeline(Pipeline):
    """Music emotion recognition with a :class:`~modeling.music2emo.Music2EmoModel`.

    Extra arguments of ``pipeline(...)``: ``audio_encoder`` (default: the model config's
    ``audio_encoder``), ``layers``, ``chord_backend`` (``"btc"``, Music2Emo's; ``"dsp"`` needs no weights), ``chord_model``,
    ``chord_qualities`` (the ``dsp`` backend's: ``("maj", "min", "7")`` adds dominant sevenths), ``key_method``
    (``"music21"``, Music2Emo's; ``"chroma"`` reads the audio, the most accurate on real music), ``encoder_dtype`` (``"bfloat16"`` on a GPU), ``batch_size`` (encoder segments per
    pass), or a ready ``feature_extractor`` (:class:`Music2EmoFeatureExtractor`); ``dynamic_model`` (a
    ``music2emo_dynamic`` model, folder or Hub id) adds the ``curve``. Call arguments:
    ``threshold`` (0.5), ``top_k_segment_moods`` (5), ``sampling_rate`` (for arrays).
    """

    _load_tokenizer = False
    _load_feature_extractor = False
    _load_image_processor = False
    _load_video_processor = False
    _load_processor = False

    def __init__(self, model, feature_extractor: Music2EmoFeatureExtractor | None = None, **kwargs):
        options = {name: kwargs.pop(name) for name in _EXTRACTOR_OPTIONS if name in kwargs}
        dynamic_model = kwargs.pop("dynamic_model", None)
        super().__init__(model=model, **kwargs)
        if feature_extractor is None:
            options.setdefault("device", self.device)
            options["dtype"] = options.pop("encoder_dtype", None)
            feature_extractor = Music2EmoFeatureExtractor.from_model_config(self.model.config, **options)
        self.feature_extractor = feature_extractor
        if self.feature_extractor.encoder.embedding_dim != self.model.config.audio_embedding_dim:
            raise InvalidInputError(
                f"The audio encoder {self.feature_extractor.encoder.name_or_path} gives "
                f"{self.feature_extractor.encoder.embedding_dim}-d embeddings but the model expects "
                f"{self.model.config.audio_embedding_dim}. Accepted: the encoder and layers the model was trained with"
            )
        self.dynamic = None  # the time-resolved curve (modeling.pipelines.curves)
        if dynamic_model is not None:
            from .curves import DynamicCurve

            self.dynamic = DynamicCurve(dynamic_model, self.feature_extractor, self.device)

    def _sanitize_parameters(self, threshold=None, top_k_segment_moods=None, sampling_rate=None, **kwargs):
        preprocess, postprocess = {}, {}
        if sampling_rate is not None:
            preprocess["sampling_rate"] = sampling_rate
        if threshold is not None:
            if not 0.0 <= float(threshold) <= 1.0:
                raise InvalidInputError(f"threshold must be between 0 and 1, got {threshold!r}")
            postprocess["threshold"] = float(threshold)
        if top_k_segment_moods is not None:
            postprocess["top_k_segment_moods"] = int(top_k_segment_moods)
        return preprocess, {}, postprocess

    def __call__(self, inputs, **kwargs):
        """Recognise the emotion of ``inputs``: a path, an array (with ``sampling_rate=``), an audio dict, or
        a list of them (a list of results; ``batch_size=N`` runs the model once per N inputs)."""
        if isinstance(inputs, (list, tuple)) and not inputs:
            return []
        return super().__call__(inputs, **kwargs)

    def preprocess(self, inputs, sampling_rate: int | None = None) -> dict[str, Any]:
        if isinstance(inputs, dict):
            if "array" not in inputs:
                raise InvalidInputError(
                    f"An audio dict needs 'array' and 'sampling_rate' keys, got {sorted(inputs)}. Accepted: a path, "
                    "an array with sampling_rate=, or {'array': ..., 'sampling_rate': ...}"
                )
            inputs, sampling_rate = inputs["array"], inputs.get("sampling_rate", sampling_rate)
        extractor = self.dynamic.extractor if self.dynamic else self.feature_extractor
        return {"features": extractor(inputs, sampling_rate=sampling_rate)}

    def _forward(self, model_inputs: dict[str, Any]) -> dict[str, Any]:
        """One model call for the clips of ``model_inputs`` (one clip, or a list when the framework
        batches) and all their segments; ``{"clips": [per-clip outputs]}``."""
        features = model_inputs["features"]
        features: list[Music2EmoFeatures] = features if isinstance(features, list) else [features]
        parts = [f.model_inputs() for f in features] + [f.segment_inputs() for f in features]
        dtype = next(self.model.parameters()).dtype
        batch = {}
        for name in parts[0]:
            value = torch.cat([part[name] for part in parts])
            batch[name] = value.to(self.device, dtype=dtype if value.is_floating_point() else value.dtype)
        output = self.model(**batch)
        scores = output.mood_logits.float().sigmoid().cpu().numpy()
        va = output.va.float().cpu().numpy()
        clips, segment = [], len(features)
        for index, item in enumerate(features):
            count = len(item.segments)
            clips.append(
                {
                    "features": item,
                    "mood_scores": scores[index],
                    "va": va[index],
                    "segment_mood_scores": scores[segment : segment + count],
                    "segment_va": va[segment : segment + count],
                }
            )
            if self.dynamic:
                clips[-1]["curve"] = self.dynamic.points(item, self.dynamic(item))
            segment += count
        return {"clips": clips}

    def postprocess(
        self, model_outputs: dict[str, Any], threshold: float = 0.5, top_k_segment_moods: int = 5
    ) -> dict[str, Any]:
        # one clip: its list of one; a framework batch is split into clips before postprocess
        clip = model_outputs["clips"]
        model_outputs = clip[0] if isinstance(clip, list) else clip
        labels = self.model.config.id2label
        features: Music2EmoFeatures = model_outputs["features"]
        scores = np.asarray(model_outputs["mood_scores"])
        order = np.argsort(-scores, kind="stable")
        valence, arousal = (float(v) for v in model_outputs["va"])
        segments = []
        for (start, end), seg_scores, (v, a) in zip(
            features.segments, model_outputs["segment_mood_scores"], model_outputs["segment_va"]
        ):
            top = np.argsort(-seg_scores, kind="stable")[:top_k_segment_moods]
            segments.append(
                {
                    "start": round(float(start), 3),
                    "end": round(float(end), 3),
                    "valence": float(v),
                    "arousal": float(a),
                    "quadrant": quadrant(float(v), float(a)),
                    "moods": [{"label": labels[i], "score": float(seg_scores[i])} for i in top],
                }
            )
        return {
            "moods": [{"label": labels[i], "score": float(scores[i])} for i in order],
            "predicted_moods": [labels[i] for i in order if scores[i] >= threshold],
            "valence": valence,
            "arousal": arousal,
            "quadrant": quadrant(valence, arousal),
            "key": features.key.name,
            "chords": [chord.to_dict() for chord in features.chords],
            "segments": segments,
            "duration": round(float(features.duration), 3),
            **({"curve": model_outputs["curve"]} if "curve" in model_outputs else {}),
        }
