"""The chord and key options that ``predict`` and ``extract-features`` share (no heavy imports)."""

from __future__ import annotations


def add_chord_arguments(parser) -> None:
    """``--chord-backend``, ``--chord-model``, ``--chord-qualities`` and ``--key-method``."""
    from ..chord_recognition.key_methods import KEY_METHODS

    parser.add_argument(
        "--chord-backend", default="btc", help="chord recogniser: btc (Music2Emo's) or dsp (no weights)"
    )
    parser.add_argument("--chord-model", help="Hub id or folder of the chord backend's weights")
    parser.add_argument(
        "--chord-qualities",
        type=_names,
        metavar="Q,Q,...",
        help="the chord qualities the dsp backend decodes (default maj,min; maj,min,7 adds dominant sevenths, "
        "more accurate on real music, benchmarks/REAL_MUSIC_RESULTS.md)",
    )
    parser.add_argument(
        "--key-method",
        default="music21",
        choices=KEY_METHODS,
        help="how the key is found: music21 (Music2Emo's, from the chords), profiles, degrees, or chroma (from "
        "the audio; the most accurate on real music, benchmarks/REAL_MUSIC_RESULTS.md)",
    )


def check_chord_arguments(args) -> None:
    """Refuse an unknown chord backend, or qualities it cannot take, before any model loads."""
    from ..chord_recognition.backends import check_chord_backend

    check_chord_backend(args.chord_backend, args.chord_qualities)


def _names(text: str) -> tuple[str, ...]:
    """``"maj, min,7"`` -> ``("maj", "min", "7")``."""
    return tuple(name.strip() for name in text.split(",") if name.strip())
