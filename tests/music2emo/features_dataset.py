"""Features datasets for the training tests: the layout `emotune extract-features` writes, with
embeddings that carry a learnable signal (valence, arousal and tags are linear in them, plus noise)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from datasets import Dataset

from dataset_scripts.hub_layout import write_dataset_folder
from dataset_scripts.schema import SOURCES, music2emo_features
from modeling.vocabularies.emotion import MOOD_TAGS, lexicon_va, quadrant, tags_to_multi_hot

TAG_SOURCE = "mtg-jamendo"
SIGNAL_TAGS = {  # tag -> (needs high valence?, needs high arousal?) rule on the latent affect
    "happy": (True, None),
    "sad": (False, None),
    "energetic": (None, True),
    "calm": (None, False),
    "dark": (False, False),
    "upbeat": (True, True),
}


def _tags(valence: float, arousal: float) -> list[str]:
    tags = []
    for tag, (bright, lively) in SIGNAL_TAGS.items():
        if (bright is None or (valence >= 5) == bright) and (lively is None or (arousal >= 5) == lively):
            tags.append(tag)
    return tags


def _rows(
    source: str,
    split: str,
    count: int,
    dim: int,
    rng: np.random.Generator,
    projection: np.ndarray,
    noise: float,
) -> dict:
    columns: dict[str, list] = {name: [] for name in music2emo_features()}
    for index in range(count):
        valence, arousal = rng.uniform(1.5, 8.5, size=2)
        latent = np.array([(valence - 5) / 2, (arousal - 5) / 2])
        num_segments = int(rng.integers(1, 5))
        segments = latent @ projection + rng.normal(0, noise, (num_segments, dim))
        num_chords = int(rng.integers(3, 12))
        roots = rng.integers(1, 13, num_chords).tolist() + [0] * (100 - num_chords)
        qualities = rng.integers(1, 14, num_chords).tolist() + [0] * (100 - num_chords)
        mode = 0 if valence >= 5 else 1
        columns["id"].append(f"{source}-{split}-{index}")
        columns["source"].append(source)
        columns["split"].append(split)
        columns["segment_embeddings"].append(segments.astype(np.float32).tolist())
        columns["chord_root_ids"].append(roots)
        columns["chord_attr_ids"].append(qualities)
        columns["chord_attention_mask"].append([1] * num_chords + [0] * (100 - num_chords))
        columns["chords"].append(
            [{"start": float(i), "end": float(i + 1), "label": "C"} for i in range(num_chords)]
        )
        columns["key"].append("C major" if mode == 0 else "A minor")
        columns["mode"].append(mode)
        if source == TAG_SOURCE:
            tags = _tags(valence, arousal)
            valence, arousal = lexicon_va(tags)
            columns["moods"].append(tags_to_multi_hot(tags))
            columns["has_moods"].append(True)
            columns["va_source"].append("lexicon")
            std = None
        else:
            columns["moods"].append([0.0] * len(MOOD_TAGS))
            columns["has_moods"].append(False)
            columns["va_source"].append("annotated")
            std = 1.0
        columns["valence"].append(float(valence))
        columns["arousal"].append(float(arousal))
        columns["valence_std"].append(std)
        columns["arousal_std"].append(std)
        columns["quadrant"].append(quadrant(valence, arousal))
    return columns


def write_features_dataset(
    path: Path,
    *,
    sizes: dict[str, int] | None = None,
    sources: tuple[str, ...] = SOURCES,
    dim: int = 12,
    seed: int = 0,
    noise: float = 0.3,
) -> Path:
    """A features dataset folder: one config per source (and ``all``), train/validation/test splits.
    ``noise``: standard deviation of the Gaussian noise on every embedding value (the signal's is ~1)."""
    sizes = sizes or {"train": 24, "validation": 8, "test": 8}
    rng = np.random.default_rng(seed)
    projection = rng.normal(0, 1.0, (2, dim))
    configs = {}
    for number, source in enumerate(sources):
        splits = {}
        for split, count in sizes.items():
            # Sources differ in size, as the real ones do (the shorter ones run out first).
            count = max(2, count - 4 * number) if split == "train" else count
            splits[split] = Dataset.from_dict(
                _rows(source, split, count, dim, rng, projection, noise), features=music2emo_features()
            )
        configs[source] = splits
    write_dataset_folder(
        path, configs, card_body="# Test features\n\nSynthetic features for emotune's tests.",
        combined={"all": list(sources)}, default_config="all",
    )  # fmt: skip
    return path
