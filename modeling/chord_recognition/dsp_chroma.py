"""Chroma for the weight-free chord recogniser: a tuned semitone spectrum, an approximate note
transcription (non-negative least squares against harmonic note profiles) and its pitch classes.

This is the pre-deep-learning recipe of NNLS Chroma (Mauch and Dixon, 2010), written for numpy:

1. a constant-Q magnitude spectrogram with three bins per semitone (:func:`semitone_spectrum`), whose
   tuning is estimated from where the energy sits among the three bins of each semitone and compensated
   by interpolating between bins;
2. log compression (``log(1 + compression * X)`` after scaling the block's 99.5th percentile to 1), so
   that loud notes do not drown the others;
3. note activations (:func:`note_activations`): the spectrum explained as a non-negative mix of note
   profiles, each a harmonic series whose partials fall by ``harmonic_decay`` per harmonic, solved with
   multiplicative updates (a few dozen, on all frames at once). This takes the harmonics out that make a
   single note look like a chord in a plain chroma (the third harmonic is a fifth above, the fifth a third);
4. the activations folded onto the 12 pitch classes (:func:`fold_pitch_classes`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["fold_pitch_classes", "note_activations", "note_profiles", "semitone_spectrum"]

BINS_PER_SEMITONE = 3


def semitone_spectrum(
    block: np.ndarray, sampling_rate: int, hop_length: int, lowest_note: int, notes: int, tuning: bool = True
) -> np.ndarray:
    """Constant-Q magnitudes at the centre of each semitone, tuning compensated.

    Args:
        block: mono audio, shape ``(samples,)``, float.
        sampling_rate: its rate in Hz.
        hop_length: samples between frames.
        lowest_note: MIDI number of the first semitone (24 = C1, 32.7 Hz).
        notes: number of semitones (the highest must stay below the Nyquist frequency).
        tuning: estimate the block's deviation from A = 440 Hz (up to half a semitone either way) and read
            the spectrum at the shifted semitone centres.

    Returns:
        Magnitudes, shape ``(notes, frames)`` with ``frames = ceil(samples / hop_length)`` (+1 for the
        centred last frame, as librosa counts).
    """
    import librosa

    fmin = librosa.midi_to_hz(lowest_note) * 2 ** (-1 / (12 * BINS_PER_SEMITONE))  # semitone k at bin 3k + 1
    spectrum = np.abs(
        librosa.cqt(
            block, sr=sampling_rate, hop_length=hop_length, fmin=fmin, n_bins=BINS_PER_SEMITONE * notes,
            bins_per_octave=12 * BINS_PER_SEMITONE,
        )
    )  # fmt: skip
    shift = 0.0
    if tuning:
        mean = spectrum.mean(axis=1)
        phases = np.exp(2j * np.pi * (np.arange(len(mean)) - 1) / BINS_PER_SEMITONE)
        shift = float(np.angle(np.sum(mean * phases)) / (2 * np.pi) * BINS_PER_SEMITONE)  # bins, -1.5..1.5
    centres = np.clip(BINS_PER_SEMITONE * np.arange(notes) + 1 + shift, 0, spectrum.shape[0] - 1)
    low = np.floor(centres).astype(int)
    high = np.minimum(low + 1, spectrum.shape[0] - 1)
    fraction = (centres - low)[:, None]
    return spectrum[low] * (1 - fraction) + spectrum[high] * fraction


def note_profiles(notes: int, harmonics: int, harmonic_decay: float) -> np.ndarray:
    """The dictionary of :func:`note_activations`: shape ``(notes, notes)``, column ``n`` the semitone
    spectrum of note ``n`` (partial ``h`` at ``n + 12 log2 h``, amplitude ``harmonic_decay ** (h - 1)``),
    unit-norm columns."""
    profiles = np.zeros((notes, notes))
    for note in range(notes):
        for harmonic in range(1, harmonics + 1):
            position = note + int(round(12 * np.log2(harmonic)))
            if position < notes:
                profiles[position, note] += harmonic_decay ** (harmonic - 1)
    return profiles / np.linalg.norm(profiles, axis=0, keepdims=True)


def note_activations(spectrum: np.ndarray, profiles: np.ndarray, iterations: int) -> np.ndarray:
    """Non-negative ``H`` minimising ``||spectrum - profiles @ H||²`` (multiplicative updates).

    Args:
        spectrum: non-negative, shape ``(bins, frames)``.
        profiles: non-negative, shape ``(bins, notes)``.
        iterations: update steps (each two small matrix products over all frames).

    Returns:
        Activations, shape ``(notes, frames)``.
    """
    gram = profiles.T @ profiles
    target = profiles.T @ spectrum
    activations = np.maximum(target, 1e-9)
    for _ in range(iterations):
        activations *= target / np.maximum(gram @ activations, 1e-12)
    return activations


def fold_pitch_classes(activations: np.ndarray, lowest_note: int) -> np.ndarray:
    """Sum the activations of each pitch class: ``(notes, frames)`` -> ``(12, frames)`` (row 0 = C)."""
    pitch_classes = (lowest_note + np.arange(activations.shape[0])) % 12
    chroma = np.zeros((12, activations.shape[1]), dtype=activations.dtype)
    np.add.at(chroma, pitch_classes, activations)
    return chroma
