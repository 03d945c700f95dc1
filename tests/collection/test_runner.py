"""The overlapped runner: the features of single calls, segments of several files in one encoder batch,
and a run stopped early leaves no thread or decoder behind."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from modeling.base.errors import InvalidInputError
from modeling.collection import FeatureRunner, collect_audio_files
from modeling.music2emo.feature_extraction_music2emo import Music2EmoFeatureExtractor
from tests.collection.conftest import BAD


@pytest.fixture(scope="module")
def files(collection):
    return collect_audio_files([str(collection)])


def test_batches_of_segments_from_several_files_give_the_features_of_single_calls(mert_dir, files):
    extractor = Music2EmoFeatureExtractor(str(mert_dir), chord_backend="dsp", batch_size=3)
    batches = []
    embed = extractor.encoder.embed
    extractor.encoder.embed = lambda segments: batches.append(len(segments)) or embed(segments)
    chosen = [file for file in files if not file.endswith(BAD)][:7]  # seven decodable clips
    outcomes = list(FeatureRunner(extractor).run(chosen))
    assert [outcome.item for outcome in outcomes] == chosen
    assert max(batches) == 3 and sum(batches) == 7  # one segment per short clip, three clips a batch
    single = Music2EmoFeatureExtractor(str(mert_dir), chord_backend="dsp", overlap=False)
    for outcome in outcomes:
        expected = single(outcome.item)
        np.testing.assert_allclose(
            outcome.features.segment_embeddings, expected.segment_embeddings, rtol=1e-4, atol=1e-5
        )
        assert outcome.features.chords == expected.chords and outcome.features.key == expected.key
        assert outcome.features.segments == expected.segments and outcome.duration == expected.duration


def test_a_run_stopped_early_ends_its_threads(mert_dir, files):
    extractor = Music2EmoFeatureExtractor(str(mert_dir), chord_backend="dsp")
    before = set(threading.enumerate())
    run = FeatureRunner(extractor, prefetch_files=3).run(files)
    first = next(run)
    assert first.item == files[0] and first.error is None
    run.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and set(threading.enumerate()) - before:
        time.sleep(0.05)
    assert not {thread.name for thread in set(threading.enumerate()) - before}


def test_a_bug_in_a_worker_reaches_the_caller(mert_dir, files):
    extractor = Music2EmoFeatureExtractor(str(mert_dir), chord_backend="dsp")

    def broken(blocks, timings):
        raise RuntimeError("a bug in the chord stage")

    extractor.chords_and_key = broken
    with pytest.raises(RuntimeError, match="a bug in the chord stage"):
        list(FeatureRunner(extractor).run(files[:3]))


def test_only_the_input_family_becomes_an_outcome(mert_dir, tmp_path):
    (tmp_path / "bad.wav").write_text("not audio")
    for overlap in (True, False):
        runner = FeatureRunner(Music2EmoFeatureExtractor(str(mert_dir), chord_backend="dsp"), overlap=overlap)
        (outcome,) = runner.run([str(tmp_path / "bad.wav")])
        assert isinstance(outcome.error, InvalidInputError) and outcome.features is None


@pytest.mark.parametrize("program", ["ffprobe", "ffmpeg"])
@pytest.mark.parametrize("overlap", [True, False])
def test_a_decoder_killed_by_a_signal_stops_the_run_instead_of_recording_the_file(
    mert_dir, files, tmp_path, monkeypatch, program, overlap
):
    """A kill of the whole launch reaches ffprobe/ffmpeg too, maybe before the process that reads them: a
    decoder stopped by a signal says nothing about the file, so no error record may be written for it (a
    --resume would skip the file for good)."""
    import os
    import shutil

    from modeling.base.errors import DecoderStoppedError

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("ffmpeg", "ffprobe"):
        real = shutil.which(name)
        body = f'exec {real} "$@"\n' if name != program else "kill -9 $$\n"
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}")
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    extractor = Music2EmoFeatureExtractor(str(mert_dir), chord_backend="dsp")
    with pytest.raises(DecoderStoppedError, match=f"{program} was stopped by signal 9 while reading"):
        list(FeatureRunner(extractor, overlap=overlap).run(files[:2]))
