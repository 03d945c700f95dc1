"""The six video emotions of Video2Music.

Video2Music describes each second of video by CLIP's zero-shot probabilities over six one-word
prompts. The order is the order of the probabilities in the per-second features, in MuVi-Sync and
in the AMT model's input (and of the emotion-to-chord-quality map its loss uses).
"""

from __future__ import annotations

__all__ = ["VIDEO_EMOTIONS"]

VIDEO_EMOTIONS: tuple[str, ...] = ("exciting", "fearful", "tense", "sad", "relaxing", "neutral")
"""The zero-shot prompts, verbatim (CLIP text inputs, no template), in feature order."""
