"""Music2Emo model configuration.

This file travels to the Hub as remote code: it imports only transformers and the standard library.
"""

from __future__ import annotations

from typing import ClassVar

from huggingface_hub.dataclasses import strict
from transformers import PreTrainedConfig

# The 56 MTG-Jamendo mood/theme tags in Music2Emo's output order (the originals' tag_list.npy[127:]).
# Kept here, not imported, so the file stands alone on the Hub; tests check it against the release.
DEFAULT_MOOD_TAGS = (
    "action", "adventure", "advertising", "background", "ballad", "calm", "children", "christmas",
    "commercial", "cool", "corporate", "dark", "deep", "documentary", "drama", "dramatic", "dream",
    "emotional", "energetic", "epic", "fast", "film", "fun", "funny", "game", "groovy", "happy", "heavy",
    "holiday", "hopeful", "inspiring", "love", "meditative", "melancholic", "melodic", "motivational",
    "movie", "nature", "party", "positive", "powerful", "relaxing", "retro", "romantic", "sad", "sexy",
    "slow", "soft", "soundscape", "space", "sport", "summer", "trailer", "travel", "upbeat", "uplifting",
)  # fmt: skip

# Share of MTG-Jamendo split-0 training tracks with each tag (the originals' probas_train.npy).
DEFAULT_TAG_PRIORS = (
    0.029751733842597244, 0.026535330183938083, 0.03648607900291487, 0.040607096190571915,
    0.019398934566288068, 0.02683686802693738, 0.015277917378631017, 0.03698864207458036,
    0.01919790933762187, 0.017087144436626796, 0.035078902402251484, 0.062317820886521255,
    0.04311991154889939, 0.034073776258920496, 0.025429691426273996, 0.019599959794954266,
    0.0500552819378832, 0.050155794552216304, 0.08613931048346568, 0.06040808121419238,
    0.0062317820886521255, 0.07498241029249171, 0.022112775153281736, 0.010955874962307769,
    0.016986631822293697, 0.007839983917981706, 0.09317519348678259, 0.009850236204643682,
    0.009850236204643682, 0.013770228163634535, 0.05638757664086843, 0.04955271886621771,
    0.03759171776057895, 0.022916876067946526, 0.06010654337119308, 0.03739069253191275,
    0.02080611116695145, 0.013770228163634535, 0.012765102020303547, 0.03779274298924515,
    0.010654337119308473, 0.07669112473615439, 0.013971253392300733, 0.03648607900291487,
    0.03769223037491205, 0.005930244245652829, 0.029651221228264146, 0.02090662378128455,
    0.041712734948236005, 0.036385566388581765, 0.02020303548095286, 0.026233792340938786,
    0.01598150567896271, 0.008945622675645793, 0.02171072469594934, 0.045130163835561364,
)  # fmt: skip

TASKS = ("mood", "va")


@strict(accept_kwargs=True)
class Music2EmoConfig(PreTrainedConfig):
    r"""Configuration of a [`Music2EmoModel`]: the Music2Emo head that predicts mood/theme tags and
    valence-arousal from an audio embedding, a chord progression and the key's mode.

    Defaults reproduce the published multitask model (Kang & Herremans, 2025).

    Args:
        audio_embedding_dim (`int`, defaults to 1536):
            Width of the audio embedding: 2 MERT layers x 768.
        num_chord_roots (`int`, defaults to 14):
            Size of the chord-root embedding table: `N` = 0 (also padding), C..B = 1..12, one spare id.
        num_chord_qualities (`int`, defaults to 14):
            Size of the chord-quality embedding table: `N` = 0, `maj` = 1 ... `maj7` = 13.
        chord_root_embedding_dim (`int`, defaults to 4), chord_quality_embedding_dim (`int`, defaults to 4):
            The two embeddings are concatenated into the chord encoder's width (8).
        max_chords (`int`, defaults to 100):
            Length of the sinusoidal position table, i.e. the longest chord progression.
        chord_encoder_layers (`int`, defaults to 2), chord_encoder_attention_heads (`int`, defaults to 8),
        chord_encoder_ffn_dim (`int`, defaults to 64), chord_encoder_dropout (`float`, defaults to 0.1):
            The post-norm Transformer encoder over `[CLS] + chords` (BART's names for an encoder's sizes,
            prefixed with its part; `num_hidden_layers` and `num_attention_heads` read and set them).
        hidden_size (`int`, defaults to 512):
            Width of the fused representation (audio + chord CLS + mode -> Linear -> ReLU).
        head_hidden_size (`int`, defaults to 256):
            Hidden width of the mood head and the VA head.
        tasks (`list[str]`, defaults to `["mood", "va"]`):
            Heads to build: `["mood", "va"]` is the multitask student, `["mood"]` or `["va"]` a
            single-dataset teacher.
        tag_priors (`list[float]`, *optional*, defaults to the MTG-Jamendo training priors):
            Prior probability `p` of each tag. The mood loss is BCE-with-logits with `pos_weight = 1/p`
            and `weight = 2 / (1 + 1/p)`, as in the paper. `None` for an unweighted BCE.
        mood_loss_weight (`float`, defaults to 1.0), va_loss_weight (`float`, defaults to 1.0):
            Weights of the two terms of the supervised loss.
        mask_chord_padding (`bool`, defaults to `False`):
            The original encodes padding as chord `N` (id 0) and attends over it. `True` makes the chord
            encoder ignore positions where `chord_attention_mask` is 0 (an improvement to measure, not
            the published behaviour).
        audio_encoder (`str`, defaults to `"m-a-p/MERT-v1-95M"`):
            Hub id or folder of the audio encoder whose embeddings the model was trained on.
        audio_encoder_layers (`list[int]`, defaults to `[5, 6]`):
            Encoder layers (0-based, after dropping the embedding output) that are mean-pooled over time
            and concatenated.
        sampling_rate (`int`, defaults to 24000), segment_seconds (`float`, defaults to 30.0):
            The audio encoder's input rate and the segment length embeddings are computed over.
    """

    model_type = "music2emo"
    attribute_map: ClassVar[dict[str, str]] = {
        "num_hidden_layers": "chord_encoder_layers",
        "num_attention_heads": "chord_encoder_attention_heads",
    }

    audio_embedding_dim: int = 1536
    num_chord_roots: int = 14
    num_chord_qualities: int = 14
    chord_root_embedding_dim: int = 4
    chord_quality_embedding_dim: int = 4
    max_chords: int = 100
    chord_encoder_layers: int = 2
    chord_encoder_attention_heads: int = 8
    chord_encoder_ffn_dim: int = 64
    chord_encoder_dropout: float = 0.1
    hidden_size: int = 512
    head_hidden_size: int = 256
    tasks: list[str] | tuple[str, ...] = TASKS
    tag_priors: list[float] | tuple[float, ...] | None = DEFAULT_TAG_PRIORS
    mood_loss_weight: float = 1.0
    va_loss_weight: float = 1.0
    mask_chord_padding: bool = False
    audio_encoder: str = "m-a-p/MERT-v1-95M"
    audio_encoder_layers: list[int] | tuple[int, ...] = (5, 6)
    sampling_rate: int = 24000
    segment_seconds: float = 30.0

    def __post_init__(self, **kwargs):
        if self.id2label is None and kwargs.get("num_labels") is None:
            self.id2label = dict(enumerate(DEFAULT_MOOD_TAGS))
            self.label2id = {label: i for i, label in self.id2label.items()}
        self.tasks = list(self.tasks)
        self.audio_encoder_layers = list(self.audio_encoder_layers)
        if self.tag_priors is not None:
            self.tag_priors = [float(p) for p in self.tag_priors]
        super().__post_init__(**kwargs)

    def validate_architecture(self):
        """Checks that the sizes fit together; raises `ValueError` naming the field."""
        unknown = [task for task in self.tasks if task not in TASKS]
        if unknown or not self.tasks or len(set(self.tasks)) != len(self.tasks):
            raise ValueError(
                f"`tasks` must be a non-empty subset of {list(TASKS)} without repeats, got {self.tasks}"
            )
        width = self.chord_root_embedding_dim + self.chord_quality_embedding_dim
        if width % self.chord_encoder_attention_heads:
            raise ValueError(
                f"The chord encoder width (chord_root_embedding_dim + chord_quality_embedding_dim = {width}) "
                f"must be divisible by chord_encoder_attention_heads ({self.chord_encoder_attention_heads})"
            )
        if width % 2:
            raise ValueError(f"The chord encoder width must be even for sinusoidal positions, got {width}")
        if self.tag_priors is not None:
            if len(self.tag_priors) != self.num_labels:
                raise ValueError(
                    f"`tag_priors` has {len(self.tag_priors)} values but the model predicts {self.num_labels} tags"
                )
            if not all(0.0 < p < 1.0 for p in self.tag_priors):
                raise ValueError("Every value of `tag_priors` must be a probability strictly between 0 and 1")

    @property
    def chord_embedding_dim(self) -> int:
        """Width of the chord encoder: root embedding + quality embedding."""
        return self.chord_root_embedding_dim + self.chord_quality_embedding_dim


__all__ = ["Music2EmoConfig"]
