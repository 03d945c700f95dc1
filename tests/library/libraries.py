"""Emotion libraries the library tests make: records as ``emotune predict --output`` writes them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from modeling.library.loading import jsonl_schema
from modeling.vocabularies.emotion import MOOD_TAGS, quadrant


def record(path: str, valence: float, arousal: float, *, moods: dict | None = None, duration: float = 180.0,
           embedding=None, curve=None, segments=None) -> dict:  # fmt: skip
    """One record: every tag scored (``moods`` sets some; the rest 0.01), best first, and 30 s segments at the
    clip's valence-arousal unless ``segments`` is given; ``curve``: ``(points, 2)`` VA every 0.5 s."""
    scores = {tag: 0.01 for tag in MOOD_TAGS} | (moods or {})
    ordered = sorted(scores.items(), key=lambda item: -item[1])
    if segments is None:
        starts = np.arange(0.0, duration, 30.0)
        segments = [(s, min(s + 30.0, duration), valence, arousal) for s in starts]
    result = {
        "path": path,
        "duration": duration,
        "error": None,
        "moods": [{"label": tag, "score": score} for tag, score in ordered],
        "predicted_moods": [tag for tag, score in ordered if score >= 0.5],
        "valence": valence,
        "arousal": arousal,
        "quadrant": quadrant(valence, arousal),
        "key": "C major",
        "chords": [],
        "segments": [
            {"start": float(s), "end": float(e), "valence": float(v), "arousal": float(a),
             "quadrant": quadrant(v, a), "moods": []}
            for s, e, v, a in segments
        ],
    }  # fmt: skip
    if embedding is not None:
        result["embedding"] = [float(x) for x in embedding]
    if curve is not None:
        result["curve"] = [
            {"time": 0.5 * i, "valence": float(v), "arousal": float(a)} for i, (v, a) in enumerate(curve)
        ]
    return result


def failed(path: str, message: str = "Cannot decode: not audio") -> dict:
    return {"path": path, "duration": None, "error": message}


def write_library(records: list[dict], path: Path) -> Path:
    """``records`` as a ``.parquet`` (the Arrow types predict's records have) or ``.jsonl`` library."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        return path
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = jsonl_schema()
    names = [name for name in schema.names if any(name in r for r in records)]
    schema = pa.schema([schema.field(name) for name in names])
    pq.write_table(pa.Table.from_pylist([{n: r.get(n) for n in names} for r in records], schema=schema), path)
    return path


def grid_library(dim: int = 32, seed: int = 0) -> list[dict]:
    """81 songs on the 1-9 grid of the plane (``song_V_A.mp3``): tags whose scores follow the plane (calm
    grows as arousal falls and valence rises, energetic with arousal), random embeddings."""
    rng = np.random.default_rng(seed)
    records = []
    for v in range(1, 10):
        for a in range(1, 10):
            moods = {
                "calm": round((v + (10 - a)) / 20, 4),
                "energetic": round(a / 10, 4),
                "sad": round((10 - v) / 10, 4),
            }
            records.append(record(f"song_{v}_{a}.mp3", float(v), float(a), moods=moods,
                                  duration=60.0 + 10 * v + a, embedding=rng.standard_normal(dim)))  # fmt: skip
    return records
