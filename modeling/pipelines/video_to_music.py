"""The ``video-to-music`` pipeline: a video in, the same video with generated music out.

    from transformers import pipeline
    import modeling  # registers the task

    v2m = pipeline("video-to-music", model="emotune/video2music-amt",
                   regression_model="emotune/video2music-regression",
                   clip_model="openai/clip-vit-large-patch14-336")
    result = v2m("clip.mp4", primer="C Am F G", key="C major", output="scored.mp4", seed=0)

The three steps of transformers' ``Pipeline``:

* ``preprocess`` reads the video into per-second features (decord frames, CLIP semantic and emotion,
  scenes, motion; a progress bar over the frames);
* ``_forward`` runs the models: the AMT generates one chord per second (in C major / A minor;
  windows, padding and sampling are :meth:`AMTModel.generate`'s, its settings the model's saved
  ``generation_config`` with the call's overrides; on a CPU with one torch thread unless the user chose
  the count, :func:`~modeling.base.devices.thread_budget`) and the bi-GRU predicts note density and
  loudness (:meth:`AMTRegressionModel.predict`);
* ``postprocess`` arranges, renders with FluidSynth and muxes; optionally runs the affective check
  (the music-emotion-recognition pipeline on the rendered audio against the video's emotion); then
  writes the JSON summary (and figures). Each output file is written once; if any step fails, the
  files this call wrote are removed (no half of a result is left beside the video).

The result: ``video``, ``midi``, ``audio``, ``json`` (and ``plot``) paths, ``key``, ``chords`` (one per
second, in the requested key), ``normalized_chords``, ``note_density``, ``loudness``, ``video_emotion``,
``scene_cuts`` (seconds), ``cut_alignment`` (share of cuts with a chord change), ``align_to_scenes``,
``timings`` and, when asked, ``affective_check``, ``music_emotion`` and ``affective_plot``.

With ``library=`` (the path of an emotion library written by ``emotune predict --output``, or an
:class:`~modeling.library.EmotionLibrary`) the music comes from the user's own recordings instead: the
song and start whose emotion curve follows the video's best, cut to the video's length, loudness-normalised
and muxed (:mod:`.library_soundtrack`); the result then has ``source: "library"``, ``song`` and the
``candidates`` (the best and the next five) instead of chords.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModel, Pipeline

from ..base.defaults import AMT_REGRESSION_MODEL, CLIP_MODEL, MUSIC2EMO_MODEL
from ..base.devices import stage_threads
from ..base.errors import InvalidInputError
from ..hub import resolve_model
from ..library import EmotionLibrary
from ..media.video import VideoInfo, probe_video
from ..soundtrack.outputs import output_files, removed_on_error, render_video_music, save_summary
from ..video2music.feature_extraction_video2music import VideoFeatureExtractor, VideoFeatures
from ..video2music.scenes import SceneAlignedLogitsProcessor, cut_alignment
from ..vocabularies.chords import Key, normalize_chords, parse_key, parse_progression
from ..vocabularies.chords.vocabulary import CHORD_VOCAB
from ..vocabularies.emotion import VIDEO_EMOTIONS
from .affective import affective_check, plot_affective_check
from .library_soundtrack import match_library, open_library, write_library_soundtrack

__all__ = ["VideoToMusicPipeline"]

_GENERATION_OPTIONS = ("primer", "key", "seed", "temperature", "top_k", "top_p", "align_to_scenes")
_OUTPUT_OPTIONS = ("output", "keep_original_audio", "original_audio_db", "check_emotion", "plot")


class VideoToMusicPipeline(Pipeline):
    """Video2Music end to end.

    Extra ``pipeline(...)`` arguments: ``regression_model`` (bi-GRU id, folder or model), ``clip_model``
    (CLIP id or folder), ``emotion_model`` (Music2Emo id or folder for the affective check, loaded when
    first needed), ``emotion_options`` (a dict of extra ``music-emotion-recognition`` pipeline arguments,
    e.g. ``audio_encoder``), ``clip_dtype``, ``progress`` (True).

    Call arguments: ``primer`` (a progression in ``key``, ``"C Am F G"``; default ``"C"``), ``key``
    (``"C major"``), ``seed``, ``temperature``, ``top_k``, ``top_p``, ``align_to_scenes`` (a scene cut forces
    a chord change and the repeat limit is lifted), ``output`` (the video to write; default
    ``<video>_music.mp4``), ``keep_original_audio``, ``original_audio_db`` (-12), ``check_emotion``, ``plot``,
    ``max_seconds`` (score only the first seconds), and the rendering options of
    :func:`~modeling.soundtrack.outputs.render_video_music` (``tempo``, ``instrument``, ``soundfont``,
    ``density_from``, ``gain``, ``audio_format``).
    """

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
        if isinstance(regression_model, (str, Path)):  # an installed default id, a folder, or a Hub id
            regression_model = AutoModel.from_pretrained(resolve_model(regression_model))
        if isinstance(clip_model, (str, Path)):
            clip_model = resolve_model(clip_model)
        self.regression_model = regression_model.to(self.device).eval()
        self.features = VideoFeatureExtractor(
            clip_model, device=self.device, dtype=clip_dtype, progress=progress
        )
        self.emotion_model, self.emotion_options = emotion_model, dict(emotion_options or {})
        self._emotion_pipeline = None
        self._libraries: dict[str, EmotionLibrary] = {}

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

    def _sanitize_parameters(self, max_seconds=None, library=None, **kwargs):
        preprocess = {} if max_seconds is None else {"max_seconds": max_seconds}
        forward = {name: kwargs.pop(name) for name in _GENERATION_OPTIONS if name in kwargs}
        postprocess = {name: kwargs.pop(name) for name in _OUTPUT_OPTIONS if name in kwargs}
        if library is not None:  # music from the user's library instead of generated music
            given = [name for name in (*forward, *kwargs) if name != "audio_format"]
            if given or postprocess.get("check_emotion"):
                raise InvalidInputError(
                    f"{', '.join(given) or 'check_emotion'} do(es) not apply to a soundtrack from a library. "
                    "Accepted with library=: output, keep_original_audio, original_audio_db, plot, audio_format, "
                    "max_seconds"
                )
            forward = {"library": library}
        postprocess["render_options"] = kwargs  # checked by render_video_music
        return preprocess, forward, postprocess

    def library(self, library) -> EmotionLibrary:
        """The :class:`~modeling.library.EmotionLibrary` of ``library`` (a path is loaded once per pipeline)."""
        if isinstance(library, EmotionLibrary):
            return library
        key = str(Path(library).resolve())
        if key not in self._libraries:
            self._libraries[key] = open_library(library)
        return self._libraries[key]

    def __call__(self, video: str | Path | VideoInfo, **kwargs) -> dict[str, Any]:
        """Score ``video`` (a path, or what :func:`~modeling.media.video.probe_video` read of it: the file is
        read once per call); see the class and module docstrings for the arguments and result."""
        return super().__call__(video if isinstance(video, VideoInfo) else str(video), **kwargs)

    def preprocess(self, video: str | VideoInfo, max_seconds: int | None = None) -> dict[str, Any]:
        start = time.perf_counter()
        info = video if isinstance(video, VideoInfo) else probe_video(video)
        features = self.features(info, max_seconds=max_seconds)
        video = str(info.path)
        timings = {**features.timings, "features": _since(start)}  # decode, clip, scenes, motion: its parts
        return {"video": video, "features": features, "timings": timings}

    def _forward(
        self,
        model_inputs: dict[str, Any],
        primer: str | list = "C",
        key: str | Key = "C major",
        seed: int | None = None,
        temperature: float | None = None,
        top_k: int | None = None,
        top_p: float | None = None,
        align_to_scenes: bool = False,
        library=None,
    ) -> dict[str, Any]:
        features: VideoFeatures = model_inputs["features"]
        if library is not None:  # the songs of the library whose emotion follows the video's
            start, library = time.perf_counter(), self.library(library)
            matches = match_library(features, library)
            timings = {**model_inputs["timings"], "matching": _since(start)}
            return {**model_inputs, "library": library, "matches": matches, "timings": timings}
        key = parse_key(key)
        chords = parse_progression(primer)
        if not chords:
            raise InvalidInputError('The primer is empty. Accepted: one or more chords, e.g. "C Am F G"')
        if len(chords) > features.num_seconds:
            raise InvalidInputError(
                f"The primer has {len(chords)} chords but the video has only {features.num_seconds} second(s). "
                "Accepted: at most one primer chord per second of video"
            )
        rows = torch.from_numpy(features.as_model_input())[None].to(self.device)
        primer_ids = torch.tensor([[chord.id for chord in normalize_chords(chords, key)]], device=self.device)
        settings = {"temperature": temperature, "top_k": top_k, "top_p": top_p}
        settings = {name: value for name, value in settings.items() if value is not None}
        if align_to_scenes:  # a chord may hold through a scene; a cut forces a change
            settings.update(
                max_repeat=None, logits_processor=[SceneAlignedLogitsProcessor([features.cut_seconds])]
            )
        start = time.perf_counter()
        cached = getattr(self.model.generation_config, "use_cache", None) is not False
        # one thread on a CPU: cached decoding reads weights (modeling.base.devices.thread_budget)
        with stage_threads("cached-generation", device=self.device, batch_size=len(rows), cached=cached):
            chord_ids = self.model.generate(
                rows, torch.tensor([key.mode_id]), primer_ids, seed=seed, **settings
            )
        timings = {**model_inputs["timings"], "chords": _since(start)}
        start = time.perf_counter()
        curves = self.regression_model.predict(rows)[0].float().cpu().numpy()
        timings["curves"] = _since(start)
        return {
            **model_inputs,
            "key": key,
            "normalized_chords": [CHORD_VOCAB[i] for i in chord_ids[0].tolist()],
            "curves": curves,
            "align_to_scenes": bool(align_to_scenes),
            "timings": timings,
        }

    def postprocess(
        self,
        model_outputs: dict[str, Any],
        output: str | Path | None = None,
        keep_original_audio: bool = False,
        original_audio_db: float = -12.0,
        check_emotion: bool = False,
        plot: bool = False,
        render_options: dict | None = None,
    ) -> dict[str, Any]:
        video = model_outputs["video"]
        output = (
            Path(output) if output is not None else Path(video).with_name(f"{Path(video).stem}_music.mp4")
        )
        audio_format = (render_options or {}).get("audio_format", ".flac")
        if "matches" in model_outputs:
            start = time.perf_counter()
            result = write_library_soundtrack(
                model_outputs["features"], model_outputs["library"], model_outputs["matches"], output,
                keep_original_audio=keep_original_audio, original_audio_db=original_audio_db, plot=plot,
                audio_format=audio_format,
            )  # fmt: skip
            result["timings"] = {**model_outputs["timings"], "soundtrack": _since(start)}
            return result
        with removed_on_error(output_files(output, audio_format)):  # a failure leaves no half of a result
            return self._write(
                model_outputs,
                output,
                keep_original_audio,
                original_audio_db,
                check_emotion,
                plot,
                render_options,
            )

    def _write(
        self,
        model_outputs,
        output: Path,
        keep_original_audio,
        original_audio_db,
        check_emotion,
        plot,
        render_options,
    ) -> dict[str, Any]:
        features, key = model_outputs["features"], model_outputs["key"]
        chords, curves = model_outputs["normalized_chords"], model_outputs["curves"]
        timings = dict(model_outputs["timings"])
        start = time.perf_counter()
        outputs = render_video_music(
            features.info, chords, output, key=key, note_density=curves[:, 0], loudness=curves[:, 1],
            keep_original_audio=keep_original_audio, original_audio_db=original_audio_db, **(render_options or {}),
        )  # fmt: skip
        timings["rendering"] = _since(start)
        cuts = features.cut_seconds
        result = {
            "video": str(outputs.video),
            "midi": str(outputs.midi),
            "audio": str(outputs.audio),
            "json": str(outputs.json),
            "plot": None,
            "key": key.name,
            "chords": outputs.summary["chords"],
            "normalized_chords": chords,
            "note_density": [float(v) for v in curves[:, 0]],
            "loudness": [float(v) for v in curves[:, 1]],
            "video_emotion": [
                dict(zip(VIDEO_EMOTIONS, map(float, row), strict=True)) for row in features.emotion
            ],
            "scene_cuts": cuts,
            "cut_alignment": cut_alignment(chords, cuts),
            "align_to_scenes": model_outputs["align_to_scenes"],
        }
        extra = {name: result[name] for name in ("scene_cuts", "cut_alignment", "align_to_scenes")}
        if check_emotion:
            start = time.perf_counter()
            music = self.emotion_pipeline()(str(outputs.audio))
            segments, resolution = music["segments"], "30 s segments"
            if music.get(
                "curve"
            ):  # a time-resolved emotion model (emotion_options dynamic_model): per second
                from .curves import curve_seconds

                segments, resolution = curve_seconds(music["curve"], features.num_seconds), "seconds"
            check = affective_check(features.emotion, segments)
            result["affective_check"] = extra["affective_check"] = {
                **check.to_dict(),
                "resolution": resolution,
            }
            result["music_emotion"] = {
                k: music[k] for k in ("valence", "arousal", "quadrant", "predicted_moods")
            }
            if plot:
                result["affective_plot"] = str(
                    plot_affective_check(check, features.emotion, output.with_suffix(".affect.png"))
                )
            timings["affective check"] = _since(start)
        result["timings"] = extra["timings"] = timings
        outputs = save_summary(outputs, plot=plot, **extra)
        result["plot"] = None if outputs.plot is None else str(outputs.plot)
        return result


def _since(start: float) -> float:
    return round(time.perf_counter() - start, 3)
