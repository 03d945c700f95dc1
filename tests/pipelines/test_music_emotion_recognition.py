"""The music-emotion-recognition pipeline and `emotune predict`, with tiny random models."""

import json

import pytest

from dataset_scripts.synthetic.audio import render_progression
from modeling.base.errors import AudioDecodingError, InvalidInputError
from modeling.media.audio import write_audio
from modeling.vocabularies.emotion import MOOD_TAGS
from tests.audio_files import lavfi_audio
from tests.conftest import REPO_ROOT, run_python


@pytest.fixture(scope="module")
def minor_clip(audio_dir):
    wave = render_progression(["A:min", "D:min", "E", "A:min"] * 5, 2.0, 44100)
    return write_audio(audio_dir / "minor.mp3", wave, 44100)


def test_result_has_everything_the_issue_lists(mer, minor_clip):
    result = mer(str(minor_clip))
    assert [m["label"] for m in result["moods"]] != MOOD_TAGS
    assert sorted(m["label"] for m in result["moods"]) == sorted(MOOD_TAGS)
    scores = [m["score"] for m in result["moods"]]
    assert scores == sorted(scores, reverse=True)
    assert result["predicted_moods"] == [m["label"] for m in result["moods"] if m["score"] >= 0.5]
    assert isinstance(result["valence"], float) and isinstance(result["arousal"], float)
    assert result["quadrant"] in {"Q1", "Q2", "Q3", "Q4"}
    assert result["key"] == "A minor"
    assert [c["label"] for c in result["chords"][:4]] == ["A:min", "D:min", "E", "A:min"]
    assert [(s["start"], s["end"]) for s in result["segments"]] == [(0.0, 30.0), (30.0, 40.0)]
    assert all(len(s["moods"]) == 5 for s in result["segments"])
    json.dumps(result)


def test_lists_run_one_by_one_or_batched_and_match_single_calls(mer, minor_clip, audio_dir):
    other = lavfi_audio(audio_dir / "tone.ogg", "sine=frequency=330", seconds=4.0)
    single = [mer(str(minor_clip)), mer(str(other))]
    for results in (mer([str(minor_clip), str(other)]), mer([str(minor_clip), str(other)], batch_size=2)):
        for a, b in zip(single, results, strict=True):
            assert a["valence"] == pytest.approx(b["valence"], abs=1e-5)
            assert a["moods"][0]["label"] == b["moods"][0]["label"]
            assert [s["end"] for s in a["segments"]] == [s["end"] for s in b["segments"]]
            assert a["segments"][-1]["valence"] == pytest.approx(b["segments"][-1]["valence"], abs=1e-5)
    assert mer([]) == []


def test_labels_come_from_the_model_config(model_dir, tmp_path):
    """A model with other labels (a converted checkpoint of another tag set) shows its own."""
    from transformers import AutoModel, pipeline

    model = AutoModel.from_pretrained(model_dir)
    model.config.id2label = {i: f"tag-{i}" for i in range(56)}
    model.config.label2id = {label: i for i, label in model.config.id2label.items()}
    model.save_pretrained(tmp_path / "relabelled")
    relabelled = pipeline(
        "music-emotion-recognition", model=str(tmp_path / "relabelled"), chord_backend="dsp"
    )
    result = relabelled(render_progression(["C", "G"], 1.0, 22050), sampling_rate=22050)
    assert {m["label"] for m in result["moods"]} == {f"tag-{i}" for i in range(56)}
    assert set(result["segments"][0]["moods"][0]) == {"label", "score"}
    assert result["segments"][0]["moods"][0]["label"].startswith("tag-")


def test_only_the_pipeline_steps_are_overridden():
    from transformers import Pipeline

    from modeling import MusicEmotionRecognitionPipeline, VideoToMusicPipeline

    steps = {"_sanitize_parameters", "preprocess", "_forward", "postprocess"}
    assert "forward" not in vars(MusicEmotionRecognitionPipeline)
    for cls in (MusicEmotionRecognitionPipeline, VideoToMusicPipeline):
        overridden = {name for name in vars(Pipeline) if name in vars(cls) and callable(vars(cls)[name])}
        assert overridden - {"__init__", "__call__"} == steps, cls


def test_threshold_and_array_inputs(mer):
    wave = render_progression(["C", "G"], 1.0, 22050)
    strict = mer({"array": wave, "sampling_rate": 22050}, threshold=1.0)
    assert strict["predicted_moods"] == []
    assert len(mer(wave, sampling_rate=22050, threshold=0.0)["predicted_moods"]) == 56
    with pytest.raises(InvalidInputError, match="between 0 and 1"):
        mer(wave, sampling_rate=22050, threshold=2)
    with pytest.raises(InvalidInputError, match="'array' and 'sampling_rate'"):
        mer({"audio": wave})


@pytest.mark.parametrize(
    ("name", "source", "rate", "channels", "seconds"),
    [
        ("silence.wav", "anullsrc", 44100, 2, 3.0),
        ("low.wav", "sine=frequency=300", 8000, 1, 3.0),
        ("high.flac", "sine=frequency=1000", 192000, 2, 3.0),
        ("surround.wav", "sine=frequency=440", 48000, 6, 3.0),
    ],
)
def test_unusual_but_valid_audio_returns_results(mer, audio_dir, name, source, rate, channels, seconds):
    result = mer(str(lavfi_audio(audio_dir / name, source, rate=rate, channels=channels, seconds=seconds)))
    assert len(result["moods"]) == 56 and result["duration"] == pytest.approx(seconds, abs=0.05)
    if source == "anullsrc":
        assert [c["label"] for c in result["chords"]] == ["N"] and result["key"] == "C major"


@pytest.mark.slow
def test_a_twenty_minute_file_is_processed_in_segments(mer, audio_dir):
    result = mer(str(lavfi_audio(audio_dir / "long.ogg", "sine=frequency=220", rate=16000, seconds=1200.0)))
    assert len(result["segments"]) == 40 and result["segments"][-1]["end"] == pytest.approx(1200.0, abs=0.1)


def test_bad_input_reaches_the_caller_as_the_family_error(mer, audio_dir):
    (audio_dir / "notes.wav").write_text("not audio")
    with pytest.raises(AudioDecodingError, match="cannot be decoded"):
        mer(str(audio_dir / "notes.wav"))


@pytest.mark.slow
def test_predict_command_prints_a_summary_json_and_a_figure(
    model_dir, minor_clip, audio_dir, tmp_path, capsys
):
    from modeling.cli import main

    (audio_dir / "bad.wav").write_text("not audio")
    args = ["predict", str(minor_clip), "--model", str(model_dir), "--chord-backend", "dsp"]
    assert main([*args, "--plot", str(tmp_path / "f.png")]) == 0
    out = capsys.readouterr().out
    assert "key: A minor" in out and "quadrant" in out and "chords: A:min D:min E" in out
    assert (tmp_path / "f.png").stat().st_size > 10_000

    # as people run it: a process of its own, one bad file among good ones
    args = [*args[:2], str(audio_dir / "bad.wav"), *args[2:], "--json"]
    done = run_python(f"import sys\nfrom modeling.cli import main\nsys.exit(main({args!r}))", cwd=REPO_ROOT)
    assert done.returncode == 1
    results = json.loads(done.stdout)
    assert results[str(minor_clip)]["key"] == "A minor"
    assert "cannot be decoded as audio" in results[str(audio_dir / "bad.wav")]["error"]
    assert "Traceback" not in done.stderr
    # the models loaded without the libraries' progress bars (`--verbose` shows them)
    assert "Loading weights" not in done.stderr and "it/s]" not in done.stderr, done.stderr[-2000:]


def test_predict_passes_the_chord_qualities_to_the_dsp_backend(model_dir, audio_dir, capsys):
    from modeling.cli import main

    wave = render_progression(["A:min", "E:7", "A:min", "D:min", "E:7", "A:min"], 2.0, 44100)
    clip = write_audio(audio_dir / "sevenths.mp3", wave, 44100)
    args = ["predict", str(clip), "--model", str(model_dir), "--chord-backend", "dsp"]
    assert main([*args, "--chord-qualities", "maj,min,7"]) == 0
    chords = next(line for line in capsys.readouterr().out.splitlines() if "chords:" in line)
    assert "E:7" in chords.split(), chords
    assert main(args) == 0  # the default: triads
    chords = next(line for line in capsys.readouterr().out.splitlines() if "chords:" in line)
    assert "E" in chords.split() and "E:7" not in chords.split(), chords


def test_predict_shows_the_libraries_progress_bars_when_verbose(model_dir, audio_dir, capsys):
    from modeling.cli import main

    (audio_dir / "empty.wav").write_bytes(b"")
    args = ["predict", str(audio_dir / "empty.wav"), "--model", str(model_dir), "--chord-backend", "dsp"]
    assert main(["--verbose", *args]) == 1  # the models load (with their bars), then the file fails
    assert "Loading weights" in capsys.readouterr().err
    assert main(args) == 1
    assert "Loading weights" not in capsys.readouterr().err
