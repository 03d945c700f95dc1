"""Music2Emo features of many audio files, in order, with the next files' work overlapping the encoder.

:class:`FeatureRunner` keeps three threads busy (``overlap=True``, the default):

* a **reader** opens the files in order (``ffprobe``), starts each one's single decode (one ffmpeg process,
  both sampling rates: :meth:`~modeling.media.audio.AudioInput.blocks_at_two_rates`) and queues its encoder
  blocks, at most ``prefetch_seconds`` of audio ahead of the encoder;
* a **chord worker** reads the chord-rate side of the same decodes and finds each file's chords and key,
  at most ``prefetch_files`` files ahead;
* the calling thread runs the **encoder** on the queued blocks (segments of several files in one batch when
  the encoder's ``batch_size`` is above 1, as on a GPU), then assembles each file's
  :class:`~modeling.music2emo.feature_extraction_music2emo.Music2EmoFeatures`.

Queues are bounded, so memory stays flat however many and however long the files are. The features are
those of :meth:`Music2EmoFeatureExtractor.__call__` (bit for bit with a batch size of 1, the CPU default).
``overlap=False`` runs each file's stages one after another instead (the path before overlap).

A file whose audio is unusable (:class:`~modeling.base.errors.InvalidInputError`: missing, undecodable,
truncated, too short, NaN samples) gives an :class:`Outcome` with the error; any other exception stops the
run and reaches the caller (it is a bug or a broken installation, not a property of one file).
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..base.devices import lower_thread_priority, stage_threads
from ..base.errors import InvalidInputError
from ..media.audio import AudioInput
from ..music2emo.feature_extraction_music2emo import Music2EmoFeatures, SegmentCutter

__all__ = ["FeatureRunner", "Outcome"]

_POLL_S = 0.2
"""How often a waiting thread checks whether the run is being stopped."""


@dataclass
class Outcome:
    """What became of one item: its features, or the error that made its audio unusable.

    ``duration``: seconds of audio (the features', or for a failure what the file's header announces, when
    it could be read). ``timings``: seconds per stage (``decode``, ``encoder``, ``chords``, ``key``,
    and ``wait``: the encoder waiting for this file's input).
    """

    item: Any
    features: Music2EmoFeatures | None = None
    error: InvalidInputError | None = None
    duration: float | None = None
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class _File:
    index: int
    item: Any
    cutter: SegmentCutter
    timings: dict[str, float]
    duration: float | None = None
    embeddings: list[np.ndarray] = field(default_factory=list)
    queued: int = 0  # segments waiting for the encoder
    chord_job: bool = False
    complete: bool = False  # all its blocks arrived
    error: InvalidInputError | None = None


class _Stop(Exception):
    """The run is being stopped: a worker leaves."""


class FeatureRunner:
    """Features of many items with a :class:`~modeling.music2emo.Music2EmoFeatureExtractor`.

    Args:
        extractor: the feature extractor (its encoder, chord recogniser and key method).
        overlap: overlap decoding, chords and key of the next files with the encoder (see the module
            docstring); ``False`` runs each file's stages one after another.
        prefetch_files: files the chord worker may run ahead of the encoder.
        prefetch_seconds: seconds of encoder input decoded ahead of the encoder.
    """

    def __init__(
        self, extractor, *, overlap: bool = True, prefetch_files: int = 2, prefetch_seconds: float = 60.0
    ):
        self.extractor = extractor
        self.overlap = overlap
        self.prefetch_files = max(1, int(prefetch_files))
        self.prefetch_blocks = max(1, int(np.ceil(prefetch_seconds / extractor.segment_seconds)))

    def run(
        self,
        items: Iterable,
        source: Callable[[Any], Any] = lambda item: item,
        release: Callable[[Any], None] = lambda item: None,
    ) -> Iterator[Outcome]:
        """One :class:`Outcome` per item, in order. ``source(item)`` gives its audio (a path, or an
        :class:`~modeling.media.audio.AudioInput`); ``release(item)`` is called once the item is done with (e.g. to
        delete a scratch file)."""
        if not self.overlap:
            yield from self._run_sequentially(items, source, release)
            return
        yield from _Overlapped(self, items, source, release).outcomes()

    def _run_sequentially(self, items, source, release) -> Iterator[Outcome]:
        for item in items:
            audio, timings = None, {}
            try:
                start = time.perf_counter()
                audio = _open(source(item))
                timings["decode"] = time.perf_counter() - start
                features = self.extractor.extract(audio, overlap=False)
            except InvalidInputError as error:
                outcome = Outcome(item, error=error, duration=_header_duration(audio), timings=timings)
            else:
                _add(features.timings, timings)
                outcome = Outcome(
                    item, features=features, duration=features.duration, timings=features.timings
                )
            finally:
                release(item)
            yield outcome


def _open(audio) -> AudioInput:
    return audio if isinstance(audio, AudioInput) else AudioInput(audio)


def _header_duration(audio: AudioInput | None) -> float | None:
    return None if audio is None or not audio.duration else float(audio.duration)


def _add(more: dict[str, float], timings: dict[str, float]) -> None:
    for name, seconds in more.items():
        timings[name] = timings.get(name, 0.0) + seconds


class _Overlapped:
    """One overlapped run: the reader and chord worker threads, and the encoder loop in the caller's thread."""

    def __init__(self, runner: FeatureRunner, items: Iterable, source, release):
        self.runner, self.extractor = runner, runner.extractor
        self.items, self.source, self.release = iter(items), source, release
        self.blocks: queue.Queue = queue.Queue(maxsize=runner.prefetch_blocks)
        self.chord_jobs: queue.Queue = queue.Queue(maxsize=runner.prefetch_files)
        self.chord_results: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.failure: list[BaseException] = []

    # --- the workers ----------------------------------------------------------------------------------

    def _put(self, target: queue.Queue, message) -> None:
        while True:
            if self.stop.is_set():
                raise _Stop
            try:
                target.put(message, timeout=_POLL_S)
                return
            except queue.Full:
                continue

    def _get(self, source: queue.Queue):
        while True:
            if self.failure:
                raise self.failure[0]
            try:
                return source.get(timeout=_POLL_S)
            except queue.Empty:
                if self.failure:  # a worker failed while this thread waited
                    raise self.failure[0] from None
                if self.stop.is_set():
                    raise _Stop from None

    def _worker(self, body: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            lower_thread_priority(self.extractor.background_nice)
            try:
                with stage_threads("background", device=self.extractor.encoder.device):  # one thread on a CPU
                    body()
            except _Stop:
                pass
            except BaseException as error:  # reaches the caller's thread, which raises it
                self.failure.append(error)
                self.stop.set()

        return run

    def _read(self) -> None:
        """The reader: open each file, start its decode, hand the chord side over, queue the encoder side."""
        for index, item in enumerate(self.items):
            if self.stop.is_set():
                raise _Stop
            timings: dict[str, float] = {}
            audio = None
            try:
                start = time.perf_counter()
                audio = _open(self.source(item))
                encoder_blocks, chord_blocks = self.extractor.decode(audio)
                timings["decode"] = time.perf_counter() - start
            except InvalidInputError as error:
                self._put(self.blocks, ("failed", index, item, error, _header_duration(audio), timings))
                continue
            self._put(self.blocks, ("start", index, item, _header_duration(audio), timings))
            try:
                self._put(self.chord_jobs, (index, chord_blocks))
            except _Stop:
                chord_blocks.close()
                encoder_blocks.close()
                raise
            try:
                while True:
                    start = time.perf_counter()
                    try:
                        block = next(encoder_blocks)
                    except StopIteration:
                        break
                    finally:
                        timings["decode"] += time.perf_counter() - start
                    self._put(self.blocks, ("block", index, block))
            except InvalidInputError as error:
                self._put(self.blocks, ("failed", index, item, error, _header_duration(audio), timings))
                continue
            finally:
                encoder_blocks.close()
            self._put(self.blocks, ("end", index))
        self._put(self.blocks, ("done",))

    def _chords(self) -> None:
        """The chord worker: chords and key of each started file, in order."""
        while True:
            try:
                index, blocks = self._get(self.chord_jobs)
            except _Stop:
                self._close_waiting_jobs()
                raise
            timings: dict[str, float] = {}
            try:
                result = self.extractor.chords_and_key(blocks, timings)
            except InvalidInputError as error:
                result = error
            finally:
                blocks.close()
            timings.pop("decode", None)  # its wait for the shared decode, which the encoder side paces
            self.chord_results.put((index, result, timings))

    def _close_waiting_jobs(self) -> None:
        while True:
            try:
                self.chord_jobs.get_nowait()[1].close()
            except queue.Empty:
                return

    # --- the encoder, in the caller's thread -------------------------------------------------------------

    def outcomes(self) -> Iterator[Outcome]:
        threads = [
            threading.Thread(target=self._worker(self._read), name="emotune-reader", daemon=True),
            threading.Thread(target=self._worker(self._chords), name="emotune-chords", daemon=True),
        ]
        for thread in threads:
            thread.start()
        files: dict[int, _File] = {}
        waiting: deque[_File] = deque()  # in order, not yet yielded
        pending: list[tuple[_File, np.ndarray]] = []  # segments for the encoder
        batch_size = self.extractor.encoder.batch_size
        try:
            done = False
            while not done:
                start = time.perf_counter()
                message = self._get(self.blocks)
                waited = time.perf_counter() - start
                kind = message[0]
                if kind == "done":
                    done = True
                elif kind == "failed":
                    _, index, item, error, duration, timings = message
                    file = files.get(index) or _File(index, item, SegmentCutter(1), timings)
                    if index not in files:
                        files[index] = file
                        waiting.append(file)
                    file.error, file.duration, file.complete = error, duration, True
                    pending = [(owner, segment) for owner, segment in pending if owner is not file]
                    file.queued = 0
                elif kind == "start":
                    _, index, item, duration, timings = message
                    file = _File(index, item, SegmentCutter(self.extractor.encoder.sampling_rate), timings)
                    file.duration, file.chord_job = duration, True
                    files[index] = file
                    waiting.append(file)
                elif kind == "block":
                    file = files[message[1]]
                    file.timings["wait"] = file.timings.get("wait", 0.0) + waited
                    for segment in file.cutter.push(message[2]):
                        pending.append((file, segment))
                        file.queued += 1
                elif kind == "end":
                    file = files[message[1]]
                    for segment in file.cutter.finish():
                        pending.append((file, segment))
                        file.queued += 1
                    file.complete = True
                complete = sum(1 for file in waiting if file.complete)
                if len(pending) >= batch_size or (pending and (done or complete >= batch_size)):
                    self._embed(pending)
                    pending = []
                while waiting and waiting[0].complete and waiting[0].queued == 0:
                    file = waiting.popleft()
                    del files[file.index]
                    outcome = self._outcome(file)
                    self.release(file.item)
                    yield outcome
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(timeout=30)

    def _embed(self, pending: list[tuple[_File, np.ndarray]]) -> None:
        start = time.perf_counter()
        embeddings = self.extractor.encoder.embed([segment for _, segment in pending])
        share = (time.perf_counter() - start) / len(pending)
        for (file, _), embedding in zip(pending, embeddings, strict=True):
            file.embeddings.append(embedding)
            file.queued -= 1
            file.timings["encoder"] = file.timings.get("encoder", 0.0) + share

    def _outcome(self, file: _File) -> Outcome:
        chords = None
        if file.chord_job:
            start = time.perf_counter()
            index, chords, timings = self._get(self.chord_results)
            file.timings["wait"] = file.timings.get("wait", 0.0) + time.perf_counter() - start
            assert index == file.index, (index, file.index)  # the chord worker keeps the order
            _add(timings, file.timings)
        if file.error is None and isinstance(chords, InvalidInputError):
            file.error = chords  # the encoder side decoded; the chord side did not
        if file.error is not None:
            return Outcome(file.item, error=file.error, duration=file.duration, timings=file.timings)
        features = self.extractor.features(
            np.stack(file.embeddings), file.cutter.spans, *chords, file.timings
        )
        return Outcome(file.item, features=features, duration=features.duration, timings=file.timings)
