"""The embedding index of a library: cosine similarity through ``datasets``' FAISS integration.

Every row of the library's :class:`datasets.Dataset` has one vector in the index (FAISS id = row): its
embedding divided by its L2 norm, or zeros when the row has none (such rows are never returned). The
inner product of two unit vectors is their cosine similarity, so

* ``"exact"`` (default): ``faiss.IndexFlatIP``, every row compared with the query: the same ranking as a
  brute-force numpy search;
* ``"ivf"``: ``faiss.IndexIVFFlat`` (inner product) with ``nlist = sqrt(rows)`` clusters trained (k-means)
  on 64 rows a cluster, searching the ``nprobe`` (16) nearest clusters: approximate (its recall depends on
  how clustered the embeddings are), faster on very large libraries;
* ``"hnsw"``: ``faiss.IndexHNSWFlat`` (32 links a node, ``efSearch`` 128): approximate, slow to build.

The index is registered on the dataset under :data:`INDEX_NAME` (``dataset.search("embedding", query,
k)`` and ``dataset.get_nearest_examples`` work as documented by ``datasets``); filters become a FAISS
``IDSelectorBitmap`` so a filtered search stays exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..base.errors import LibraryError, MissingDependencyError
from .columns import embedding_slices

__all__ = ["INDEX_KINDS", "INDEX_NAME", "EmbeddingIndex", "build_index", "unit_rows"]

INDEX_NAME = "embedding"
INDEX_KINDS = ("exact", "ivf", "hnsw")
IVF_NPROBE = 16
IVF_TRAIN_PER_LIST = 64
HNSW_LINKS, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 32, 80, 128


def _faiss():
    try:
        import faiss
    except ImportError:
        raise MissingDependencyError(
            "Searching a library by embedding needs the faiss package. Accepted: `pip install faiss-cpu` "
            "(or faiss-gpu)"
        ) from None
    return faiss


def unit_rows(block: np.ndarray) -> np.ndarray:
    """``(rows, dim)`` float32 vectors divided by their L2 norms (in place; a zero row stays zero)."""
    norms = np.linalg.norm(block, axis=1, keepdims=True)
    np.divide(block, norms, out=block, where=norms > 0)
    return block


@dataclass
class EmbeddingIndex:
    """A built index and the unit vectors it holds.

    Attributes:
        kind: one of :data:`INDEX_KINDS`.
        faiss_index: the FAISS index (also registered on the dataset).
        vectors: ``(rows, dim)`` float32 unit vectors (zeros for a row without embedding); for ``"exact"``
            a view of the index's own storage, not a copy.
        present: ``(rows,)`` bool, the rows that have an embedding.
    """

    kind: str
    faiss_index: object
    vectors: np.ndarray
    present: np.ndarray

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    def search(self, dataset, query: np.ndarray, k: int, allowed: np.ndarray | None = None):
        """The ``k`` rows most similar to ``query`` among ``allowed`` (``(rows,)`` bool, default all):
        ``(rows, cosines)`` best first, through ``dataset.search``."""
        faiss = _faiss()
        allowed = self.present if allowed is None else allowed & self.present
        k = int(min(k, allowed.sum()))
        if k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        unit = unit_rows(np.array(query, np.float32).reshape(1, -1))
        bitmap = np.packbits(allowed, bitorder="little")  # alive until the search returns
        selector = None if allowed.all() else faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bitmap))
        if self.kind == "ivf":
            params = faiss.SearchParametersIVF(sel=selector, nprobe=IVF_NPROBE)
        elif self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(HNSW_EF_SEARCH, k))
        else:
            params = None if selector is None else faiss.SearchParameters(sel=selector)
        scores, rows = dataset.search(INDEX_NAME, unit[0], k, params=params)
        found = rows >= 0  # an approximate index may find fewer than k
        return np.asarray(rows)[found].astype(np.int64), np.asarray(scores)[found]


def build_index(
    dataset,
    dim: int,
    present: np.ndarray,
    kind: str = "exact",
    progress: bool = True,
    column: str = "embedding",
) -> EmbeddingIndex:
    """Index the ``column`` of ``dataset`` (module docstring) and register it on the dataset.

    Args:
        dataset: the library's rows (:class:`datasets.Dataset`).
        dim: the embeddings' size; present: ``(rows,)`` bool, the rows that have one.
        kind: ``"exact"``, ``"ivf"`` or ``"hnsw"``.
        progress: show a progress bar (tqdm) while the vectors are added.
    """
    faiss = _faiss()
    if kind not in INDEX_KINDS:
        raise LibraryError(
            f"Unknown index {kind!r}. Accepted: {', '.join(INDEX_KINDS)} (exact is the default)"
        )
    from tqdm.auto import tqdm

    rows = dataset.num_rows
    arrow = dataset.data.table.column(column)
    slices = embedding_slices(arrow, dim)
    bar = tqdm(
        total=rows,
        desc=f"indexing {rows} embeddings ({kind})",
        unit="rows",
        disable=not progress or rows < 10_000,  # a small library is indexed in a blink
        leave=False,
    )
    if kind == "exact":
        index = faiss.IndexFlatIP(dim)
        for _, block in slices:
            index.add(unit_rows(block))
            bar.update(len(block))
        vectors = faiss.rev_swig_ptr(index.get_xb(), rows * dim).reshape(rows, dim)
    else:
        vectors = np.empty((rows, dim), np.float32)
        for start, block in slices:
            vectors[start : start + len(block)] = unit_rows(block)
        if kind == "ivf":
            nlist = max(1, min(int(math.sqrt(rows)), rows // 39))
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
            sample = np.random.default_rng(0).permutation(rows)[: min(rows, IVF_TRAIN_PER_LIST * nlist)]
            index.train(vectors[np.sort(sample)])
        else:
            index = faiss.IndexHNSWFlat(dim, HNSW_LINKS, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        for start in range(0, rows, 4096):
            index.add(vectors[start : start + 4096])
            bar.update(min(4096, rows - start))
    bar.close()
    _register(dataset, index, dim)
    return EmbeddingIndex(kind, index, vectors, present)


def _register(dataset, index, dim: int) -> None:
    """Attach the built ``index`` to ``dataset`` under :data:`INDEX_NAME` (adds no vector)."""
    from datasets.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars

    was_disabled = are_progress_bars_disabled()
    disable_progress_bars()  # its bar would count the zero vectors added here
    try:
        dataset.add_faiss_index_from_external_arrays(
            np.zeros((0, dim), np.float32), INDEX_NAME, custom_index=index
        )
    finally:
        if not was_disabled:
            enable_progress_bars()
