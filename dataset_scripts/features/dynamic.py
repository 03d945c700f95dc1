"""Time-resolved columns of a features dataset (``emotune extract-features --dynamic``).

Next to the clip-level columns of :func:`~dataset_scripts.schema.music2emo_features`, each row gets its
windows (:class:`~modeling.music2emo_dynamic.feature_extraction_music2emo_dynamic.Music2EmoDynamicFeatureExtractor`: embeddings and
chords every hop from 0 s) and its per-time-step labels placed on them:

* ``has_dynamic``: whether the row has per-time-step valence-arousal;
* ``window_times`` (seconds), ``window_embeddings`` (windows x embedding size), ``window_chord_root_ids``,
  ``window_chord_attr_ids``, ``window_chord_weights`` (windows x chords per window);
* ``window_valence``, ``window_arousal``: the annotation at each window on 1-9, null where there is none
  (DEAM and EmoMusic are annotated from 15 s, PMEmo from 15.5 s: the windows before are context the
  model sees without a loss);
* ``dynamic``: the unified row's series as it was (``time``, ``valence``, ``arousal``).

Each annotation step goes to the window whose centre is nearest (DEAM's, EmoMusic's and PMEmo's 2 Hz grids
fall on the default 0.5 s hop exactly; a coarser hop averages the steps that share a window). Steps after
the end of the audio have no window: they are counted and reported, never placed elsewhere. Rows without
per-time-step labels (MTG-Jamendo) stay in the dataset for the clip-level heads; by default they get no
windows (``windows="labelled"``), with ``windows="all"`` they get them too (for the consistency term).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from modeling.base.errors import InvalidInputError

__all__ = [
    "WINDOW_MODES",
    "DynamicColumns",
    "add_dynamic_arguments",
    "align_to_windows",
    "dynamic_extraction",
    "music2emo_dynamic_features",
]

WINDOW_MODES = ("labelled", "all")


def music2emo_dynamic_features():
    """Schema (``datasets.Features``) of a features dataset with time-resolved columns (see the module
    docstring)."""
    from datasets import Features, List, Value

    from ..schema import music2emo_features

    return Features(
        {
            **music2emo_features(),
            "has_dynamic": Value("bool"),
            "window_times": List(Value("float32")),
            "window_embeddings": List(List(Value("float32"))),
            "window_chord_root_ids": List(List(Value("int64"))),
            "window_chord_attr_ids": List(List(Value("int64"))),
            "window_chord_weights": List(List(Value("float32"))),
            "window_valence": List(Value("float32")),
            "window_arousal": List(Value("float32")),
            "dynamic": {
                "time": List(Value("float32")),
                "valence": List(Value("float32")),
                "arousal": List(Value("float32")),
            },
        }
    )


def align_to_windows(
    dynamic: Mapping[str, list], num_windows: int, hop_seconds: float
) -> tuple[np.ndarray, int]:
    """Per-time-step labels on windows centred at ``0, hop, 2 hop, ...``: ``((num_windows, 2) valence and
    arousal with NaN where no step falls, number of steps after the last window)``. A step at time ``t``
    goes to window ``round(t / hop)``; steps that share a window are averaged."""
    times = np.asarray(dynamic.get("time") or [], dtype=np.float64)
    values = np.stack(
        [np.asarray(dynamic.get("valence") or [], dtype=np.float64),
         np.asarray(dynamic.get("arousal") or [], dtype=np.float64)], axis=1,
    )  # fmt: skip
    if len(values) != len(times):
        raise InvalidInputError(
            f"A dynamic series has {len(times)} times but {len(values)} valence/arousal values. "
            "Accepted: one value of each per time"
        )
    index = np.floor(times / hop_seconds + 0.5).astype(np.int64)
    inside = (index >= 0) & (index < num_windows)
    sums = np.zeros((num_windows, 2))
    counts = np.zeros(num_windows)
    np.add.at(sums, index[inside], values[inside])
    np.add.at(counts, index[inside], 1)
    with np.errstate(invalid="ignore"):
        labels = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], np.nan)
    return labels, int((~inside).sum())


def _nullable(values: np.ndarray) -> list[float | None]:
    return [None if np.isnan(value) else float(value) for value in values]


@dataclass
class DynamicColumns:
    """``row_columns`` for :func:`dataset_scripts.features.extraction.extract_features`: the time-resolved columns of
    a row from the unified example and its :class:`Music2EmoDynamicFeatures`; counts what it placed."""

    windows: str = "labelled"
    rows: int = 0
    labelled_rows: int = 0
    placed_steps: int = 0
    steps_after_audio: int = 0

    def __post_init__(self):
        if self.windows not in WINDOW_MODES:
            raise InvalidInputError(f"windows must be one of {list(WINDOW_MODES)}, got {self.windows!r}")

    def __call__(self, example: Mapping, features) -> dict:
        dynamic = example.get("dynamic") or {"time": [], "valence": [], "arousal": []}
        has_dynamic = bool(dynamic["time"])
        self.rows += 1
        columns = {"has_dynamic": has_dynamic, "dynamic": dict(dynamic)}
        if not has_dynamic and self.windows == "labelled":
            empty = {name: [] for name in music2emo_dynamic_features() if name.startswith("window_")}
            return {**columns, **empty}
        labels, after = align_to_windows(dynamic, len(features.window_times), features.hop_seconds)
        if has_dynamic:
            self.labelled_rows += 1
            self.placed_steps += len(dynamic["time"]) - after
            self.steps_after_audio += after
        return {
            **columns,
            "window_times": features.window_times.astype(np.float32).tolist(),
            "window_embeddings": features.window_embeddings.astype(np.float32).tolist(),
            "window_chord_root_ids": features.window_chord_root_ids.tolist(),
            "window_chord_attr_ids": features.window_chord_attr_ids.tolist(),
            "window_chord_weights": features.window_chord_weights.astype(np.float32).tolist(),
            "window_valence": _nullable(labels[:, 0]),
            "window_arousal": _nullable(labels[:, 1]),
        }

    def describe(self) -> str:
        """The card's paragraph on the time-resolved columns."""
        rows = "every row" if self.windows == "all" else "the rows with per-time-step labels"
        return (
            "Time-resolved columns (`--dynamic`): `has_dynamic`; for "
            f"{rows}, `window_times`, `window_embeddings`, `window_chord_root_ids`, `window_chord_attr_ids`, "
            "`window_chord_weights` and the per-time-step labels on the windows, `window_valence` / "
            "`window_arousal` (1-9, null where a window has no annotation: DEAM and EmoMusic are annotated "
            "from 15 s, PMEmo from 15.5 s); `dynamic`, the unified series as it was. Each annotation step "
            "sits on the window whose centre is nearest; steps after the end of the audio are left out and "
            "counted. Rows without per-time-step labels are kept for the clip-level heads."
        )

    def summary(self) -> str:
        """One line for the command's output."""
        text = (
            f"Dynamic: {self.labelled_rows} of {self.rows} rows have per-time-step labels; "
            f"{self.placed_steps} annotation steps placed on windows"
        )
        if self.steps_after_audio:
            text += f", {self.steps_after_audio} left out (after the end of their audio)"
        return text


def add_dynamic_arguments(parser) -> None:
    """The ``--dynamic`` options of ``emotune extract-features``."""
    group = parser.add_argument_group("time-resolved features (for the music2emo_dynamic model)")
    group.add_argument(
        "--dynamic", nargs="?", const="labelled", choices=WINDOW_MODES,
        help="also store windows (embeddings and chords every --hop-seconds) and the per-time-step labels on "
        "them: for the rows that have such labels (labelled, the default) or for every row (all)",
    )  # fmt: skip
    group.add_argument("--window-seconds", type=float, default=1.0, help="window length (1.0)")
    group.add_argument("--hop-seconds", type=float, default=0.5, help="window spacing (0.5: 2 Hz)")
    group.add_argument("--chords-per-window", type=int, default=2, help="chords kept per window (2)")


def dynamic_extraction(args, extractor):
    """``(extractor, extract_features options)`` for ``args``: without ``--dynamic`` the extractor as it is
    and no options; with it, the extractor wrapped to pool windows from the same encoder pass, and the
    ``row_columns`` (a :class:`DynamicColumns`, whose ``summary()`` the command prints) and ``schema``."""
    if not getattr(args, "dynamic", None):
        return extractor, {}
    from modeling.music2emo_dynamic.feature_extraction_music2emo_dynamic import (
        Music2EmoDynamicFeatureExtractor,
    )

    columns = DynamicColumns(args.dynamic)
    extractor = Music2EmoDynamicFeatureExtractor(
        extractor, args.window_seconds, args.hop_seconds, args.chords_per_window, card_note=columns.describe()
    )
    return extractor, {"row_columns": columns, "schema": music2emo_dynamic_features()}
