"""Music2Emo: music emotion recognition (mood/theme tags + valence-arousal)."""

from .configuration_music2emo import Music2EmoConfig
from .configuration_music2emo_dynamic import Music2EmoDynamicConfig
from .modeling_music2emo import Music2EmoModel, Music2EmoOutput, Music2EmoPreTrainedModel
from .modeling_music2emo_dynamic import Music2EmoDynamicModel, Music2EmoDynamicOutput

__all__ = [
    "Music2EmoConfig",
    "Music2EmoDynamicConfig",
    "Music2EmoDynamicModel",
    "Music2EmoDynamicOutput",
    "Music2EmoModel",
    "Music2EmoOutput",
    "Music2EmoPreTrainedModel",
]
