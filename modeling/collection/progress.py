"""Progress of a collection run (files, audio hours, files per hour) and its end summary."""

from __future__ import annotations

import time

__all__ = ["CollectionProgress"]

STAGES = ("decode", "encoder", "chords", "key", "head", "write")
"""Stages whose seconds the summary compares (``wait``: the encoder idle, waiting for input)."""


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m{rest % 60:02d}s" if hours else f"{rest // 60}m{rest % 60:02d}s"


class CollectionProgress:
    """A tqdm bar over ``total`` files with the audio hours done and the files per hour, and the counts the
    summary gives (succeeded, failed, audio seconds, seconds per stage)."""

    def __init__(self, total: int, description: str, *, enabled: bool = True):
        from tqdm.auto import tqdm

        self.total = total
        self.bar = tqdm(total=total, desc=description, unit="file", disable=not enabled, dynamic_ncols=True)
        self.start = time.perf_counter()
        self.succeeded = self.failed = 0
        self.audio_seconds = 0.0
        self.stages: dict[str, float] = {}

    def update(self, succeeded: bool, audio_seconds: float | None, timings: dict[str, float]) -> None:
        self.succeeded += succeeded
        self.failed += not succeeded
        if succeeded:
            self.audio_seconds += audio_seconds or 0.0
        for stage, seconds in timings.items():
            self.stages[stage] = self.stages.get(stage, 0.0) + seconds
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        done = self.succeeded + self.failed
        self.bar.set_postfix_str(
            f"{self.audio_seconds / 3600:.2f} audio h, {done * 3600 / elapsed:.0f} files/h", refresh=False
        )
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()

    def summary(self) -> str:
        """``"40 files in 1m02s: 37 succeeded, 3 failed; 0.31 audio hours (2322 files/hour, 18.0 audio-hours
        per hour); slowest stage: encoder (51.2 s, 88 % of the stages' time)"``."""
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        done = self.succeeded + self.failed
        text = (
            f"{done} file{'s' * (done != 1)} in {_duration(elapsed)}: {self.succeeded} succeeded, {self.failed} failed; "
            f"{self.audio_seconds / 3600:.2f} audio hours ({done * 3600 / elapsed:.0f} files/hour, "
            f"{self.audio_seconds / elapsed:.1f} audio-hours per hour)"
        )
        busy = {stage: self.stages[stage] for stage in STAGES if self.stages.get(stage)}
        if busy:
            slowest = max(busy, key=busy.get)
            text += (
                f"; slowest stage: {slowest} ({busy[slowest]:.1f} s, {100 * busy[slowest] / sum(busy.values()):.0f} % "
                "of the stages' time)"
            )
            if self.stages.get("wait", 0.0) > 0.05 * elapsed:
                text += f"; the encoder waited {self.stages['wait']:.1f} s for input"
        return text
