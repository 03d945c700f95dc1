"""Chord recognition that needs no downloaded weights: approximate transcription, triad templates, Viterbi.

Two methods, both major/minor triads plus ``N`` by default (what mir_eval's ``majmin`` measure scores; every
label is in the 157-chord vocabulary the Music2Emo encoder reads). ``nnls`` also takes other qualities of the
vocabulary as an option: ``qualities=("maj", "min", "7")`` adds dominant sevenths (with a small prior for
triads, ``four_note_penalty``), measured on the real-music benchmark beside the default:

* ``method="nnls"`` (the default): NNLS-style chroma (:mod:`modeling.chord_recognition.dsp_chroma`: a tuned
  semitone constant-Q spectrum, log compression, note activations by non-negative least squares against
  harmonic note profiles, folded to pitch classes) every :attr:`~DSPChordRecognizer.hop_length` samples
  (23 ms), cosine similarity with triad templates whose root and third outweigh the fifth
  (:func:`~modeling.chord_recognition.dsp_decoding.chord_templates`), and a Viterbi pass that charges
  ``switch_penalty`` per chord change (:func:`~modeling.chord_recognition.dsp_decoding.viterbi_with_switch_penalty`).
  Its defaults were tuned on the development part of ``benchmarks/real_music.py`` (FluidSynth renders
  of music21's corpus, Bach left out) and are reported on its held-out part
  (``benchmarks/REAL_MUSIC_RESULTS.md``).
* ``method="templates"``: the backend as it was before: librosa's constant-Q chroma every 4096 samples
  (186 ms), cosine similarity with the 24 triads, a softmax with ``sharpness`` and a Viterbi pass with
  self-transition probability ``self_transition``.

Frames whose RMS is ``silence_db`` below the recording's loudest frame are ``N``. Audio is processed block
by block (:meth:`DSPChordRecognizer.recognize_blocks`, blocks of :attr:`DSPChordRecognizer.block_seconds`),
keeping only 12 chroma values and one energy value per frame, so memory stays flat for long files.

:meth:`DSPChordRecognizer.analyse` (and :meth:`~DSPChordRecognizer.analyse_blocks`) also hands back that
chroma (:class:`ChordAnalysis`), which ``detect_key(chords, "chroma", chroma=..., frame_seconds=...)``
(:mod:`modeling.chord_recognition.key`) reads for the key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..base.errors import InvalidInputError
from ..vocabularies.chords.labels import parse_chord
from ..vocabularies.chords.timed import TimedChord, frames_to_timed_chords
from ..vocabularies.chords.vocabulary import PITCH_CLASSES, QUALITY_INTERVALS
from .dsp_chroma import fold_pitch_classes, note_activations, note_profiles, semitone_spectrum
from .dsp_decoding import chord_templates, viterbi_with_switch_penalty

__all__ = ["DSP_METHODS", "ChordAnalysis", "DSPChordRecognizer"]

DSP_METHODS = ("nnls", "templates")
BLOCK_SAMPLES = 320 * 4096
"""Samples per processing block (59.4 s at 22,050 Hz): a whole number of hops of either method."""


def _triad_templates() -> tuple[list[str], np.ndarray]:
    """The ``templates`` method's 24 unit-norm binary triads."""
    labels, rows = [], []
    for quality in ("maj", "min"):
        for name in PITCH_CLASSES:
            chord = parse_chord(f"{name}:{quality}")
            row = np.zeros(12)
            row[list(chord.pitch_classes)] = 1.0
            labels.append(chord.label)
            rows.append(row / np.linalg.norm(row))
    return labels, np.array(rows)


@dataclass
class ChordAnalysis:
    """What :meth:`DSPChordRecognizer.analyse` finds in one recording."""

    chords: list[TimedChord]
    """Merged chord segments (seconds)."""
    chroma: np.ndarray
    """The chroma the chords were decoded from, shape ``(12, frames)``, row 0 = C (NNLS note activations
    folded to pitch classes for ``method="nnls"``, constant-Q chroma for ``"templates"``)."""
    frame_seconds: float
    """Seconds between chroma frames (``hop_length / sampling_rate``)."""


class DSPChordRecognizer:
    """Offline chord recogniser (NNLS chroma + chord templates + Viterbi): major/minor triads, optionally more
    qualities (``qualities``).

    Call it with a mono waveform and its sampling rate (or an iterable of consecutive blocks via
    :meth:`recognize_blocks`); it returns merged :class:`~modeling.vocabularies.chords.TimedChord` segments.

    Args:
        method: ``"nnls"`` (default) or ``"templates"`` (the backend before the real-music benchmark).
        hop_length: samples between frames at :attr:`sampling_rate`; default 512 for ``nnls`` (23 ms),
            4096 for ``templates`` (186 ms). Must divide :data:`BLOCK_SAMPLES` and be a multiple of 64 (the
            constant-Q transform halves the rate once per octave).
        compression: ``nnls``: the ``c`` of ``log(1 + c * X)`` applied to the semitone spectrum scaled to its
            99.5th percentile (default 100).
        harmonics: ``nnls``: partials in each note profile (default 8).
        harmonic_decay: ``nnls``: amplitude ratio of consecutive partials in the note profiles (default 0.7).
        nnls_iterations: ``nnls``: multiplicative updates of the note activations (default 30).
        fifth_weight: ``nnls``: weight of the fifth in the chord templates, root and third weigh 1 (default 0.7).
        switch_penalty: ``nnls``: cost of one chord change in summed per-frame cosine similarity (default 0.25).
        no_chord_score: ``nnls``: the per-frame score of ``N`` on sounding frames (cosine units; default 0.2).
        lowest_note: ``nnls``: MIDI number of the lowest semitone analysed (default 24, C1).
        notes: ``nnls``: semitones analysed from ``lowest_note`` (default 84: up to B7).
        tuning: ``nnls``: estimate and compensate each block's tuning (default True).
        self_transition: ``templates``: Viterbi self-transition probability (default 0.95).
        sharpness: ``templates``: softmax sharpness of the cosine similarities (default 20).
        silence_db: frames this many dB below the loudest frame are ``N`` (default -50).
        qualities: ``nnls``: the chord qualities decoded, names of the vocabulary's qualities (default
            ``("maj", "min")``). ``("maj", "min", "7")`` adds dominant sevenths, which the chord-symbol tunes
            of the real-music benchmark are full of (``sevenths`` 0.77 -> 0.94 on its development part,
            ``majmin`` unchanged; see ``benchmarks/REAL_MUSIC_RESULTS.md``).
        four_note_penalty: ``nnls``: subtracted from the per-frame score of every chord of four notes, so
            that a triad with a passing seventh stays a triad (cosine units; default 0.07, chosen on the
            development part with ``qualities=("maj", "min", "7")``; 0 without it, sevenths take a third of
            the triads' frames).
    """

    sampling_rate = 22050

    def __init__(
        self,
        method: str = "nnls",
        *,
        hop_length: int | None = None,
        compression: float = 100.0,
        harmonics: int = 8,
        harmonic_decay: float = 0.7,
        nnls_iterations: int = 30,
        fifth_weight: float = 0.7,
        switch_penalty: float = 0.25,
        no_chord_score: float = 0.2,
        lowest_note: int = 24,
        notes: int = 84,
        tuning: bool = True,
        self_transition: float = 0.95,
        sharpness: float = 20.0,
        silence_db: float = -50.0,
        qualities: tuple[str, ...] = ("maj", "min"),
        four_note_penalty: float = 0.07,
    ) -> None:
        if method not in DSP_METHODS:
            raise InvalidInputError(f"Unknown dsp method {method!r}. Accepted: {', '.join(DSP_METHODS)}")
        hop_length = hop_length or (512 if method == "nnls" else 4096)
        if hop_length <= 0 or BLOCK_SAMPLES % hop_length or hop_length % 64:
            raise InvalidInputError(
                f"hop_length {hop_length} does not fit. Accepted: a positive multiple of 64 that divides "
                f"{BLOCK_SAMPLES} (e.g. 512, 1024, 2048, 4096)"
            )
        if lowest_note < 0 or lowest_note + notes > 127 or notes < 12:
            raise InvalidInputError(
                f"lowest_note={lowest_note}, notes={notes} leave MIDI's range. Accepted: lowest_note >= 0, "
                "notes >= 12, lowest_note + notes <= 127"
            )
        if 440.0 * 2 ** ((lowest_note + notes - 69) / 12) >= self.sampling_rate / 2:
            raise InvalidInputError(
                f"The highest note analysed (MIDI {lowest_note + notes - 1}) is above the Nyquist frequency "
                f"at {self.sampling_rate} Hz. Accepted: lowest_note + notes <= 113"
            )
        self.method = method
        self.hop_length = hop_length
        self.block_frames = BLOCK_SAMPLES // hop_length
        self.compression = compression
        self.harmonics = harmonics
        self.harmonic_decay = harmonic_decay
        self.nnls_iterations = nnls_iterations
        self.fifth_weight = fifth_weight
        self.switch_penalty = switch_penalty
        self.no_chord_score = no_chord_score
        self.lowest_note = lowest_note
        self.notes = notes
        self.tuning = tuning
        self.self_transition = self_transition
        self.sharpness = sharpness
        self.silence_db = silence_db
        unknown = [q for q in qualities if q not in QUALITY_INTERVALS]
        if unknown or not qualities or (method == "templates" and tuple(qualities) != ("maj", "min")):
            raise InvalidInputError(
                f"qualities={tuple(qualities)} do not fit method {method!r}. Accepted: for nnls, names of the "
                f"vocabulary's qualities ({', '.join(QUALITY_INTERVALS)}); for templates, ('maj', 'min')"
            )
        self.qualities = tuple(qualities)
        self.four_note_penalty = four_note_penalty
        if method == "nnls":
            self.labels, self.templates = chord_templates(self.qualities, fifth_weight)
            self.priors = -four_note_penalty * np.repeat(
                [len(QUALITY_INTERVALS[q]) > 3 for q in self.qualities], 12
            )
            self.profiles = note_profiles(notes, harmonics, harmonic_decay)
        else:
            self.labels, self.templates = _triad_templates()

    @classmethod
    def from_pretrained(
        cls, name_or_path=None, device=None, dtype=None, qualities=None
    ) -> DSPChordRecognizer:
        """The common backend constructor; the DSP backend has no weights, so the first three arguments are
        ignored. ``qualities``: as in the constructor (``None``: its default, major and minor triads)."""
        return cls() if qualities is None else cls(qualities=tuple(qualities))

    @property
    def block_seconds(self) -> float:
        """Length of the audio blocks :meth:`recognize_blocks` expects (a whole number of hops)."""
        return self.block_frames * self.hop_length / self.sampling_rate

    def __call__(self, waveform: np.ndarray, sampling_rate: int | None = None) -> list[TimedChord]:
        return self.analyse(waveform, sampling_rate).chords

    def analyse(self, waveform: np.ndarray, sampling_rate: int | None = None) -> ChordAnalysis:
        """Chords and chroma of a mono ``waveform`` (shape ``(samples,)``) at ``sampling_rate`` Hz
        (default :attr:`sampling_rate`; other rates are resampled)."""
        waveform = np.asarray(waveform, dtype=np.float32)
        sampling_rate = sampling_rate or self.sampling_rate
        if sampling_rate != self.sampling_rate:
            import librosa

            waveform = librosa.resample(waveform, orig_sr=sampling_rate, target_sr=self.sampling_rate)
        size = self.block_frames * self.hop_length
        return self.analyse_blocks(waveform[i : i + size] for i in range(0, max(len(waveform), 1), size))

    def recognize_blocks(self, blocks: Iterable[np.ndarray]) -> list[TimedChord]:
        """Recognise chords in consecutive blocks at :attr:`sampling_rate`, each :attr:`block_seconds`
        long except the last."""
        return self.analyse_blocks(blocks).chords

    def analyse_blocks(self, blocks: Iterable[np.ndarray]) -> ChordAnalysis:
        """:meth:`recognize_blocks`, with the chroma (12 values per frame: the memory it keeps anyway)."""
        chroma, energy, samples = [], [], 0
        for block in blocks:
            block = np.asarray(block, dtype=np.float32)
            samples += len(block)
            if len(block) < 2:
                continue
            block_chroma, block_energy = self.block_features(block)
            chroma.append(block_chroma)
            energy.append(block_energy)
        frame_seconds = self.hop_length / self.sampling_rate
        if not chroma:
            return ChordAnalysis([], np.zeros((12, 0), dtype=np.float32), frame_seconds)
        chroma = np.concatenate(chroma, axis=1)
        energy = np.concatenate(energy)
        labels = (
            self._decode(chroma, energy) if self.method == "nnls" else self._decode_templates(chroma, energy)
        )
        chords = frames_to_timed_chords(labels, frame_seconds)
        duration = samples / self.sampling_rate
        chords = [c for c in chords if c.start < duration - 1e-6]
        if chords and chords[-1].end > duration:
            chords[-1] = TimedChord(chords[-1].start, duration, chords[-1].label)
        return ChordAnalysis(chords, chroma, frame_seconds)

    def block_features(self, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Chroma ``(12, frames)`` and RMS ``(frames,)`` of one block, ``frames = ceil(len(block) / hop_length)``."""
        import librosa

        frames = int(np.ceil(len(block) / self.hop_length))
        # the constant-Q transform's lowest octave needs 1024 samples: short blocks are padded to 3 s
        minimum = max(16 * 4096, 4 * self.hop_length)
        if len(block) < minimum:
            block = np.pad(block, (0, minimum - len(block)))
        if self.method == "nnls":
            spectrum = semitone_spectrum(
                block, self.sampling_rate, self.hop_length, self.lowest_note, self.notes, self.tuning
            )[:, :frames]
            spectrum = spectrum / max(float(np.percentile(spectrum, 99.5)), 1e-9)
            activations = note_activations(
                np.log1p(self.compression * spectrum), self.profiles, self.nnls_iterations
            )
            chroma = fold_pitch_classes(activations, self.lowest_note).astype(np.float32)
        else:
            chroma = librosa.feature.chroma_cqt(
                y=block, sr=self.sampling_rate, hop_length=self.hop_length, n_octaves=6, norm=None, tuning=0.0
            )[:, :frames]
        rms = librosa.feature.rms(
            y=block, frame_length=self.hop_length, hop_length=self.hop_length, center=True
        )
        return chroma, rms[0, : chroma.shape[1]]

    def _silent(self, energy: np.ndarray) -> np.ndarray:
        loudest = float(energy.max()) if energy.size else 0.0
        if loudest <= 0:
            return np.ones_like(energy, dtype=bool)
        return energy <= loudest * 10 ** (self.silence_db / 20)

    def _decode(self, chroma: np.ndarray, energy: np.ndarray) -> list[str]:
        unit = chroma / np.maximum(np.linalg.norm(chroma, axis=0, keepdims=True), 1e-9)
        scores = np.vstack(
            [self.templates @ unit + self.priors[:, None], np.full((1, unit.shape[1]), self.no_chord_score)]
        )
        silent = self._silent(energy)
        scores[:-1, silent] = -1.0
        scores[-1, silent] = 2.0
        path = viterbi_with_switch_penalty(scores, self.switch_penalty)
        names = [*self.labels, "N"]
        return [names[state] for state in path]

    def _decode_templates(self, chroma: np.ndarray, energy: np.ndarray) -> list[str]:
        import librosa

        norms = np.linalg.norm(chroma, axis=0)
        similarity = self.templates @ (chroma / np.maximum(norms, 1e-9))  # (24, T)
        silent = self._silent(energy)
        scores = np.vstack([similarity, np.full((1, similarity.shape[1]), 0.0)])
        scores[:24, silent] = -1.0
        scores[24, silent] = 1.0
        probabilities = np.exp(self.sharpness * (scores - scores.max(axis=0, keepdims=True)))
        probabilities /= probabilities.sum(axis=0, keepdims=True)
        transition = librosa.sequence.transition_loop(25, self.self_transition)
        path = librosa.sequence.viterbi_discriminative(probabilities, transition)
        names = [*self.labels, "N"]
        return [names[state] for state in path]
