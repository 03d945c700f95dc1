"""FluidSynth rendering, ffmpeg muxing and the four outputs, checked with ffprobe and the decoded audio."""

from __future__ import annotations

import json

import numpy as np
import pretty_midi
import pytest
import soundfile

from modeling.base.errors import ChordLabelError, InvalidInputError, MissingDependencyError
from modeling.media.rendering import mux_video, render_midi
from modeling.soundtrack.arrangement import arrange
from modeling.soundtrack.outputs import write_video_music
from tests.video2music.videos import decode_audio, ffprobe_streams, make_video


def _tone_level(wave: np.ndarray, sampling_rate: int, hz: float) -> float:
    """Magnitude of one frequency in a signal (normalised by length)."""
    t = np.arange(len(wave)) / sampling_rate
    return float(np.abs(np.sum(wave * np.exp(-2j * np.pi * hz * t))) / len(wave))


@pytest.fixture(scope="module")
def music(tmp_path_factory):
    """3 s of arranged music (silent first second) rendered once with FluidSynth."""
    midi = arrange(["N", "C", "G"], note_density=10, loudness=0.3)  # no 440 Hz partials
    return render_midi(midi, tmp_path_factory.mktemp("music") / "music.wav", duration=3.0)


def test_fluidsynth_renders_non_silent_audio_of_the_right_length(music):
    wave, rate = soundfile.read(music, always_2d=True)
    assert rate == 44100 and wave.shape == (3 * 44100, 2)
    seconds = [np.sqrt(np.mean(wave[s * rate : (s + 1) * rate] ** 2)) for s in range(3)]
    assert seconds[0] < 1e-4  # N: nothing sounds before the first chord
    assert seconds[1] > 1e-3 and seconds[2] > 1e-3


def test_render_without_duration_runs_to_the_end_and_gain_scales(tmp_path):
    midi = arrange(["C", "G"], note_density=0, loudness=0.4)
    free = render_midi(midi, tmp_path / "free.flac")
    louder = render_midi(midi, tmp_path / "loud.flac", duration=2.0, gain=0.8)
    free_wave, rate = soundfile.read(free)
    assert len(free_wave) >= 2 * rate  # the last notes ring past 2 s
    assert np.abs(soundfile.read(louder)[0]).max() > 2 * np.abs(free_wave).max()


def test_render_accepts_a_midi_file_and_rejects_bad_arguments(tmp_path):
    path = tmp_path / "in.mid"
    arrange(["C"], note_density=5, loudness=0.2).write(str(path))
    assert soundfile.info(render_midi(path, tmp_path / "a.wav", duration=1.5)).duration == pytest.approx(1.5)
    with pytest.raises(MissingDependencyError, match="Soundfont not found: .*nothing.sf2"):
        render_midi(path, tmp_path / "b.wav", soundfont=tmp_path / "nothing.sf2")
    with pytest.raises(InvalidInputError, match="MIDI file not found"):
        render_midi(tmp_path / "none.mid", tmp_path / "c.wav")
    with pytest.raises(InvalidInputError, match="gain must be between 0 and 10"):
        render_midi(path, tmp_path / "d.wav", gain=20)
    with pytest.raises(InvalidInputError, match=r"Accepted: \.wav \.flac"):
        render_midi(path, tmp_path / "e.aiff")


def test_mux_gives_the_video_its_length_and_the_music(cuts_video, music, tmp_path):
    out = mux_video(cuts_video, music, tmp_path / "out.mp4")  # 3 s of music on an 8 s video: padded
    streams = ffprobe_streams(out)
    assert set(streams) == {"video", "audio"}
    assert streams["video"] == pytest.approx(8.0, abs=0.05) and streams["audio"] == pytest.approx(
        8.0, abs=0.05
    )
    audio = decode_audio(out)
    assert _tone_level(audio, 16000, 440.0) < 1e-3  # the original 440 Hz track is dropped
    assert np.sqrt(np.mean(audio[16000 : 3 * 16000] ** 2)) > 1e-3  # the music plays
    assert np.abs(audio[4 * 16000 :]).max() < 1e-3  # silence pads the music to the video's end


def test_mux_keeps_the_original_audio_under_the_music(cuts_video, music, tmp_path):
    out = mux_video(cuts_video, music, tmp_path / "mixed.mkv", keep_original_audio=True, original_audio_db=-6)
    audio = decode_audio(out)
    assert ffprobe_streams(out)["video"] == pytest.approx(8.0, abs=0.05)
    level = _tone_level(audio, 16000, 440.0)  # lavfi's sine has amplitude 1/8; -6 dB halves it
    assert level == pytest.approx(0.125 / 2 / 2, rel=0.15)


def test_mux_trims_long_music_and_reencodes_what_the_container_cannot_take(patterns_video, tmp_path):
    webm = make_video(tmp_path / "vp8.webm", [("red", 1), ("blue", 1)], codec="libvpx")
    long_music = render_midi(
        arrange(["C"] * 5, note_density=5, loudness=0.3), tmp_path / "long.wav", duration=5
    )
    out = mux_video(webm, long_music, tmp_path / "from-webm.mp4", keep_original_audio=True)  # no audio: fine
    streams = ffprobe_streams(out)
    assert streams["video"] == pytest.approx(2.0, abs=0.05) and streams["audio"] == pytest.approx(
        2.0, abs=0.05
    )
    with pytest.raises(InvalidInputError, match=r"Cannot write a video to 'x.avi'. Accepted suffixes: \.mp4"):
        mux_video(patterns_video, long_music, tmp_path / "x.avi")
    with pytest.raises(InvalidInputError, match="Audio file not found"):
        mux_video(patterns_video, tmp_path / "missing.wav", tmp_path / "y.mp4")


def test_four_outputs_of_a_render(cuts_video, tmp_path):
    chords = ["C", "C", "A:min", "A:min", "F", "G:7", "C", "C", "F", "G"]  # longer than the video: trimmed
    density = np.linspace(2, 30, 10)
    result = write_video_music(
        cuts_video, chords, tmp_path / "render" / "clip.mp4", key="D major",
        note_density=density, loudness=0.25, keep_original_audio=True, plot=True,
    )  # fmt: skip
    assert [p.name for p in (result.video, result.midi, result.audio, result.json, result.plot)] == [
        "clip.mp4", "clip.mid", "clip.flac", "clip.json", "clip.png"
    ]  # fmt: skip
    assert ffprobe_streams(result.video)["video"] == pytest.approx(8.0, abs=0.05)
    assert soundfile.info(result.audio).duration == pytest.approx(8.0, abs=1e-3)
    summary = json.loads(result.json.read_text())
    assert summary["key"] == "D major" and summary["tempo"] == 120.0
    assert summary["chords"] == ["D", "D", "B:min", "B:min", "G", "A:7", "D", "D"]
    assert summary["normalized_chords"] == chords[:8]
    assert summary["note_density"] == pytest.approx(density[:8].tolist())
    assert summary["loudness"] == [0.25] * 8 and len(summary["velocity"]) == 8
    assert summary["original_audio"] == "mixed at -12.0 dB"
    midi = pretty_midi.PrettyMIDI(str(result.midi))
    for second, label in enumerate(summary["chords"]):
        from modeling.vocabularies.chords import parse_chord

        played = {n.pitch % 12 for n in midi.instruments[0].notes if second <= n.start < second + 1}
        assert played and played <= set(parse_chord(label).pitch_classes)


def test_render_refuses_too_few_chords_and_bad_output(cuts_video, tmp_path):
    with pytest.raises(InvalidInputError, match=r"3 chord\(s\) cannot cover cuts.mp4 \(8.00 s\)"):
        write_video_music(cuts_video, ["C", "F", "G"], tmp_path / "a.mp4", note_density=5, loudness=0.2)
    with pytest.raises(InvalidInputError, match="Cannot write a video to 'a.json'"):
        write_video_music(cuts_video, ["C"] * 8, tmp_path / "a.json", note_density=5, loudness=0.2)
    with pytest.raises(InvalidInputError, match="Unknown audio_format '.aiff'"):
        write_video_music(
            cuts_video, ["C"] * 8, tmp_path / "c.mp4", note_density=5, loudness=0.2, audio_format=".aiff"
        )
    with pytest.raises(InvalidInputError, match="is the input video"):
        write_video_music(cuts_video, ["C"] * 8, cuts_video, note_density=5, loudness=0.2)
    with pytest.raises(ChordLabelError):
        write_video_music(cuts_video, ["C"] * 7 + ["Q"], tmp_path / "b.mp4", note_density=5, loudness=0.2)
    assert not list(tmp_path.iterdir())  # nothing written before the arguments were checked
