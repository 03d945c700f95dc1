"""Search, playlists and soundtrack matching on generated emotion libraries of 10,000 and 100,000 songs.

    python benchmarks/library_search.py [--sizes 10000 100000] [--queries 50] [--approximate] [--quick]
        [--work DIR]

Each library is generated as ``emotune predict --output library.parquet --embeddings --dynamic-model``
would write it: per song a random 1536-value float32 embedding, all 56 tag scores (uniform, best first),
a valence-arousal point, 30 s segments, and a 0.5 s valence-arousal curve (a smooth random walk) of a
random 3-5 minutes, written to Parquet in a temporary folder (``--work`` keeps it) by a process of its own.
Another process then loads it and reports:

* load time (Parquet -> the usable rows as a ``datasets.Dataset`` and the numpy columns; ``curve``,
  ``segments`` and ``chords`` are read when matching needs them), RSS before (the imports) and after it;
* the exact FAISS index build (``IndexFlatIP``, ``datasets``' integration) and the per-second curves
  build (reading ``curve`` and ``segments`` from the file);
* query latency p50/p95 over ``--queries`` random queries of each kind, after loading: ``mood`` (1-3 tags),
  ``va`` (a point), ``like`` (the embedding of a random song), ``combined`` (mood + like + duration and
  quadrant filters), ``playlist`` (10 songs between two random quadrants);
* whether FAISS's top 10 equal a brute-force numpy search (unit vectors normalised apart from the index;
  rows, and cosines to 1e-5) for 20 queries;
* the matching of a 60 s video (a planted excerpt of a random song's curve, plus noise of 0.2) against
  every song: its time, and whether the planted song and offset came first;
* ``--approximate``: the IVF index's build time, latency and recall@10 against the exact one (random
  embeddings have no clusters: a worst case for IVF's recall);
* the process's peak RSS.

``--quick``: 2,000 songs and 10 queries. Run it on a quiet machine (load average below 1).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DIM = 1536
CHUNK = 5000


def generate(path: Path, songs: int, seed: int = 0) -> None:
    """Write a library of ``songs`` generated records to the Parquet file ``path`` (chunk after chunk)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from modeling.library.loading import jsonl_schema
    from modeling.vocabularies.emotion import MOOD_TAGS

    names = [
        "path",
        "duration",
        "error",
        "moods",
        "valence",
        "arousal",
        "quadrant",
        "segments",
        "embedding",
        "curve",
    ]
    full = jsonl_schema()
    schema = pa.schema([full.field(name) for name in names])
    tags = np.array(MOOD_TAGS, dtype=object)
    rng = np.random.default_rng(seed)
    with pq.ParquetWriter(path, schema) as writer:
        for first in range(0, songs, CHUNK):
            count = min(CHUNK, songs - first)
            points = rng.integers(360, 601, count)  # 3-5 minutes at 0.5 s
            duration = (points - 1) * 0.5 + rng.uniform(0, 0.5, count)
            valence, arousal = rng.uniform(1.5, 8.5, count), rng.uniform(1.5, 8.5, count)
            scores = rng.random((count, len(MOOD_TAGS)))
            order = np.argsort(-scores, axis=1)
            moods = pa.StructArray.from_arrays(
                [
                    pa.array(tags[order].ravel(), pa.string()),
                    pa.array(np.take_along_axis(scores, order, 1).ravel()),
                ],
                names=["label", "score"],
            )
            step = np.arange(0, count + 1) * len(MOOD_TAGS)
            walk = np.cumsum(rng.normal(0, 0.1, (int(points.sum()), 2)), axis=0)
            starts = np.concatenate([[0], np.cumsum(points)])
            walk -= np.repeat(walk[starts[:-1]], points, axis=0)  # each song's walk starts at its point
            walk += np.repeat(np.stack([valence, arousal], 1), points, axis=0)
            walk = np.clip(walk, 1.0, 9.0)
            times = np.concatenate([np.arange(p) * 0.5 for p in points])
            curve = pa.StructArray.from_arrays([pa.array(times), pa.array(walk[:, 0]), pa.array(walk[:, 1])],
                                               names=["time", "valence", "arousal"])  # fmt: skip
            segment_count = np.ceil(duration / 30).astype(int)
            seg_start = np.concatenate([np.arange(n) * 30.0 for n in segment_count])
            seg_end = np.minimum(seg_start + 30.0, np.repeat(duration, segment_count))
            seg_va = np.repeat(np.stack([valence, arousal], 1), segment_count, axis=0)
            empty = pa.array([[] for _ in seg_start], pa.list_(full.field("moods").type.value_type))
            segments = pa.StructArray.from_arrays(
                [pa.array(seg_start), pa.array(seg_end), pa.array(seg_va[:, 0]), pa.array(seg_va[:, 1]),
                 pa.array(["Q1"] * len(seg_start)), empty],
                names=["start", "end", "valence", "arousal", "quadrant", "moods"],
            )  # fmt: skip
            embedding = rng.standard_normal((count, DIM), dtype=np.float32)
            quadrant = np.where(
                arousal >= 5, np.where(valence >= 5, "Q1", "Q2"), np.where(valence >= 5, "Q4", "Q3")
            )
            columns = {
                "path": pa.array([f"music/song {first + i:06d}.mp3" for i in range(count)]),
                "duration": pa.array(duration),
                "error": pa.nulls(count, pa.string()),
                "moods": pa.ListArray.from_arrays(pa.array(step, pa.int32()), moods),
                "valence": pa.array(valence),
                "arousal": pa.array(arousal),
                "quadrant": pa.array(quadrant),
                "segments": pa.ListArray.from_arrays(
                    pa.array(np.concatenate([[0], np.cumsum(segment_count)]), pa.int32()), segments
                ),
                "embedding": pa.ListArray.from_arrays(
                    pa.array(np.arange(count + 1) * DIM, pa.int32()), pa.array(embedding.ravel())
                ),
                "curve": pa.ListArray.from_arrays(pa.array(starts, pa.int32()), curve),
            }
            writer.write_table(pa.table(columns, schema=schema), row_group_size=1000)


def _percentiles(seconds: list[float]) -> dict:
    import numpy as np

    return {
        "p50_ms": 1000 * float(np.percentile(seconds, 50)),
        "p95_ms": 1000 * float(np.percentile(seconds, 95)),
    }


def measure(path: Path, queries: int, approximate: bool) -> dict:
    """Load ``path`` and time what the module docstring lists; returns the figures."""
    import resource

    import numpy as np

    from modeling.library import QUADRANTS, load_library
    from modeling.vocabularies.emotion import MOOD_TAGS

    def rss_mb() -> float:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024

    out: dict = {"rss_before_load_mb": rss_mb()}  # Python, numpy, pyarrow, datasets, faiss, transformers
    start = time.perf_counter()
    library = load_library(path, progress=False)
    out["songs"], out["load_s"], out["rss_after_load_mb"] = (
        len(library),
        time.perf_counter() - start,
        rss_mb(),
    )
    start = time.perf_counter()
    index = library.build_index()
    out["index_build_s"] = time.perf_counter() - start
    start = time.perf_counter()
    curves = library.curves
    out["curves_build_s"], out["curve_seconds_mean"] = (
        time.perf_counter() - start,
        float(curves.lengths.mean()),
    )
    out["rss_after_index_and_curves_mb"] = rss_mb()

    rng = np.random.default_rng(1)
    rows = len(library)

    def mood():
        return list(rng.choice(MOOD_TAGS, rng.integers(1, 4), replace=False))

    kinds = {
        "mood": lambda: library.search(mood=mood(), n=10),
        "va": lambda: library.search(va=tuple(rng.uniform(1, 9, 2)), n=10),
        "like": lambda: library.search(like=library.embedding(int(rng.integers(rows))), n=10),
        "combined": lambda: library.search(mood=mood(), like=library.embedding(int(rng.integers(rows))), n=10,
                                           min_duration=200, max_duration=280, quadrant=str(rng.choice(QUADRANTS))),
        "playlist": lambda: library.playlist(*rng.choice(QUADRANTS, 2, replace=False), 10),
    }  # fmt: skip
    out["latency"] = {}
    for name, query in kinds.items():
        query()  # warm
        seconds = []
        for _ in range(queries):
            start = time.perf_counter()
            query()
            seconds.append(time.perf_counter() - start)
        out["latency"][name] = _percentiles(seconds)

    # FAISS against brute force: unit vectors normalised here, from the Parquet column
    table = library.dataset.data.table
    import pyarrow.compute as pc

    vectors = pc.list_flatten(table.column("embedding")).to_numpy().astype(np.float32).reshape(rows, DIM)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    same = 0
    for _ in range(20):
        query = rng.standard_normal(DIM).astype(np.float32)
        query /= np.linalg.norm(query)
        truth = np.argsort(-(vectors @ query), kind="stable")[:10]
        found = library.search(like=query, n=10)
        rows_found = [song["row"] for song in found]
        cosines = np.array([song["similarity"] for song in found])
        same += rows_found == truth.tolist() and np.allclose(cosines, vectors[truth] @ query, atol=1e-5)
    out["faiss_equals_brute_force"] = f"{same}/20"
    del vectors

    # a 60 s video: a planted excerpt of a song's curve, with noise
    row = int(rng.integers(rows))
    offset = int(rng.integers(0, curves.lengths[row] - 60))
    video = curves.of(row)[offset : offset + 60] + rng.normal(0, 0.2, (60, 2))
    start = time.perf_counter()
    matches = library.match_video(video)
    out["match_60s_video_s"] = time.perf_counter() - start
    out["match_planted_found"] = (matches[0]["row"], matches[0]["offset"]) == (row, offset)

    if approximate:
        exact = [
            [s["row"] for s in library.search(like=library.embedding(r), n=10)]
            for r in range(0, rows, rows // 20)
        ]
        start = time.perf_counter()
        library.build_index("ivf")
        out["ivf_build_s"] = time.perf_counter() - start
        seconds, recall = [], []
        for truth, r in zip(exact, range(0, rows, rows // 20)):
            start = time.perf_counter()
            found = [s["row"] for s in library.search(like=library.embedding(r), n=10)]
            seconds.append(time.perf_counter() - start)
            recall.append(len(set(found) & set(truth)) / 10)
        out["ivf_like"] = _percentiles(seconds) | {"recall_at_10": float(np.mean(recall))}
    del index
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _child(*argv: str) -> str:
    command = [sys.executable, __file__, *argv]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env={"PYTHONPATH": str(REPO),
                            **{k: v for k, v in __import__("os").environ.items() if k != "PYTHONPATH"}})  # fmt: skip
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def report(size: int, generate_s: float | None, file_mb: float, figures: dict) -> str:
    lines = [f"## {size:,} songs", ""]
    made = f"generated in {generate_s:.1f} s" if generate_s is not None else "reused from --work"
    lines.append(f"- Parquet: {file_mb:,.0f} MB, {made} (not part of the figures)")
    lines.append(f"- load (the columns search reads): {figures['load_s']:.2f} s; RSS {figures['rss_before_load_mb']:,.0f} "
                 f"MB before (the imports), {figures['rss_after_load_mb']:,.0f} MB after")  # fmt: skip
    lines.append(f"- exact FAISS index build: {figures['index_build_s']:.2f} s; per-second curves "
                 f"({figures['curve_seconds_mean']:.0f} s a song on average), reading curve and segments from the "
                 f"file: {figures['curves_build_s']:.2f} s; RSS then {figures['rss_after_index_and_curves_mb']:,.0f} MB")  # fmt: skip
    lines += ["", "| query | p50 | p95 |", "| --- | ---: | ---: |"]
    for name, value in figures["latency"].items():
        lines.append(f"| {name} | {value['p50_ms']:.1f} ms | {value['p95_ms']:.1f} ms |")
    if "ivf_like" in figures:
        ivf = figures["ivf_like"]
        lines.append(f"| like, IVF (approximate) | {ivf['p50_ms']:.1f} ms | {ivf['p95_ms']:.1f} ms |")
    lines.append("")
    lines.append(f"- FAISS exact top 10 = brute-force numpy: {figures['faiss_equals_brute_force']} queries")
    lines.append(f"- 60 s video against all {size:,} songs: {figures['match_60s_video_s']:.2f} s (curves built); "
                 f"planted song and offset first: {figures['match_planted_found']}")  # fmt: skip
    if "ivf_build_s" in figures:
        lines.append(f"- IVF index build: {figures['ivf_build_s']:.1f} s; recall@10 against exact: "
                     f"{figures['ivf_like']['recall_at_10']:.2f} (random embeddings: no clusters, IVF's worst case)")  # fmt: skip
    lines.append(f"- peak RSS of the process: {figures['peak_rss_mb']:,.0f} MB")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=50, help="queries of each kind (50)")
    parser.add_argument("--approximate", action="store_true", help="also the IVF index")
    parser.add_argument("--quick", action="store_true", help="2,000 songs, 10 queries")
    parser.add_argument("--work", type=Path, help="keep the generated libraries in this folder")
    parser.add_argument("--generate", nargs=2, metavar=("PATH", "SONGS"), help=argparse.SUPPRESS)
    parser.add_argument("--measure", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(Path(args.generate[0]), int(args.generate[1]))
        return
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.queries, args.approximate)))
        return
    sizes, queries = ([2000], 10) if args.quick else (args.sizes, args.queries)
    with tempfile.TemporaryDirectory() as temporary:
        work = args.work or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            path = work / f"library-{size}.parquet"
            start, generate_s = time.perf_counter(), None
            if not path.exists():
                _child("--generate", str(path), str(size))
                generate_s = time.perf_counter() - start
            figures = json.loads(_child("--measure", str(path), "--queries", str(queries),
                                        *(["--approximate"] if args.approximate else [])))  # fmt: skip
            print(report(size, generate_s, path.stat().st_size / 2**20, figures), flush=True)
            print(flush=True)


if __name__ == "__main__":
    main()
