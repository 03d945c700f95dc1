"""Per-second video features, as Video2Music computes them and its AMT model consumes them.

For each whole second ``s`` of a video (``s = 0, 1, ...`` while a frame starts at or after ``s``),
with "the frame at second s" the first frame whose timestamp is >= s:

* ``semantic``: CLIP's image embedding of that frame (768-d for ViT-L/14@336px);
* ``emotion``: CLIP's zero-shot probabilities over the six :data:`~modeling.vocabularies.emotion.VIDEO_EMOTIONS`;
* ``scene_offset``: 1 + the number of seconds since the second's scene began (1 on a scene's first
  second). Scenes come from PySceneDetect's ``AdaptiveDetector`` with its default settings, fed
  every frame downscaled as PySceneDetect's ``SceneManager`` does; a second belongs to the scene
  its frame is in. The original writes the offset from 0 and adds 1 when it builds the model
  input, in training and at generation alike; this holds the +1 value;
* ``motion``: the mean absolute RGB difference (0..255) between the frame at second ``s`` and the
  frame just before it; 0 for second 0. This is what the original's ``gen_motion_feature``
  computes (it keeps the previous frame and compares it with the first frame of each new second).

Everything is read in one sequential pass over the frames with decord, one frame in memory at a
time (a 4K video costs one 4K frame): the scene detector sees every frame, motion and CLIP only the
frames they need. Timestamps come from the container, so a variable-frame-rate video gets the frames
at its real seconds, and a video of fewer frames than seconds (a still picture held for 10 s, 0.5 fps)
gets a row for every second its frames cover, each second the frame showing then. decord applies a
rotation tag, so portrait phone videos reach CLIP upright; every size is resized and cropped by
CLIP's processor. What decord's own FFmpeg cannot read (AV1, animated GIF) is first copied by the
system's ffmpeg to a lossless H.264 RGB file in a temporary folder, with the same frames and times.
"""

from __future__ import annotations

import re
import tempfile
import time
from bisect import bisect_right
from collections.abc import Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ..base.defaults import CLIP_MODEL
from ..base.errors import InvalidInputError, InvalidVideoError, MissingDependencyError
from ..media.programs import run_program
from ..media.video import ACCEPTED_VIDEO, VideoInfo, probe_video
from .clip_encoder import ClipFrameEncoder

__all__ = [
    "FEATURE_COLUMNS",
    "MIN_VIDEO_SECONDS",
    "VideoFeatureExtractor",
    "VideoFeatures",
    "model_input_rows",
    "scene_offsets",
    "second_frame_indices",
]

MIN_VIDEO_SECONDS = 1.0
"""Shortest accepted video: Video2Music makes one chord per second of video."""

FEATURE_COLUMNS = ("semantic", "scene_offset", "motion", "emotion")
"""The per-second features in the order the AMT model and its bi-GRU read them, concatenated (the
names of :class:`VideoFeatures`' fields and of MuVi-Sync's columns)."""

_TIME_TOLERANCE = 1e-3  # container timestamps are stored as float32 by decord (2.9999999 for 3.0)


@dataclass
class VideoFeatures:
    """Per-second features of one video; ``T`` = :attr:`num_seconds` rows each.

    Attributes:
        semantic: ``(T, D)`` float32 CLIP image embeddings (D = 768 for ViT-L/14).
        emotion: ``(T, 6)`` float32 zero-shot probabilities (rows sum to 1), in
            :data:`~modeling.vocabularies.emotion.VIDEO_EMOTIONS` order.
        scene_offset: ``(T,)`` float32, 1 at a scene's first second, +1 per second after.
        motion: ``(T,)`` float32 mean absolute RGB difference (0..255) at each second.
        scene_cuts: seconds (frame timestamps) where a detected scene begins, first scene excluded.
        duration: seconds of the whole video (the rows may cover less, see ``max_seconds``);
            ``fps``: average frame rate; ``width``/``height``: displayed size.
        has_audio: whether the file has an audio track.
        timings: seconds spent per stage (``decode``, ``clip``, ``scenes``, ``motion``).
        info: what ffprobe read of the file (the render after generation reuses it instead of reading
            the file again).
    """

    semantic: np.ndarray
    emotion: np.ndarray
    scene_offset: np.ndarray
    motion: np.ndarray
    scene_cuts: tuple[float, ...]
    duration: float
    fps: float
    width: int
    height: int
    has_audio: bool
    timings: dict[str, float] = field(default_factory=dict)
    info: VideoInfo | None = None

    @property
    def num_seconds(self) -> int:
        return int(self.semantic.shape[0])

    @property
    def cut_seconds(self) -> list[int]:
        """The seconds (> 0) whose frame begins a new scene, where :attr:`scene_offset` restarts at 1:
        the cuts as the AMT sees them (:attr:`scene_cuts` has their exact times)."""
        return [int(second) for second in np.flatnonzero(self.scene_offset == 1) if second > 0]

    def as_model_input(self) -> np.ndarray:
        """``(T, D + 8)`` float32 model input rows (see :func:`model_input_rows`)."""
        return model_input_rows({name: getattr(self, name) for name in FEATURE_COLUMNS})


def model_input_rows(columns, seconds: int | None = None) -> np.ndarray:
    """``(T, D + 8)`` float32 rows of the AMT model's and the bi-GRU's input: the :data:`FEATURE_COLUMNS`
    of ``columns`` (a mapping: a :class:`VideoFeatures`' fields or a MuVi-Sync row) concatenated in
    that order, semantic (D), scene offset (1), motion (1), emotion (6), without scaling (776 wide for
    D = 768). ``seconds``: keep only the first ones."""
    parts = [np.asarray(columns[name], dtype=np.float32)[:seconds] for name in FEATURE_COLUMNS]
    return np.concatenate([part.reshape(len(part), -1) for part in parts], axis=1)


def second_frame_indices(timestamps: Sequence[float] | np.ndarray, num_seconds: int) -> np.ndarray:
    """Index of the frame at each whole second: the first frame whose timestamp is >= the second.

    ``timestamps`` are the frames' start times in seconds, increasing, the first one 0. A second
    with no frame starting in it shares the next frame (the last frame if none follows).
    """
    timestamps = np.asarray(timestamps, dtype=np.float64)
    seconds = np.arange(num_seconds, dtype=np.float64)
    indices = np.searchsorted(timestamps, seconds - _TIME_TOLERANCE, side="left")
    return np.minimum(indices, len(timestamps) - 1)


def scene_offsets(second_frames: Sequence[int], cut_frames: Sequence[int]) -> np.ndarray:
    """1-based seconds since the scene began, for each second.

    ``second_frames`` are the frame indices of the seconds (:func:`second_frame_indices`) and
    ``cut_frames`` the sorted indices of the first frames of new scenes. A second whose frame lies
    in a different scene than the previous second's starts again at 1.
    """
    cut_frames = sorted(cut_frames)
    scene_ids = [bisect_right(cut_frames, int(frame)) for frame in second_frames]
    offsets = np.zeros(len(scene_ids), dtype=np.float32)
    for second, scene in enumerate(scene_ids):
        new_scene = second == 0 or scene != scene_ids[second - 1]
        offsets[second] = 1.0 if new_scene else offsets[second - 1] + 1.0
    return offsets


class _SceneCutDetector:
    """PySceneDetect's ``AdaptiveDetector`` (defaults, as the original) fed frames one by one, with
    ``SceneManager``'s automatic downscaling (linear interpolation to about 256 px on the long side)."""

    def __init__(self, width: int, height: int, fps: float):
        from scenedetect import AdaptiveDetector
        from scenedetect.scene_manager import compute_downscale_factor

        self._detector = AdaptiveDetector()
        self._fps = fps
        factor = compute_downscale_factor(max(width, height))
        self._size = None if factor <= 1 else (max(1, round(width / factor)), max(1, round(height / factor)))
        self.cut_frames: list[int] = []
        self._last = 0

    def feed(self, index: int, frame_rgb: np.ndarray) -> None:
        import cv2
        from scenedetect import FrameTimecode

        if self._size is not None and (frame_rgb.shape[1], frame_rgb.shape[0]) != self._size:
            frame_rgb = cv2.resize(frame_rgb, self._size, interpolation=cv2.INTER_LINEAR)
        bgr = cv2.cvtColor(frame_rgb, cv2.COLOR_RGB2BGR)
        # Frame numbers (not seconds) keep the timecodes exact for variable frame rates; the
        # detector only compares them to its minimum scene length, which is counted in frames.
        cuts = self._detector.process_frame(FrameTimecode(index, fps=self._fps), bgr)
        self.cut_frames += [cut.frame_num for cut in cuts]
        self._last = index

    def finish(self) -> list[int]:
        from scenedetect import FrameTimecode

        cuts = self._detector.post_process(FrameTimecode(self._last, fps=self._fps))
        return sorted(set(self.cut_frames + [cut.frame_num for cut in cuts]))


def _import_decord():
    try:
        import decord
    except ImportError as error:  # pragma: no cover - the video extra is installed by `make setup`
        raise MissingDependencyError(
            "Reading video frames needs decord and scenedetect: pip install 'emotune[video]'"
        ) from error
    return decord


class VideoFeatureExtractor:
    """Turn a video file into :class:`VideoFeatures` (one row per second).

    Args:
        clip_model: Hub id or folder of a ``CLIPModel`` + processor, or a loaded
            :class:`~modeling.video2music.clip_encoder.ClipFrameEncoder` to share between extractors.
        device, dtype: where CLIP runs and in which precision (``"bfloat16"``/``"float16"`` on GPU
            when asked); features are float32 either way.
        batch_size: frames per CLIP forward pass.
        progress: show a tqdm bar over the frames.

    Example::

        features = VideoFeatureExtractor("openai/clip-vit-large-patch14-336")("clip.mp4")
        features.as_model_input()  # (T, 776)
    """

    def __init__(
        self,
        clip_model: str | Path | ClipFrameEncoder = CLIP_MODEL,
        *,
        device=None,
        dtype=None,
        batch_size: int = 16,
        progress: bool = True,
    ):
        if not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidInputError(f"batch_size must be a positive integer, got {batch_size!r}")
        if isinstance(clip_model, ClipFrameEncoder):
            self.encoder = clip_model
        else:
            self.encoder = ClipFrameEncoder(clip_model, device=device, dtype=dtype)
        self.batch_size = batch_size
        self.progress = progress

    def __call__(self, video: str | Path | VideoInfo, *, max_seconds: int | None = None) -> VideoFeatures:
        """Features of ``video`` (a path, or what :func:`~modeling.media.video.probe_video` read of it); with
        ``max_seconds``, of its first ``max_seconds`` seconds only (frames after them are not decoded)."""
        if max_seconds is not None and (not isinstance(max_seconds, int) or max_seconds < 1):
            raise InvalidInputError(f"max_seconds must be a positive integer or None, got {max_seconds!r}")
        decord = _import_decord()
        info = video if isinstance(video, VideoInfo) else probe_video(video)
        with ExitStack() as cleanup:  # a temporary copy of a video decord cannot read is removed after
            return self._extract(decord, info, max_seconds, cleanup)

    def _extract(self, decord, info: VideoInfo, max_seconds: int | None, cleanup: ExitStack) -> VideoFeatures:
        timings = dict.fromkeys(("decode", "clip", "scenes", "motion"), 0.0)
        with _timed(timings, "decode"):
            reader, starts, ends, duration = _open_frames(decord, info, cleanup)
        # every second a frame starts in, and every whole second the last frame still shows
        num_seconds = max(
            int(np.floor(starts[-1] + _TIME_TOLERANCE)) + 1, int(np.floor(ends[-1] + _TIME_TOLERANCE))
        )
        if max_seconds is not None:
            num_seconds = min(num_seconds, max_seconds)
        second_frames = second_frame_indices(starts, num_seconds)
        end_frame = int(np.searchsorted(starts, num_seconds - _TIME_TOLERANCE))  # frames of the seconds used
        fps = float(info.fps or len(starts) / duration)
        scenes = _SceneCutDetector(info.width, info.height, fps)
        motion = np.zeros(num_seconds, dtype=np.float32)
        semantic, emotion, pending = [], [], []
        seconds_of_frame: dict[int, list[int]] = {}
        for second, frame_index in enumerate(second_frames.tolist()):
            seconds_of_frame.setdefault(frame_index, []).append(second)
        previous = None
        for index in tqdm(range(end_frame), unit="frame", desc="video features", disable=not self.progress):
            with _timed(timings, "decode"):
                frame = _next_frame(decord, reader, index, info)
            with _timed(timings, "scenes"):
                scenes.feed(index, frame)
            for second in seconds_of_frame.get(index, ()):
                with _timed(timings, "motion"):
                    if second > 0 and previous is not None:
                        motion[second] = _mean_abs_difference(frame, previous)
                with _timed(timings, "clip"):
                    pending.append(self.encoder.preprocess([frame]))
                    if len(pending) == self.batch_size:
                        self._encode(pending, semantic, emotion)
            previous = frame
        with _timed(timings, "clip"):
            self._encode(pending, semantic, emotion)
        with _timed(timings, "scenes"):
            cut_frames = [cut for cut in scenes.finish() if cut < end_frame]
        return VideoFeatures(
            semantic=np.concatenate(semantic),
            emotion=np.concatenate(emotion),
            scene_offset=scene_offsets(second_frames, cut_frames),
            motion=motion,
            scene_cuts=tuple(round(float(starts[cut]), 6) for cut in cut_frames),
            duration=float(duration),
            fps=fps,
            width=info.width,
            height=info.height,
            has_audio=info.has_audio,
            timings=timings,
            info=info,
        )

    def _encode(self, pending: list, semantic: list, emotion: list) -> None:
        if not pending:
            return
        import torch

        batch_semantic, batch_emotion = self.encoder.encode(torch.cat(pending))
        semantic.append(batch_semantic)
        emotion.append(batch_emotion)
        pending.clear()


def _decord_message(error: BaseException) -> str:
    """decord's message without its log prefix (``[12:00:00] /src/video/video_reader.cc:486: ``)."""
    lines = [re.sub(r"^\[[\d:]+\] \S+:\d+: ", "", line) for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else "no more frames"


_UNREADABLE_BY_DECORD = (
    "cannot find video stream",  # no decoder for the codec in decord's FFmpeg (AV1, ...)
    "Failed to measure duration/frame-count",  # containers without a frame count (animated GIF)
)


def _open_frames(decord, info: VideoInfo, cleanup: ExitStack) -> tuple:
    """``(reader, frame start times from 0, frame end times, duration)``; refuses files with too
    little video. A codec or container decord cannot read is read from a lossless copy."""
    try:
        reader, stamps = _decord_reader(decord, info.path)
    except decord.DECORDError as error:
        if not any(text in str(error) for text in _UNREADABLE_BY_DECORD):
            raise InvalidVideoError(
                f"Cannot decode the video frames of {info.path}; the file is truncated or corrupt "
                f"({_decord_message(error)}). Accepted: {ACCEPTED_VIDEO}"
            ) from error
        copy = _lossless_copy(
            info, Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="emotune-")))
        )
        try:
            reader, stamps = _decord_reader(decord, copy)
        except decord.DECORDError as again:
            raise InvalidVideoError(
                f"Cannot read the video frames of {info.path} ({info.codec} video): "
                f"{_decord_message(again)}. Accepted: {ACCEPTED_VIDEO}"
            ) from again
    num_frames = len(stamps)
    duration = info.duration or (float(stamps[-1, 1] - stamps[0, 0]) if num_frames else 0.0)
    if num_frames < 1 or duration < MIN_VIDEO_SECONDS:
        raise InvalidVideoError(
            f"{info.path} is too short: {num_frames} frame(s) over {duration:.2f} s. Video2Music makes one "
            f"chord per second of video. Accepted: {ACCEPTED_VIDEO}"
        )
    origin = float(stamps[0, 0])
    starts = stamps[:, 0].astype(np.float64) - origin
    ends = np.maximum(stamps[:, 1].astype(np.float64) - origin, starts)
    return reader, starts, ends, duration


def _decord_reader(decord, path: Path) -> tuple:
    reader = decord.VideoReader(str(path), ctx=decord.cpu(0))
    num_frames = len(reader)
    stamps = reader.get_frame_timestamp(list(range(num_frames))) if num_frames else np.zeros((0, 2))
    return reader, stamps


def _lossless_copy(info: VideoInfo, folder: Path) -> Path:
    """The video stream of ``info.path`` as lossless H.264 RGB (which decord reads), same frames and
    timestamps, rotation applied."""
    copy = folder / "frames.mkv"
    run_program(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(info.path), "-map", f"0:{info.stream_index}", "-an",
         "-sn", "-c:v", "libx264rgb", "-qp", "0", "-preset", "ultrafast", "-fps_mode", "passthrough", str(copy)],
        what=f"Reading the {info.codec} video of {info.path}", error=InvalidVideoError,
        hint=f"Accepted: {ACCEPTED_VIDEO}", reads=str(info.path),
    )  # fmt: skip
    return copy


def _next_frame(decord, reader, index: int, info: VideoInfo) -> np.ndarray:
    """The next frame as RGB uint8 ``(H, W, 3)``; a decoding failure names the frame.

    The array shares decord's buffer through DLPack instead of copying it (``asnumpy``): a copy per
    frame fragments the heap between CLIP's allocations, and memory then grows with video length.
    """
    from torch.utils.dlpack import from_dlpack

    try:
        frame = from_dlpack(reader.next().to_dlpack()).numpy()
    except (StopIteration, decord.DECORDError) as error:
        raise InvalidVideoError(
            f"Only {index} of the {len(reader)} frames of {info.path} could be decoded; the file is "
            f"truncated or corrupt ({_decord_message(error)}). Accepted: {ACCEPTED_VIDEO}"
        ) from error
    return frame if frame.shape[2] == 3 else _unpadded(frame)


def _unpadded(frame: np.ndarray) -> np.ndarray:
    """decord pads the rows of very narrow frames (under 17 pixels wide: each row is 96 bytes) and
    reports the padding as extra channels, ``(H, W, 96 / W)``; the first ``3 W`` bytes of each row
    are the pixels."""
    height, width, channels = frame.shape
    if channels < 3:
        raise InvalidVideoError(f"decord returned frames of shape {frame.shape}; accepted: RGB frames")
    return np.ascontiguousarray(
        frame.reshape(height, width * channels)[:, : width * 3].reshape(height, width, 3)
    )


@contextmanager
def _timed(timings: dict[str, float], stage: str):
    """Add the seconds spent in the block to ``timings[stage]``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] += time.perf_counter() - start


def _mean_abs_difference(frame: np.ndarray, previous: np.ndarray) -> float:
    import cv2

    if frame.shape != previous.shape:  # a resolution change mid-stream: compare at the new size
        previous = cv2.resize(previous, (frame.shape[1], frame.shape[0]), interpolation=cv2.INTER_AREA)
    return float(cv2.absdiff(frame, previous).mean())
