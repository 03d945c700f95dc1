"""Model cards of the Video2Music models (AMT and the bi-GRU regression)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from huggingface_hub import ModelCard

from ..cards import render_model_card

_AMT_USAGE = """\
```python
import torch
import modeling  # registers emotune's models
from transformers import AutoModel

amt = AutoModel.from_pretrained("{repo}")  # or trust_remote_code=True without emotune installed
features = torch.rand(1, 30, 776)          # per second: CLIP 768 | scene offset | motion | 6 emotions
chords = amt.generate(features, mode_ids=torch.tensor([0]), primer_ids=torch.tensor([[1]]), seed=0)
```

A whole video: `emotune score-video video.mp4 --primer "C Am F G" --key "C major" --out scored.mp4`."""

_REGRESSION_USAGE = """\
```python
import torch
import modeling
from transformers import AutoModel

regression = AutoModel.from_pretrained("{repo}")
curves = regression(torch.rand(1, 30, 776)).predictions  # (1, 30, 2): note density, loudness per second
```"""


def amt_model_card(
    config,
    *,
    origin: str,
    repo: str = "path/to/this/folder",
    datasets: Sequence[str] = ("MuVi-Sync",),
    metrics: Mapping[str, Mapping[str, float]] | None = None,
    recipe: Mapping | None = None,
) -> ModelCard:
    """The card of an :class:`~modeling.video2music.modeling_amt.AMTModel` or an
    :class:`~modeling.video2music.modeling_amt_regression.AMTRegressionModel`."""
    if config.model_type == "amt":
        title = "Video2Music Affective Multimodal Transformer (AMT)"
        summary = (
            "Generates one chord per second of video from per-second video features (CLIP ViT-L/14@336 "
            "embedding, scene offset, motion, six CLIP zero-shot emotion probabilities) and the key's mode. "
            f"Encoder-decoder Transformer ({config.encoder_layers}+{config.decoder_layers} layers, d_model "
            f"{config.d_model}, {config.decoder_attention_heads} heads) with relative-position decoder self-attention; "
            f"trained with {config.chord_loss_weight} x chord cross-entropy + {1 - config.chord_loss_weight:.1f} x "
            "an affective loss that maps each second's dominant emotion to chord qualities."
        )
        usage = _AMT_USAGE.format(repo=repo)
    else:
        title = "Video2Music note density / loudness model (bi-GRU)"
        summary = (
            f"A {config.num_hidden_layers}-layer bidirectional GRU (hidden {config.hidden_size}) over the same per-second "
            "video features, predicting the music's note density and loudness per second; the arrangement "
            "uses them for the number of notes per second and their velocity."
        )
        usage = _REGRESSION_USAGE.format(repo=repo)
    return render_model_card(
        title=title,
        summary=f"{summary}\n\nOrigin: {origin}",
        usage=usage,
        paper="video2music",
        tags=["video-to-music", "chords", "music-generation"],
        datasets=datasets,
        metrics=metrics,
        recipe=recipe,
        limitations=(
            "Trained on MuVi-Sync music videos; chords are generated in C major / A minor and transposed by the "
            "arrangement. Videos longer than the model's maximum length are generated window by window."
        ),
    )
