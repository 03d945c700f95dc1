"""The emotion library: the usable records of ``emotune predict`` as a ``datasets.Dataset``, and its queries.

:func:`load_library` reads a ``.parquet`` or ``.jsonl`` library (:mod:`.loading`); :class:`EmotionLibrary`
also wraps a :class:`datasets.Dataset` of records (``load_dataset("parquet", data_files=...)["train"]``).
It keeps, as numpy arrays, what the queries read (valence, arousal, duration, quadrant, every tag's score,
whether a row has an embedding), and builds on first use the embedding index (:mod:`.index`) and the
per-second curves (:mod:`.curves`). The queries:

* :meth:`EmotionLibrary.search`: by mood tags, a valence-arousal point, an embedding (:mod:`.search`);
* :meth:`EmotionLibrary.playlist`: songs along a path of the plane (:mod:`.playlist`);
* :meth:`EmotionLibrary.match_video`: the song and offset that follow a video's curve (:mod:`.matching`),
  and :meth:`EmotionLibrary.cut_excerpt` (:mod:`.excerpt`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..base.errors import LibraryError
from ..soundtrack.excerpt import cut_excerpt
from .columns import embedding_sizes, float_values, mood_matrix
from .curves import SongCurves, song_curves
from .index import INDEX_KINDS, INDEX_NAME, EmbeddingIndex, build_index
from .loading import DEFERRED_COLUMNS, read_deferred_columns, read_library_table, split_usable
from .m3u import write_m3u
from .matching import match_curve
from .paths import PathResolver
from .playlist import EMBEDDING_WEIGHT, mood_path
from .search import QUADRANTS, filter_rows, rank
from .targets import target_point

__all__ = ["EmotionLibrary", "in_memory_dataset", "load_library"]


def load_library(
    path: str | os.PathLike,
    *,
    base_dir: str | os.PathLike | None = None,
    embedding_dim: int | None = None,
    index: str = "exact",
    progress: bool = True,
    all_columns: bool = False,
) -> EmotionLibrary:
    """Load a library file (``.parquet`` or ``.jsonl``, as ``emotune predict --output`` writes it).

    Args:
        base_dir: the folder relative song paths start from (default: :mod:`.paths`).
        embedding_dim: the embedding size expected (1536 for Music2Emo's MERT); another size is an error.
        index: the embedding index built on the first ``like`` query: ``exact`` (default), ``ivf``, ``hnsw``.
        progress: progress bars on long work (the index build).
        all_columns: read every column of a Parquet library into :attr:`EmotionLibrary.dataset` now; by
            default the bulky ``curve``, ``segments`` and ``chords`` (most of a library with curves, and not
            read by search) are left out of it and read from the file when a video is matched.
    """
    table, bad_lines = read_library_table(path, skip=() if all_columns else DEFERRED_COLUMNS)
    library = EmotionLibrary(
        in_memory_dataset(table), source=path, base_dir=base_dir, embedding_dim=embedding_dim,
        index=index, progress=progress, bad_lines=bad_lines,
    )  # fmt: skip
    if Path(path).suffix.lower() == ".parquet" and not all_columns:
        import pyarrow.parquet as pq

        library.deferred = [name for name in pq.read_schema(path).names if name in DEFERRED_COLUMNS]
    return library


def in_memory_dataset(table):
    """A :class:`datasets.Dataset` of an Arrow table in memory (a random fingerprint: datasets would otherwise
    hash the whole table, seconds for a large library)."""
    from datasets import Dataset
    from datasets.fingerprint import generate_random_fingerprint
    from datasets.table import InMemoryTable

    return Dataset(InMemoryTable(table), fingerprint=generate_random_fingerprint())


class EmotionLibrary:
    """The usable rows of a library and the queries on them (module docstring).

    Args:
        dataset: the records; unusable rows are left out and counted in :attr:`unusable`.
        source: the library file (named in messages; relative song paths may start from its folder).
        base_dir, embedding_dim, index, progress: as :func:`load_library`.
        bad_lines: lines of the file that were not records (counted as unusable).

    Attributes:
        dataset: the usable rows (:class:`datasets.Dataset`; the index is registered on it as ``"embedding"``);
            from :func:`load_library`, without the columns in :attr:`deferred`.
        deferred: columns of the Parquet file not read into :attr:`dataset` (read when needed).
        paths: ``path`` of every row, as stored. valence, arousal, duration: ``(rows,)`` float64 (1-9; seconds,
            NaN when unknown). quadrants: ``(rows,)`` int8, 0-3 for Q1-Q4. moods: ``(rows, tags)`` float32 tag
            scores, columns :attr:`tags`. has_embedding: ``(rows,)`` bool. embedding_dim: the embeddings' size
            (None: the library has none). unusable: :class:`~.loading.UnusableRows`.
    """

    def __init__(self, dataset, *, source=None, base_dir=None, embedding_dim: int | None = None,
                 index: str = "exact", progress: bool = True, bad_lines: int = 0):  # fmt: skip
        self.source = str(source) if source is not None else "the library"
        if index not in INDEX_KINDS:
            raise LibraryError(
                f"Unknown index {index!r}. Accepted: {', '.join(INDEX_KINDS)} (exact is the default)"
            )
        if getattr(dataset, "_indices", None) is not None:
            dataset = dataset.flatten_indices(keep_in_memory=True)
        table, self.unusable, self._usable = split_usable(dataset.data.table, bad_lines, self.source)
        self.deferred: list[str] = []  # columns of the file not read yet (load_library)
        self.dataset = in_memory_dataset(table) if self.unusable.total else dataset
        self.paths: list[str] = table.column("path").to_pylist()
        self.valence, self.arousal = float_values(table, "valence"), float_values(table, "arousal")
        self.duration = float_values(table, "duration")
        positive, high = self.valence >= 5, self.arousal >= 5  # as modeling.vocabularies.emotion.quadrant
        self.quadrants = np.select([positive & high, high, ~positive], [0, 1, 2], 3).astype(np.int8)
        self.moods, self.tags = mood_matrix(table.column("moods"))
        self.embedding_dim, self.has_embedding = None, np.zeros(len(self.paths), bool)
        if "embedding" in table.column_names:
            size, self.has_embedding = embedding_sizes(table.column("embedding"), self.paths, embedding_dim)
            self.embedding_dim = size or None
        self.resolver = PathResolver(source, base_dir)
        self.index_kind, self.progress = index, progress
        self._index: EmbeddingIndex | None = None
        self._curves: SongCurves | None = None

    def __len__(self) -> int:
        return len(self.paths)

    def summary(self) -> dict:
        """Songs, unusable rows, embeddings, hours of music, songs per quadrant."""
        counts = np.bincount(self.quadrants, minlength=4)
        return {
            "library": self.source, "songs": len(self), "unusable": self.unusable.total,
            "with_embedding": int(self.has_embedding.sum()), "embedding_dim": self.embedding_dim,
            "hours": round(float(np.nansum(self.duration)) / 3600, 2),
            "quadrants": {q: int(c) for q, c in zip(QUADRANTS, counts)},
        }  # fmt: skip

    def song(self, row: int, **extra) -> dict:
        """The result dict of a row: ``row``, ``path`` (as stored), ``file`` (resolved, :mod:`.paths`),
        ``duration``, ``valence``, ``arousal``, ``quadrant``, ``moods`` (its 3 best tags), then ``extra``."""
        scores = self.moods[row]
        best = np.argsort(-scores, kind="stable")[:3]
        duration = self.duration[row]
        return {
            "row": int(row), "path": self.paths[row], "file": str(self.resolver.resolve(self.paths[row])),
            "duration": None if np.isnan(duration) else float(duration),
            "valence": float(self.valence[row]), "arousal": float(self.arousal[row]),
            "quadrant": QUADRANTS[self.quadrants[row]],
            "moods": [{"label": self.tags[i], "score": float(scores[i])} for i in best if scores[i] > 0],
            **extra,
        }  # fmt: skip

    def find(self, file: str | os.PathLike) -> int | None:
        """The row whose song is the file ``file`` (once paths are resolved), or None."""
        target = Path(file)
        if not target.is_file():
            return None
        for row, stored in enumerate(self.paths):
            if os.path.basename(stored) == target.name and self.resolver.same_file(stored, target):
                return row
        return None

    def embedding(self, row: int) -> np.ndarray:
        """``(dim,)`` float32 unit embedding of a row (building the index if needed)."""
        index = self.build_index()
        if not index.present[row]:
            raise LibraryError(
                f"{self.paths[row]!r} has no embedding in {self.source}. Accepted: a song whose record was "
                "written with predict --embeddings"
            )
        return np.array(index.vectors[row])

    def build_index(self, kind: str | None = None) -> EmbeddingIndex:
        """The embedding index (:mod:`.index`), built on first use; ``kind`` builds another kind, which the
        queries then use."""
        if self.embedding_dim is None:
            raise LibraryError(
                f"{self.source} has no embeddings. Accepted: a library written by emotune predict --embeddings "
                "(the pooled MERT embedding of every song)"
            )
        self.index_kind = kind or self.index_kind
        kind = self.index_kind
        if self._index is None or self._index.kind != kind:
            if self._index is not None:
                self.dataset.drop_index(INDEX_NAME)
            self._index = build_index(
                self.dataset, self.embedding_dim, self.has_embedding, kind, self.progress
            )
        return self._index

    @property
    def curves(self) -> SongCurves:
        """Every row's per-second valence-arousal curve (:mod:`.curves`), built on first use."""
        if self._curves is None:
            from tqdm.auto import tqdm

            table = self.dataset.data.table
            wanted = [name for name in ("curve", "segments") if name in self.deferred]
            quiet = not self.progress or len(self) < 10_000  # a small library: a blink
            with tqdm(
                total=2, desc=f"curves of {len(self)} songs", unit="step", disable=quiet, leave=False
            ) as bar:
                if wanted:
                    table = read_deferred_columns(self.source, wanted, self._usable)
                bar.update()
                self._curves = song_curves(table, self.duration)
                bar.update()
        return self._curves

    def filter(self, *, min_duration=None, max_duration=None, quadrant=None) -> np.ndarray:
        """``(rows,)`` bool mask of the rows that pass the filters (:func:`.search.filter_rows`)."""
        return filter_rows(self, min_duration=min_duration, max_duration=max_duration, quadrant=quadrant)

    def search(self, *, mood=None, va=None, like=None, n: int = 10, min_duration: float | None = None,
               max_duration: float | None = None, quadrant=None) -> list[dict]:  # fmt: skip
        """The ``n`` songs that match best, best first (:mod:`.search`).

        Args:
            mood: tag names (``"calm,relaxing"`` or a list): rank by the mean of their scores.
            va: a target (``(7.5, 3)``, ``"Q4"``, ``"calm"``: :mod:`.targets`): rank by distance to it.
            like: an embedding (``(dim,)``) or the path of a song of the library: rank by cosine similarity.
            n: how many songs. min_duration, max_duration: seconds. quadrant: ``"Q4"``, ``"Q1,Q4"``, a list.

        Returns:
            :meth:`song` dicts with ``rank``, ``score`` (0-1) and ``mood_score``, ``va_distance``,
            ``similarity`` for the criteria given.
        """
        return rank(self, mood=mood, va=va, like=like, n=n, min_duration=min_duration,
                    max_duration=max_duration, quadrant=quadrant)  # fmt: skip

    def playlist(self, start, end, n: int = 10, *, weight: float = EMBEDDING_WEIGHT,
                 min_duration: float | None = None, max_duration: float | None = None) -> list[dict]:  # fmt: skip
        """``n`` songs along the straight path from ``start`` to ``end`` (:mod:`.playlist`; targets: quadrants,
        friendly names, tags, pairs, :mod:`.targets`): :meth:`song` dicts with ``step``, ``target``,
        ``va_distance`` to it and ``similarity`` to the previous song (None without embeddings)."""
        points = np.stack([self.valence, self.arousal], axis=1)
        allowed = self.filter(min_duration=min_duration, max_duration=max_duration)
        index = self.build_index() if self.has_embedding.any() else None
        steps = mood_path(
            points, target_point(start, "playlist start"), target_point(end, "playlist end"), n,
            allowed=allowed, vectors=None if index is None else index.vectors, present=self.has_embedding,
            weight=weight,
        )  # fmt: skip
        return [
            self.song(s.row, step=i + 1, target=list(s.target), va_distance=s.distance, similarity=s.cosine)
            for i, s in enumerate(steps)
        ]

    def match_video(self, video, top: int = 6, *, min_duration: float | None = None,
                    max_duration: float | None = None) -> list[dict]:  # fmt: skip
        """The ``top`` songs whose curves follow the video's ``(seconds, 2)`` valence-arousal curve best, each
        at its best offset (:mod:`.matching`): :meth:`song` dicts with ``rank``, ``offset`` and ``end`` (s in
        the song), ``score`` (mean squared VA distance, lower is better) and ``curve`` (``"curve"`` or
        ``"segments"``: what the song's curve was made from)."""
        if not self.curves.lengths.any():
            raise LibraryError(
                f"No song of {self.source} has a curve or segments. Accepted: a library written by emotune "
                "predict (segments), better with --dynamic-model (curve)"
            )
        allowed = self.filter(min_duration=min_duration, max_duration=max_duration)
        seconds = len(np.asarray(video))
        return [
            self.song(m.row, rank=i + 1, offset=m.offset, end=m.offset + seconds, score=m.score,
                      curve=("", "curve", "segments")[self.curves.source[m.row]])
            for i, m in enumerate(match_curve(video, self.curves, top, allowed))
        ]  # fmt: skip

    def cut_excerpt(self, match: Mapping, output: str | os.PathLike, **options) -> Path:
        """Cut the excerpt of a :meth:`match_video` result (its ``row``, ``offset``, ``end``) to ``output``
        (:func:`modeling.soundtrack.excerpt.cut_excerpt`; ``options``: ``fade``, ``loudness``, ``true_peak``,
        ``loudness_range``). A song file that moved: a :class:`LibraryError` naming it and the library."""
        song = self.resolver.require(self.paths[int(match["row"])])
        start = float(match["offset"])
        return cut_excerpt(song, output, start=start, duration=float(match["end"]) - start, **options)

    def write_m3u(self, songs: Sequence[Mapping], path: str | os.PathLike, *, relative: bool = True) -> Path:
        """An extended M3U of result dicts (:mod:`.m3u`); paths relative to its folder unless not ``relative``."""
        return write_m3u(songs, path, relative=relative)
