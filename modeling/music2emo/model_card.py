"""The model card of a Music2Emo model (student or teacher)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from huggingface_hub import ModelCard

from ..base.cards import render_model_card
from .configuration_music2emo import Music2EmoConfig

_USAGE = """\
```python
import modeling  # registers emotune's models and the `music-emotion-recognition` pipeline
from transformers import AutoModel, pipeline

model = AutoModel.from_pretrained("{repo}")  # or trust_remote_code=True without emotune installed
mer = pipeline("music-emotion-recognition", model="{repo}")
mer("song.mp3")  # moods, valence/arousal (1-9), quadrant, key, chords, per-segment curve
```

From the command line: `emotune predict song.mp3 --model {repo}`."""


DIFFERENCES_FROM_THE_ORIGINAL_APP = """\
emotune feeds the model what it was trained on; where Music2Emo's own inference code
(`music2emo.py`) does otherwise, emotune follows the training:

- **Mode.** The original inference feeds mode 0 (major) for every clip: it reads the key's tonic
  where it means its mode. Training used the true mode, and so does emotune (`mode_ids`: 0 major,
  1 minor, from the detected key).
- **Short tails.** The original keeps a last 30 s segment of any length, and a tail of one MERT
  frame crashes it; emotune drops a last segment shorter than 1 s (its seconds stay in the clip).
- **Decoding.** The original decodes with torchaudio and resamples with torchaudio / librosa;
  emotune decodes and resamples with ffmpeg. With identical BTC weights, the chord labels of real
  songs agree on 89-95 % of frames between the two decoders (100 % when fed the same samples), so
  keys, chords and therefore predictions can differ slightly from the original's on the same file.
"""


def _role(config: Music2EmoConfig) -> str:
    if list(config.tasks) == ["mood"]:
        return "a single-task teacher that predicts the 56 MTG-Jamendo mood/theme tags"
    if list(config.tasks) == ["va"]:
        return "a single-task teacher that predicts valence and arousal (1-9 scale)"
    return "the multitask student that predicts the 56 MTG-Jamendo mood/theme tags and valence-arousal (1-9 scale)"


def music2emo_model_card(
    config: Music2EmoConfig,
    *,
    origin: str,
    repo: str = "path/to/this/folder",
    datasets: Sequence[str] = (),
    metrics: Mapping[str, Mapping[str, float]] | None = None,
    recipe: Mapping | None = None,
    limitations: str = "",
    extra_sections: Mapping[str, str] | None = None,
) -> ModelCard:
    """Card for a Music2Emo model; ``origin`` says where the weights come from, ``repo`` is the id or folder
    the examples load, ``extra_sections`` (heading -> Markdown) follow the model's own sections."""
    summary = (
        f"A Music2Emo model (Kang & Herremans, 2025): {_role(config)}, from an audio embedding "
        f"({config.audio_encoder}, layers {list(config.audio_encoder_layers)} mean-pooled per "
        f"{config.segment_seconds:g} s segment at {config.sampling_rate} Hz, {config.audio_embedding_dim} values), "
        f"the key-normalised chord progression (up to {config.max_chords} chords) and the key's mode.\n\n"
        f"Weights: {origin}."
    )
    inputs = (
        "| input | shape | meaning |\n|---|---|---|\n"
        f"| `audio_embeddings` | (batch, {config.audio_embedding_dim}) | mean over 30 s segments of MERT layers 5+6 |\n"
        f"| `chord_root_ids` | (batch, ≤{config.max_chords}) | N/pad = 0, C..B = 1..12, after transposing to C major / A minor |\n"
        f"| `chord_attr_ids` | (batch, ≤{config.max_chords}) | quality: N/pad = 0, maj = 1 ... maj7 = 13 |\n"
        "| `mode_ids` | (batch,) | 0 major, 1 minor |"
    )
    return render_model_card(
        title="Music2Emo" if len(config.tasks) == 2 else f"Music2Emo teacher ({'+'.join(config.tasks)})",
        summary=summary,
        usage=_USAGE.format(repo=repo),
        paper="music2emo",
        tags=["music", "music-emotion-recognition", "valence-arousal", "audio", "music2emo"],
        datasets=datasets,
        base_model=config.audio_encoder,
        pipeline_tag="audio-classification",
        metrics=metrics,
        recipe=recipe,
        sections={
            "Inputs": inputs,
            "Differences from the original app": DIFFERENCES_FROM_THE_ORIGINAL_APP,
            **(extra_sections or {}),
        },
        limitations=limitations
        or (
            "Trained on Western popular and production music; emotion labels are perceived emotion from "
            "annotators of those datasets. The mood tags come from MTG-Jamendo's user tags, which are noisy."
        ),
    )
