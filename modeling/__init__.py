"""emotune's models, vocabularies and pipelines.

Importing this package registers every emotune config and model with the transformers Auto
classes (and the pipelines with the pipeline registry), so ``AutoModel.from_pretrained(folder)``
works without ``trust_remote_code``. Saved models also carry their code for the Hub
(``register_for_auto_class``), so a fresh process that never imports ``modeling`` loads them with
``trust_remote_code=True``.
"""

from transformers import AutoConfig, AutoModel
from transformers.pipelines import PIPELINE_REGISTRY

from .chords.btc import BTCConfig, BTCModel
from .defaults import AMT_MODEL, MUSIC2EMO_MODEL
from .errors import EmotuneError
from .music2emo import Music2EmoConfig, Music2EmoDynamicConfig, Music2EmoDynamicModel, Music2EmoModel
from .music2emo.pipeline_music2emo import MusicEmotionRecognitionPipeline
from .video2music.configuration_amt import AMTConfig
from .video2music.configuration_amt_regression import AMTRegressionConfig
from .video2music.modeling_amt import AMTModel
from .video2music.modeling_amt_regression import AMTRegressionModel
from .video2music.pipeline_video2music import VideoToMusicPipeline
from .weights import TaskDefault

__version__ = "0.1.0"

_MODELS = (
    (Music2EmoConfig, Music2EmoModel),
    (Music2EmoDynamicConfig, Music2EmoDynamicModel),
    (AMTConfig, AMTModel),
    (AMTRegressionConfig, AMTRegressionModel),
    (BTCConfig, BTCModel),
)

for _config_class, _model_class in _MODELS:
    AutoConfig.register(_config_class.model_type, _config_class, exist_ok=True)
    AutoModel.register(_config_class, _model_class, exist_ok=True)
    _config_class.register_for_auto_class()
    _model_class.register_for_auto_class("AutoModel")

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

__all__ = [
    "AMTConfig",
    "AMTModel",
    "AMTRegressionConfig",
    "AMTRegressionModel",
    "BTCConfig",
    "BTCModel",
    "EmotuneError",
    "Music2EmoConfig",
    "Music2EmoDynamicConfig",
    "Music2EmoDynamicModel",
    "Music2EmoModel",
    "MusicEmotionRecognitionPipeline",
    "VideoToMusicPipeline",
    "__version__",
]
