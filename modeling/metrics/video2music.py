"""Video2Music's evaluation measures, as the original computes them (``dataset/vevo_dataset.py``).

All take next-chord ``logits`` ``(..., steps, 159)`` and ``labels`` ``(..., steps)``; PAD labels (158)
are left out.

* :func:`chord_accuracy`: share of steps whose arg-max chord is the label;
* :func:`hits_at_k`: share of steps whose label is among the ``k`` most likely chords;
* :func:`emotion_correspondence`: over the steps whose video second has a dominant emotion other than
  neutral with probability at least ``threshold`` (0.8), the share whose predicted chord has one of
  that emotion's chord qualities (a predicted "N" counts as major, as in the original); None when no
  step qualifies;
* :func:`rmse`: root mean squared error of the bi-GRU's curves over the real seconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch

from ..video2music.configuration_amt import EMOTION_QUALITIES
from ..vocabularies.chords import AMT_CHORD_END, AMT_CHORD_PAD, NO_CHORD_ID, Chord

__all__ = ["chord_accuracy", "emotion_correspondence", "hits_at_k", "rmse"]

PAD = AMT_CHORD_PAD


def chord_accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    keep = labels != PAD
    if not keep.any():
        return 1.0
    return float((logits.argmax(-1)[keep] == labels[keep]).float().mean())


def hits_at_k(logits: torch.Tensor, labels: torch.Tensor, k: int) -> float:
    keep = labels != PAD
    if not keep.any():
        return 1.0
    top = logits.topk(k, dim=-1).indices[keep]
    return float((top == labels[keep][:, None]).any(-1).float().mean())


def emotion_correspondence(
    logits: torch.Tensor,
    labels: torch.Tensor,
    step_emotions: torch.Tensor,
    threshold: float = 0.8,
    emotion_qualities: Mapping[str, Sequence[str]] = EMOTION_QUALITIES,
) -> float | None:
    """``step_emotions`` ``(..., steps, 6)``: the emotion probabilities of each step's video second
    (second ``t + 1`` for step ``t``, as the AMT's affective target)."""
    qualities = [set(names) for names in emotion_qualities.values()]
    predicted = logits.argmax(-1).flatten().tolist()
    dominant_p, dominant = step_emotions.reshape(-1, step_emotions.shape[-1]).max(-1)
    right = counted = 0
    for chord, label, emotion, probability in zip(
        predicted, labels.flatten().tolist(), dominant.tolist(), dominant_p.tolist(), strict=True
    ):
        if label == PAD or not qualities[emotion] or probability < threshold:
            continue
        counted += 1
        if chord == NO_CHORD_ID:  # the original reads "N" (no ':' in its name) as a major chord
            quality = "maj"
        else:
            quality = Chord.from_id(chord).quality if chord < AMT_CHORD_END else None
        if quality in qualities[emotion]:
            right += 1
    return right / counted if counted else None


def rmse(predictions: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor | None = None) -> float:
    errors = (predictions.float() - targets.float()) ** 2
    if mask is not None:
        errors = errors[mask.bool()]
    return float(errors.mean().sqrt())
