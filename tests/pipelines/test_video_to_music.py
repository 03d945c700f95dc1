"""The video-to-music pipeline and `emotune score-video`, end to end with tiny random models."""

import json
from pathlib import Path
from unittest import mock

import pytest
import torch

from modeling.base.errors import ChordLabelError, InvalidInputError, InvalidKeyError
from modeling.vocabularies.chords.vocabulary import CHORD_VOCAB
from tests.conftest import REPO_ROOT, run_python
from tests.video2music.videos import ffprobe_streams


def test_scores_a_video_end_to_end(v2m, cuts_video, tmp_path):
    result = v2m(str(cuts_video), primer="Am F", key="A minor", output=tmp_path / "scored.mp4", seed=0)
    assert len(result["chords"]) == 8 and result["chords"][:2] == ["A:min", "F"]
    assert result["normalized_chords"][:2] == ["A:min", "F"]  # A minor is already normalised
    streams = ffprobe_streams(tmp_path / "scored.mp4")
    assert streams["audio"] == pytest.approx(8.0, abs=0.15) and streams["video"] == pytest.approx(
        8.0, abs=0.15
    )
    summary = json.loads((tmp_path / "scored.json").read_text())
    assert summary["chords"] == result["chords"] and summary["key"] == "A minor"
    assert summary["scene_cuts"] == [3, 5] and "features" in summary["timings"]
    assert (tmp_path / "scored.mid").stat().st_size > 0 and (tmp_path / "scored.flac").stat().st_size > 0
    assert len(result["note_density"]) == len(result["loudness"]) == 8
    again = v2m(str(cuts_video), primer="Am F", key="A minor", output=tmp_path / "again.mp4", seed=0)
    assert again["chords"] == result["chords"]


def test_the_video_is_probed_once_per_call(v2m, cuts_video, tmp_path, monkeypatch):
    """One ffprobe of the input video per call: the features, the arrangement's render and the mux read
    what the first probe found (and a caller that probed already, as the Space does, passes it in)."""
    from modeling.media import programs
    from modeling.media.video import probe_video

    probes, run = [], programs.run

    def counting(command, **options):
        if command[0] == "ffprobe" and str(cuts_video) in command:
            probes.append(command)
        return run(command, **options)

    monkeypatch.setattr(programs, "run", counting)
    v2m(str(cuts_video), primer="C", output=tmp_path / "once.mp4", seed=0, plot=True)
    assert len(probes) == 1
    probes.clear()
    info = probe_video(cuts_video)
    result = v2m(info, primer="C", output=tmp_path / "given.mp4", seed=0)
    assert len(probes) == 1 and len(result["chords"]) == 8  # the caller's own probe only


def test_chords_are_transposed_to_the_requested_key(v2m, cuts_video, tmp_path):
    result = v2m(str(cuts_video), primer="D G", key="D major", output=tmp_path / "d.mp4", seed=1)
    assert result["normalized_chords"][:2] == ["C", "F"] and result["chords"][:2] == ["D", "G"]


def test_scene_alignment_puts_chord_changes_on_every_cut(v2m, cuts_video, tmp_path):
    aligned = [
        v2m(str(cuts_video), primer="C", output=tmp_path / f"a{seed}.mp4", seed=seed, align_to_scenes=True)
        for seed in range(3)
    ]
    assert all(r["cut_alignment"] == 1.0 for r in aligned)


def test_long_videos_are_generated_window_by_window(v2m_models, cuts_video, tmp_path):
    from transformers import pipeline

    short = pipeline(
        "video-to-music", model=str(v2m_models["amt-5s"]), regression_model=str(v2m_models["regression"]),
        clip_model=str(v2m_models["clip"]), device="cpu", progress=False,
    )  # fmt: skip
    result = short(str(cuts_video), primer="C", output=tmp_path / "w.mp4", seed=0)  # 8 s for a 5-second model
    assert len(result["chords"]) == 8 and result["chords"][0] == "C"
    features = short.preprocess(str(cuts_video))["features"]
    rows = torch.from_numpy(features.as_model_input())[None]
    chords = short.model.generate(rows, torch.tensor([0]), torch.tensor([[1]]), seed=0)
    assert [CHORD_VOCAB[i] for i in chords[0].tolist()] == result["normalized_chords"]


def test_the_pipeline_follows_transformers_protocol(v2m, cuts_video, tmp_path):
    """preprocess -> _forward -> postprocess; each output file is written once."""
    inputs = v2m.preprocess(str(cuts_video))
    assert inputs["features"].num_seconds == 8 and inputs["features"].cut_seconds == [3, 5]
    outputs = v2m._forward(inputs, primer="C", seed=0)
    assert len(outputs["normalized_chords"]) == 8 and outputs["curves"].shape == (8, 2)
    written = []
    original = Path.write_text

    def spy(path, *args, **kwargs):
        written.append(Path(path).name)
        return original(path, *args, **kwargs)

    with mock.patch.object(Path, "write_text", spy):
        result = v2m.postprocess(outputs, output=tmp_path / "p.mp4")
    assert written == ["p.json"]
    assert result["normalized_chords"] == outputs["normalized_chords"]
    stages = {"decode", "clip", "scenes", "motion", "features", "chords", "curves", "rendering"}
    assert set(json.loads((tmp_path / "p.json").read_text())["timings"]) == stages


def test_the_affective_check_compares_music_and_video(v2m, cuts_video, tmp_path):
    result = v2m(str(cuts_video), output=tmp_path / "c.mp4", seed=0, check_emotion=True, plot=True)
    check = result["affective_check"]
    assert len(check["segments"]) == 1 and 0.0 <= check["agreement"] <= 1.0
    assert check["segments"][0]["video_emotion"] in {
        "exciting",
        "fearful",
        "tense",
        "sad",
        "relaxing",
        "neutral",
    }
    assert (tmp_path / "c.affect.png").stat().st_size > 5000 and (tmp_path / "c.png").is_file()


def test_bad_requests_get_clear_errors(v2m, cuts_video, tmp_path):
    with pytest.raises(InvalidKeyError, match="Cannot parse key"):
        v2m(str(cuts_video), key="H major", output=tmp_path / "x.mp4")
    with pytest.raises(ChordLabelError, match="Accepted"):
        v2m(str(cuts_video), primer="C Qm7", output=tmp_path / "x.mp4")
    with pytest.raises(InvalidInputError, match="primer is empty"):
        v2m(str(cuts_video), primer="  ", output=tmp_path / "x.mp4")
    with pytest.raises(InvalidInputError, match="only 8 second"):
        v2m(str(cuts_video), primer=" ".join(["C"] * 9), output=tmp_path / "x.mp4")


@pytest.mark.slow
def test_score_video_command(v2m_models, patterns_video, tmp_path):
    base = (f'"{patterns_video}", "--model", "{v2m_models["amt"]}", "--regression-model", "{v2m_models["regression"]}", '
            f'"--clip-model", "{v2m_models["clip"]}", "--no-progress", "--seed", "0"')  # fmt: skip
    code = f"""
import sys
from modeling.cli import main
sys.exit(main(["score-video", {base}, "--primer", "C Am F G", "--key", "E minor", "--out", "{tmp_path / "out.mp4"}",
               "--align-to-scenes"]))
"""
    done = run_python(code, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    assert "key: E minor" in done.stdout and "chord changes on 100% of them" in done.stdout
    assert (tmp_path / "out.mp4").is_file()
    bad = code.replace('"E minor"', '"Z minor"')
    done = run_python(bad, cwd=REPO_ROOT)
    assert done.returncode == 1 and "Cannot parse key" in done.stderr and "Traceback" not in done.stderr
