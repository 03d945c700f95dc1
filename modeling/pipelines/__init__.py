"""The two task pipelines and their figures.

* :mod:`.music_emotion_recognition`: ``music-emotion-recognition`` (audio -> mood tags, valence-arousal,
  key, chords, segments; with a ``dynamic_model``, the 0.5 s curve of :mod:`.curves`);
* :mod:`.video_to_music`: ``video-to-music`` (a video -> the same video with generated music), with the
  affective check of :mod:`.affective`;
* :mod:`.figures`: the figures of a result (tag bars, circumplex, emotion curve, chord timeline).

Importing this package registers both tasks with transformers' pipeline registry, so
``pipeline("music-emotion-recognition", ...)`` finds them; called without a model, a task loads its
default model id from its installed copy first, then from the Hub.
"""

from transformers import AutoModel
from transformers.pipelines import PIPELINE_REGISTRY

from ..base.defaults import AMT_MODEL, MUSIC2EMO_MODEL
from ..hub import TaskDefault
from .music_emotion_recognition import MusicEmotionRecognitionPipeline
from .video_to_music import VideoToMusicPipeline

PIPELINE_REGISTRY.register_pipeline(
    "music-emotion-recognition",
    pipeline_class=MusicEmotionRecognitionPipeline,
    pt_model=AutoModel,
    default=TaskDefault(MUSIC2EMO_MODEL),  # resolved when pipeline() is called without a model
    type="audio",
)
PIPELINE_REGISTRY.register_pipeline(
    "video-to-music",
    pipeline_class=VideoToMusicPipeline,
    pt_model=AutoModel,
    default=TaskDefault(AMT_MODEL),
    type="multimodal",
)

__all__ = ["MusicEmotionRecognitionPipeline", "VideoToMusicPipeline"]
