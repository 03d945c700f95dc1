"""Features datasets with time-resolved columns for the dynamic training tests: the layout
`emotune extract-features --dynamic` writes, with windows that carry a learnable signal.

Each clip of a source with curves has sections of 2-4 s that alternate between major and minor; the
window embedding is linear in the window's (valence, arousal) plus noise, the chords of a window are the
section's (major or minor triads), the labels follow the sections from 15 s (DEAM, EmoMusic) or 15.5 s
(PMEmo); MTG-Jamendo rows have no curve and no windows, as ``--dynamic`` writes them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from datasets import Dataset

from dataset_scripts.features.dynamic import music2emo_dynamic_features
from dataset_scripts.hub_layout import write_dataset_folder
from tests.music2emo.features_dataset import _rows

FIRST = {"deam": 15.0, "emomusic": 15.0, "pmemo": 15.5}


def _curve(rng: np.random.Generator, num_windows: int, hop: float) -> tuple[np.ndarray, np.ndarray]:
    """(valence-arousal per window, major (1) / minor (0) per window)."""
    major = np.zeros(num_windows, dtype=int)
    arousal = np.zeros(num_windows)
    position, mode = 0, int(rng.integers(2))
    while position < num_windows:
        length = int(rng.integers(4, 9))
        major[position : position + length] = mode
        arousal[position : position + length] = rng.uniform(2.5, 7.5)
        position, mode = position + length, 1 - mode
    valence = np.where(major == 1, 7.0, 3.0) + rng.normal(0, 0.2, num_windows)
    return np.stack([valence, arousal], axis=1), major


def write_dynamic_features_dataset(
    path: Path,
    *,
    sizes: dict[str, int] | None = None,
    seconds: float = 20.0,
    dim: int = 12,
    seed: int = 0,
    noise: float = 0.5,
    unlabelled_windows: bool = False,
) -> Path:
    """A features dataset folder with time-resolved columns (configs mtg-jamendo, deam, pmemo, emomusic
    and all). ``unlabelled_windows``: MTG-Jamendo rows get windows too (``--dynamic all``)."""
    sizes = sizes or {"train": 12, "validation": 4, "test": 4}
    rng = np.random.default_rng(seed)
    projection = rng.normal(0, 1.0, (2, dim))
    hop = 0.5
    times = np.arange(int(seconds / hop) + 1) * hop
    schema = music2emo_dynamic_features()
    configs = {}
    for source in ("mtg-jamendo", "deam", "pmemo", "emomusic"):
        splits = {}
        for split, count in sizes.items():
            columns = _rows(source, split, count, dim, rng, projection, 0.3)
            extra: dict[str, list] = {name: [] for name in schema if name not in columns}
            for _ in range(count):
                curve, major = _curve(rng, len(times), hop)
                windows = (curve - 5.0) / 2.0 @ projection + rng.normal(0, noise, (len(times), dim))
                labelled = source in FIRST
                has_windows = labelled or unlabelled_windows
                annotated = times >= FIRST.get(source, np.inf)
                extra["has_dynamic"].append(labelled)
                extra["dynamic"].append(
                    {"time": times[annotated].tolist(), "valence": curve[annotated, 0].tolist(),
                     "arousal": curve[annotated, 1].tolist()}
                )  # fmt: skip
                extra["window_times"].append(times.tolist() if has_windows else [])
                extra["window_embeddings"].append(windows.astype(np.float32).tolist() if has_windows else [])
                roots = np.where(major == 1, 1, 10)  # C major / A minor
                qualities = np.where(major == 1, 1, 5)  # maj / min
                extra["window_chord_root_ids"].append(
                    np.stack([roots, np.zeros_like(roots)], 1).tolist() if has_windows else []
                )
                extra["window_chord_attr_ids"].append(
                    np.stack([qualities, np.zeros_like(qualities)], 1).tolist() if has_windows else []
                )
                extra["window_chord_weights"].append([[1.0, 0.0]] * len(times) if has_windows else [])
                for k, name in enumerate(("window_valence", "window_arousal")):
                    values = [float(v) if a else None for v, a in zip(curve[:, k], annotated)]
                    extra[name].append(values if has_windows else [])
            splits[split] = Dataset.from_dict({**columns, **extra}, features=schema)
        configs[source] = splits
    write_dataset_folder(
        path, configs, card_body="# Test features\n\nSynthetic time-resolved features for emotune's tests.",
        combined={"all": list(configs)}, default_config="all",
    )  # fmt: skip
    return path
