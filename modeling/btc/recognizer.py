"""Chord recognition with a BTC model, exactly as Music2Emo runs it on its training data.

The audio (22050 Hz, mono) is cut into 10-second chunks; each chunk's constant-Q transform (144 bins,
24 per octave, hop 2048: 108 frames) is computed on its own, as BTC's ``audio_file_to_features`` does,
the log magnitude ``log(|CQT| + 1e-6)`` is normalised by the checkpoint's mean and std, the frames are
classified in 108-frame windows (padded at the end), and consecutive equal frames become one chord
segment, each frame lasting ``10 / 108`` s (BTC's ``feature_per_second``). ``X`` (unknown chord) is
reported as ``N``, as Music2Emo reads it. Because the chunks are the model's windows, long audio
streams chunk by chunk with flat memory.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import torch

from ..base.defaults import BTC_CHORD_MODEL
from ..base.devices import resolve_device_dtype
from ..vocabularies.chords.timed import TimedChord, frames_to_timed_chords

__all__ = ["BTCChordRecognizer"]


class BTCChordRecognizer:
    """A :class:`~modeling.btc.BTCModel` wrapped as a chord recognition backend."""

    def __init__(self, model, device=None, dtype=None):
        self.device, self.dtype = resolve_device_dtype(device, dtype)
        self.model = model.to(device=self.device, dtype=self.dtype).eval()
        config = model.config
        self.config = config
        self.sampling_rate = int(config.sampling_rate)
        self.block_seconds = float(config.inst_len)
        self.labels = [config.id2label[i] for i in range(config.num_chords)]
        self.mean = np.asarray(config.feature_mean, dtype=np.float32)
        self.std = np.asarray(config.feature_std, dtype=np.float32)

    @classmethod
    def from_pretrained(cls, name_or_path=None, device=None, dtype=None) -> BTCChordRecognizer:
        from transformers import AutoModel

        from ..base.errors import InvalidInputError

        model = AutoModel.from_pretrained(str(name_or_path or BTC_CHORD_MODEL), trust_remote_code=True)
        if model.config.model_type != "btc":
            raise InvalidInputError(
                f"{name_or_path} is a {model.config.model_type!r} model. Accepted: a BTC chord model (model_type btc)"
            )
        return cls(model, device=device, dtype=dtype)

    def features(self, chunk: np.ndarray) -> np.ndarray:
        """``(frames, n_bins)`` normalised log-CQT of one chunk."""
        import librosa

        config = self.config
        cqt = librosa.cqt(chunk, sr=self.sampling_rate, n_bins=config.n_bins, bins_per_octave=config.bins_per_octave,
                          hop_length=config.hop_length)  # fmt: skip
        return ((np.log(np.abs(cqt) + 1e-6).T - self.mean) / self.std).astype(np.float32)

    def __call__(self, waveform: np.ndarray, sampling_rate: int | None = None) -> list[TimedChord]:
        waveform = np.asarray(waveform, dtype=np.float32)
        if sampling_rate is not None and sampling_rate != self.sampling_rate:
            import librosa

            waveform = librosa.resample(waveform, orig_sr=sampling_rate, target_sr=self.sampling_rate)
        size = int(self.sampling_rate * self.block_seconds)
        return self.recognize_blocks(waveform[i : i + size] for i in range(0, len(waveform), size))

    def recognize_blocks(self, blocks: Iterable[np.ndarray]) -> list[TimedChord]:
        """Chords of consecutive ``inst_len``-second chunks (the last may be shorter)."""
        window = self.config.timestep
        labels: list[str] = []
        pending = np.zeros((0, self.config.n_bins), dtype=np.float32)
        for block in blocks:
            if len(block) == 0:
                continue
            pending = np.concatenate([pending, self.features(np.asarray(block, dtype=np.float32))])
            whole = len(pending) // window * window
            if whole:
                labels += self._classify(pending[:whole])
                pending = pending[whole:]
        if len(pending):
            padded = np.concatenate(
                [pending, np.zeros((window - len(pending), pending.shape[1]), np.float32)]
            )
            labels += self._classify(padded)[: len(pending)]
        labels = ["N" if label == "X" else label for label in labels]
        return frames_to_timed_chords(labels, self.block_seconds / window)

    def _classify(self, frames: np.ndarray) -> list[str]:
        windows = torch.from_numpy(frames).reshape(-1, self.config.timestep, frames.shape[1])
        with torch.inference_mode():
            logits = self.model(windows.to(self.device, dtype=self.dtype)).logits
        return [self.labels[i] for i in logits.argmax(-1).flatten().tolist()]
