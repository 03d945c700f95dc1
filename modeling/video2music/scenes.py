"""Scene-aware chords (beyond the original): chord changes fall on scene cuts.

With :class:`SceneAlignedLogitsProcessor` a cut forces a chord change (the chord sounding before the
cut is forbidden at the cut's second), and the 2-in-a-row repeat limit is lifted so a chord may hold
through a scene. :func:`cut_alignment` measures the share of cuts where the chord changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from transformers.generation import LogitsProcessor

__all__ = ["SceneAlignedLogitsProcessor", "cut_alignment"]


class SceneAlignedLogitsProcessor(LogitsProcessor):
    """At a cut's second, forbid the chord that was sounding, so the chord changes on the cut.

    ``cuts``: one collection of cut seconds per batch row; the token generated when ``input_ids`` holds
    ``n`` chords (primer included; :meth:`AMTModel.generate` passes the chords of all seconds so far,
    across its windows) is the chord of second ``n``.
    """

    def __init__(self, cuts: Sequence[Sequence[int]]):
        self.cuts = [set(int(c) for c in row) for row in cuts]

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        second = input_ids.shape[1]
        scores = scores.clone()
        for row, cuts in enumerate(self.cuts):
            if second in cuts:
                scores[row, input_ids[row, -1]] = float("-inf")
        return scores


def cut_alignment(chords: Sequence, cuts: Sequence[int]) -> float | None:
    """Share of cuts (seconds) at which the chord differs from the previous second's (None: no cuts)."""
    inside = [c for c in cuts if 0 < c < len(chords)]
    if not inside:
        return None
    return float(np.mean([chords[c] != chords[c - 1] for c in inside]))
