"""MuVi-Sync (Video2Music's dataset): the Zenodo release -> one Parquet row per video, with a card.

Layout read (the release's, ``RAW``)::

    vevo_chord/lab_v2_norm/all/ID.lab           "key <tonic> <major|minor>" then "<second> <chord>" lines
    vevo_emotion/6c_l14p/all/ID.lab             "time ..." header, then "<second> <6 probabilities>"
    vevo_motion/all/ID.lab                      "<second> <motion>"
    vevo_scene_offset/all/ID.lab                "<second> <seconds since the scene began>"
    vevo_loudness/all/ID.lab                    "<second> <loudness>"
    vevo_note_density/all/ID.lab                "<second> <note density>"
    vevo_semantic/all/2d/clip_l14p/ID.npy       (seconds, 768) CLIP ViT-L/14@336 embeddings
    vevo_meta/split/v1/{train,val,test}.txt     ids per split (the release's; shipped with emotune)

Each row: ``id``, ``split`` (train / validation / test), ``key`` and ``mode`` (0 major, 1 minor), and
per second ``chords`` (the normalised chord labels, C major / A minor, as released), ``chord_ids``
(Video2Music's 157-chord vocabulary), ``semantic``, ``emotion``, ``scene_offset`` (+1, as the model
was trained: 1 at a scene's first second), ``motion``, ``loudness`` and ``note_density``; ``seconds``.
A video with a missing file, an unparseable line or sequences of different lengths is listed in the
skip report with the reason, never dropped silently; ids of the split files that are in no folder
are reported too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from modeling.base.errors import ChordLabelError, DatasetBuildError
from modeling.vocabularies.chords import parse_chord
from modeling.vocabularies.emotion import VIDEO_EMOTIONS

from ..build_types import BuildOptions, BuildSummary
from ..hub_layout import write_dataset_folder
from ..releases.skips import AUDIO_MISSING, NO_ANNOTATION, UNPARSEABLE_ANNOTATION, Skip, SkipReport

__all__ = ["MUVI_SPLITS", "build_muvi_sync", "muvi_features", "read_video"]

SOURCE = "muvi-sync"
MUVI_SPLITS = {"train": "train", "val": "validation", "test": "test"}
"""Release split file -> dataset split."""
_SERIES = {
    "motion": "vevo_motion/all",
    "scene_offset": "vevo_scene_offset/all",
    "loudness": "vevo_loudness/all",
    "note_density": "vevo_note_density/all",
}
_CHORDS, _EMOTION, _SEMANTIC = (
    "vevo_chord/lab_v2_norm/all",
    "vevo_emotion/6c_l14p/all",
    "vevo_semantic/all/2d/clip_l14p",
)


def muvi_features():
    from datasets import Features, List, Value

    per_second = List(Value("float32"))
    return Features(
        {
            "id": Value("string"),
            "split": Value("string"),
            "key": Value("string"),
            "mode": Value("int64"),
            "seconds": Value("int64"),
            "chords": List(Value("string")),
            "chord_ids": List(Value("int64")),
            "semantic": List(List(Value("float32"))),
            "emotion": List(List(Value("float32"))),
            "scene_offset": per_second,
            "motion": per_second,
            "loudness": per_second,
            "note_density": per_second,
        }
    )


class _Bad(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def _lines(path: Path) -> list[tuple[int, list[str]]]:
    if not path.is_file():
        raise _Bad(NO_ANNOTATION, f"{path} is missing")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split()
        if not parts or parts[0] in ("time", "key"):
            continue
        try:
            rows.append((int(parts[0]), parts[1:]))
        except ValueError:
            raise _Bad(
                UNPARSEABLE_ANNOTATION, f"{path}:{number}: {line!r} does not start with a second"
            ) from None
    return rows


def _series(path: Path, width: int = 1) -> np.ndarray:
    rows = _lines(path)
    values = np.zeros((len(rows), width), dtype=np.float32)
    for index, (second, fields) in enumerate(rows):
        if second != index or len(fields) != width:
            raise _Bad(UNPARSEABLE_ANNOTATION, f"{path}: line for second {second} has {len(fields)} value(s), "
                       f"expected second {index} with {width}")  # fmt: skip
        try:
            values[index] = [float(f) for f in fields]
        except ValueError:
            raise _Bad(UNPARSEABLE_ANNOTATION, f"{path}: non-numeric value at second {second}") from None
    return values if width > 1 else values[:, 0]


def read_video(raw_dir: Path, video_id: str) -> dict:
    """One video's row (raises ``_Bad`` with the skip reason)."""
    chord_path = raw_dir / _CHORDS / f"{video_id}.lab"
    if not chord_path.is_file():
        raise _Bad(NO_ANNOTATION, f"{chord_path} is missing")
    key_lines = [
        line.split() for line in chord_path.read_text(encoding="utf-8").splitlines() if line.startswith("key")
    ]
    if not key_lines or len(key_lines[0]) != 3 or key_lines[0][2] not in ("major", "minor"):
        raise _Bad(UNPARSEABLE_ANNOTATION, f"{chord_path}: no 'key <tonic> <major|minor>' line")
    mode = key_lines[0][2]
    chords = []
    for index, (second, fields) in enumerate(_lines(chord_path)):
        if second != index or len(fields) != 1:
            raise _Bad(
                UNPARSEABLE_ANNOTATION, f"{chord_path}: expected one chord for second {index}, got {fields}"
            )
        try:
            chords.append(parse_chord(fields[0]))
        except ChordLabelError as error:
            raise _Bad(UNPARSEABLE_ANNOTATION, f"{chord_path}: second {second}: {error}") from None
    semantic_path = raw_dir / _SEMANTIC / f"{video_id}.npy"
    if not semantic_path.is_file():
        raise _Bad(AUDIO_MISSING, f"{semantic_path} (the CLIP features) is missing")
    semantic = np.load(semantic_path).astype(np.float32)
    row = {
        "chords": chords,
        "semantic": semantic,
        "emotion": _series(raw_dir / _EMOTION / f"{video_id}.lab", width=len(VIDEO_EMOTIONS)),
        **{name: _series(raw_dir / folder / f"{video_id}.lab") for name, folder in _SERIES.items()},
    }
    lengths = {name: len(value) for name, value in row.items()}
    if len(set(lengths.values())) != 1:
        raise _Bad(UNPARSEABLE_ANNOTATION, f"per-second sequences of different lengths: {lengths}")
    row["scene_offset"] = row["scene_offset"] + 1.0
    return {
        "id": video_id,
        "key": f"{key_lines[0][1]} {mode}",
        "mode": 0 if mode == "major" else 1,
        "seconds": lengths["chords"],
        "chords": [c.label for c in row["chords"]],
        "chord_ids": [c.id for c in row["chords"]],
        "semantic": row["semantic"].tolist(),
        "emotion": row["emotion"].tolist(),
        **{name: row[name].tolist() for name in _SERIES},
    }


def _split_ids(raw_dir: Path) -> dict[str, list[str]]:
    from ..releases.splits import packaged_split_dir

    splits = {}
    for release_name, split in MUVI_SPLITS.items():
        path = raw_dir / "vevo_meta" / "split" / "v1" / f"{release_name}.txt"
        if not path.is_file():
            path = packaged_split_dir("muvi-sync") / f"{release_name}.txt"
        splits[split] = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    return splits


def build_muvi_sync(raw_dir: Path, output_dir: Path, options: BuildOptions) -> BuildSummary:
    """Build the MuVi-Sync folder (one config, ``muvi-sync``, three splits) with its card and skip report."""
    from datasets import Dataset
    from tqdm.auto import tqdm

    raw_dir, output_dir = Path(raw_dir), Path(output_dir)
    if not (raw_dir / _CHORDS).is_dir():
        raise DatasetBuildError(f"{raw_dir} is not a MuVi-Sync release: {_CHORDS}/ is missing (see the layout in "
                                "dataset_scripts/sources/muvi_sync.py)")  # fmt: skip
    splits, skips, built = {}, [], 0
    for split, ids in _split_ids(raw_dir).items():
        rows = []
        for video_id in tqdm(ids, desc=f"muvi-sync/{split}", disable=not options.progress):
            try:
                rows.append({**read_video(raw_dir, video_id), "split": split})
            except _Bad as bad:
                skips.append(Skip(SOURCE, video_id, bad.reason, bad.detail))
        if rows:
            splits[split] = Dataset.from_list(rows, features=muvi_features())
            built += len(rows)
    report = SkipReport(skips, {SOURCE: built})
    if not splits:
        raise DatasetBuildError(f"No video of {raw_dir} could be built:\n{report.summary()}")
    card = _card(report, {split: len(d) for split, d in splits.items()})
    write_dataset_folder(
        output_dir, {SOURCE: splits}, card_body=card, default_config=SOURCE,
        card_metadata={"pretty_name": "MuVi-Sync", "license": "cc-by-4.0", "tags": ["video", "music", "chords", "emotion"]},
        extra_files={"skip_report.json": report.to_json(), "skip_report.tsv": report.to_tsv()},
    )  # fmt: skip
    return BuildSummary(output_dir, f"Wrote {output_dir} ({built} videos)\n{report.summary()}")


def _card(report: SkipReport, sizes: dict[str, int]) -> str:
    counts = ", ".join(f"{split} {n}" for split, n in sizes.items())
    return f"""# MuVi-Sync

The music-video dataset of Video2Music (Kang, Poria & Herremans, 2024): per second of each video, its
CLIP ViT-L/14@336 embedding, six CLIP zero-shot emotion probabilities (exciting, fearful, tense, sad,
relaxing, neutral), scene offset, motion, and the music's chord (normalised to C major / A minor),
loudness and note density; the key of the music. Built by `emotune build-dataset muvi-sync`.

Videos per split: {counts} (the release's split v1; `val` is `validation` here).

## Columns

`id`, `split`, `key` ("C major" / "A minor"), `mode` (0 major, 1 minor), `seconds`, and per second:
`chords` (labels) and `chord_ids` (Video2Music's vocabulary, 0 = N), `semantic` (768), `emotion` (6),
`scene_offset` (1 at a scene's first second, as the AMT was trained), `motion`, `loudness`,
`note_density`.

## Rows left out

{report.markdown_table()}

```python
from datasets import load_dataset
muvi = load_dataset("path/to/this/folder", "muvi-sync")
```
"""
