"""``emotune search``: find songs in an emotion library by mood, valence-arousal or sound; path playlists.

A library is what ``emotune predict ~/Music --output library.parquet`` (or ``.jsonl``) writes. The command
ranks its songs (:mod:`modeling.library.search`) by ``--mood`` tags, a ``--va`` point and/or a ``--like``
song, or builds a playlist along a path of the valence-arousal plane (``--playlist calm:energetic``,
``--from-va 3,2 --to-va 8,8``; :mod:`modeling.library.playlist`), prints a table (or ``--json``) and
writes an M3U playlist (``--m3u``). Without a query it prints what the library holds.

``--like FILE`` with a file that is not a song of the library embeds it as ``predict --embeddings`` embeds
the library's songs (:func:`embed_audio_file`): with the encoder the library's records name
(``embedding_encoder``; a library that names none is taken to hold the default model's MERT), never another.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NAME = "search"
HELP = "Find songs in an emotion library (predict --output) by mood, valence-arousal or sound; playlists."


def add_arguments(parser) -> None:
    parser.add_argument(
        "library", metavar="LIBRARY", help="the records of emotune predict --output: .parquet or .jsonl"
    )
    query = parser.add_argument_group("search (combine freely; the score is the mean of the criteria)")
    query.add_argument("--mood", metavar="TAGS", help="mood/theme tags, comma-separated: calm,relaxing")
    query.add_argument(
        "--va",
        metavar="V,A",
        help="a valence,arousal point on the 1-9 scale (7.5,3), or Q1..Q4, calm, happy...",
    )
    query.add_argument("--like", metavar="FILE", help="songs that sound like this one (needs embeddings)")
    query.add_argument("--quadrant", metavar="Q", help="only songs of these quadrants: Q4 or Q1,Q4")
    path = parser.add_argument_group("playlist along a path of the valence-arousal plane")
    path.add_argument(
        "--playlist", metavar="START:END", help="ends: Q1..Q4, calm, relaxed, happy, energetic, tense, sad, a "
        "mood tag, or V,A (calm:energetic, Q3:Q1, 3,2:8,8)",
    )  # fmt: skip
    path.add_argument("--from-va", metavar="V,A", help="the start of the path (with --to-va)")
    path.add_argument("--to-va", metavar="V,A", help="the end of the path (with --from-va)")
    path.add_argument(
        "--weight", type=float, default=None, help="how much each step must also sound like the previous song "
        "(plane units per unit of cosine distance; 2)",
    )  # fmt: skip
    parser.add_argument("--min-duration", type=float, metavar="S", help="only songs of at least S seconds")
    parser.add_argument("--max-duration", type=float, metavar="S", help="only songs of at most S seconds")
    parser.add_argument("--n", type=int, default=10, help="how many songs (10)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--m3u", metavar="OUT", help="also write the songs as an M3U playlist (.m3u or .m3u8)"
    )
    parser.add_argument(
        "--absolute-paths",
        action="store_true",
        help="absolute paths in the M3U (default: relative to its folder)",
    )
    parser.add_argument(
        "--base-dir", metavar="DIR", help="the folder the library's relative paths start from (default: the "
        "library's folder when the song is there, else the current folder)",
    )  # fmt: skip
    parser.add_argument(
        "--index", choices=["exact", "ivf", "hnsw"], default="exact",
        help="embedding index for --like: exact (default) or an approximate one for huge libraries",
    )  # fmt: skip
    parser.add_argument(
        "--audio-encoder", metavar="MERT", help="the encoder that embeds a --like file outside the library "
        "(default: the one the library's records name; another is refused; for a library naming none, the "
        "default model's MERT)",
    )  # fmt: skip
    parser.add_argument("--device", help="where that encoder runs: cpu, cuda (default: cuda when available)")


def library_encoder(library, args) -> dict:
    """The encoder a ``--like`` file outside ``library`` is embedded with: the one its records name (one
    only: embeddings of two encoders cannot be compared), else ``--audio-encoder``, else the default model's
    MERT; ``--audio-encoder`` naming another encoder than the library's is refused."""
    from ..base.errors import LibraryError
    from ..collection.embeddings import default_encoder, describe_encoder, same_encoder
    from ..library.columns import embedding_encoders

    named = embedding_encoders(library.dataset.data.table)
    if len(named) > 1:
        raise LibraryError(
            f"The embeddings of {library.source} come from {len(named)} encoders ("
            + "; ".join(describe_encoder(encoder) for encoder in named[:3])
            + "): embeddings of two encoders cannot be compared. Accepted: a library embedded by one encoder "
            "(predict --embeddings --overwrite with one model)"
        )
    if not args.audio_encoder:
        return named[0] if named else default_encoder()
    asked = dict(named[0] if named else default_encoder())
    asked["name"] = _encoder_name(args.audio_encoder)
    if named and not same_encoder(asked, named[0]):
        raise LibraryError(
            f"--audio-encoder {args.audio_encoder} is not the encoder of the library's embeddings, "
            f"{describe_encoder(named[0])}: embeddings of two encoders cannot be compared. Accepted: "
            "--audio-encoder left out (the library's is used), or that encoder"
        )
    return asked


def _encoder_name(name: str) -> str:
    """An encoder's name as records hold it: a local folder as its absolute path, a Hub id as it is."""
    from ..collection.embeddings import identity

    return identity(name, (), 0.0)["name"]


def embed_audio_file(path: Path, args, encoder: dict | None = None):
    """The clip embedding of an audio file that is not in the library, to search with ``--like``: computed
    exactly as ``predict --embeddings`` computes the library's (the features of ``encoder``, default
    :func:`library_encoder`'s choice without a library: ``--audio-encoder`` or the default model's MERT, then
    the clip embedding the model reads, :func:`modeling.collection.embeddings.clip_embedding`); a
    ``(dim,)`` float32 array. Chords and key do not enter the embedding: the weightless ``dsp`` backend finds
    them."""
    from ..collection.embeddings import clip_embedding, default_encoder
    from ..music2emo.feature_extraction_music2emo import Music2EmoFeatureExtractor

    if encoder is None:
        encoder = dict(default_encoder())
        if getattr(args, "audio_encoder", None):
            encoder["name"] = _encoder_name(args.audio_encoder)
    extractor = Music2EmoFeatureExtractor(
        encoder["name"],
        layers=tuple(encoder["layers"]),
        segment_seconds=float(encoder["segment_seconds"]),
        chord_backend="dsp",
        key_method="profiles",
        device=getattr(args, "device", None),
    )
    return clip_embedding(extractor(str(path)))


def _path_ends(args) -> tuple[str, str] | None:
    from ..base.errors import InvalidInputError

    if args.playlist and (args.from_va or args.to_va):
        raise InvalidInputError("--playlist and --from-va/--to-va both set a path. Accepted: one of them")
    if bool(args.from_va) != bool(args.to_va):
        raise InvalidInputError("--from-va needs --to-va (and the other way round). Accepted: both, e.g. "
                                "--from-va 3,2 --to-va 8,8")  # fmt: skip
    if args.from_va:
        return args.from_va, args.to_va
    if not args.playlist:
        return None
    start, colon, end = args.playlist.partition(":")
    if not colon or not start.strip() or not end.strip():
        raise InvalidInputError(f"--playlist {args.playlist!r} is not START:END. Accepted: calm:energetic, Q3:Q1, "
                                "3,2:8,8, melancholic:uplifting")  # fmt: skip
    return start, end


def _clock(seconds) -> str:
    if seconds is None:
        return "  ?  "
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def _moods(song: dict) -> str:
    return ", ".join(f"{mood['label']} {mood['score']:.2f}" for mood in song["moods"][:3])


def format_table(songs: list[dict], playlist: bool = False) -> str:
    """The readable table the command prints: one line a song."""
    moods = [_moods(song) for song in songs]
    width = max([len("moods"), *map(len, moods)])
    first = " step  target V/A " if playlist else "   #  score "
    lines = [f"{first}  V    A   Q   time  {'moods':<{width}}  path"]
    for song, mood in zip(songs, moods):
        if playlist:
            lead = f"{song['step']:5d}  {song['target'][0]:4.1f} {song['target'][1]:4.1f}   "
        else:
            lead = f"{song['rank']:4d}  {song['score']:.3f} "
        clock = _clock(song["duration"])
        lines.append(
            f"{lead} {song['valence']:4.1f} {song['arousal']:4.1f}  {song['quadrant']}  {clock:>5}  "
            f"{mood:<{width}}  {song['path']}"
        )
    return "\n".join(lines)


def run(args) -> int:
    from ..base.errors import InvalidInputError
    from ..library import load_library

    ends = _path_ends(args)
    ranking = args.mood is not None or args.va is not None or args.like is not None
    if ends and (ranking or args.quadrant):
        raise InvalidInputError("--playlist (--from-va/--to-va) builds a path playlist; --mood, --va, --like and "
                                "--quadrant rank songs. Accepted: one or the other")  # fmt: skip
    if args.weight is not None and not ends:
        raise InvalidInputError(
            "--weight sets how playlist steps follow each other. Accepted: with --playlist"
        )
    if (args.audio_encoder or args.device) and args.like is None:
        raise InvalidInputError(
            "--audio-encoder and --device embed a --like file. Accepted: with --like FILE"
        )
    library = load_library(args.library, base_dir=args.base_dir, index=args.index)
    if library.unusable.total:
        print(f"{args.library}: {library.unusable.describe()}", file=sys.stderr)
    filters = {"min_duration": args.min_duration, "max_duration": args.max_duration}
    if ends:
        options = {} if args.weight is None else {"weight": args.weight}
        songs = library.playlist(ends[0], ends[1], args.n, **options, **filters)
        query = {"playlist": list(ends), **filters}
    elif ranking:
        like = None
        if args.like is not None:
            like_file = Path(args.like)
            if not like_file.is_file():
                raise InvalidInputError(f"--like {like_file} does not exist. Accepted: an audio file")
            encoder = library_encoder(library, args)  # also refuses a library of several encoders
            row = library.find(like_file)
            if row is not None:
                like = library.embedding(row)
            else:
                library.build_index()  # a library without embeddings is refused before the encoder loads
                like = embed_audio_file(like_file, args, encoder)
                if like.size != library.embedding_dim:
                    from ..base.errors import LibraryError
                    from ..collection.embeddings import describe_encoder

                    raise LibraryError(
                        f"{describe_encoder(encoder)} gives {like.size}-value embeddings but the library's have "
                        f"{library.embedding_dim}: they come from another encoder. Accepted: --audio-encoder naming "
                        "the encoder the library was embedded with"
                    )
        songs = library.search(
            mood=args.mood, va=args.va, like=like, n=args.n, quadrant=args.quadrant, **filters
        )
        query = {"mood": args.mood, "va": args.va, "like": args.like, "quadrant": args.quadrant, **filters}
    else:
        if args.m3u:
            raise InvalidInputError(
                "--m3u writes the songs a query found. Accepted: --mood, --va, --like or --playlist"
            )
        summary = library.summary()
        print(json.dumps(summary, indent=2) if args.json else _format_summary(summary), flush=True)
        return 0
    if args.json:
        print(json.dumps({"library": library.summary(), "query": query, "results": songs}, indent=2))
    else:
        print(format_table(songs, playlist=bool(ends)) if songs else "no song passes the filters")
    if args.m3u:
        written = library.write_m3u(songs, args.m3u, relative=not args.absolute_paths)
        missing = [song["file"] for song in songs if not Path(song["file"]).exists()]
        if missing:
            print(f"{len(missing)} of the songs are not where the library says (first: {missing[0]}); --base-dir "
                  "sets the folder its relative paths start from", file=sys.stderr)  # fmt: skip
        print(f"playlist: {written} ({len(songs)} songs)", file=sys.stderr if args.json else sys.stdout)
    return 0


def _format_summary(summary: dict) -> str:
    quadrants = ", ".join(f"{q} {count}" for q, count in summary["quadrants"].items())
    embeddings = (
        f"{summary['with_embedding']} with a {summary['embedding_dim']}-value embedding"
        if summary["embedding_dim"]
        else "no embeddings (--like needs predict --embeddings)"
    )
    return (
        f"{summary['library']}: {summary['songs']} songs, {summary['hours']} hours; {quadrants}; {embeddings}. "
        "Search with --mood, --va, --like or --playlist (emotune search --help)"
    )
