"""Chord and key recognition on FluidSynth renders of real scores (music21's corpus), against the scores.

    python benchmarks/real_music.py [--nottingham DIR] [--quick] [--part heldout|dev|all] [--cache-dir DIR]
        [--excerpt-seconds 30] [--sounds piano strings guitar] [--btc-model DIR] [--no-essentia] [--json FILE]
        [--write-split]

Every other accuracy figure of the chord backends comes from audio the project synthesized itself; this one
plays real music. Requirements beyond the package: ``pip install -r benchmarks/requirements-real-music.txt``
(Essentia, the peer; without it the peer is skipped and the run says so), FluidSynth and a General MIDI
soundfont (``make setup``).

**Pieces.** A fixed selection (:func:`select_pieces`, seeded) from the corpus music21 ships, and from the
Nottingham Music Database, in four sources:

* ``nottingham``: 150 tunes of the Nottingham Music Database (:data:`NOTTINGHAM_TUNES`), with the
  transcribers' chord symbols. music21's corpus holds only two of its tunes, so the database's ABC files
  are read from a folder: ``--nottingham DIR`` (or ``$EMOTUNE_NOTTINGHAM``), the ``ABC_cleaned`` folder of
  https://github.com/jukedeck/nottingham-dataset (GPL-3.0; not shipped with emotune). The tunes are taken
  in a seeded order, each judged as below, until 150 are accepted (:func:`nottingham_census`); the
  database's own chord notation (``Cd`` diminished, ``D/f+`` D over F sharp) is rewritten into figures
  music21 reads (:func:`nmd_chord_figure`), and optional chords in parentheses are left out. Without the
  folder the source is skipped, and the run says so. The SHA-256 of every file is written to the split
  file, and a run warns when its copy differs;

* ``chord-symbols``: every score of the corpus whose chord symbols music21 reads, name chords and cover it
  (:func:`chord_symbol_census`: every ABC tune of every folk collection and every MusicXML file with a
  ``<harmony>`` element is judged, and what is skipped is counted by reason and printed). That is the two
  Nottingham Music Database tunes of the corpus and its two lead sheets: Ryan's Mammoth, O'Neill's,
  Aird's Airs, the American fife tunes and Essen are melodies whose quoted text is fingerings, directions,
  dynamics (which music21 reads as chord symbols: ``"f"``) or section letters (``"A"``, ``"B"``). The
  symbols are realised as an accompaniment (a bass note on each strong beat, a close block chord on every
  beat, below the melody);
* ``renaissance``: Palestrina, Monteverdi (a seeded sample of each) and Lusitano;
* ``classical``: Beethoven, Mozart, Haydn, Schubert, Schumann (Robert and Clara), Chopin, Handel, Corelli,
  Verdi, Weber, Joplin, Beach, Liliuokalani, J. R. Johnson.

Bach (the chorales and all the rest, C. P. E. included) is left out of the selection altogether: it is kept
as an independent check for later. Atonal music (Schoenberg, Webern), the trecento pieces (modal two- and
three-voice writing with few triads, and Luca's Gloria), Josquin (stored as separate part-books, which music21
reads as one voice) and music21's test files are left out too.

Each piece is cut to its first ``--excerpt-seconds`` (30 s; the whole piece when shorter) at the score's own
tempo (120 quarters a minute where it names none), written to MIDI (every part one instrument, constant
velocity) and rendered with the project's FluidSynth renderer at 22,050 Hz in three General MIDI sounds:
acoustic grand piano (program 0), string ensemble (48) and nylon guitar (24); every non-drum instrument
takes the sound's program.

**References, from the score.**

* Chords: the chord symbols where the score has them (``chord-symbols``, ``nottingham``) (their full quality, bass dropped: ``Am/c`` is
  ``A:min``); else a chordify reduction of the excerpt: the excerpt cut at every note onset and offset (music21's
  ``chordify()`` spans, computed on the excerpt's notes), each span named by music21's ``Chord.root()`` and
  the third above it (``maj`` / ``min``); ``N`` where nothing sounds and ``X`` (mir_eval's unknown chord,
  left out of the scores, as mir_eval does) where notes sound but no third above the root can be named (open
  fifths, unisons); ``--unnamed N`` scores those spans as ``N`` instead. Consecutive equal labels merge.
* Key, two references, both of the whole score (not of the excerpt: an excerpt's last chord is
  mid-phrase): ``signature+final`` (:func:`signature_final_key`): the first key signature gives the major
  key and its relative minor, the root of the score's final sonority decides between them; with chord
  symbols the final sonority is the last symbol, and the melody's final note must be one of its tones (a
  lead sheet that ends on the dominant of a repeat has none). A piece whose final root is neither, modal
  music, has no such reference and counts only against the other; ``analysis``: music21's
  ``score.analyze('key')`` on all the notes of the whole score. Scores are read at sounding pitch (a
  B-flat clarinet part is stored a tone above what sounds). A third, a diagnostic beside the two the issue
  asks for: ``excerpt`` (:func:`excerpt_key`), the same analysis of what the excerpt sounds (its notes and
  the chord symbols' accompaniment, each pitch class weighted by its seconds): the key of the 30 s the
  audio holds, which separates what the audio methods miss from where an excerpt is in another key than
  its score.

**Scores.** mir_eval's ``root``, ``majmin``, ``mirex`` and ``sevenths`` chord comparisons (``sevenths``
means something only where the reference names sevenths: the chord-symbol sources; the chordify
references are triads), duration-weighted over the merged
intervals and pooled over the pieces of a cell (the weighted chord symbol recall of MIREX), and the MIREX
weighted key score (``mir_eval.key.weighted_score``), averaged over the pieces; per sound and per source.
Seconds per audio minute of each backend's chord recognition (and of each key method) on this machine.

**Backends.** ``dsp`` with its defaults, with dominant sevenths (``qualities=("maj", "min", "7")``) and with
the old behaviour (``method="templates"``: 24 triad templates on the plain constant-Q chroma), each with the key ``method`` s of :func:`modeling.chord_recognition.key.detect_key`
(the ``nnls`` ones also with ``chroma``, which reads the chroma their chords came from); ``btc``
(``load_chord_recognizer("btc")``) when its weights load: ``--btc-model DIR``, else ``BTC_CHORD_MODEL`` where
``modeling.hub.resolve_model`` finds it (installed, or on a reachable Hub; skipped with the reason
otherwise); the peer,
Essentia: ``ChordsDetection`` on HPCP frames (``Windowing`` → ``Spectrum`` → ``SpectralPeaks`` → ``HPCP``, the
parameters of Essentia's own tonal extractor) and ``KeyExtractor`` on the audio.

A last table repeats the unit check the older figures came from: random major/minor triads synthesized by the
project (``dataset_scripts.synthetic.audio.render_progression``), majmin per backend.

Pieces are rendered one MIDI channel per part, each note cut where the next note of the same pitch starts, with
an all-sound-off at the excerpt's end (FluidSynth renders until every voice is silent).

**Split.** The selected piece ids are split into a development part and a held-out part by a seeded shuffle
within each source (half each, the odd one to held-out), written to ``benchmarks/real_music_split.json``
(``--write-split``; a run checks the selection against it). Every setting of the dsp backend was tuned on the
development part only; the figures quoted for targets are the held-out part's.

Renders and references are cached under ``--cache-dir`` (a temporary folder's ``emotune-real-music`` by
default), so reruns skip music21 and FluidSynth.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEED = 23
SAMPLING_RATE = 22050
SOUNDS = {"piano": 0, "strings": 48, "guitar": 24}
"""Sound name -> General MIDI program."""
SPLIT_FILE = Path(__file__).with_name("real_music_split.json")
CACHE_VERSION = "1"
"""Of the renders."""
PIECE_VERSION = "2"
"""Of the cached references (2: the chord-symbol check of the key reference, chord-name symbols only,
scores at sounding pitch)."""
CENSUS_VERSION = "2"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "emotune-real-music"
SOURCES = ("chord-symbols", "nottingham", "renaissance", "classical")
CHORD_SYMBOL_SOURCES = ("chord-symbols", "nottingham")
"""Sources whose references are the scores' chord symbols, played as an accompaniment."""
NOTTINGHAM_TUNES = 150
"""Chord-symbol tunes sampled (seeded) from the Nottingham Music Database, when ``--nottingham`` names it."""
NOTTINGHAM_ENV = "EMOTUNE_NOTTINGHAM"
"""The environment variable ``--nottingham`` defaults to."""
RENAISSANCE = {"palestrina": 45, "monteverdi": 35, "lusitano": None}
"""Composer folder -> how many pieces to sample (None: all)."""
CLASSICAL = ("beethoven", "mozart", "haydn", "schubert", "schumann_robert", "schumann_clara", "chopin", "handel",
             "corelli", "verdi", "weber", "joplin", "beach", "liliuokalani", "johnson_j_r")  # fmt: skip
SCORE_SUFFIXES = (".mxl", ".xml", ".musicxml", ".krn", ".abc")
QUICK_PIECES = 4
"""Pieces per source and part with ``--quick``."""


# --------------------------------------------------------------------------------------------- selection


def _corpus_relative(path) -> str:
    return str(path).split("/corpus/", 1)[1]


def select_pieces(
    seed: int = SEED, census: dict | None = None, nottingham: dict | None = None
) -> dict[str, list[str]]:
    """The fixed selection: source -> sorted piece ids (corpus-relative paths, ``#N`` for a tune of an opus;
    ``nottingham/FILE#N`` for a tune of the Nottingham Music Database).

    ``census``: :func:`chord_symbol_census`'s result (run here when not given); its accepted tunes are the
    ``chord-symbols`` source. ``nottingham``: :func:`nottingham_census`'s result, whose accepted tunes are
    the ``nottingham`` source (left out when ``None``: the database is not part of music21's corpus)."""
    from music21 import corpus

    if census is None:
        census = chord_symbol_census()
    by_folder: dict[str, list[str]] = defaultdict(list)
    for path in corpus.getCorePaths():
        relative = _corpus_relative(path)
        if relative.endswith(SCORE_SUFFIXES):
            by_folder[relative.split("/", 1)[0]].append(relative)
    rng = random.Random(seed)
    renaissance = []
    for folder, count in RENAISSANCE.items():
        files = _prefer_musicxml(sorted(by_folder[folder]))
        renaissance += sorted(rng.sample(files, count)) if count and count < len(files) else files
    classical = [p for folder in CLASSICAL for p in _prefer_musicxml(sorted(by_folder[folder]))]
    chord_symbols = sorted(piece for piece, verdict in census["tunes"].items() if verdict == ACCEPTED)
    selection = {"chord-symbols": chord_symbols, "renaissance": sorted(renaissance),
                 "classical": sorted(classical)}  # fmt: skip
    if nottingham is not None:
        selection["nottingham"] = sorted(
            t for t, verdict in nottingham["tunes"].items() if verdict == ACCEPTED
        )
    selection = {source: selection[source] for source in SOURCES if source in selection}
    assert not any("bach" in piece.lower() for pieces in selection.values() for piece in pieces)
    return selection


# --------------------------------------------------------------------------------------------- chord-symbol census

ACCEPTED = "accepted"
MIN_CHORD_SYMBOLS = 8
"""A chord-symbol tune needs at least this many chord symbols that name chords ..."""
MAX_SYMBOL_GAP_BARS = 8.0
"""... and no stretch longer than this many bars without one (from the first bar to the end of the score)."""
NOT_PIECES = ("demos/", "theoryExercises/")
"""music21's demonstration and exercise files: chord symbols, but not pieces of music."""
_ABC_FIELD = re.compile(r"^[A-Za-z+]:")


def _abc_tune_texts(text: str) -> list[tuple[int, str]]:
    """(``X:`` number, the tune's text from its ``X:`` line on) for every tune of an ABC file."""
    tunes = []
    for tune in re.split(r"(?m)^(?=X:)", text):
        match = re.match(r"X:\s*(\d+)", tune)
        if match is not None:
            tunes.append((int(match.group(1)), tune))
    return tunes


def _abc_tunes(text: str) -> list[tuple[int, bool]]:
    """(``X:`` number, whether its body holds a quoted string) for every tune of an ABC file. music21's ABC
    reader makes chord symbols only from quoted strings, so a tune without one has none (its melody alone)."""
    tunes = []
    for number, tune in _abc_tune_texts(text):
        body = [line.split("%", 1)[0] for line in tune.splitlines() if not _ABC_FIELD.match(line)]
        tunes.append((number, any('"' in line for line in body)))
    return tunes


def _musicxml_has_harmony(path: Path) -> bool:
    """Whether a MusicXML file (``.mxl`` compressed or plain) holds a ``<harmony>`` element (a chord symbol)."""
    import zipfile

    if path.suffix == ".mxl":
        with zipfile.ZipFile(path) as archive:
            return any(
                b"<harmony" in archive.read(name) for name in archive.namelist() if name.endswith(".xml")
            )
    return b"<harmony" in path.read_bytes()


def chord_name_symbols(score) -> tuple[list, list[str]]:
    """The score's chord symbols that name a chord, sorted by offset, and the figures of those that do not.

    music21 reads every quoted ABC string that parses as a chord as a ``ChordSymbol``: in the folk
    collections these are dynamics and fingerings (``"f"``, ``"e"``) or section letters (``"A"``, ``"B"``).
    A chord name starts with a capital A-G and has a root and a third or fifth music21 can spell."""
    from music21 import harmony

    named, rejected = [], []
    for symbol in score.recurse().getElementsByClass(harmony.ChordSymbol):
        figure = symbol.figure or ""
        try:
            ok = bool(re.match(r"[A-G]", figure)) and symbol.root() is not None and len(symbol.pitches) >= 2
            _chord_symbol_label(symbol)
        except Exception:  # a figure music21 cannot spell
            ok = False
        (named if ok else rejected).append(symbol if ok else figure)
    named.sort(key=lambda s: float(s.getOffsetInHierarchy(score)))
    return named, rejected


def chord_symbol_verdict(score) -> str:
    """:data:`ACCEPTED`, or why the score is not a chord-symbol tune (its chord symbols too few, not chord
    names, or not covering it: see :data:`MIN_CHORD_SYMBOLS`, :data:`MAX_SYMBOL_GAP_BARS`)."""
    named, rejected = chord_name_symbols(score)
    if not named and not rejected:
        return "no chord symbols: its quoted text, if any, is fingerings or directions"
    if not named:
        return f"chord symbols that are not chord names: {', '.join(sorted(set(rejected))[:4])}"
    if len(named) < MIN_CHORD_SYMBOLS:
        return f"too few chord symbols: {len(named)} < {MIN_CHORD_SYMBOLS}"
    signatures = list(score.recurse().getElementsByClass("TimeSignature"))
    bar = float(signatures[0].barDuration.quarterLength) if signatures else 4.0
    offsets = [float(s.getOffsetInHierarchy(score)) for s in named]
    gaps = np.diff([0.0, *offsets, float(score.highestTime)])
    longest = float(gaps.max()) / bar
    if longest > MAX_SYMBOL_GAP_BARS:
        return (
            f"chord symbols do not cover the score: {longest:.1f} bars without one > {MAX_SYMBOL_GAP_BARS:g}"
        )
    return ACCEPTED


def chord_symbol_census(cache_dir: Path | None = None, log=print) -> dict:
    """Every score of music21's corpus that could carry chord symbols, with a verdict each.

    ABC files are read tune by tune: a tune with no quoted string in its body is a bare melody (counted, not
    parsed); the others are parsed and judged by :func:`chord_symbol_verdict`, as are the MusicXML files
    with a ``<harmony>`` element (no Humdrum file of the corpus has a harmony spine). Bach is left out and
    music21's demonstration files are counted as such. The result (``{"music21": version, "tunes": {id:
    verdict}, "melody_only": {folder: count}}``) is cached under ``cache_dir`` (first run: one to two minutes).
    """
    import music21
    from music21 import corpus

    cache_dir = cache_dir or DEFAULT_CACHE
    settings = f"min{MIN_CHORD_SYMBOLS}-gap{MAX_SYMBOL_GAP_BARS:g}"
    path = cache_dir / f"chord-symbol-census-m21-{music21.__version__}-{settings}-v{CENSUS_VERSION}.json"
    if path.is_file():
        return json.loads(path.read_text())
    started = time.perf_counter()
    tunes: dict[str, str] = {}
    melody_only: dict[str, int] = defaultdict(int)
    for file in sorted(corpus.getCorePaths(), key=str):
        relative = _corpus_relative(file)
        if "bach" in relative.lower():
            continue
        if relative.endswith(".abc"):
            text = Path(file).read_text(encoding="utf-8", errors="replace")
            for number, quoted in _abc_tunes(text):
                if not quoted:
                    melody_only[relative.split("/", 1)[0]] += 1
                    continue
                piece_id = f"{relative}#{number}"
                try:
                    tunes[piece_id] = chord_symbol_verdict(corpus.parse(relative, number=number))
                except Exception as error:  # reported as the reason
                    tunes[piece_id] = f"music21 cannot read it: {type(error).__name__}"
        elif relative.endswith((".mxl", ".xml", ".musicxml")) and _musicxml_has_harmony(Path(file)):
            if relative.startswith(NOT_PIECES):
                tunes[relative] = "a music21 demonstration or exercise file: not a piece"
                continue
            tunes[relative] = chord_symbol_verdict(corpus.parse(relative))
    census = {"music21": music21.__version__, "tunes": dict(sorted(tunes.items())),
              "melody_only": dict(sorted(melody_only.items()))}  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(census, indent=1))
    log(f"chord-symbol census: {len(tunes)} scores parsed in {time.perf_counter() - started:.0f} s")
    return census


def census_summary(census: dict) -> str:
    """Markdown: per corpus folder, the scores scanned, accepted, and skipped by reason."""
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for folder, count in census["melody_only"].items():
        rows[folder]["no quoted text, melody only (not parsed)"] += count
    for piece, verdict in census["tunes"].items():
        reason = verdict.split(":", 1)[0]
        rows[piece.split("/", 1)[0]][reason] += 1
    lines = ["| corpus folder | scores | chord-symbol tunes | skipped: why (count) |", "|---|---|---|---|"]
    for folder, reasons in sorted(rows.items()):
        accepted = reasons.get(ACCEPTED, 0)
        skipped = "; ".join(
            f"{r} ({n})" for r, n in sorted(reasons.items(), key=lambda x: -x[1]) if r != ACCEPTED
        )
        lines.append(f"| {folder} | {sum(reasons.values())} | {accepted} | {skipped or '-'} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- the Nottingham Music Database

_NMD_CHORD = re.compile(r"([A-G])([#b]?)([^/]*?)(?:/([a-gA-G])([+#b]?))?")
_NMD_QUALITIES = {"d": "dim", "d7": "dim7", "a": "aug", "a7": "+7"}


def nmd_chord_figure(text: str) -> str | None:
    """A Nottingham Music Database chord (the cleaned release's notation) as a figure music21 reads, or
    ``None`` for an optional chord in parentheses and for text that is not a chord.

    The database writes ``Cd`` for C diminished, ``Ca`` for C augmented, and the bass after a slash in
    lower case with ``+`` for sharp and ``b`` for flat (``D/f+`` is D over F sharp, ``Gm/bb`` G minor over
    B flat); music21 reads ``+`` as augmented and ``/bb`` not at all, so the figures are rewritten
    (``D/F#``, ``Gm/B-``, ``Cdim``)."""
    match = _NMD_CHORD.fullmatch(text.strip())
    if match is None:
        return None
    root, accidental, quality, bass, bass_accidental = match.groups()
    figure = root + accidental.replace("b", "-") + _NMD_QUALITIES.get(quality, quality)
    if bass:
        figure += "/" + bass.upper() + {"+": "#", "#": "#", "b": "-"}.get(bass_accidental or "", "")
    return figure


def nottingham_tunes(folder: Path) -> list[str]:
    """Every tune of the database's ABC files in ``folder``, as piece ids ``nottingham/FILE#N``."""
    files = sorted(folder.glob("*.abc"))
    if not files:
        raise FileNotFoundError(f"{folder}: no .abc files (expected the database's ABC_cleaned folder)")
    return [f"nottingham/{file.name}#{number}" for file in files
            for number, _ in _abc_tunes(file.read_text(encoding="utf-8", errors="replace"))]  # fmt: skip


def nottingham_tune_text(folder: Path, piece_id: str) -> str:
    """One tune's ABC text, its chords rewritten by :func:`nmd_chord_figure` (optional chords dropped)."""
    name, _, number = piece_id.removeprefix("nottingham/").partition("#")
    text = (folder / name).read_text(encoding="utf-8", errors="replace")
    tune = next((tune for found, tune in _abc_tune_texts(text) if found == int(number)), None)
    if tune is None:
        raise KeyError(f"{piece_id}: no tune X:{number} in {folder / name}")

    def rewrite(quoted: re.Match) -> str:
        figure = nmd_chord_figure(quoted.group(1))
        return "" if figure is None else f'"{figure}"'

    lines = [
        line if _ABC_FIELD.match(line) else re.sub(r'"([^"]*)"', rewrite, line) for line in tune.splitlines()
    ]
    return "\n".join(lines) + "\n"


def nottingham_census(
    folder: Path, cache_dir: Path | None = None, seed: int = SEED, count: int = NOTTINGHAM_TUNES
) -> dict:
    """The ``nottingham`` source: the database's tunes in a seeded order, judged by
    :func:`chord_symbol_verdict` one by one until ``count`` are accepted. The result (``{"files": {name:
    sha256}, "tunes": {id: verdict}}``, the judged tunes only) is cached under ``cache_dir``."""
    from music21 import converter

    files = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.glob("*.abc"))}
    digest = hashlib.sha1(json.dumps(files, sort_keys=True).encode()).hexdigest()[:10]
    path = (
        cache_dir or DEFAULT_CACHE
    ) / f"nottingham-census-{digest}-seed{seed}-n{count}-v{CENSUS_VERSION}.json"
    if path.is_file():
        return json.loads(path.read_text())
    order = nottingham_tunes(folder)
    random.Random(f"{seed}:nottingham").shuffle(order)
    tunes: dict[str, str] = {}
    for piece_id in order:
        try:
            score = converter.parse(nottingham_tune_text(folder, piece_id), format="abc")
            tunes[piece_id] = chord_symbol_verdict(score)
        except Exception as error:  # reported as the reason
            tunes[piece_id] = f"music21 cannot read it: {type(error).__name__}"
        if sum(v == ACCEPTED for v in tunes.values()) == count:
            break
    census = {"files": files, "tunes": dict(sorted(tunes.items()))}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(census, indent=1))
    return census


def parse_score(piece_id: str, nottingham: Path | None = None):
    """The music21 score of a piece id (a corpus path, ``#N`` for a tune of an opus, or a Nottingham tune,
    read from the folder ``nottingham``)."""
    from music21 import converter, corpus

    if piece_id.startswith("nottingham/"):
        if nottingham is None:
            raise FileNotFoundError(f"{piece_id}: the Nottingham Music Database is not given (--nottingham)")
        return converter.parse(nottingham_tune_text(nottingham, piece_id), format="abc")
    path, _, number = piece_id.partition("#")
    return corpus.parse(path, number=int(number)) if number else corpus.parse(path)


def nottingham_summary(census: dict) -> str:
    """One line: the Nottingham tunes judged, accepted, and skipped by reason."""
    reasons: dict[str, int] = defaultdict(int)
    for verdict in census["tunes"].values():
        if verdict != ACCEPTED:
            reasons[verdict.split(":", 1)[0]] += 1
    accepted = sum(v == ACCEPTED for v in census["tunes"].values())
    skipped = "; ".join(f"{r} ({n})" for r, n in sorted(reasons.items(), key=lambda x: -x[1])) or "none"
    return f"nottingham: {len(census['tunes'])} tunes judged in the seeded order, {accepted} accepted; skipped: {skipped}"


def _prefer_musicxml(files: list[str]) -> list[str]:
    """One file per work: the MusicXML when the same work is also stored as Humdrum."""
    stems = {f.rsplit(".", 1)[0] for f in files if f.endswith((".mxl", ".xml", ".musicxml"))}
    return [f for f in files if not (f.endswith(".krn") and f.rsplit(".", 1)[0] in stems)]


def split_pieces(selection: dict[str, list[str]], seed: int = SEED) -> dict[str, dict[str, list[str]]]:
    """Development and held-out parts: a seeded shuffle within each source, the first half (rounded down)
    to development."""
    split = {"dev": {}, "heldout": {}}
    for source, pieces in selection.items():
        shuffled = sorted(pieces)
        random.Random(f"{seed}:{source}").shuffle(shuffled)
        half = len(shuffled) // 2
        split["dev"][source], split["heldout"][source] = sorted(shuffled[:half]), sorted(shuffled[half:])
    return split


# --------------------------------------------------------------------------------------------- references


@dataclass
class Piece:
    """One excerpt: its MIDI notes (seconds), its references, its source."""

    piece_id: str
    source: str
    duration: float
    notes: list[tuple[float, float, int, int]]
    """(start s, end s, MIDI pitch, part index)."""
    accompaniment: list[tuple[float, float, int]]
    """Notes realising the chord symbols (start s, end s, MIDI pitch); empty for the other sources."""
    chords: list[tuple[float, float, str]]
    """Reference chord segments (Harte labels, ``N``, ``X``)."""
    key_signature_final: str | None
    key_analysis: str
    key_reference_note: str = ""
    """Why ``key_signature_final`` is ``None`` (empty when it is not)."""

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _slug(piece_id: str) -> str:
    return piece_id.replace("/", "__").replace("#", "_n")


def _seconds_map(score):
    """A function from quarter-note offsets to seconds, after the score's metronome marks (120 by default)."""
    boundaries = [
        (start, end, mark.secondsPerQuarter()) for start, end, mark in score.metronomeMarkBoundaries()
    ]
    boundaries = [b for b in boundaries if b[1] > b[0]] or [(0.0, float("inf"), 0.5)]

    def seconds(offset: float) -> float:
        total = 0.0
        for start, end, per_quarter in boundaries:
            if offset <= start:
                break
            total += (min(offset, end) - start) * per_quarter
        if offset > boundaries[-1][1]:
            total += (offset - boundaries[-1][1]) * boundaries[-1][2]
        return total

    return seconds


_KINDS = {"major": "maj", "minor": "min", "dominant-seventh": "7", "dominant": "7", "major-seventh": "maj7",
          "minor-seventh": "min7", "diminished": "dim", "diminished-seventh": "dim7", "augmented": "aug",
          "half-diminished-seventh": "hdim7", "half-diminished": "hdim7", "major-sixth": "maj6",
          "minor-sixth": "min6", "suspended-fourth": "sus4", "suspended-second": "sus2", "dominant-ninth": "9",
          "major-ninth": "maj9", "minor-ninth": "min9", "power": "5"}  # fmt: skip


def _chord_symbol_label(symbol) -> str:
    from modeling.vocabularies.chords.vocabulary import PITCH_CLASSES

    root = PITCH_CLASSES[symbol.root().pitchClass]
    kind = _KINDS.get(symbol.chordKind)
    if kind is None:  # name it by its third
        third = symbol.third
        kind = (
            "min" if third is not None and (third.pitchClass - symbol.root().pitchClass) % 12 == 3 else "maj"
        )
    return f"{root}:{kind}"


def _triad_label(pitches: frozenset[int], unnamed: str, cache: dict) -> str:
    """``root:maj`` / ``root:min`` of a chordify span (MIDI pitches) by music21's root and third, else ``unnamed``."""
    if not pitches:
        return "N"
    if pitches not in cache:
        from music21 import chord

        from modeling.vocabularies.chords.vocabulary import PITCH_CLASSES

        sonority = chord.Chord(sorted(pitches))
        root = sonority.root().pitchClass
        classes = {p % 12 for p in pitches}
        if (root + 4) % 12 in classes and (root + 3) % 12 not in classes:
            cache[pitches] = f"{PITCH_CLASSES[root]}:maj"
        elif (root + 3) % 12 in classes and (root + 4) % 12 not in classes:
            cache[pitches] = f"{PITCH_CLASSES[root]}:min"
        else:
            cache[pitches] = unnamed
    return cache[pitches]


def _merge(segments: list[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    merged: list[tuple[float, float, str]] = []
    for start, end, label in segments:
        if end - start <= 1e-6:
            continue
        if merged and merged[-1][2] == label and abs(merged[-1][1] - start) < 1e-6:
            merged[-1] = (merged[-1][0], end, label)
        else:
            merged.append((start, end, label))
    return merged


def chordify_reference(notes, duration: float, unnamed: str = "X") -> list[tuple[float, float, str]]:
    """Chordify spans of ``notes`` ((start, end, pitch, ...) in seconds) up to ``duration``, named by root and third."""
    times = sorted({0.0, duration, *(t for n in notes for t in n[:2] if t < duration)})
    starts = np.array([n[0] for n in notes])
    ends = np.array([n[1] for n in notes])
    pitches = np.array([n[2] for n in notes])
    cache: dict = {}
    segments = []
    for start, end in itertools.pairwise(times):
        middle = (start + end) / 2
        sounding = frozenset(pitches[(starts <= middle) & (ends > middle)].tolist())
        segments.append((start, end, _triad_label(sounding, unnamed, cache)))
    return _merge(segments)


def _part_notes(part, index: int) -> list[tuple[float, float, int, int]]:
    """(start q, end q, MIDI pitch, ``index``) of a part's notes, tied notes joined (music21's
    ``stripTies`` does the same, far more slowly on long scores)."""
    from music21 import chord, harmony, note

    notes: list[list] = []
    open_ties: dict[int, int] = {}  # pitch -> position in notes of the note its tie continues
    for element in part.flatten().notes:
        if isinstance(element, harmony.ChordSymbol) or element.duration.quarterLength <= 0:
            continue
        if isinstance(element, note.Note):
            members = [element]
        elif isinstance(element, chord.Chord):
            members = list(element.notes)
        else:
            continue
        start = float(element.offset)
        end = start + float(element.duration.quarterLength)
        for member in members:
            pitch = member.pitch.midi
            tie = member.tie or element.tie
            kind = tie.type if tie is not None else None
            previous = open_ties.get(pitch)
            if (
                kind in ("continue", "stop")
                and previous is not None
                and abs(notes[previous][1] - start) < 1e-6
            ):
                notes[previous][1] = end
            else:
                notes.append([start, end, pitch, index])
                previous = len(notes) - 1
            if kind in ("start", "continue"):
                open_ties[pitch] = previous
            else:
                open_ties.pop(pitch, None)
    return [tuple(n) for n in notes]


def _key_name(tonic_pc: int, mode: str) -> str:
    from modeling.vocabularies.chords.vocabulary import PITCH_CLASSES

    return f"{PITCH_CLASSES[tonic_pc % 12]} {mode}"


def excerpt_key(piece: Piece) -> str:
    """music21's key analysis (``analyze('key')``, as for ``key_analysis``) of what ``piece``'s excerpt
    sounds: each pitch class weighted by its seconds over the notes and the accompaniment (to a sixteenth
    of a second; the analysis weighs pitch classes by duration alone)."""
    from music21 import note, stream

    seconds = [0.0] * 12
    for start, end, pitch, *_ in [*piece.notes, *piece.accompaniment]:
        seconds[pitch % 12] += end - start
    histogram = stream.Stream()
    for pitch_class, total in enumerate(seconds):
        if round(total * 16) > 0:
            histogram.append(note.Note(60 + pitch_class, quarterLength=round(total * 16) / 16))
    analysed = histogram.analyze("key")
    return _key_name(analysed.tonic.pitchClass, analysed.mode)


def signature_final_key(score, all_notes, symbols=()) -> tuple[str | None, str]:
    """The ``signature+final`` key reference of a whole score, or ``None`` and why there is none.

    The first key signature names a major key and its relative minor; the root of the score's final
    sonority (what sounds at the last onset of a note that lasts to the end of the whole score, not of the
    excerpt) decides between them. With chord symbols (``symbols``, sorted) the final sonority is the last
    symbol, and the melody's final note must be one of its chord tones (a lead sheet whose last symbol is
    the dominant of a repeat, under a tonic melody note, has no reference). A final root that is neither
    the major tonic nor the relative minor's (modal music) gives none.

    Args:
        score: the parsed music21 score.
        all_notes: ``(start q, end q, MIDI pitch, part)`` of every note of the score (quarter notes).
        symbols: its chord symbols that name chords, in score order (empty for the other sources).
    """
    from music21 import chord, key

    signatures = list(score.recurse().getElementsByClass(key.KeySignature))
    if not signatures:
        return None, "no key signature"
    last = max(n[1] for n in all_notes)  # quarters
    final_onset = max(n[0] for n in all_notes if n[1] >= last - 1e-6)
    sounding = sorted({n[2] for n in all_notes if n[0] <= final_onset + 1e-6 and n[1] > final_onset + 1e-6})
    if symbols:
        root = symbols[-1].root().pitchClass
        chord_tones = {p.pitchClass for p in symbols[-1].pitches}
        if not {p % 12 for p in sounding} <= chord_tones:
            return (
                None,
                f"the melody's final note is not a tone of the last chord symbol ({symbols[-1].figure})",
            )
    else:
        root = chord.Chord(sounding).root().pitchClass
    major = (7 * signatures[0].sharps) % 12
    if root == major:
        return _key_name(major, "major"), ""
    if root == (major - 3) % 12:
        return _key_name(major - 3, "minor"), ""
    return None, "the final root is neither the signature's major tonic nor its relative minor's (modal)"


def _at_sounding_pitch(score):
    """The score at sounding pitch: a transposing instrument's part (a B-flat clarinet) is stored as written,
    a tone above what sounds, with its own key signature."""
    parts = list(getattr(score, "parts", []))
    transposed = [
        p
        for p in parts
        if p.atSoundingPitch is False and getattr(p.getInstrument(), "transposition", None) is not None
    ]
    return score.toSoundingPitch() if transposed else score


def build_piece(piece_id: str, source: str, excerpt_seconds: float, nottingham: Path | None = None) -> Piece:
    """Parse one score and make its excerpt's notes and references (see the module docstring)."""
    score = _at_sounding_pitch(parse_score(piece_id, nottingham))
    seconds = _seconds_map(score)
    parts = list(getattr(score, "parts", [])) or [score]
    all_notes = []  # (start q, end q, pitch, part)
    for index, part in enumerate(parts):
        all_notes += _part_notes(part, index)
    notes = []
    for start_q, end_q, pitch, index in all_notes:
        start, end = seconds(start_q), seconds(end_q)
        if start < excerpt_seconds:
            notes.append((start, min(end, excerpt_seconds), pitch, index))
    if not notes:
        raise ValueError(f"{piece_id}: no notes")
    duration = min(excerpt_seconds, max(n[1] for n in notes))
    symbols = chord_name_symbols(score)[0] if source in CHORD_SYMBOL_SOURCES else []
    key_signature_final, key_reference_note = signature_final_key(score, all_notes, symbols)
    analysed = score.analyze("key")
    key_analysis = _key_name(analysed.tonic.pitchClass, analysed.mode)
    accompaniment, chords = [], []
    if source in CHORD_SYMBOL_SOURCES and symbols:
        time_signatures = list(score.recurse().getElementsByClass("TimeSignature"))
        beat = float(time_signatures[0].beatDuration.quarterLength) if time_signatures else 1.0
        end_q = score.highestTime
        offsets = [float(s.getOffsetInHierarchy(score)) for s in symbols] + [end_q]
        for symbol, start_q, stop_q in zip(symbols, offsets[:-1], offsets[1:]):
            start, stop = seconds(start_q), min(seconds(stop_q), duration)
            if start >= duration or stop <= start:
                continue
            chords.append((start, stop, _chord_symbol_label(symbol)))
            accompaniment += _accompaniment(symbol, start_q, stop_q, beat, seconds, duration)
        if chords and chords[0][0] > 0:
            chords.insert(0, (0.0, chords[0][0], "N"))
        chords = _merge(chords)
    else:
        chords = chordify_reference(notes, duration)
    return Piece(piece_id, source, duration, notes, accompaniment, chords, key_signature_final, key_analysis,
                 key_reference_note)  # fmt: skip


def _accompaniment(symbol, start_q, stop_q, beat, seconds, duration) -> list[tuple[float, float, int]]:
    """A bass note (36..47) at the start of the symbol and on every second beat, a close block chord
    (52..63) on every beat, each lasting 90 % of its beat."""
    bass_pc = symbol.bass().pitchClass
    chord_pcs = sorted({p.pitchClass for p in symbol.pitches})
    block = sorted(52 + (pc - 4) % 12 for pc in chord_pcs)
    notes = []
    position, index = start_q, 0
    while position < stop_q - 1e-6:
        length = min(beat, stop_q - position)
        start, end = seconds(position), min(seconds(position + 0.9 * length), duration)
        if start >= duration:
            break
        if index % 2 == 0:
            notes.append((start, end, 36 + bass_pc))
        notes += [(start, end, pitch) for pitch in block]
        position += beat
        index += 1
    return notes


def load_piece(
    piece_id: str, source: str, excerpt_seconds: float, cache_dir: Path, nottingham: Path | None = None
) -> Piece:
    """:func:`build_piece`, cached as JSON under ``cache_dir``."""
    path = cache_dir / "pieces" / f"{_slug(piece_id)}-{excerpt_seconds:g}s-v{PIECE_VERSION}.json"
    if path.is_file():
        data = json.loads(path.read_text())
        return Piece(**{k: [tuple(x) for x in v] if isinstance(v, list) else v for k, v in data.items()})
    piece = build_piece(piece_id, source, excerpt_seconds, nottingham)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(piece.to_dict()))
    return piece


# --------------------------------------------------------------------------------------------- rendering


def piece_midi(piece: Piece, program: int):
    """The excerpt as a ``pretty_midi.PrettyMIDI``: one instrument per part (and one for the accompaniment),
    every one with ``program``, velocity 80 (accompaniment 64)."""
    import pretty_midi

    midi = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    parts: dict[int, list] = defaultdict(list)
    for start, end, pitch, part in piece.notes:
        parts[int(part)].append(pretty_midi.Note(velocity=80, pitch=int(pitch), start=start, end=end))
    if piece.accompaniment:
        parts[len(parts) + 1000] = [pretty_midi.Note(velocity=64, pitch=int(p), start=s, end=e) for s, e, p in piece.accompaniment]  # fmt: skip
    for notes in parts.values():
        instrument = pretty_midi.Instrument(program=program)
        instrument.notes = _without_overlaps(notes)
        midi.instruments.append(instrument)
    for instrument in midi.instruments:  # every non-drum instrument takes the sound
        if not instrument.is_drum:
            instrument.program = program
        # all sound off, all notes off at the end: FluidSynth renders until every voice is silent
        instrument.control_changes += [pretty_midi.ControlChange(n, 0, piece.duration) for n in (120, 123)]
    return midi


def _without_overlaps(notes: list) -> list:
    """The notes, each cut where the next note of the same pitch starts (one channel cannot hold two: a
    note-off would end both, and a sustained sound such as the strings would ring on to the end of the
    render; FluidSynth renders until every voice is silent), empty notes dropped."""
    by_pitch: dict[int, list] = defaultdict(list)
    for note in sorted(notes, key=lambda n: (n.start, n.end)):
        by_pitch[note.pitch].append(note)
    kept = []
    for same in by_pitch.values():
        for note, following in zip(same, [*same[1:], None], strict=True):
            if following is not None:
                note.end = min(note.end, following.start)
            if note.end - note.start > 1e-4:
                kept.append(note)
    return sorted(kept, key=lambda n: (n.start, n.pitch))


def _render_midi(midi, output: Path, duration: float) -> None:
    """The project's FluidSynth renderer (the benchmark's one use of it)."""
    from modeling.media.rendering import render_midi

    render_midi(midi, output, sampling_rate=SAMPLING_RATE, duration=duration)


def load_audio(piece: Piece, sound: str, cache_dir: Path) -> np.ndarray:
    """The mono render (float32 at :data:`SAMPLING_RATE`) of ``piece`` in ``sound``, cached as FLAC."""
    import soundfile

    digest = hashlib.sha1(json.dumps([piece.notes, piece.accompaniment]).encode()).hexdigest()[:8]
    path = cache_dir / "renders" / sound / f"{_slug(piece.piece_id)}-{digest}-v{CACHE_VERSION}.flac"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        _render_midi(piece_midi(piece, SOUNDS[sound]), path, piece.duration)
    wave, rate = soundfile.read(path, dtype="float32", always_2d=True)
    assert rate == SAMPLING_RATE
    return wave.mean(axis=1)


# --------------------------------------------------------------------------------------------- backends


class DSPBackend:
    """The dsp recogniser with given constructor arguments; keys by :func:`detect_key`'s methods (``chroma``
    reads the chroma the chords were decoded from: its seconds are the key step's alone)."""

    def __init__(self, name: str, key_methods: tuple[str, ...], **kwargs):
        from modeling.chord_recognition.dsp import DSPChordRecognizer

        self.name, self.key_methods = name, key_methods
        self.recognizer = DSPChordRecognizer(**kwargs)
        self._analysis = None

    def chords(self, wave: np.ndarray) -> list[tuple[float, float, str]]:
        self._analysis = self.recognizer.analyse(wave, SAMPLING_RATE)
        return [(c.start, c.end, c.label) for c in self._analysis.chords]

    def keys(self, wave: np.ndarray, chords) -> dict[str, tuple[str, float]]:
        from modeling.chord_recognition.key import detect_key
        from modeling.vocabularies.chords import TimedChord

        timed = [TimedChord(*c) for c in chords]
        chroma, frame_seconds = self._analysis.chroma, self._analysis.frame_seconds
        out = {}
        for method in self.key_methods:
            start = time.perf_counter()
            key = detect_key(timed, method, chroma=chroma, frame_seconds=frame_seconds)
            out[method] = (key.name, time.perf_counter() - start)
        return out


class EssentiaBackend:
    """Essentia's chord pipeline (HPCP frames -> ``ChordsDetection``) and ``KeyExtractor``."""

    name = "essentia"
    key_methods = ("KeyExtractor",)
    frame_size, hop_size = 2048, 1024
    """At 22,050 Hz: the tonal extractor's 4096/2048 at 44,100 Hz, the same window in seconds."""

    def __init__(self):
        import essentia.standard as es

        rate = float(SAMPLING_RATE)
        self.window = es.Windowing(type="blackmanharris62")
        self.spectrum = es.Spectrum()
        self.peaks = es.SpectralPeaks(orderBy="magnitude", magnitudeThreshold=0.00001, minFrequency=40,
                                      maxFrequency=5000, maxPeaks=10000, sampleRate=rate)  # fmt: skip
        self.hpcp = es.HPCP(size=36, referenceFrequency=440, harmonics=8, bandPreset=True, minFrequency=40,
                            maxFrequency=5000, bandSplitFrequency=500, weightType="cosine", nonLinear=True,
                            windowSize=1.3, sampleRate=rate)  # fmt: skip
        self.detection = es.ChordsDetection(hopSize=self.hop_size, sampleRate=rate, windowSize=2.0)
        self.key_extractor = es.KeyExtractor(sampleRate=rate)
        self.es = es

    def chords(self, wave: np.ndarray) -> list[tuple[float, float, str]]:
        from modeling.vocabularies.chords.labels import parse_chord

        frames = []
        for frame in self.es.FrameGenerator(
            wave, frameSize=self.frame_size, hopSize=self.hop_size, startFromZero=True
        ):
            frequencies, magnitudes = self.peaks(self.spectrum(self.window(frame)))
            frames.append(self.hpcp(frequencies, magnitudes))
        if not frames:
            return []
        labels, _strength = self.detection(np.array(frames, dtype=np.float32))
        step = self.hop_size / SAMPLING_RATE
        duration = len(wave) / SAMPLING_RATE
        segments = [(i * step, min((i + 1) * step, duration), parse_chord(label).label) for i, label in enumerate(labels)]  # fmt: skip
        return _harte(_merge([s for s in segments if s[1] > s[0]]))

    def keys(self, wave: np.ndarray, chords) -> dict[str, tuple[str, float]]:
        start = time.perf_counter()
        tonic, scale, _strength = self.key_extractor(wave.astype(np.float32))
        from modeling.vocabularies.chords.labels import parse_key

        return {"KeyExtractor": (parse_key(f"{tonic} {scale}").name, time.perf_counter() - start)}


def _harte(segments):
    """Vocabulary labels (``C``, ``A:min7``) as Harte labels mir_eval reads (``C:maj``)."""
    return [(s, e, label if label == "N" or ":" in label else f"{label}:maj") for s, e, label in segments]


class RecognizerBackend:
    """A chord backend of :func:`modeling.chord_recognition.backends.load_chord_recognizer` (BTC): its chords
    as Harte labels, keys by :func:`detect_key`'s chord-based methods."""

    def __init__(self, name: str, recognizer, key_methods: tuple[str, ...]):
        self.name, self.recognizer, self.key_methods = name, recognizer, key_methods

    def chords(self, wave: np.ndarray) -> list[tuple[float, float, str]]:
        return _harte([(c.start, c.end, c.label) for c in self.recognizer(wave, SAMPLING_RATE)])

    def keys(self, wave: np.ndarray, chords) -> dict[str, tuple[str, float]]:
        from modeling.chord_recognition.key import detect_key
        from modeling.vocabularies.chords import TimedChord

        timed = [TimedChord(*c) for c in chords]
        out = {}
        for method in self.key_methods:
            start = time.perf_counter()
            out[method] = (detect_key(timed, method).name, time.perf_counter() - start)
        return out


def load_btc(model: str | Path | None = None) -> tuple[RecognizerBackend | None, str]:
    """The ``btc`` backend (``model``: a folder of BTC weights; default: ``BTC_CHORD_MODEL`` where
    ``modeling.hub.resolve_model`` finds it: the installed copy, else the Hub when it is reachable), or
    ``None`` and the reason it cannot run."""
    from modeling.base.defaults import BTC_CHORD_MODEL
    from modeling.chord_recognition.backends import load_chord_recognizer
    from modeling.chord_recognition.key import CHORD_KEY_METHODS

    name = "btc" if model is None else f"btc ({Path(str(model)).name})"
    try:
        if model is None:
            from modeling.hub import resolve_model

            model = resolve_model(BTC_CHORD_MODEL)
        recognizer = load_chord_recognizer("btc", model=str(model), device="cpu")
    except Exception as error:  # any reason the weights are not there is a reason to skip
        return None, f"btc skipped: its weights do not load ({type(error).__name__}: {error})"
    return RecognizerBackend(name, recognizer, CHORD_KEY_METHODS), f"btc: {model}"


def make_backends(
    include_essentia: bool = True, btc_model: str | Path | None = None
) -> tuple[list, list[str]]:
    """The backends that can run here, and one line for each that cannot (or where BTC comes from)."""
    from modeling.chord_recognition.key import CHORD_KEY_METHODS, KEY_METHODS

    backends, notes = [], []
    backends.append(DSPBackend("dsp old (templates)", CHORD_KEY_METHODS, method="templates"))
    backends.append(DSPBackend("dsp new (default)", KEY_METHODS))
    backends.append(DSPBackend("dsp new + sevenths", KEY_METHODS, qualities=("maj", "min", "7")))
    btc, note = load_btc(btc_model)
    notes.append(note)
    if btc is not None:
        backends.append(btc)
    if include_essentia:
        try:
            backends.append(EssentiaBackend())
        except ImportError as error:
            notes.append(
                f"essentia skipped: cannot import it ({error}); "
                "pip install -r benchmarks/requirements-real-music.txt"
            )
    return backends, notes


# --------------------------------------------------------------------------------------------- scoring

CHORD_METRICS = ("root", "majmin", "mirex", "sevenths")


def chord_scores(reference, estimate) -> dict[str, tuple[float, float]]:
    """metric -> (correct seconds, scored seconds) of ``estimate`` against ``reference`` (segment lists)."""
    import mir_eval

    ref_intervals = np.array([[s, e] for s, e, _ in reference])
    ref_labels = [label for *_, label in reference]
    if estimate:
        est_intervals = np.array([[s, e] for s, e, _ in estimate])
        est_labels = [label for *_, label in estimate]
    else:
        est_intervals, est_labels = np.array([[0.0, ref_intervals.max()]]), ["N"]
    est_intervals, est_labels = mir_eval.util.adjust_intervals(
        est_intervals, est_labels, ref_intervals.min(), ref_intervals.max(), "N", "N"
    )
    intervals, ref, est = mir_eval.util.merge_labeled_intervals(
        ref_intervals, ref_labels, est_intervals, est_labels
    )
    durations = mir_eval.util.intervals_to_durations(intervals)
    out = {}
    for metric in CHORD_METRICS:
        comparison = getattr(mir_eval.chord, metric)(ref, est)
        valid = comparison >= 0
        out[metric] = (float(np.sum(durations[valid] * comparison[valid])), float(np.sum(durations[valid])))
    return out


def key_score(reference: str | None, estimate: str) -> float | None:
    import mir_eval

    from modeling.vocabularies.chords.labels import parse_key

    if reference is None:
        return None
    to_mirex = lambda name: f"{name.split()[0]} {name.split()[1]}"  # noqa: E731
    return float(
        mir_eval.key.weighted_score(to_mirex(parse_key(reference).name), to_mirex(parse_key(estimate).name))
    )


# --------------------------------------------------------------------------------------------- the run


def evaluate(
    pieces: list[Piece], excerpt_keys: dict[str, str], sounds, backends, cache_dir: Path, log=print
) -> list[dict]:
    """One record per (piece, sound, backend): chord scores, key scores (``excerpt_keys``: each piece's
    :func:`excerpt_key`, by piece id), seconds."""
    records = []
    for number, piece in enumerate(pieces, 1):
        excerpt = excerpt_keys[piece.piece_id]
        for sound in sounds:
            wave = load_audio(piece, sound, cache_dir)
            for backend in backends:
                start = time.perf_counter()
                estimate = backend.chords(wave)
                seconds = time.perf_counter() - start
                scores = chord_scores(piece.chords, estimate)
                keys = backend.keys(wave, estimate)
                records.append({
                    "piece": piece.piece_id, "source": piece.source, "sound": sound, "backend": backend.name,
                    "audio_seconds": len(wave) / SAMPLING_RATE, "chord_seconds": seconds, "chords": scores,
                    "keys": {method: {"key": name, "seconds": t,
                                      "signature+final": key_score(piece.key_signature_final, name),
                                      "analysis": key_score(piece.key_analysis, name),
                                      "excerpt": key_score(excerpt, name)}
                             for method, (name, t) in keys.items()},
                })  # fmt: skip
        log(f"  [{number}/{len(pieces)}] {piece.piece_id}")
    return records


def _pool(records, metric):
    correct = sum(r["chords"][metric][0] for r in records)
    total = sum(r["chords"][metric][1] for r in records)
    return correct / total if total else float("nan")


def _mean(values):
    values = [v for v in values if v is not None]
    return (sum(values) / len(values), len(values)) if values else (float("nan"), 0)


def tables(records: list[dict]) -> str:
    """Markdown: per backend (and key method), per source and sound."""
    lines = []
    backends = list(dict.fromkeys(r["backend"] for r in records))
    groups = [("all", None, None)]
    groups += [(f"source={v}", "source", v) for v in dict.fromkeys(r["source"] for r in records)]
    groups += [(f"sound={v}", "sound", v) for v in dict.fromkeys(r["sound"] for r in records)]
    lines.append(
        f"| backend | key method | subset | pieces×sounds | {' | '.join(CHORD_METRICS)} | key MIREX (sig+final) | key MIREX (analysis) | key MIREX (excerpt) |"
    )
    lines.append("|---" * (7 + len(CHORD_METRICS)) + "|")
    for backend in backends:
        mine = [r for r in records if r["backend"] == backend]
        methods = list(mine[0]["keys"])
        for label, field, value in groups:
            subset = [r for r in mine if field is None or r[field] == value]
            if not subset:
                continue
            chords = " | ".join(f"{_pool(subset, m):.3f}" for m in CHORD_METRICS)
            for index, method in enumerate(methods):
                final, n_final = _mean([r["keys"][method]["signature+final"] for r in subset])
                analysis, _ = _mean([r["keys"][method]["analysis"] for r in subset])
                excerpt, _ = _mean([r["keys"][method]["excerpt"] for r in subset])
                shown = chords if index == 0 else " | ".join("″" for _ in CHORD_METRICS)
                lines.append(f"| {backend} | {method} | {label} | {len(subset)} | {shown} | {final:.3f} (n={n_final}) | {analysis:.3f} | {excerpt:.3f} |")  # fmt: skip
    lines.append("")
    lines.append("| backend | chords s per audio minute | key method | key s per audio minute |")
    lines.append("|---|---|---|---|")
    for backend in backends:
        mine = [r for r in records if r["backend"] == backend]
        minutes = sum(r["audio_seconds"] for r in mine) / 60
        chord_rate = sum(r["chord_seconds"] for r in mine) / minutes
        for method in mine[0]["keys"]:
            key_rate = sum(r["keys"][method]["seconds"] for r in mine) / minutes
            lines.append(f"| {backend} | {chord_rate:.2f} | {method} | {key_rate:.2f} |")
    return "\n".join(lines)


def key_reference_summary(pieces: list[Piece], excerpt_keys: dict[str, str]) -> str:
    """Markdown: per source, the pieces with a ``signature+final`` key reference, why the others have none,
    and how the ``excerpt`` reference agrees with the two others (MIREX, from the scores alone); the ``all``
    row's agreement is what a method that found every excerpt's key exactly would score."""
    lines = [
        "| source | pieces | with a signature+final key | without: why (count) | excerpt against sig+final / analysis |",
        "|---|---|---|---|---|",
    ]
    for source in [*dict.fromkeys(p.source for p in pieces), "all"]:
        mine = [p for p in pieces if source in (p.source, "all")]
        reasons: dict[str, int] = defaultdict(int)
        for piece in mine:
            if piece.key_signature_final is None:
                reasons[piece.key_reference_note.split(" (", 1)[0]] += 1
        why = "; ".join(
            f"{reason} ({count})" for reason, count in sorted(reasons.items(), key=lambda x: -x[1])
        )
        with_key = sum(p.key_signature_final is not None for p in mine)
        excerpts = [excerpt_keys[piece.piece_id] for piece in mine]
        final, _ = _mean([key_score(p.key_signature_final, e) for p, e in zip(mine, excerpts)])
        analysis, _ = _mean([key_score(p.key_analysis, e) for p, e in zip(mine, excerpts)])
        lines.append(f"| {source} | {len(mine)} | {with_key} | {why or '-'} | {final:.3f} / {analysis:.3f} |")
    return "\n".join(lines)


def synthesized_triads(backends, seeds: int = 20, seconds: float = 2.0) -> str:
    """The unit check the other figures came from: random major/minor triads synthesized by the project
    (``dataset_scripts.synthetic.audio.render_progression``, 12 chords of ``seconds`` each per seed), majmin per backend."""
    from dataset_scripts.synthetic.audio import render_progression
    from modeling.vocabularies.chords.vocabulary import PITCH_CLASSES

    lines = ["| backend | synthesized triads majmin |", "|---|---|"]
    progressions = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        roots, qualities = rng.integers(0, 12, 12), rng.choice(["maj", "min"], 12)
        labels = [f"{PITCH_CLASSES[r]}:{q}" for r, q in zip(roots, qualities, strict=True)]
        reference = [(i * seconds, (i + 1) * seconds, label) for i, label in enumerate(labels)]
        progressions.append((reference, render_progression(labels, seconds, SAMPLING_RATE)))
    for backend in backends:
        scores = [chord_scores(reference, backend.chords(wave))["majmin"] for reference, wave in progressions]
        lines.append(f"| {backend.name} | {sum(c for c, _ in scores) / sum(t for _, t in scores):.3f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_PIECES} pieces per source of the part, piano only"
    )
    parser.add_argument("--part", choices=("heldout", "dev", "all"), default="heldout")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--excerpt-seconds", type=float, default=30.0)
    parser.add_argument("--sounds", nargs="+", choices=tuple(SOUNDS), default=list(SOUNDS))
    parser.add_argument("--no-essentia", action="store_true", help="leave the peer out")
    parser.add_argument(
        "--btc-model",
        type=Path,
        help="a folder of BTC weights to run as the btc backend (default: the installed BTC_CHORD_MODEL, if any)",
    )
    parser.add_argument(
        "--nottingham",
        type=Path,
        default=os.environ.get(NOTTINGHAM_ENV) or None,
        help="the Nottingham Music Database's ABC files (the ABC_cleaned folder of jukedeck/nottingham-dataset): "
        f"adds {NOTTINGHAM_TUNES} chord-symbol tunes (default: ${NOTTINGHAM_ENV})",
    )
    parser.add_argument("--json", type=Path, help="write every record here")
    parser.add_argument(
        "--write-split", action="store_true", help=f"write the selection's split to {SPLIT_FILE.name}"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()

    census = chord_symbol_census(args.cache_dir)
    print(census_summary(census))
    nottingham = None
    if args.nottingham is not None:
        nottingham = nottingham_census(args.nottingham, args.cache_dir)
        print(nottingham_summary(nottingham))
    else:
        print(
            f"nottingham skipped: the Nottingham Music Database is not given (--nottingham DIR or ${NOTTINGHAM_ENV})"
        )
    split = split_pieces(select_pieces(census=census, nottingham=nottingham))
    if args.write_split:
        if nottingham is None:
            parser.error("--write-split needs --nottingham: the split file holds every source")
        files = {"nottingham_files": nottingham["files"]}
        SPLIT_FILE.write_text(json.dumps({"seed": SEED, **files, **split}, indent=1) + "\n")
        print(f"wrote {SPLIT_FILE}")
    elif SPLIT_FILE.is_file():
        saved = json.loads(SPLIT_FILE.read_text())
        present = {p: {source: saved[p].get(source, split[p][source]) for source in split[p]} for p in split}
        if present != split:
            print(
                f"warning: the selection differs from {SPLIT_FILE.name} (another music21 corpus or database copy?); using the saved split"
            )
            split = present
        if nottingham is not None and saved.get("nottingham_files") != nottingham["files"]:
            print(f"warning: the Nottingham files differ from those {SPLIT_FILE.name} was made from")
    parts = ("dev", "heldout") if args.part == "all" else (args.part,)
    ids = [(piece, source) for part in parts for source in SOURCES for piece in split[part].get(source, [])[: QUICK_PIECES if args.quick else None]]  # fmt: skip
    sounds = ["piano"] if args.quick else args.sounds
    digest = hashlib.sha1(json.dumps(split, sort_keys=True).encode()).hexdigest()[:10]
    print(
        f"{len(ids)} pieces ({', '.join(parts)}; split {digest}), sounds {', '.join(sounds)}, cache {args.cache_dir}"
    )

    pieces = []
    for piece_id, source in ids:
        try:
            pieces.append(load_piece(piece_id, source, args.excerpt_seconds, args.cache_dir, args.nottingham))
        except Exception as error:  # a score music21 cannot read is reported, not fatal
            print(f"  skipped {piece_id}: {type(error).__name__}: {error}")
    print(f"references ready after {time.perf_counter() - started:.0f} s")
    excerpt_keys = {
        piece.piece_id: excerpt_key(piece) for piece in pieces
    }  # once: the summary and the scores
    print(key_reference_summary(pieces, excerpt_keys))
    backends, notes = make_backends(include_essentia=not args.no_essentia, btc_model=args.btc_model)
    for line in notes:
        print(line)
    records = evaluate(pieces, excerpt_keys, sounds, backends, args.cache_dir, log=lambda line: None)
    print()
    print(tables(records))
    print()
    print(synthesized_triads(backends))
    if args.json:
        args.json.write_text(json.dumps(records))
    audio_minutes = sum(p.duration for p in pieces) * len(sounds) / 60
    print(
        f"\n{len(pieces)} pieces, {audio_minutes:.1f} audio minutes; wall time {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
