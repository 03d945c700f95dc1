"""Key detection time against the length of the chord progression: music21's own MIDI import (the
original's ``converter.parse(midi).analyze("key")``, whose rest filling is quadratic in the number of
measures) and emotune's import without the rest filling (the same key; tests/chords/test_key_import.py).

    python benchmarks/key_detection.py [--minutes 5 10 20 40 120] [--skip-parse-above 40]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from modeling.chord_recognition.key import _music21_key, chord_pitch_intervals, chords_midi_bytes
from modeling.vocabularies.chords import TimedChord

PROGRESSION = ["C:maj", "A:min", "F:maj", "G:maj", "E:min", "D:min"]


def parsed_key(notes) -> str:
    from music21 import converter

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chords.mid"
        path.write_bytes(chords_midi_bytes(notes))
        result = converter.parse(str(path)).analyze("key")
    return f"{result.tonic.name} {result.mode}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[5, 10, 20, 40, 120])
    parser.add_argument(
        "--skip-parse-above", type=float, default=40, help="minutes beyond which the slow path is skipped"
    )
    args = parser.parse_args()
    print("minutes  chords  emotune_s  converter.parse_s  key")
    for minutes in args.minutes:
        count = int(minutes * 30)  # a chord every 2 s
        chords = [TimedChord(2.0 * i, 2.0 * i + 2.0, PROGRESSION[i % len(PROGRESSION)]) for i in range(count)]
        notes = chord_pitch_intervals(chords)
        start = time.perf_counter()
        key = _music21_key(notes)
        fast = time.perf_counter() - start
        slow = "-"
        if minutes <= args.skip_parse_above:
            start = time.perf_counter()
            parsed_key(notes)
            slow = f"{time.perf_counter() - start:.1f}"
        print(f"{minutes:7g}  {count:6d}  {fast:9.1f}  {slow:>17}  {key.name}")


if __name__ == "__main__":
    main()
