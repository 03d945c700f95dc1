"""Emotion libraries: search, playlists and soundtrack matching over ``emotune predict`` records.

A *library* is what ``emotune predict ~/Music --output library.parquet`` (or ``.jsonl``) writes: one
record per song with its mood/theme tag scores, valence-arousal, segments and, optionally, its pooled
MERT ``embedding`` (``--embeddings``) and 0.5 s valence-arousal ``curve`` (``--dynamic-model``).

* :mod:`.loading`: reading a library, counting the rows that cannot be used;
* :mod:`.library`: :class:`EmotionLibrary` (``search(mood=, va=, like=)``, ``playlist(start, end, n)``,
  ``match_video(video)``, ``cut_excerpt`` with :mod:`modeling.soundtrack.excerpt`), :func:`load_library`;
* :mod:`.index`: the FAISS embedding index (exact by default) through ``datasets``;
* :mod:`.targets`: named points of the valence-arousal plane (quadrants, friendly names, tags);
* :mod:`.playlist`: playlists along a straight path of the plane;
* :mod:`.curves`, :mod:`.matching`: per-second song curves and sliding a video's curve over them;
* :mod:`.m3u`: extended M3U playlists; :mod:`.paths`: where the song files are.
"""

from .curves import SongCurves, song_curves
from .index import INDEX_KINDS, EmbeddingIndex
from .library import EmotionLibrary, load_library
from .loading import FORMATS, REQUIRED_COLUMNS, UnusableRows, read_library_table
from .m3u import PlaylistEntry, read_m3u, write_m3u
from .matching import CurveMatch, match_curve, video_curve
from .paths import PathResolver
from .playlist import EMBEDDING_WEIGHT, mood_path
from .search import QUADRANTS, VA_DIAGONAL
from .targets import FRIENDLY_POINTS, QUADRANT_POINTS, target_point

__all__ = [
    "EMBEDDING_WEIGHT",
    "FORMATS",
    "FRIENDLY_POINTS",
    "INDEX_KINDS",
    "QUADRANTS",
    "QUADRANT_POINTS",
    "REQUIRED_COLUMNS",
    "VA_DIAGONAL",
    "CurveMatch",
    "EmbeddingIndex",
    "EmotionLibrary",
    "PathResolver",
    "PlaylistEntry",
    "SongCurves",
    "UnusableRows",
    "load_library",
    "match_curve",
    "mood_path",
    "read_library_table",
    "read_m3u",
    "song_curves",
    "target_point",
    "video_curve",
    "write_m3u",
]
