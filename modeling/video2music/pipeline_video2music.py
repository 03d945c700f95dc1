"""The ``video-to-music`` pipeline: a video in, the same video with generated music out.

    from transformers import pipeline
    import modeling  # registers the task

    v2m = pipeline("video-to-music", model="emotune/video2music-amt",
                   regression_model="emotune/video2music-regression",
                   clip_model="openai/clip-vit-large-patch14-336")
    result = v2m("clip.mp4", primer="C Am F G", key="C major", output="scored.mp4", seed=0)

Stages (each with a progress bar): video features (decord frames, CLIP semantic and emotion, scenes,
motion) -> chords (AMT, one per second, in C major / A minor) -> note density and loudness (bi-GRU)
-> arrangement, FluidSynth rendering and muxing -> optionally the affective check (the
music-emotion-recognition pipeline on the rendered audio against the video's emotion).

Videos longer than the AMT's maximum (300 s) are generated window by window: each later window
re-reads the last generated second and is primed with its chord, so it adds 299 new seconds.

The result: ``video``, ``midi``, ``audio``, ``json`` (and ``plot``) paths, ``key``, ``chords`` (one per
second, in the requested key), ``normalized_chords``, ``note_density``, ``loudness``, ``scene_cuts``,
``cut_alignment`` (share of cuts with a chord change), ``timings`` and, when asked, ``affective_check``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import AutoModel, Pipeline

from ..chords import Key, denormalize_chords, normalize_chords, parse_key, parse_progression
from ..chords.vocabulary import CHORD_VOCAB
from ..defaults import AMT_REGRESSION_MODEL, CLIP_MODEL, MUSIC2EMO_MODEL
from ..errors import InvalidInputError
from .affective import affective_check, plot_affective_check
from .outputs import write_video_music
from .scenes import SceneAlignedLogitsProcessor, cut_alignment, cut_seconds
from .video_features import VideoFeatureExtractor

__all__ = ["VideoToMusicPipeline"]

_STAGES = ("features", "chords", "curves", "rendering", "affective check")


class VideoToMusicPipeline(Pipeline):
    """Video2Music end to end. Extra ``pipeline(...)`` arguments: ``regression_model`` (bi-GRU id or
    folder), ``clip_model`` (CLIP id or folder), ``emotion_model`` (Music2Emo id or folder for the
    affective check, loaded when first needed), ``emotion_options`` (a dict of extra
    ``music-emotion-recognition`` pipeline arguments, e.g. ``audio_encoder``), ``clip_dtype``,
    ``progress`` (True)."""

    _load_tokenizer = False
    _load_feature_extractor = False
    _load_image_processor = False
    _load_video_processor = False
    _load_processor = False

    def __init__(
        self,
        model,
        regression_model=AMT_REGRESSION_MODEL,
        clip_model=CLIP_MODEL,
        emotion_model=MUSIC2EMO_MODEL,
        emotion_options: dict | None = None,
        clip_dtype=None,
        progress: bool = True,
        **kwargs,
    ):
        super().__init__(model=model, **kwargs)
        if isinstance(regression_model, (str, Path)):
            regression_model = AutoModel.from_pretrained(str(regression_model))
        self.regression_model = regression_model.to(self.device).eval()
        self.features = VideoFeatureExtractor(
            clip_model, device=self.device, dtype=clip_dtype, progress=progress
        )
        self.emotion_model, self.emotion_options = emotion_model, dict(emotion_options or {})
        self._emotion_pipeline = None
        self.progress = progress

    def _sanitize_parameters(self, **kwargs):
        return {}, {}, kwargs

    def emotion_pipeline(self):
        """The music-emotion-recognition pipeline of the affective check (loaded once)."""
        if self._emotion_pipeline is None:
            from transformers import pipeline

            self._emotion_pipeline = pipeline(
                "music-emotion-recognition",
                model=str(self.emotion_model),
                device=self.device,
                **self.emotion_options,
            )
        return self._emotion_pipeline

    # The Pipeline API's three steps, for one video.
    def preprocess(self, video, max_seconds: int | None = None):
        return {"video": video, "features": self.features(video, max_seconds=max_seconds)}

    def _forward(self, model_inputs, **params):
        return {**model_inputs, **self.generate(model_inputs["features"], **params)}

    def postprocess(self, model_outputs, **params):
        return model_outputs

    def __call__(
        self,
        video: str | Path,
        *,
        primer: str = "C",
        key: str | Key = "C major",
        output: str | Path | None = None,
        seed: int | None = None,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        align_to_scenes: bool = False,
        keep_original_audio: bool = False,
        original_audio_db: float = -12.0,
        check_emotion: bool = False,
        plot: bool = False,
        **render_options,
    ) -> dict[str, Any]:
        """Score ``video``; see the module docstring for the result. ``primer`` is a progression in
        ``key`` (``"C Am F G"``), ``output`` the video to write (default ``<video>_music.mp4``);
        ``render_options`` go to :func:`~modeling.video2music.outputs.write_video_music` (``tempo``,
        ``instrument``, ``soundfont``, ``density_from``, ...)."""
        from tqdm.auto import tqdm

        key = parse_key(key)
        primer_chords = parse_progression(primer) if isinstance(primer, str) else list(primer)
        if not primer_chords:
            raise InvalidInputError('The primer is empty. Accepted: one or more chords, e.g. "C Am F G"')
        output = (
            Path(output) if output is not None else Path(video).with_name(f"{Path(video).stem}_music.mp4")
        )
        stages = tqdm(total=4 + check_emotion, desc="video-to-music", disable=not self.progress, unit="stage")
        timings: dict[str, float] = {}

        def stage(name: str, start: float) -> float:
            timings[name] = round(time.perf_counter() - start, 3)
            stages.set_postfix_str(name)
            stages.update()
            return time.perf_counter()

        start = time.perf_counter()
        features = self.preprocess(video)["features"]
        start = stage("features", start)
        generated = self.generate(
            features, primer=primer_chords, key=key, seed=seed, temperature=temperature, top_k=top_k, top_p=top_p,
            align_to_scenes=align_to_scenes,
        )  # fmt: skip
        start = stage("chords", start)
        curves = self.curves(features)
        start = stage("curves", start)
        paths = write_video_music(
            video, generated["normalized_chords"], output, key=key, note_density=curves[:, 0], loudness=curves[:, 1],
            keep_original_audio=keep_original_audio, original_audio_db=original_audio_db, plot=plot, **render_options,
        )  # fmt: skip
        start = stage("rendering", start)
        cuts = cut_seconds(features.scene_offset)
        result = {
            "video": str(paths.video),
            "midi": str(paths.midi),
            "audio": str(paths.audio),
            "json": str(paths.json),
            "plot": None if paths.plot is None else str(paths.plot),
            "key": key.name,
            "chords": [c.label for c in denormalize_chords(generated["normalized_chords"], key)],
            "normalized_chords": generated["normalized_chords"],
            "note_density": [float(v) for v in curves[:, 0]],
            "loudness": [float(v) for v in curves[:, 1]],
            "video_emotion": [
                dict(zip(self._emotions(), map(float, row), strict=True)) for row in features.emotion
            ],
            "scene_cuts": cuts,
            "cut_alignment": cut_alignment(generated["normalized_chords"], cuts),
            "align_to_scenes": align_to_scenes,
        }
        if check_emotion:
            music = self.emotion_pipeline()(str(paths.audio))
            check = affective_check(features.emotion, music["segments"])
            result["affective_check"] = check.to_dict()
            result["music_emotion"] = {
                k: music[k] for k in ("valence", "arousal", "quadrant", "predicted_moods")
            }
            if plot:
                result["affective_plot"] = str(
                    plot_affective_check(check, features.emotion, output.with_suffix(".affect.png"))
                )
            start = stage("affective check", start)
        stages.close()
        result["timings"] = timings
        summary = json.loads(paths.json.read_text())
        summary.update({k: result[k] for k in ("scene_cuts", "cut_alignment", "align_to_scenes", "timings")})
        if check_emotion:
            summary["affective_check"] = result["affective_check"]
        paths.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        return result

    @staticmethod
    def _emotions():
        from ..emotion import VIDEO_EMOTIONS

        return VIDEO_EMOTIONS

    def generate(
        self,
        features,
        *,
        primer,
        key: Key,
        seed=None,
        temperature=1.0,
        top_k=None,
        top_p=None,
        align_to_scenes=False,
    ) -> dict[str, Any]:
        """Chords for every second of ``features`` in the normalised key, window by window."""
        rows = torch.from_numpy(features.as_model_input())
        seconds = rows.shape[0]
        window = self.model.config.max_sequence_length
        normalized = [c.id for c in normalize_chords(primer, key)]
        if len(normalized) > seconds:
            raise InvalidInputError(
                f"The primer has {len(normalized)} chords but the video has only {seconds} second(s). "
                "Accepted: at most one primer chord per second of video"
            )
        cuts = cut_seconds(features.scene_offset) if align_to_scenes else []
        chords: list[int] = []
        while len(chords) < seconds:
            # the first window starts at second 0 with the primer; each later one re-reads the last
            # generated second, whose chord primes it, so token n of a window is second start + n
            start = max(len(chords) - 1, 0)
            part = rows[start : start + window].unsqueeze(0).to(self.device)
            prime = chords[-1:] if chords else normalized
            processors = [SceneAlignedLogitsProcessor([cuts], offset=start)] if align_to_scenes else []
            with torch.inference_mode():
                out = self.model.generate(
                    part, torch.tensor([key.mode_id]), torch.tensor([prime]), max_length=part.shape[1],
                    seed=None if seed is None else seed + start, temperature=temperature, top_k=top_k, top_p=top_p,
                    max_repeat=None if align_to_scenes else 2, logits_processor=processors,
                )[0].tolist()  # fmt: skip
            chords.extend(out[1:] if chords else out)
        return {"normalized_chords": [CHORD_VOCAB[i] for i in chords[:seconds]]}

    def curves(self, features) -> np.ndarray:
        """``(T, 2)`` note density and loudness per second from the bi-GRU."""
        rows = torch.from_numpy(features.as_model_input()).unsqueeze(0).to(self.device)
        with torch.inference_mode():
            predictions = self.regression_model(rows).predictions[0].float().cpu().numpy()
        return predictions
