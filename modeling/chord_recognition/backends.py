"""Chord recognition backends, by name.

Every backend is a class with ``from_pretrained(name_or_path=None, device=None, dtype=None)``, a
``sampling_rate`` attribute (the rate it wants its audio at) and ``__call__(waveform, sampling_rate)
-> list[TimedChord]``; backends that can stream long audio also offer ``recognize_blocks(blocks)``
and ``block_seconds``.

* ``"dsp"``: :class:`~modeling.chord_recognition.dsp.DSPChordRecognizer`, chroma templates + Viterbi, no
  weights, major/minor triads, or the ``qualities`` asked for (works offline, in tests and in the demo);
* ``"btc"``: :class:`~modeling.btc.BTCChordRecognizer`, the BTC large-vocabulary model Music2Emo
  was trained with (weights: ``modeling.base.defaults.BTC_CHORD_MODEL`` or a converted folder).
"""

from __future__ import annotations

from ..base.defaults import BTC_CHORD_MODEL
from ..base.errors import InvalidInputError

__all__ = ["CHORD_BACKENDS", "check_chord_backend", "load_chord_recognizer"]

CHORD_BACKENDS = ("dsp", "btc")
"""The backend names."""

_DEFAULT_MODELS = {"btc": BTC_CHORD_MODEL}
"""The weights a backend loads when no model is given (resolved to the installed copy, else the Hub)."""


def load_chord_recognizer(
    backend: str = "dsp", model: str | None = None, device=None, dtype=None, qualities=None
):
    """The recogniser of ``backend`` (``model``: Hub id or folder of its weights, when it has any;
    ``qualities``: the chord qualities the ``dsp`` backend decodes, ``None`` for its default)."""
    check_chord_backend(backend, qualities)
    recognizer_class = _recognizer_class(backend)
    default = _DEFAULT_MODELS.get(backend)
    if model is not None or default is not None:
        from ..hub import resolve_model

        model = resolve_model(model or default)  # the installed copy of the default, else the Hub; fails fast
    if qualities is not None:
        return recognizer_class.from_pretrained(model, device=device, dtype=dtype, qualities=tuple(qualities))
    return recognizer_class.from_pretrained(model, device=device, dtype=dtype)


def check_chord_backend(backend: str, qualities=None) -> None:
    """Refuse an unknown ``backend``, or ``qualities`` it cannot take, before anything loads: only ``dsp``
    takes qualities (names of the vocabulary's, :data:`~modeling.vocabularies.chords.vocabulary.QUALITY_INTERVALS`)."""
    from ..vocabularies.chords.vocabulary import QUALITY_INTERVALS

    if backend not in CHORD_BACKENDS:
        raise InvalidInputError(f"Unknown chord backend {backend!r}. Accepted: {', '.join(CHORD_BACKENDS)}")
    if qualities is None:
        return
    if backend != "dsp":
        raise InvalidInputError(
            f"Chord qualities {tuple(qualities)} were given for the {backend!r} backend, which decodes a "
            "vocabulary of its own. Accepted: qualities with the dsp backend"
        )
    unknown = [quality for quality in qualities if quality not in QUALITY_INTERVALS]
    if unknown or not qualities:
        raise InvalidInputError(
            f"Unknown chord qualities {unknown or list(qualities)}. Accepted: one or more of "
            f"{', '.join(QUALITY_INTERVALS)} (default: maj, min)"
        )


def _recognizer_class(backend: str):
    """The class of a backend, imported when it is asked for (BTC needs torch and transformers; dsp librosa)."""
    if backend == "btc":
        from ..btc.recognizer import BTCChordRecognizer

        return BTCChordRecognizer
    from .dsp import DSPChordRecognizer

    return DSPChordRecognizer
