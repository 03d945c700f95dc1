"""The model card of a BTC chord recogniser."""

from __future__ import annotations

from collections.abc import Mapping

from huggingface_hub import ModelCard

from ..base.cards import render_model_card
from .configuration_btc import BTCConfig

_USAGE = """\
```python
from modeling.btc import BTCChordRecognizer

chords = BTCChordRecognizer.from_pretrained("{repo}")(wave, 22050)  # [TimedChord(start, end, label), ...]
```

As Music2Emo's chord front end: `emotune predict song.mp3 --chord-backend btc --chord-model {repo}`."""


def btc_model_card(
    config: BTCConfig, *, origin: str, repo: str, extra_sections: Mapping[str, str] | None = None
) -> ModelCard:
    """The card of a :class:`~modeling.btc.BTCModel`; ``origin`` says where the weights come from, ``repo``
    is the id or folder the examples load, ``extra_sections`` (heading -> Markdown) are added."""
    return render_model_card(
        title="BTC large-vocabulary chord recogniser",
        summary=(
            "Bi-directional Transformer for Chord recognition (Park et al., ISMIR 2019): "
            f"{config.num_chords} chord classes from {config.timestep}-frame windows of a {config.n_bins}-bin "
            f"log-CQT ({config.num_hidden_layers} layers, hidden size {config.hidden_size}). The chord front "
            f"end of Music2Emo.\n\nWeights: {origin}."
        ),
        usage=_USAGE.format(repo=repo),
        paper="music2emo",
        tags=["chord-recognition", "music", "audio"],
        sections=dict(extra_sections or {}),
    )
