"""Every song's valence-arousal curve at one point per second, for matching against a video.

A song's second ``k`` (the interval ``[k, k + 1)`` s) takes

* from ``curve`` (``predict --dynamic-model``: a point every 0.5 s, ``{time, valence, arousal}`` at window
  centres ``0, 0.5, 1, ...``), the mean of the points whose time falls in ``[k, k + 1)``, as
  :func:`modeling.pipelines.curves.curve_seconds` does;
* else from ``segments`` (one a 30 s segment), the values of the segment holding the second's centre
  ``k + 0.5``: a step function.

A song has ``floor(duration)`` seconds (whole seconds: an excerpt never runs past its end), or, when its
duration is unknown, up to its last point or segment end. A second without a point or segment (a gap)
takes the values of the nearest earlier second, else of the nearest later one. A song with neither
``curve`` nor ``segments`` has no second. Everything is vectorised over the whole library.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .columns import float_values, list_lengths

__all__ = ["SongCurves", "song_curves"]


@dataclass
class SongCurves:
    """The per-second curves of a library's rows, ragged.

    Attributes:
        values: ``(total seconds, 2)`` float64 valence and arousal (1-9) of every second of every song, song
            after song.
        offsets: ``(rows + 1,)`` int64: row ``i``'s seconds are ``values[offsets[i]:offsets[i + 1]]``.
        source: ``(rows,)`` int8: 1 from ``curve``, 2 from ``segments``, 0 none.
    """

    values: np.ndarray
    offsets: np.ndarray
    source: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        """``(rows,)`` int64 seconds of each song."""
        return np.diff(self.offsets)

    def of(self, row: int) -> np.ndarray:
        """``(seconds, 2)`` curve of one row."""
        return self.values[self.offsets[row] : self.offsets[row + 1]]


def _struct_values(column, fields: tuple[str, ...]) -> list[np.ndarray]:
    import pyarrow as pa
    import pyarrow.compute as pc

    flat = pc.list_flatten(column)
    flat = flat.combine_chunks() if isinstance(flat, pa.ChunkedArray) else flat
    return [pc.struct_field(flat, name).cast(pa.float64()).to_numpy(zero_copy_only=False) for name in fields]


def _no_points(rows: int):
    return (np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0), np.zeros(0)), np.zeros(rows, bool)


def _curve_points(table, rows: int):
    """``(row, second, valence, arousal)`` of every finite ``curve`` point, and the rows that have one."""
    if "curve" not in table.column_names:
        return _no_points(rows)
    column = table.column("curve")
    counts = list_lengths(column)
    time, valence, arousal = _struct_values(column, ("time", "valence", "arousal"))
    row = np.repeat(np.arange(rows, dtype=np.int32), counts)
    keep = np.isfinite(time + valence + arousal) & (time >= 0)
    if not keep.all():  # a null or NaN point does not count
        row, time, valence, arousal = row[keep], time[keep], valence[keep], arousal[keep]
    has = (counts > 0) if keep.all() else (np.bincount(row, minlength=rows) > 0)
    return (row, (time + 1e-9).astype(np.int32), valence, arousal), has


def _segment_points(table, rows: int, skip: np.ndarray):
    """``(row, second, valence, arousal)`` of every second the ``segments`` of rows not in ``skip`` cover."""
    if "segments" not in table.column_names or skip.all():
        return _no_points(rows)
    column = table.column("segments")
    counts = list_lengths(column)
    start, end, valence, arousal = _struct_values(column, ("start", "end", "valence", "arousal"))
    row = np.repeat(np.arange(rows, dtype=np.int32), counts)
    keep = ~skip[row] & np.isfinite(start + end + valence + arousal) & (end > start)
    row, start, end, valence, arousal = row[keep], start[keep], end[keep], valence[keep], arousal[keep]
    first = np.maximum(np.ceil(start - 0.5), 0).astype(np.int64)  # seconds whose centre k + 0.5 is inside
    span = np.maximum(np.ceil(end - 0.5).astype(np.int64) - first, 0)
    has = np.bincount(row[span > 0], minlength=rows) > 0
    segment = np.repeat(np.arange(len(span)), span)
    within = np.arange(len(segment)) - np.repeat(np.cumsum(span) - span, span)
    second = (first[segment] + within).astype(np.int32)
    return (row[segment], second, valence[segment], arousal[segment]), has


def song_curves(table, durations: np.ndarray | None = None) -> SongCurves:
    """The per-second curves (module docstring) of the rows of a library table.

    Args:
        table: the library's Arrow table (columns ``curve`` and/or ``segments``; neither gives no seconds).
        durations: ``(rows,)`` float64 seconds (NaN: unknown); default the ``duration`` column.
    """
    rows = table.num_rows
    durations = float_values(table, "duration") if durations is None else np.asarray(durations, np.float64)
    curve, has_curve = _curve_points(table, rows)
    segment, has_segments = _segment_points(table, rows, has_curve)
    parts = [part for part in (curve, segment) if len(part[0])]
    last = np.zeros(rows, np.int64)
    for row, second, _, _ in parts:
        np.maximum.at(last, row, second.astype(np.int64) + 1)
    whole = np.where(np.isfinite(durations), np.floor(np.nan_to_num(durations) + 1e-6), 0).astype(np.int64)
    lengths = np.where(np.isfinite(durations), np.minimum(whole, last), last)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    total = int(offsets[-1])
    count, sums = np.zeros(total), np.zeros((2, total))
    for row, second, valence, arousal in parts:
        inside = second < lengths[row]
        if not inside.all():
            row, second, valence, arousal = row[inside], second[inside], valence[inside], arousal[inside]
        place = offsets[row] + second
        count += np.bincount(place, minlength=total)
        sums[0] += np.bincount(place, weights=valence, minlength=total)
        sums[1] += np.bincount(place, weights=arousal, minlength=total)
    values = (sums / np.maximum(count, 1)).T.copy()
    _fill_gaps(values, count > 0, offsets)
    source = np.where(has_curve, 1, np.where(has_segments, 2, 0)).astype(np.int8)
    source[lengths == 0] = 0
    return SongCurves(values, offsets, source)


def _fill_gaps(values: np.ndarray, filled: np.ndarray, offsets: np.ndarray) -> None:
    """Seconds not ``filled`` take the nearest earlier filled second of their song, else the nearest later."""
    if filled.all() or not len(values):
        return
    positions = np.arange(len(values))
    song_start = np.repeat(offsets[:-1], np.diff(offsets))
    song_end = np.repeat(offsets[1:], np.diff(offsets))
    earlier = np.maximum.accumulate(np.where(filled, positions, -1))
    later = np.minimum.accumulate(np.where(filled, positions, len(values))[::-1])[::-1]
    source = np.where(earlier >= song_start, earlier, np.where(later < song_end, later, positions))
    gaps = ~filled
    values[gaps] = values[source[gaps]]
