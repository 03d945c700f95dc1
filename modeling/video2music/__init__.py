"""The two models of Video2Music (Kang, Poria & Herremans, 2024), side by side as they are trained and
published together, and the per-second video features both read.

* :mod:`.configuration_amt`, :mod:`.modeling_amt`: the Affective Multimodal Transformer (``amt``), chords
  from video features, with its generation options (:mod:`.scenes`: chord changes on scene cuts);
* :mod:`.configuration_amt_regression`, :mod:`.modeling_amt_regression`: the bi-GRU (``amt_regression``),
  note density and loudness per second;
* :mod:`.feature_extraction_video2music`: a video -> per-second features (CLIP semantic and emotion, scene
  offset, motion), with :mod:`.clip_encoder`; decord, PySceneDetect and CLIP load only when used;
* :mod:`.convert_original_checkpoint`: ``AMT.zip``'s two pickles -> saved models; :mod:`.model_card`.

Importing this package registers ``amt`` and ``amt_regression`` with transformers' Auto classes.
"""

from ..base.auto_classes import register_auto_classes
from .configuration_amt import AMTConfig
from .configuration_amt_regression import AMTRegressionConfig
from .modeling_amt import AMTModel, AMTOutput
from .modeling_amt_regression import AMTRegressionModel, AMTRegressionOutput

register_auto_classes(AMTConfig, AMTModel)
register_auto_classes(AMTRegressionConfig, AMTRegressionModel)

__all__ = [
    "AMTConfig",
    "AMTModel",
    "AMTOutput",
    "AMTRegressionConfig",
    "AMTRegressionModel",
    "AMTRegressionOutput",
]
