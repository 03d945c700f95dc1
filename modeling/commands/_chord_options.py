"""The chord and key options that ``predict`` and ``extract-features`` share (no heavy imports)."""

from __future__ import annotations


def add_chord_arguments(parser) -> None:
    """``--chord-backend``, ``--chord-model`` and ``--key-method``."""
    from ..chord_recognition.key_methods import KEY_METHODS

    parser.add_argument(
        "--chord-backend", default="btc", help="chord recogniser: btc (Music2Emo's) or dsp (no weights)"
    )
    parser.add_argument("--chord-model", help="Hub id or folder of the chord backend's weights")
    parser.add_argument(
        "--key-method",
        default="music21",
        choices=KEY_METHODS,
        help="how the key is found: music21 (Music2Emo's, from the chords), profiles, degrees, or chroma (from "
        "the audio; the most accurate on real music, benchmarks/REAL_MUSIC_RESULTS.md)",
    )
