"""Figures of a music-emotion-recognition result (the pipeline's dict): mood tag bars, valence-arousal
on Russell's circumplex with labelled quadrants, the emotion curve over 30 s segments, and the chord
timeline. Each function returns a matplotlib ``Figure``; :func:`summary_figure` puts all four together.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..vocabularies.emotion import QUADRANT_DESCRIPTIONS

__all__ = ["chord_timeline", "emotion_curve", "mood_bars", "plot_curve", "summary_figure", "va_circumplex"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def mood_bars(result: Mapping, top_k: int = 10, threshold: float | None = None, ax=None):
    """Horizontal bars of the ``top_k`` mood tags and their scores (a dashed line at ``threshold``)."""
    plt = _pyplot()
    figure, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, 4))
    moods = list(result["moods"])[:top_k][::-1]
    ax.barh([m["label"] for m in moods], [m["score"] for m in moods], color="tab:purple")
    if threshold is not None:
        ax.axvline(threshold, color="grey", linestyle="--", linewidth=1)
    ax.set_xlim(0, 1)
    ax.set_xlabel("score")
    ax.set_title(f"Top {len(moods)} mood/theme tags")
    figure.tight_layout()
    return figure


def va_circumplex(result: Mapping, ax=None):
    """Valence-arousal (1-9) as a point on Russell's plane, quadrants labelled, segments as a trail."""
    plt = _pyplot()
    figure, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5, 5))
    ax.axhline(5, color="grey", linewidth=0.8)
    ax.axvline(5, color="grey", linewidth=0.8)
    ax.add_patch(plt.Circle((5, 5), 4, fill=False, color="lightgrey"))
    corners = {"Q1": (7, 8.6), "Q2": (3, 8.6), "Q3": (3, 1.4), "Q4": (7, 1.4)}
    for name, (x, y) in corners.items():
        ax.text(x, y, f"{name}\n{QUADRANT_DESCRIPTIONS[name].split('(')[-1].rstrip(')')}", ha="center",
                va="center", fontsize=8, color="dimgrey")  # fmt: skip
    segments = result.get("segments") or []
    if len(segments) > 1:
        ax.plot([s["valence"] for s in segments], [s["arousal"] for s in segments], "o-", color="tab:blue",
                alpha=0.4, markersize=4, label="30 s segments")  # fmt: skip
    ax.plot([result["valence"]], [result["arousal"]], "o", color="tab:red", markersize=12, label="clip")
    ax.set_xlim(1, 9)
    ax.set_ylim(1, 9)
    ax.set_aspect("equal")
    ax.set_xlabel("valence")
    ax.set_ylabel("arousal")
    ax.set_title(f"Valence {result['valence']:.2f}, arousal {result['arousal']:.2f} ({result['quadrant']})")
    ax.legend(loc="lower left", fontsize=8)
    return figure


def emotion_curve(result: Mapping, ax=None):
    """Valence and arousal of each 30 s segment over time."""
    plt = _pyplot()
    figure, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(7, 3))
    segments = result.get("segments") or []
    middles = [(s["start"] + s["end"]) / 2 for s in segments]
    ax.plot(middles, [s["valence"] for s in segments], "o-", label="valence")
    ax.plot(middles, [s["arousal"] for s in segments], "s-", label="arousal")
    ax.axhline(5, color="grey", linewidth=0.5)
    ax.set_ylim(1, 9)
    ax.set_xlabel("seconds")
    ax.set_title("Emotion over 30 s segments")
    ax.legend(fontsize=8)
    return figure


def chord_timeline(result: Mapping, ax=None, max_labels: int = 60):
    """The recognised chords as coloured spans over time (labels on the first ``max_labels``)."""
    plt = _pyplot()
    figure, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(9, 1.8))
    chords = result.get("chords") or []
    names = sorted({c["label"] for c in chords})
    colours = plt.get_cmap("tab20")(np.linspace(0, 1, max(len(names), 1)))
    for index, chord in enumerate(chords):
        colour = "white" if chord["label"] == "N" else colours[names.index(chord["label"])]
        ax.barh(
            0,
            chord["end"] - chord["start"],
            left=chord["start"],
            color=colour,
            edgecolor="black",
            linewidth=0.3,
        )
        if index < max_labels:
            ax.text(
                (chord["start"] + chord["end"]) / 2, 0, chord["label"], ha="center", va="center", fontsize=7
            )
    ax.set_yticks([])
    ax.set_xlabel("seconds")
    ax.set_title(f"Chords (key: {result.get('key', '?')})")
    return figure


def summary_figure(result: Mapping, threshold: float | None = None):
    """All four figures of a result on one page (five with a time-resolved ``curve``, under the segments)."""
    plt = _pyplot()
    dynamic = bool(result.get("curve"))
    figure = plt.figure(figsize=(12, 11 if dynamic else 9))
    grid = figure.add_gridspec(4 if dynamic else 3, 2, height_ratios=[3, 2, 2, 1] if dynamic else [3, 2, 1])
    mood_bars(result, threshold=threshold, ax=figure.add_subplot(grid[0, 0]))
    va_circumplex(result, ax=figure.add_subplot(grid[0, 1]))
    emotion_curve(result, ax=figure.add_subplot(grid[1, :]))
    if dynamic:
        plot_curve(result, ax=figure.add_subplot(grid[2, :]))
    chord_timeline(result, ax=figure.add_subplot(grid[-1, :]))
    figure.tight_layout()
    return figure


def plot_curve(result: Mapping, ax=None):
    """Valence and arousal every hop (the ``curve``), with the 30 s segments' values as steps behind."""
    plt = _pyplot()
    figure, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(9, 3))
    curve = result.get("curve") or []
    times = [point["time"] for point in curve]
    ax.plot(times, [point["valence"] for point in curve], color="tab:blue", linewidth=1.2, label="valence")
    ax.plot(times, [point["arousal"] for point in curve], color="tab:orange", linewidth=1.2, label="arousal")
    for segment in result.get("segments") or []:
        for name, colour in (("valence", "tab:blue"), ("arousal", "tab:orange")):
            ax.hlines(segment[name], segment["start"], segment["end"], colors=colour, alpha=0.3, linewidth=4)
    ax.axhline(5, color="grey", linewidth=0.5)
    ax.set_ylim(1, 9)
    ax.set_xlabel("seconds")
    hop = times[1] - times[0] if len(times) > 1 else 0
    ax.set_title(f"Emotion every {hop:g} s (thick: 30 s segments)")
    ax.legend(fontsize=8, loc="upper right")
    return figure
