"""Time-resolved Music2Emo: valence and arousal every 0.5 s (``model_type`` ``music2emo_dynamic``).

* :mod:`.configuration_music2emo_dynamic`, :mod:`.modeling_music2emo_dynamic`: the model (stand-alone,
  remote code on the Hub);
* :mod:`.feature_extraction_music2emo_dynamic`: the clip's features plus a window of MERT states every hop;
* :mod:`.model_card`: the card of a saved model.

Importing this package registers ``music2emo_dynamic`` with transformers' Auto classes.
"""

from ..base.auto_classes import register_auto_classes
from .configuration_music2emo_dynamic import Music2EmoDynamicConfig
from .modeling_music2emo_dynamic import Music2EmoDynamicModel, Music2EmoDynamicOutput

register_auto_classes(Music2EmoDynamicConfig, Music2EmoDynamicModel)

__all__ = ["Music2EmoDynamicConfig", "Music2EmoDynamicModel", "Music2EmoDynamicOutput"]
