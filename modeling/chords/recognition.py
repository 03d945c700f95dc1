"""Chord recognition backends, by name.

Every backend is a class with ``from_pretrained(name_or_path=None, device=None, dtype=None)``, a
``sampling_rate`` attribute (the rate it wants its audio at) and ``__call__(waveform, sampling_rate)
-> list[TimedChord]``; backends that can stream long audio also offer ``recognize_blocks(blocks)``
and ``block_seconds``.

* ``"dsp"``: :class:`~modeling.chords.dsp.DSPChordRecognizer`, chroma templates + Viterbi, no
  weights, major/minor triads (works offline, in tests and in the demo);
* ``"btc"``: :class:`~modeling.chords.btc.BTCChordRecognizer`, the BTC large-vocabulary model Music2Emo
  was trained with (weights: ``modeling.defaults.BTC_CHORD_MODEL`` or a converted folder).
"""

from __future__ import annotations

import importlib

from ..defaults import BTC_CHORD_MODEL
from ..errors import InvalidInputError

__all__ = ["CHORD_BACKENDS", "load_chord_recognizer"]

CHORD_BACKENDS = {
    "dsp": "modeling.chords.dsp:DSPChordRecognizer",
    "btc": "modeling.chords.btc:BTCChordRecognizer",
}
"""Backend name -> ``module:class``."""

_DEFAULT_MODELS = {"btc": BTC_CHORD_MODEL}
"""The weights a backend loads when no model is given (resolved to the installed copy, else the Hub)."""


def load_chord_recognizer(backend: str = "dsp", model: str | None = None, device=None, dtype=None):
    """The recogniser of ``backend`` (``model``: Hub id or folder of its weights, when it has any)."""
    if backend not in CHORD_BACKENDS:
        raise InvalidInputError(f"Unknown chord backend {backend!r}. Accepted: {', '.join(CHORD_BACKENDS)}")
    module, name = CHORD_BACKENDS[backend].split(":")
    recognizer_class = getattr(importlib.import_module(module), name)
    default = _DEFAULT_MODELS.get(backend)
    if model is not None or default is not None:
        from ..weights import resolve_model

        model = resolve_model(model or default)  # the installed copy of the default, else the Hub; fails fast
    return recognizer_class.from_pretrained(model, device=device, dtype=dtype)
