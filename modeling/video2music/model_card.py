"""Model cards of the Video2Music models (AMT and the bi-GRU regression)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from huggingface_hub import ModelCard

from ..base.cards import render_model_card

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


DIFFERENCES_FROM_THE_ORIGINAL_APP = """\
emotune feeds the models what they were trained on, as Video2Music's app does, and follows the
training where the app does not:

- **Padding (as the original).** Every video's features are padded with zeros to 300 s before the
  AMT and the bi-GRU (`video_padding: "zeros"` in the configs), as the training data and the app pad
  them; fed only the real seconds, the same weights give other chord logits and curves. Videos longer
  than 300 s are generated in 300-second windows, each primed with the chord before it (the app stops
  at 300 s). `video_padding: "mask"` (emotune's option) masks the padding instead.
- **Sampling (as the original).** A chord is drawn from the 157 chord probabilities of the softmax
  over all 159 logits, with `N` and a third repeat of a chord at probability 0, one categorical draw
  per step: the same seed gives the same chords as the app seeded with `torch.manual_seed(seed)`.
- **Primer (as the training).** The app encodes a major primer chord with quality id 0; the training
  data, and emotune, use 1 (`maj`).
"""


def amt_model_card(
    config,
    *,
    origin: str,
    repo: str = "path/to/this/folder",
    datasets: Sequence[str] = ("MuVi-Sync",),
    metrics: Mapping[str, Mapping[str, float]] | None = None,
    recipe: Mapping | None = None,
    extra_sections: Mapping[str, str] | None = None,
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
        sections={
            "Differences from the original app": DIFFERENCES_FROM_THE_ORIGINAL_APP,
            **(extra_sections or {}),
        },
        limitations=(
            "Trained on MuVi-Sync music videos; chords are generated in C major / A minor and transposed by the "
            "arrangement. Videos longer than the model's maximum length are generated window by window."
        ),
    )
