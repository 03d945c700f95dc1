"""The columns of a library as numpy arrays (vectorised over pyarrow, no Python loop per row).

A library is an Arrow table of ``emotune predict`` records; search needs, per row, the valence and arousal
(float64, 1-9), the duration (float64 seconds, NaN when unknown), the score of every mood/theme tag (a
``(rows, tags)`` float32 matrix: a record's ``moods`` is a list of ``{label, score}`` best first, in any
order of labels) and the embedding (``(rows, dim)`` float32, read a slice of rows at a time), and which
encoders made the embeddings (``embedding_encoder``: ``{name, layers, segment_seconds}`` a row).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..base.errors import LibraryError
from ..vocabularies.emotion import MOOD_TAGS, MTG_TAG_PREFIX

__all__ = [
    "embedding_encoders",
    "embedding_sizes",
    "embedding_slices",
    "float_values",
    "list_lengths",
    "mood_matrix",
]


def float_values(table, name: str) -> np.ndarray:
    """``(rows,)`` float64 values of column ``name``; NaN where null, all NaN when there is no such column."""
    if name not in table.column_names:
        return np.full(table.num_rows, np.nan)
    import pyarrow as pa

    column = table.column(name)
    if not (
        pa.types.is_floating(column.type) or pa.types.is_integer(column.type) or pa.types.is_null(column.type)
    ):
        raise LibraryError(
            f"The column {name!r} holds {column.type} values. Accepted: numbers (the records emotune predict writes)"
        )
    return column.cast(pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64)


def list_lengths(column) -> np.ndarray:
    """``(rows,)`` int64 number of items of each row's list (0 for null)."""
    import pyarrow.compute as pc

    return pc.list_value_length(column).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)


def mood_matrix(column) -> tuple[np.ndarray, tuple[str, ...]]:
    """The tag scores of a ``moods`` column: a ``(rows, tags)`` float32 matrix (0 where a row has no score for
    a tag) and the tags of its columns: the 56 mood/theme tags in model order, then any other label the
    records hold (a ``mood/theme---`` prefix is dropped)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rows = len(column)
    lengths = list_lengths(column)
    flat = pc.list_flatten(column)
    flat = flat.combine_chunks() if isinstance(flat, pa.ChunkedArray) else flat
    if len(flat) == 0:
        return np.zeros((rows, len(MOOD_TAGS)), np.float32), MOOD_TAGS
    labels, scores = pc.struct_field(flat, "label"), pc.struct_field(flat, "score")
    if pc.any(pc.starts_with(labels, MTG_TAG_PREFIX)).as_py():
        labels = pc.replace_substring_regex(labels, f"^{MTG_TAG_PREFIX}", "")
    vocabulary = list(MOOD_TAGS)
    index = pc.index_in(labels, value_set=pa.array(vocabulary))
    if index.null_count > labels.null_count:
        others = pc.unique(pc.filter(labels, pc.is_null(index))).drop_null().to_pylist()
        vocabulary += sorted(others)
        index = pc.index_in(labels, value_set=pa.array(vocabulary))
    tag = index.to_numpy(zero_copy_only=False)
    value = scores.cast(pa.float64()).to_numpy(zero_copy_only=False)
    row = np.repeat(np.arange(rows), lengths)
    keep = np.isfinite(tag.astype(np.float64)) & np.isfinite(value)  # a null label or score counts as absent
    matrix = np.zeros((rows, len(vocabulary)), np.float32)
    matrix[row[keep], tag[keep].astype(np.int64)] = value[keep]
    return matrix, tuple(vocabulary)


def embedding_sizes(column, paths: list[str], expected: int | None = None) -> tuple[int, np.ndarray]:
    """The size of the embeddings of an ``embedding`` column and the ``(rows,)`` bool mask of the rows that
    have one; a :class:`LibraryError` when their sizes differ, or differ from ``expected``."""
    lengths = list_lengths(column)
    present = lengths > 0
    if not present.any():
        return (expected or 0), present
    sizes, counts = np.unique(lengths[present], return_counts=True)
    size = int(expected) if expected is not None else int(sizes[np.argmax(counts)])
    wrong = np.flatnonzero(present & (lengths != size))
    if len(wrong):
        first = int(wrong[0])
        others = "asked for" if expected is not None else "held by most records"
        raise LibraryError(
            f"{len(wrong)} embeddings of the library have another size than the {size} values {others}: "
            f"the first is {paths[first]!r} with {lengths[first]} values. Accepted: one embedding size for the "
            f"whole library (the {size}-value pooled MERT embedding predict --embeddings writes); write the "
            "odd records again with the same encoder"
        )
    return size, present


def embedding_slices(column, dim: int, rows: int = 4096) -> Iterator[tuple[int, np.ndarray]]:
    """``(first row, (rows, dim) float32 embeddings)`` slice after slice, zeros for a row without one; a
    :class:`LibraryError` for a value that is not finite."""
    import pyarrow.compute as pc

    total = len(column)
    for start in range(0, total, rows):
        part = column.slice(start, rows)
        lengths = list_lengths(part)
        values = pc.list_flatten(part).to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
        block = np.zeros((len(part), dim), np.float32)
        block[lengths > 0] = values.reshape(-1, dim)
        if not np.isfinite(block).all():
            row = start + int(np.flatnonzero(~np.isfinite(block).all(axis=1))[0])
            raise LibraryError(
                f"The embedding of row {row} holds values that are not finite (NaN or infinite). Accepted: "
                "finite numbers (the embeddings predict --embeddings writes)"
            )
        yield start, block


def embedding_encoders(table) -> list[dict]:
    """The distinct encoders (``{"name", "layers", "segment_seconds"}``) that the ``embedding_encoder`` column
    names for the rows with an embedding, in the order they first appear; ``[]`` when the library does not
    name them (no such column: a library written before predict recorded its encoder, or by other means)."""
    if "embedding_encoder" not in table.column_names or "embedding" not in table.column_names:
        return []
    import pyarrow as pa

    present = list_lengths(table.column("embedding")) > 0
    column = table.column("embedding_encoder")
    if not pa.types.is_struct(column.type) and not pa.types.is_null(column.type):
        raise LibraryError(
            f"The column 'embedding_encoder' holds {column.type} values. Accepted: {{name, layers, "
            "segment_seconds}} (what emotune predict --embeddings writes)"
        )
    found: dict[tuple, dict] = {}
    for row, encoder in enumerate(column.to_pylist()):
        if encoder is not None and present[row]:
            key = (encoder.get("name"), tuple(encoder.get("layers") or ()), encoder.get("segment_seconds"))
            found.setdefault(key, encoder)
    return list(found.values())
