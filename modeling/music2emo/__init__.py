"""Music2Emo: music emotion recognition (mood/theme tags + valence-arousal)."""

from .configuration_music2emo import Music2EmoConfig
from .modeling_music2emo import Music2EmoModel, Music2EmoOutput, Music2EmoPreTrainedModel

__all__ = ["Music2EmoConfig", "Music2EmoModel", "Music2EmoOutput", "Music2EmoPreTrainedModel"]
