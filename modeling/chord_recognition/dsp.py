"""Chord recognition that needs no downloaded weights: chroma, triad templates, Viterbi smoothing.

Each frame's constant-Q chroma (librosa) is compared with the 24 major and minor triad templates
(cosine similarity); frames whose energy is far below the clip's loudest are ``N``. The frame
scores become probabilities (a softmax with :attr:`DSPChordRecognizer.sharpness`) and a Viterbi
pass with a self-transition probability :attr:`DSPChordRecognizer.self_transition` smooths them
into chord segments. The vocabulary is major/minor triads plus ``N``: what mir_eval's ``majmin``
measure scores. Audio is processed block by block, so memory stays flat for long files.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..vocabularies.chords.labels import parse_chord
from ..vocabularies.chords.timed import TimedChord, frames_to_timed_chords
from ..vocabularies.chords.vocabulary import PITCH_CLASSES

__all__ = ["DSPChordRecognizer"]


def _templates() -> tuple[list[str], np.ndarray]:
    labels, rows = [], []
    for quality in ("maj", "min"):
        for name in PITCH_CLASSES:
            chord = parse_chord(f"{name}:{quality}")
            row = np.zeros(12)
            row[list(chord.pitch_classes)] = 1.0
            labels.append(chord.label)
            rows.append(row / np.linalg.norm(row))
    return labels, np.array(rows)


class DSPChordRecognizer:
    """Offline major/minor chord recogniser (chroma templates + Viterbi).

    Call it with a mono waveform and its sampling rate (or an iterable of consecutive blocks via
    :meth:`recognize_blocks`); it returns merged :class:`~modeling.vocabularies.chords.TimedChord` segments.
    """

    sampling_rate = 22050
    hop_length = 4096
    block_frames = 320
    """Frames per processing block (about 60 s at the default hop)."""

    def __init__(
        self, self_transition: float = 0.95, sharpness: float = 20.0, silence_db: float = -50.0
    ) -> None:
        self.self_transition = self_transition
        self.sharpness = sharpness
        self.silence_db = silence_db
        self.labels, self.templates = _templates()

    @classmethod
    def from_pretrained(cls, name_or_path=None, device=None, dtype=None) -> DSPChordRecognizer:
        """The common backend constructor; the DSP backend has no weights, so the arguments are ignored."""
        return cls()

    @property
    def block_seconds(self) -> float:
        """Length of the audio blocks :meth:`recognize_blocks` expects (a whole number of hops)."""
        return self.block_frames * self.hop_length / self.sampling_rate

    def __call__(self, waveform: np.ndarray, sampling_rate: int | None = None) -> list[TimedChord]:
        waveform = np.asarray(waveform, dtype=np.float32)
        sampling_rate = sampling_rate or self.sampling_rate
        if sampling_rate != self.sampling_rate:
            import librosa

            waveform = librosa.resample(waveform, orig_sr=sampling_rate, target_sr=self.sampling_rate)
        size = self.block_frames * self.hop_length
        return self.recognize_blocks(waveform[i : i + size] for i in range(0, max(len(waveform), 1), size))

    def recognize_blocks(self, blocks: Iterable[np.ndarray]) -> list[TimedChord]:
        """Recognise chords in consecutive blocks at :attr:`sampling_rate`, each :attr:`block_seconds`
        long except the last."""
        import librosa

        chroma, energy, samples = [], [], 0
        for block in blocks:
            samples += len(block)
            if len(block) < 2:
                continue
            frames = int(np.ceil(len(block) / self.hop_length))
            if len(block) < 4 * self.hop_length:  # too short for the CQT's lowest octave: zero-pad
                block = np.pad(block, (0, 4 * self.hop_length - len(block)))
            c = librosa.feature.chroma_cqt(
                y=block, sr=self.sampling_rate, hop_length=self.hop_length, n_octaves=6, norm=None, tuning=0.0
            )[:, :frames]
            rms = librosa.feature.rms(
                y=block, frame_length=self.hop_length, hop_length=self.hop_length, center=True
            )
            chroma.append(c)
            energy.append(rms[0, : c.shape[1]])
        if samples == 0:
            return []
        chroma = np.concatenate(chroma, axis=1)
        energy = np.concatenate(energy)
        labels = self._decode(chroma, energy)
        chords = frames_to_timed_chords(labels, self.hop_length / self.sampling_rate)
        duration = samples / self.sampling_rate
        chords = [c for c in chords if c.start < duration - 1e-6]
        if chords and chords[-1].end > duration:
            chords[-1] = TimedChord(chords[-1].start, duration, chords[-1].label)
        return chords

    def _decode(self, chroma: np.ndarray, energy: np.ndarray) -> list[str]:
        import librosa

        norms = np.linalg.norm(chroma, axis=0)
        similarity = self.templates @ (chroma / np.maximum(norms, 1e-9))  # (24, T)
        loudest = float(energy.max()) if energy.size else 0.0
        silent = (
            energy <= loudest * 10 ** (self.silence_db / 20) if loudest > 0 else np.ones_like(energy, bool)
        )
        scores = np.vstack([similarity, np.full((1, similarity.shape[1]), 0.0)])
        scores[:24, silent] = -1.0
        scores[24, silent] = 1.0
        probabilities = np.exp(self.sharpness * (scores - scores.max(axis=0, keepdims=True)))
        probabilities /= probabilities.sum(axis=0, keepdims=True)
        transition = librosa.sequence.transition_loop(25, self.self_transition)
        path = librosa.sequence.viterbi_discriminative(probabilities, transition)
        names = [*self.labels, "N"]
        return [names[state] for state in path]
