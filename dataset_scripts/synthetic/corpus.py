"""The synthetic corpus (``emotune make-synthetic``): labelled music in the four official raw layouts.

Each piece is procedurally generated (``dataset_scripts.synthetic.audio``): a four-chord progression in a random key,
in major (I-IV-V-I) or harmonic minor (i-iv-V-i), cadences whose key and mode a key finder can
tell (relative-key pop loops share one chord set), at a tempo, loudness and register drawn from the
seed, with a slow swell or fade. Its labels follow the best-established affect correlates of music
(Gabrielsson & Lindström 2010; Eerola et al. 2013): mode drives valence (major -> positive), tempo
and loudness drive arousal (fast/loud -> high), a higher register is slightly more positive and
aroused. The mapping is :func:`affect`; valence-arousal on 1-9, per-time-step arousal follows the
swell, and MTG-Jamendo tracks get the 1-3 mood/theme tags whose lexicon values are nearest to the
piece's valence-arousal, so tags and VA agree.

Layout of ``OUT`` (what ``emotune build-dataset all --raw-dir OUT`` reads)::

    OUT/README.md
    OUT/mtg-jamendo/data/splits/split-0/autotagging_moodtheme-{train,validation,test}.tsv, audio/NN/ID.mp3
    OUT/deam/annotations/annotations averaged per song/{song_level,dynamic (per second annotations)}/..., MEMD_audio/
    OUT/pmemo/PMEmo2019/{metadata.csv, annotations/*.csv, chorus/}
    OUT/emomusic/annotations/{static_annotations,songs_info,*_cont_average}.csv, clips_45seconds/

*Moving* pieces (``--moving``, 20 s or longer) change inside: sections of 4-8 s alternate between
major and minor (parallel keys on one tonic), each at its own tempo and loudness. Their per-time-step
labels follow the sections through the same :func:`affect`, lagging like an annotator's slider (a
first-order response with a 1 s time constant), in each release's own dynamic layout: DEAM and EmoMusic
from 15 s, PMEmo from 15.5 s (``frameTime``), every 0.5 s; their song-level labels are the mean of the
curve over the piece. Every moving piece changes mode at least once inside its annotated part, so its
per-song valence curve varies.

DEAM, PMEmo and EmoMusic ids are drawn from the paper's split files (so the splits shipped with
emotune apply and nothing is skipped); MTG-Jamendo gets new ids (``track_9000000`` up) and its own
split TSVs. Each source folder carries ``emotune_synthetic.json`` (the generator's parameters and
every piece's parameters and labels); builds that see it mark their dataset card as synthetic.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import json
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from dataset_scripts.synthetic.audio import SAMPLING_RATE, render_notes
from modeling.base.errors import InvalidInputError
from modeling.base.version import __version__
from modeling.media.audio import write_audio
from modeling.vocabularies.chords import Key, denormalize_chords
from modeling.vocabularies.emotion import TAG_VA, nine_to_bipolar, nine_to_unit

from ..releases.records import natural_key
from ..releases.splits import packaged_split_dir
from ..schema import SOURCES, SPLITS
from ..sources.mtg_jamendo import HEADER as MTG_HEADER
from ..sources.mtg_jamendo import split_file_name

__all__ = [
    "FIRST_ANNOTATION",
    "SYNTHETIC_MARKER",
    "MovingPiece",
    "Piece",
    "Section",
    "affect",
    "make_synthetic",
    "nearest_tags",
    "render_piece",
]

SYNTHETIC_MARKER = "emotune_synthetic.json"
"""File in each source folder of a synthetic corpus (builds read it to label their card synthetic)."""

TEMPO_RANGE = (60.0, 180.0)
LOUDNESS_RANGE = (0.25, 1.0)
REGISTERS = (3, 4, 5)
MTG_FIRST_ID = 9_000_000
_STEP = 0.5  # seconds between per-time-step annotations (2 Hz, like the releases)
_PROGRESSIONS = {
    "major": ("C", "F", "G", "C"),
    "minor": ("A:min", "D:min", "E", "A:min"),
}  # in C major / A minor


@dataclass(frozen=True)
class Piece:
    """One synthetic piece: identity, musical parameters, and the labels derived from them."""

    id: str
    split: str
    tonic: int
    mode: str
    tempo: float
    loudness: float
    register: int
    swell: float
    seconds: float
    valence: float
    arousal: float
    valence_std: float
    arousal_std: float
    tags: tuple[str, ...]

    def loudness_at(self, time: float) -> float:
        """Loudness (note velocity) at ``time``: a linear swell (swell > 0) or fade around the mean."""
        return self.loudness * (1.0 + self.swell * (time / self.seconds - 0.5))

    def first_annotation(self, source: str) -> float | None:
        """Time of the first per-time-step annotation in ``source``'s layout (``None``: from 0.5 s)."""
        return None

    def dynamic(self, first: float | None = None) -> list[tuple[float, float, float]]:
        """(time, valence, arousal) every 0.5 s: valence stays, arousal follows the loudness."""
        steps = int(round(self.seconds / _STEP))
        times = [_STEP * (i + 1) for i in range(steps)]
        return [
            (t, self.valence, round(affect(self.mode, self.tempo, self.loudness_at(t), self.register)[1], 3))
            for t in times
        ]


def _unit(value: float, low: float, high: float) -> float:
    return min(max((value - low) / (high - low), 0.0), 1.0)


def affect(mode: str, tempo: float, loudness: float, register: int) -> tuple[float, float]:
    """(valence, arousal) on 1-9 from a piece's parameters.

    valence = 5 + 2.4 m + 0.8 r' + 0.4 t',  arousal = 5 + 1.8 t' + 1.4 l' + 0.5 r'
    with m = +1 major / -1 minor and t', l', r' tempo, loudness and register scaled to [-1, 1].
    """
    if mode not in ("major", "minor"):
        raise InvalidInputError(f"mode must be 'major' or 'minor', got {mode!r}")
    t = 2 * _unit(tempo, *TEMPO_RANGE) - 1
    loud = 2 * _unit(loudness, *LOUDNESS_RANGE) - 1
    r = 2 * _unit(register, REGISTERS[0], REGISTERS[-1]) - 1
    m = 1.0 if mode == "major" else -1.0
    valence = 5 + 2.4 * m + 0.8 * r + 0.4 * t
    arousal = 5 + 1.8 * t + 1.4 * loud + 0.5 * r
    return float(np.clip(valence, 1, 9)), float(np.clip(arousal, 1, 9))


def nearest_tags(valence: float, arousal: float, count: int) -> tuple[str, ...]:
    """The ``count`` mood/theme tags whose lexicon (valence, arousal) is nearest, in model order."""
    distance = {tag: (v - valence) ** 2 + (a - arousal) ** 2 for tag, (v, a) in TAG_VA.items()}
    chosen = set(sorted(TAG_VA, key=lambda tag: (distance[tag], tag))[:count])
    return tuple(tag for tag in TAG_VA if tag in chosen)


def _make_piece(identifier: str, split: str, rng: np.random.Generator, seconds: float) -> Piece:
    mode = "major" if rng.random() < 0.5 else "minor"
    tempo = float(round(rng.uniform(*TEMPO_RANGE)))
    loudness = round(float(rng.uniform(*LOUDNESS_RANGE)), 2)
    register = int(rng.choice(REGISTERS))
    valence, arousal = affect(mode, tempo, loudness, register)
    valence, arousal = round(valence, 2), round(arousal, 2)
    return Piece(
        id=identifier,
        split=split,
        tonic=int(rng.integers(12)),
        mode=mode,
        tempo=tempo,
        loudness=loudness,
        register=register,
        swell=round(float(rng.uniform(-0.4, 0.4)), 2),
        seconds=seconds,
        valence=valence,
        arousal=arousal,
        valence_std=round(float(rng.uniform(0.6, 1.6)), 2),
        arousal_std=round(float(rng.uniform(0.6, 1.6)), 2),
        tags=nearest_tags(valence, arousal, int(rng.integers(1, 4))),
    )


# --- moving pieces --------------------------------------------------------------------------------

FIRST_ANNOTATION = {"deam": 15.0, "emomusic": 15.0, "pmemo": 15.5}
"""Time of the first per-time-step annotation in each release (DEAM's and EmoMusic's ``sample_15000ms``,
PMEmo's first ``frameTime``)."""
REACTION_SECONDS = 1.0
"""Time constant of the annotator's lag in a moving piece's per-time-step labels."""
MOVING_MIN_SECONDS = 20.0
_SECTION_SECONDS = (4.0, 8.0)


@dataclass(frozen=True)
class Section:
    """A stretch of a moving piece with its own mode, tempo and loudness."""

    start: float
    end: float
    mode: str
    tempo: float
    loudness: float


@dataclass(frozen=True)
class MovingPiece(Piece):
    """A piece whose mode, tempo and loudness change at its sections' boundaries (``mode``, ``tempo`` and
    ``loudness`` are its first section's; ``valence``/``arousal`` the mean of its curve)."""

    sections: tuple[Section, ...] = ()

    def first_annotation(self, source: str) -> float:
        return FIRST_ANNOTATION.get(source, FIRST_ANNOTATION["deam"])

    def targets(self, times: np.ndarray) -> np.ndarray:
        """``(len(times), 2)``: the valence-arousal the music carries at each time (:func:`affect` of the
        section sounding), without the annotator's lag."""
        ends = np.array([section.end for section in self.sections])
        index = np.minimum(np.searchsorted(ends, times, side="right"), len(self.sections) - 1)
        values = [affect(s.mode, s.tempo, s.loudness, self.register) for s in self.sections]
        return np.array(values)[index]

    def curve(self, times: np.ndarray) -> np.ndarray:
        """``(len(times), 2)``: the labels at ``times``, the targets through a first-order lag of
        :data:`REACTION_SECONDS` (the response starts at the first section's values)."""
        step = 0.01
        grid = np.arange(0.0, self.seconds + step, step)
        targets = self.targets(grid)
        response = np.empty_like(targets)
        response[0] = targets[0]
        alpha = 1.0 - np.exp(-step / REACTION_SECONDS)
        for i in range(1, len(grid)):
            response[i] = response[i - 1] + alpha * (targets[i] - response[i - 1])
        return np.stack([np.interp(times, grid, response[:, k]) for k in range(2)], axis=1)

    def dynamic(self, first: float | None = None) -> list[tuple[float, float, float]]:
        """(time, valence, arousal) every 0.5 s from ``first`` (15 s) to the end of the piece."""
        first = FIRST_ANNOTATION["deam"] if first is None else first
        times = np.arange(first, self.seconds - 1e-6, _STEP)
        return [(round(float(t), 3), round(float(v), 3), round(float(a), 3))
                for t, (v, a) in zip(times, self.curve(times))]  # fmt: skip


def _sections(rng: np.random.Generator, seconds: float) -> list[tuple[float, float]]:
    """Section spans of 4-8 s covering the piece; one boundary at least falls inside the annotated part
    (after 16.5 s and 1 s before the end), so the labels there move."""
    bounds = [0.0]
    while bounds[-1] < seconds:
        bounds.append(bounds[-1] + float(rng.uniform(*_SECTION_SECONDS)))
    bounds = [b for b in bounds[:-1] if b < seconds - 2.0] + [seconds]
    low, high = FIRST_ANNOTATION["pmemo"] + 1.0, seconds - 1.0
    if not any(low < b < high for b in bounds[1:-1]):
        bounds = sorted([*bounds, round(float(rng.uniform(low, high)), 2)])
    return [(round(a, 2), round(b, 2)) for a, b in itertools.pairwise(bounds)]


def _make_moving_piece(identifier: str, split: str, rng: np.random.Generator, seconds: float) -> MovingPiece:
    mode = "major" if rng.random() < 0.5 else "minor"
    sections = []
    for start, end in _sections(rng, seconds):
        tempo = float(round(rng.uniform(*TEMPO_RANGE)))
        loudness = round(float(rng.uniform(*LOUDNESS_RANGE)), 2)
        sections.append(Section(start, end, mode, tempo, loudness))
        mode = "minor" if mode == "major" else "major"
    register = int(rng.choice(REGISTERS))
    draft = MovingPiece(
        id=identifier, split=split, tonic=int(rng.integers(12)), mode=sections[0].mode, tempo=sections[0].tempo,
        loudness=sections[0].loudness, register=register, swell=0.0, seconds=seconds, valence=0.0, arousal=0.0,
        valence_std=round(float(rng.uniform(0.6, 1.6)), 2), arousal_std=round(float(rng.uniform(0.6, 1.6)), 2),
        tags=(), sections=tuple(sections),
    )  # fmt: skip
    valence, arousal = (round(float(v), 2) for v in draft.curve(np.arange(0.0, seconds, _STEP)).mean(axis=0))
    tags = nearest_tags(valence, arousal, int(rng.integers(1, 4)))
    return dataclasses.replace(draft, valence=valence, arousal=arousal, tags=tags)


def _bar_notes(
    tonic: int, mode: str, register: int, tempo: float, start: float, end: float, loudness_at: Callable
) -> list[tuple[float, float, float, float]]:
    """Notes from ``start`` to ``end`` s: per beat a block chord (octave ``register``) and a chord-tone
    melody an octave up, a bass note on each bar's downbeat; one chord per bar of the mode's progression."""
    chords = denormalize_chords(_PROGRESSIONS[mode], Key(tonic, mode))
    beat = 60.0 / tempo
    notes = []
    for index in range(int((end - start) / beat)):
        onset = start + index * beat
        chord = chords[(index // 4) % len(chords)]
        velocity = loudness_at(onset)
        pitches = [12 * (register + 1) + pc for pc in chord.pitch_classes]
        notes += [(onset, 0.9 * beat, p, 0.25 * velocity) for p in pitches]
        notes.append((onset, 0.45 * beat, 12 + pitches[index % len(pitches)], 0.3 * velocity))
        if index % 4 == 0:
            notes.append((onset, 3.6 * beat, 12 * register + chord.root, 0.3 * velocity))
    return notes


def render_piece(piece: Piece, sampling_rate: int = SAMPLING_RATE) -> np.ndarray:
    """The piece's audio (:func:`_bar_notes` over the piece, or over each section of a moving piece);
    velocity follows the swell, or each section's loudness."""
    if isinstance(piece, MovingPiece):
        notes = []
        for s in piece.sections:
            notes += _bar_notes(
                piece.tonic, s.mode, piece.register, s.tempo, s.start, s.end, lambda _, s=s: s.loudness
            )
    else:
        notes = _bar_notes(
            piece.tonic, piece.mode, piece.register, piece.tempo, 0.0, piece.seconds, piece.loudness_at
        )
    wave = render_notes(notes, piece.seconds, sampling_rate)
    peak = float(np.abs(wave).max())
    return wave * (0.98 / peak) if peak > 0.98 else wave


def _split_sizes(n: int) -> dict[str, int]:
    held_out = max(1, round(0.15 * n))
    return {"train": n - 2 * held_out, "validation": held_out, "test": held_out}


def _ids(source: str, n: int, rng: np.random.Generator) -> list[tuple[str, str]]:
    """(id, split) for ``n`` pieces: paper-split ids for the VA sources, new ids for MTG-Jamendo."""
    sizes = _split_sizes(n)
    if source == "mtg-jamendo":
        numbers = iter(range(MTG_FIRST_ID, MTG_FIRST_ID + n))
        return [(f"track_{next(numbers):07d}", split) for split in SPLITS for _ in range(sizes[split])]
    chosen = []
    for split in SPLITS:
        available = (packaged_split_dir(source) / f"{split}.txt").read_text().split()
        if sizes[split] > len(available):
            raise InvalidInputError(
                f"--n {n} needs {sizes[split]} {source} {split} ids; the paper's split has {len(available)}"
            )
        picked = rng.choice(available, size=sizes[split], replace=False)
        chosen += [(str(i), split) for i in sorted(picked.tolist(), key=natural_key)]
    return chosen


def _csv(rows: list[list], *, header: list[str], quote_all: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerows([header, *rows])
    return out.getvalue()


def _wide(pieces: list[Piece], source: str, value: Callable[[tuple[float, float, float]], float]) -> str:
    """DEAM's / EmoMusic's wide table: one line per song, one ``sample_<ms>ms`` column per time (empty
    where a song has no step)."""
    steps = {
        p.id: {round(step[0] * 1000): step for step in p.dynamic(p.first_annotation(source))} for p in pieces
    }
    times = sorted({ms for song in steps.values() for ms in song})
    header = ["song_id", *[f"sample_{ms}ms" for ms in times]]
    rows = [
        [p.id, *[f"{value(steps[p.id][ms]):.4f}" if ms in steps[p.id] else "" for ms in times]]
        for p in pieces
    ]
    return _csv(rows, header=header)


def _write(path: Path, text: str, *, newline: str = "\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace("\n", newline), encoding="utf-8")


def _write_mtg(folder: Path, pieces: list[Piece]) -> dict[str, Path]:
    splits = folder / "data/splits/split-0"
    audio = {}
    for split in SPLITS:
        lines = ["\t".join(MTG_HEADER)]
        for p in (p for p in pieces if p.split == split):
            number = int(p.id.removeprefix("track_"))
            path = f"{number % 100:02d}/{number}.mp3"
            audio[p.id] = folder / "audio" / path
            fields = [p.id, f"artist_{number // 3:06d}", f"album_{number // 2:06d}", path, f"{p.seconds:.1f}"]
            lines.append("\t".join(fields + [f"mood/theme---{tag}" for tag in p.tags]))
        _write(splits / split_file_name(split), "\n".join(lines) + "\n", newline="\r\n")  # the TSVs are CRLF
    return audio


def _write_deam(folder: Path, pieces: list[Piece]) -> dict[str, Path]:
    averaged = folder / "annotations/annotations averaged per song"
    header = ["song_id", "valence_mean", "valence_std", "arousal_mean", "arousal_std"]
    for name, keep in (("1_2000", lambda p: int(p.id) <= 2000), ("2000_2058", lambda p: int(p.id) > 2000)):
        rows = [[p.id, p.valence, p.valence_std, p.arousal, p.arousal_std] for p in pieces if keep(p)]
        # DEAM's song-level files put a space after every comma.
        text = "".join(", ".join(map(str, row)) + "\n" for row in [header, *rows])
        _write(averaged / f"song_level/static_annotations_averaged_songs_{name}.csv", text)
    dynamic = averaged / "dynamic (per second annotations)"
    _write(dynamic / "valence.csv", _wide(pieces, "deam", lambda step: nine_to_bipolar(step[1])))
    _write(dynamic / "arousal.csv", _wide(pieces, "deam", lambda step: nine_to_bipolar(step[2])))
    return {p.id: folder / "MEMD_audio" / f"{p.id}.mp3" for p in pieces}


def _write_pmemo(folder: Path, pieces: list[Piece]) -> dict[str, Path]:
    root = folder / "PMEmo2019"
    metadata = [
        [
            p.id,
            f"{p.id}.mp3",
            f"Synthetic piece {p.id}",
            "emotune",
            "synthetic",
            f"{p.seconds:.2f}",
            "00:00",
            "00:00",
        ]
        for p in pieces
    ]
    header = [
        "musicId",
        "fileName",
        "title",
        "artist",
        "album",
        "duration",
        "chorus_start_time",
        "chorus_end_time",
    ]
    _write(root / "metadata.csv", _csv(metadata, header=header))
    unit = nine_to_unit
    static = [[p.id, f"{unit(p.arousal):.5f}", f"{unit(p.valence):.5f}"] for p in pieces]
    _write(
        root / "annotations/static_annotations.csv",
        _csv(static, header=["musicId", "Arousal(mean)", "Valence(mean)"]),
    )
    stds = [[p.id, f"{p.arousal_std / 8:.5f}", f"{p.valence_std / 8:.5f}"] for p in pieces]  # exact decimals
    _write(
        root / "annotations/static_annotations_std.csv",
        _csv(stds, header=["musicId", "Arousal(std)", "Valence(std)"]),
    )
    steps = [
        [p.id, t, f"{unit(a):.5f}", f"{unit(v):.5f}"]
        for p in pieces
        for t, v, a in p.dynamic(p.first_annotation("pmemo"))
    ]
    header = ["musicId", "frameTime", "Arousal(mean)", "Valence(mean)"]
    _write(root / "annotations/dynamic_annotations.csv", _csv(steps, header=header))
    return {p.id: root / "chorus" / f"{p.id}.mp3" for p in pieces}


def _write_emomusic(folder: Path, pieces: list[Piece]) -> dict[str, Path]:
    annotations = folder / "annotations"
    header = ["song_id", "mean_arousal", "std_arousal", "mean_valence", "std_valence"]
    rows = [[p.id, p.arousal, p.arousal_std, p.valence, p.valence_std] for p in pieces]
    _write(annotations / "static_annotations.csv", _csv(rows, header=header))
    # The release pads songs_info.csv's quoted fields with tabs.
    info_header = [
        "song_id",
        "file_name",
        "Artist",
        "Song title",
        "start of the segment (min.sec)",
        "end of the segment (min.sec)",
        "Genre",
        "Mediaeval 2013 set",
    ]
    info = [
        [
            p.id,
            f"\t{p.id}.mp3",
            "emotune\t",
            f"\tSynthetic piece {p.id}\t",
            "\t0.00\t",
            f"\t0.{int(p.seconds):02d}\t",
            "\tSynthetic\t",
            "development",
        ]
        for p in pieces
    ]
    _write(annotations / "songs_info.csv", _csv(info, header=info_header, quote_all=True))
    valence = _wide(pieces, "emomusic", lambda step: nine_to_bipolar(step[1]))
    _write(annotations / "valence_cont_average.csv", valence)
    _write(
        annotations / "arousal_cont_average.csv",
        _wide(pieces, "emomusic", lambda step: nine_to_bipolar(step[2])),
    )
    return {p.id: folder / "clips_45seconds" / f"{p.id}.mp3" for p in pieces}


_WRITERS = {
    "mtg-jamendo": _write_mtg,
    "deam": _write_deam,
    "pmemo": _write_pmemo,
    "emomusic": _write_emomusic,
}

_README = """\
# emotune synthetic corpus (NOT real data)

Made by `emotune make-synthetic OUT --n {n} --seed {seed} --seconds {seconds:g} --sampling-rate {rate}{moving_flag}` (emotune {version}): {n} short procedurally
generated{moving_text} pieces ({seconds:g} s, {rate} Hz mp3) per source, written in the official raw layouts of
MTG-Jamendo, DEAM, PMEmo and EmoMusic. Valence-arousal and tags are derived from each piece's mode,
tempo, loudness and register (see `dataset_scripts/synthetic/corpus.py`); `*/{marker}` lists every piece's
parameters and labels. The ids of DEAM, PMEmo and EmoMusic are real ids taken from the paper's split
files (so emotune's shipped splits apply); the music and labels are not the real datasets'.

Build the unified dataset from it:

    emotune build-dataset all --raw-dir OUT --output-dir DATASET_DIR
"""


def _write_piece(path: Path, piece: Piece, sampling_rate: int) -> None:
    write_audio(path, render_piece(piece, sampling_rate), sampling_rate)


def _check_output(out_dir: Path) -> None:
    if not out_dir.exists() or not any(out_dir.iterdir()):
        return
    earlier = all((out_dir / s / SYNTHETIC_MARKER).is_file() for s in SOURCES)
    extra = {p.name for p in out_dir.iterdir()} - {*SOURCES, "README.md"}
    if not earlier or extra:
        raise InvalidInputError(
            f"Refusing to write into {out_dir}: it holds files that are not an earlier synthetic corpus. "
            "Accepted: a new or empty folder, or an earlier `emotune make-synthetic` output (replaced)"
        )
    shutil.rmtree(out_dir)


def make_synthetic(
    out_dir: str | Path,
    *,
    n: int = 24,
    seed: int = 0,
    seconds: float | None = None,
    sampling_rate: int = SAMPLING_RATE,
    progress: bool = True,
    moving: bool = False,
) -> dict[str, list[Piece]]:
    """Write the synthetic corpus (``n`` pieces per source) to ``out_dir``; returns the pieces.
    ``moving``: pieces whose mode, tempo and loudness change inside (see the module docstring);
    ``seconds`` defaults to 4 (30 for moving pieces)."""
    if seconds is None:
        seconds = 30.0 if moving else 4.0
    if n < 3:
        raise InvalidInputError(f"--n must be at least 3 (one piece per split), got {n}")
    if not 1.0 <= seconds <= 60.0:
        raise InvalidInputError(f"--seconds must be between 1 and 60, got {seconds}")
    if moving and seconds < MOVING_MIN_SECONDS:
        raise InvalidInputError(
            f"--seconds must be at least {MOVING_MIN_SECONDS:g} for moving pieces (their per-time-step labels "
            f"start at 15 s as in the releases), got {seconds:g}"
        )
    out_dir = Path(out_dir)
    _check_output(out_dir)
    pieces: dict[str, list[Piece]] = {}
    for index, source in enumerate(SOURCES):
        rng = np.random.default_rng([seed, index])
        make = _make_moving_piece if moving else _make_piece
        pieces[source] = [make(i, split, rng, seconds) for i, split in _ids(source, n, rng)]
    jobs = []
    for source, source_pieces in pieces.items():
        audio = _WRITERS[source](out_dir / source, source_pieces)
        jobs += [(audio[piece.id], piece) for piece in source_pieces]
    # Encoding runs in ffmpeg subprocesses: threads keep every core busy.
    with (
        ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool,
        tqdm(total=len(jobs), desc="synthesizing", unit="piece", disable=not progress) as bar,
    ):
        futures = [pool.submit(_write_piece, path, piece, sampling_rate) for path, piece in jobs]
        for future in as_completed(futures):
            future.result()
            bar.update()
    for source, source_pieces in pieces.items():
        marker = {
            "generator": f"emotune make-synthetic (emotune {__version__})",
            "seed": seed,
            "n": n,
            "seconds": seconds,
            "moving": moving,
            "sampling_rate": sampling_rate,
            "pieces": [asdict(p) for p in source_pieces],
        }
        _write(out_dir / source / SYNTHETIC_MARKER, json.dumps(marker, indent=1) + "\n")
    readme = _README.format(
        n=n,
        seed=seed,
        version=__version__,
        seconds=seconds,
        rate=sampling_rate,
        marker=SYNTHETIC_MARKER,
        moving_flag=" --moving" if moving else "",
        moving_text=" moving (mode, tempo and loudness change inside each piece; per-time-step labels follow)"
        if moving
        else "",
    )
    _write(out_dir / "README.md", readme)
    return pieces
