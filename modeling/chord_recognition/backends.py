"""Chord recognition backends, by name.

Every backend is a class with ``from_pretrained(name_or_path=None, device=None, dtype=None)``, a
``sampling_rate`` attribute (the rate it wants its audio at) and ``__call__(waveform, sampling_rate)
-> list[TimedChord]``; backends that can stream long audio also offer ``recognize_blocks(blocks)``
and ``block_seconds``.

* ``"dsp"``: :class:`~modeling.chord_recognition.dsp.DSPChordRecognizer`, chroma templates + Viterbi, no
  weights, major/minor triads (works offline, in tests and in the demo);
* ``"btc"``: :class:`~modeling.btc.BTCChordRecognizer`, the BTC large-vocabulary model Music2Emo
  was trained with (weights: ``modeling.base.defaults.BTC_CHORD_MODEL`` or a converted folder).
"""

from __future__ import annotations

from ..base.defaults import BTC_CHORD_MODEL
from ..base.errors import InvalidInputError

__all__ = ["CHORD_BACKENDS", "load_chord_recognizer"]

CHORD_BACKENDS = ("dsp", "btc")
"""The backend names."""

_DEFAULT_MODELS = {"btc": BTC_CHORD_MODEL}
"""The weights a backend loads when no model is given (resolved to the installed copy, else the Hub)."""


def load_chord_recognizer(backend: str = "dsp", model: str | None = None, device=None, dtype=None):
    """The recogniser of ``backend`` (``model``: Hub id or folder of its weights, when it has any)."""
    if backend not in CHORD_BACKENDS:
        raise InvalidInputError(f"Unknown chord backend {backend!r}. Accepted: {', '.join(CHORD_BACKENDS)}")
    recognizer_class = _recognizer_class(backend)
    default = _DEFAULT_MODELS.get(backend)
    if model is not None or default is not None:
        from ..hub import resolve_model

        model = resolve_model(model or default)  # the installed copy of the default, else the Hub; fails fast
    return recognizer_class.from_pretrained(model, device=device, dtype=dtype)


def _recognizer_class(backend: str):
    """The class of a backend, imported when it is asked for (BTC needs torch and transformers; dsp librosa)."""
    if backend == "btc":
        from ..btc.recognizer import BTCChordRecognizer

        return BTCChordRecognizer
    from .dsp import DSPChordRecognizer

    return DSPChordRecognizer
