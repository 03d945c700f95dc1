"""The model card of a time-resolved Music2Emo model (``music2emo_dynamic``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from huggingface_hub import ModelCard

from ..base.cards import render_model_card
from .configuration_music2emo_dynamic import Music2EmoDynamicConfig

LEARNING_CHECK = (
    "On emotune's moving synthetic corpus (`emotune make-synthetic --moving`: 30 s pieces whose mode, tempo "
    "and loudness change every 4-8 s, labels from 15 s as in DEAM), with the tiny random MERT stand-in and "
    "the `dsp` chord backend, the `smoke-dynamic` recipe reaches a mean per-song CCC of {ccc_valence} for "
    "valence ({ccc_arousal} for arousal) on the 18 held-out test pieces of DEAM, PMEmo and EmoMusic's layouts, "
    "where a constant prediction scores 0 "
    "(`python benchmarks/dynamic_learning.py`). It shows the chain learns what moves within a song; it says "
    "nothing about real music."
)
LEARNING_FIGURES = {"ccc_valence": "0.92", "ccc_arousal": "0.57"}
"""The learning check's figures (``benchmarks/dynamic_learning.py``, seed 0), quoted on every card."""

_USAGE = """\
```python
import modeling  # registers emotune's models and the `music-emotion-recognition` pipeline
from transformers import AutoModel, pipeline

model = AutoModel.from_pretrained("{repo}")  # or trust_remote_code=True without emotune installed
mer = pipeline("music-emotion-recognition", model="emotune/music2emo", dynamic_model="{repo}")
mer("song.mp3")["curve"]  # [{{"time": 0.0, "valence": ..., "arousal": ...}}, ...] every {hop:g} s
```

From the command line: `emotune predict song.mp3 --dynamic-model {repo} [--plot curve.png]`; evaluation:
`python train.py evaluate --model {repo} --data FEATURES` (features from `emotune extract-features --dynamic`)."""

_ARCHITECTURE = """\
Per window ({window:g} s long, one every {hop:g} s): the mean of MERT's frame states of layers {layers} over
the window ({dim} values), the weighted mean of the embeddings of the {chords} chords that overlap it longest
(root and quality, Music2Emo's tables, transposed to C major / A minor) and the key's mode are projected to
{hidden} values; {layers_n} pre-norm Transformer layers ({heads} heads) relate the windows; a head gives
valence and arousal on 1-9.

**Why a Transformer with local, relative attention.** Each window attends only to the windows at most
{context:g} s before or after it (per layer: {reach:g} s through the stack), with a learned bias per head and
distance and no absolute position. Emotion at a moment depends on what surrounds it, not on how long ago the
clip began: training clips (DEAM's 45 s excerpts annotated from 15 s, PMEmo's choruses) and the songs it is
later run on start at arbitrary points, and relative positions make the model the same at every point. The
bounded context is a named, measurable setting (annotators integrate over a few seconds and lag by about as
much), the cost grows linearly with the length of the audio (a song of any length, in blocks of windows), and
all windows run in parallel. The bidirectional recurrent networks of the MediaEval 2015 systems would also fit;
their state depends on where the clip starts and their context is not bounded."""


def dynamic_model_card(
    config: Music2EmoDynamicConfig,
    *,
    origin: str,
    repo: str = "path/to/this/folder",
    datasets: Sequence[str] = (),
    metrics: Mapping[str, Mapping[str, float]] | None = None,
    recipe: Mapping | None = None,
) -> ModelCard:
    """Card for a time-resolved Music2Emo model; ``origin`` says where its weights come from."""
    summary = (
        "A time-resolved Music2Emo model: valence and arousal (1-9 scale) every "
        f"{config.hop_seconds:g} s of music, the time-continuous task of MediaEval's Emotion in Music benchmark "
        "and of DEAM's, EmoMusic's and PMEmo's per-time-step annotations, from Music2Emo's inputs (MERT "
        f"embeddings, chords and key; Kang & Herremans, 2025) made per window.\n\nWeights: {origin}."
    )
    architecture = _ARCHITECTURE.format(
        window=config.window_seconds, hop=config.hop_seconds, layers=list(config.audio_encoder_layers),
        dim=config.audio_embedding_dim, chords=config.chords_per_window, hidden=config.hidden_size,
        layers_n=config.num_hidden_layers, heads=config.num_attention_heads, context=config.context_seconds,
        reach=config.context_seconds * config.num_hidden_layers,
    )  # fmt: skip
    inputs = (
        "| input | shape | meaning |\n|---|---|---|\n"
        f"| `window_embeddings` | (batch, windows, {config.audio_embedding_dim}) | MERT layers "
        f"{list(config.audio_encoder_layers)}, frame states averaged per window |\n"
        f"| `chord_root_ids`, `chord_attr_ids` | (batch, windows, {config.chords_per_window}) | the chords overlapping "
        "each window longest, key-normalised (0 pads) |\n"
        f"| `chord_weights` | (batch, windows, {config.chords_per_window}) | share of the window each chord covers |\n"
        "| `mode_ids` | (batch,) | 0 major, 1 minor |\n"
        "| `attention_mask` | (batch, windows) | 1 real window, 0 padding |\n\n"
        f"Training: `{config.dynamic_loss}` loss over the annotated windows only (DEAM and EmoMusic are annotated "
        "from 15 s, PMEmo from 15.5 s; the windows before are context); consistency with a static Music2Emo "
        f"model's clip valence-arousal weighted {config.consistency_loss_weight:g}."
    )
    evaluation_note = (
        "Per source, the mean over songs of each song's RMSE, Pearson r and concordance correlation "
        "coefficient (CCC) between the predicted and annotated curves over its annotated windows (the "
        "MediaEval/DEAM protocol; `metrics/mer`, configuration `dynamic`).\n\n"
        + LEARNING_CHECK.format(**LEARNING_FIGURES)
    )
    return render_model_card(
        title=f"Music2Emo, time-resolved (valence and arousal every {config.hop_seconds:g} s)",
        summary=summary,
        usage=_USAGE.format(repo=repo, hop=config.hop_seconds),
        paper="music2emo",
        tags=[
            "music",
            "music-emotion-recognition",
            "valence-arousal",
            "time-continuous",
            "audio",
            "music2emo",
        ],
        datasets=datasets,
        base_model=config.audio_encoder,
        metrics=metrics,
        recipe=recipe,
        sections={"Architecture": architecture, "Inputs": inputs, "How it is evaluated": evaluation_note},
        limitations=(
            "Per-time-step annotations are few (DEAM: about 1,800 songs of 45 s, EmoMusic 744, PMEmo 767 "
            "choruses) and lag the music by a few seconds; curves are perceived emotion of Western popular and "
            "production music. The first and last windows of a clip see less context."
        ),
    )
