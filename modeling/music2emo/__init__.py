"""Music2Emo: music emotion recognition (mood/theme tags + valence-arousal) from MERT embeddings, chords
and key (``model_type`` ``music2emo``).

* :mod:`.configuration_music2emo`, :mod:`.modeling_music2emo`: the model (stand-alone: they travel to
  the Hub as remote code);
* :mod:`.feature_extraction_music2emo`: audio -> what the model reads (MERT, chords, key);
* :mod:`.mert`, :mod:`.audio_encoder`: MERT loaded into transformers' ``HubertModel``, pooled as Music2Emo does;
* :mod:`.convert_original_checkpoint`: the published Lightning checkpoints -> saved models;
* :mod:`.model_card`: the card of a saved model.

Importing this package registers ``music2emo`` with transformers' Auto classes.
"""

from ..base.auto_classes import register_auto_classes
from .configuration_music2emo import Music2EmoConfig
from .modeling_music2emo import Music2EmoModel, Music2EmoOutput, Music2EmoPreTrainedModel

register_auto_classes(Music2EmoConfig, Music2EmoModel)

__all__ = ["Music2EmoConfig", "Music2EmoModel", "Music2EmoOutput", "Music2EmoPreTrainedModel"]
