"""The affective check: does the generated music carry the video's emotion?

The video's per-second emotion probabilities (CLIP zero-shot over :data:`VIDEO_EMOTIONS`) become a
valence-arousal point per second through the fixed map :data:`~modeling.vocabularies.emotion.video.VIDEO_EMOTION_VA`
(Russell's circumplex angles of the six words, radius 0.75 of the plane; neutral at the centre):
the expectation of that map under the second's probabilities. The music's VA comes from the
music-emotion-recognition pipeline run on the rendered audio, one value per 30 s segment, or, when that
pipeline has a time-resolved model (``dynamic_model``), one per second: the mean of its 0.5 s curve over
each second (:func:`modeling.pipelines.curves.curve_seconds`).

For each music segment the video's VA is averaged over the seconds the segment covers, and

* ``distance`` is the Euclidean distance between the two points on the 1-9 plane;
* ``agreement`` is ``max(0, 1 - distance / 4)``: 1 for the same point, 0 for points half the scale
  (from the centre to an edge) or more apart;
* ``same_quadrant`` says whether both fall in the same Russell quadrant.

The check reports the per-segment rows, the mean agreement and the share of segments whose
quadrants match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..base.errors import InvalidInputError
from ..vocabularies.emotion import VIDEO_EMOTIONS, quadrant
from ..vocabularies.emotion.video import video_va

__all__ = [
    "AGREEMENT_DISTANCE",
    "AffectiveCheck",
    "SegmentCheck",
    "affective_check",
    "plot_affective_check",
]

AGREEMENT_DISTANCE = 4.0
"""VA distance (1-9 scale) at which the agreement of a segment reaches 0."""


@dataclass(frozen=True)
class SegmentCheck:
    """One music segment next to the video seconds it covers."""

    start: float
    end: float
    video_emotion: str
    video_valence: float
    video_arousal: float
    music_valence: float
    music_arousal: float
    distance: float
    agreement: float
    same_quadrant: bool


@dataclass(frozen=True)
class AffectiveCheck:
    """The per-segment comparison and its two summary scores."""

    segments: list[SegmentCheck]
    agreement: float
    quadrant_agreement: float

    def to_dict(self) -> dict:
        return {
            "agreement": self.agreement,
            "quadrant_agreement": self.quadrant_agreement,
            "segments": [asdict(segment) for segment in self.segments],
        }

    def table(self) -> str:
        """A plain-text table of the segments and the summary, for the command line."""
        lines = [
            "segment        video emotion   video V/A   music V/A   agreement  quadrants",
        ]
        for s in self.segments:
            lines.append(
                f"{s.start:6.1f}-{s.end:<6.1f}  {s.video_emotion:<14}  {s.video_valence:4.2f}/{s.video_arousal:4.2f}"
                f"   {s.music_valence:4.2f}/{s.music_arousal:4.2f}   {s.agreement:9.2f}  "
                f"{'same' if s.same_quadrant else 'differ'}"
            )
        lines.append(
            f"agreement {self.agreement:.2f} (1 = same VA point), quadrants agree in "
            f"{self.quadrant_agreement:.0%} of segments"
        )
        return "\n".join(lines)


def affective_check(
    emotion_probs: np.ndarray, music_segments: Sequence[Mapping[str, float]]
) -> AffectiveCheck:
    """Compare the video's emotion with the music's VA per music segment.

    Args:
        emotion_probs: ``(T, 6)`` per-second video emotion probabilities (feature order).
        music_segments: the ``segments`` of a music-emotion-recognition result: mappings with
            ``start``, ``end`` (seconds), ``valence`` and ``arousal`` (1-9).
    """
    probs = np.asarray(emotion_probs, dtype=np.float64)
    per_second = video_va(probs)
    if not music_segments:
        raise InvalidInputError(
            "affective_check needs at least one music segment (start, end, valence, arousal)"
        )
    rows = []
    for segment in music_segments:
        first = min(int(np.floor(float(segment["start"]))), len(per_second) - 1)
        last = max(first + 1, min(int(np.ceil(float(segment["end"]))), len(per_second)))
        v, a = per_second[first:last].mean(axis=0)
        dominant = VIDEO_EMOTIONS[int(probs[first:last].mean(axis=0).argmax())]
        mv, ma = float(segment["valence"]), float(segment["arousal"])
        distance = float(np.hypot(v - mv, a - ma))
        rows.append(
            SegmentCheck(
                start=float(segment["start"]),
                end=float(segment["end"]),
                video_emotion=dominant,
                video_valence=round(float(v), 4),
                video_arousal=round(float(a), 4),
                music_valence=round(mv, 4),
                music_arousal=round(ma, 4),
                distance=round(distance, 4),
                agreement=round(max(0.0, 1.0 - distance / AGREEMENT_DISTANCE), 4),
                same_quadrant=quadrant(float(v), float(a)) == quadrant(mv, ma),
            )
        )
    return AffectiveCheck(
        segments=rows,
        agreement=round(float(np.mean([r.agreement for r in rows])), 4),
        quadrant_agreement=round(float(np.mean([r.same_quadrant for r in rows])), 4),
    )


def plot_affective_check(check: AffectiveCheck, emotion_probs: np.ndarray, path: str | Path) -> Path:
    """Valence and arousal over time: the video's per second, the music's per segment."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    per_second = video_va(emotion_probs)
    seconds = np.arange(len(per_second)) + 0.5
    figure, axes = plt.subplots(2, 1, figsize=(9, 4.5), sharex=True)
    for axis, column, name in ((axes[0], 0, "valence"), (axes[1], 1, "arousal")):
        axis.plot(seconds, per_second[:, column], color="tab:blue", label=f"video {name} (from emotion)")
        for i, s in enumerate(check.segments):
            value = s.music_valence if column == 0 else s.music_arousal
            axis.hlines(
                value, s.start, s.end, color="tab:red", linewidth=3, label=f"music {name}" if i == 0 else None
            )
        axis.set_ylim(1, 9)
        axis.axhline(5, color="grey", linewidth=0.5)
        axis.set_ylabel(name)
        axis.legend(loc="upper right", fontsize="small")
    axes[1].set_xlabel("seconds")
    axes[0].set_title(
        f"Affective check: agreement {check.agreement:.2f}, quadrants {check.quadrant_agreement:.0%}"
    )
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
