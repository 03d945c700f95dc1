"""The MER front end with its stages overlapped (one decode, chords and key in a background thread) gives
the features of the path that runs them one after another (two decodes), to the last bit, and the same
errors."""

import numpy as np
import pytest
import soundfile

from dataset_scripts.synthetic.audio import render_progression
from modeling.base.errors import EmotuneError, InvalidInputError
from modeling.chord_recognition.dsp import DSPChordRecognizer
from modeling.media.audio import AudioInput, write_audio
from modeling.music2emo.feature_extraction_music2emo import Music2EmoFeatureExtractor, SegmentCutter
from modeling.testing import save_random_btc
from tests.audio_files import lavfi_audio


@pytest.fixture(scope="module")
def clips(audio_dir):
    folder = audio_dir / "overlap"
    folder.mkdir()
    wave = render_progression(["A:min", "F", "C", "G", "E:min"] * 4, 1.6, 44100)  # 32 s
    write_audio(folder / "song.mp3", wave, 44100)
    write_audio(folder / "tail.flac", wave[: int(30.4 * 44100)], 44100)  # a 0.4 s tail joins the first span
    full = lavfi_audio(folder / "full.mp3", "sine=frequency=440", seconds=6.0)
    (folder / "truncated.mp3").write_bytes(full.read_bytes()[: full.stat().st_size // 4])
    (folder / "text.wav").write_text("not audio\n")
    nan = np.zeros(22050 * 3, dtype=np.float32)
    nan[30000] = np.nan
    soundfile.write(folder / "nan.wav", nan, 22050, subtype="FLOAT")
    return folder


@pytest.fixture(scope="module")
def btc_dir(tmp_path_factory):
    return save_random_btc(tmp_path_factory.mktemp("btc") / "btc", "tiny")


def _same(a, b) -> None:
    assert np.array_equal(a.segment_embeddings, b.segment_embeddings)
    assert a.segments == b.segments and a.chords == b.chords and a.key == b.key
    assert a.encoded == b.encoded and a.duration == b.duration


@pytest.mark.parametrize("backend", ["dsp", "btc"])
def test_overlapped_stages_give_the_sequential_features_bit_for_bit(mert_dir, btc_dir, clips, backend):
    options = {"chord_backend": backend, "chord_model": str(btc_dir) if backend == "btc" else None}
    sequential = Music2EmoFeatureExtractor(str(mert_dir), overlap=False, **options)
    overlapped = Music2EmoFeatureExtractor(str(mert_dir), **options)
    assert overlapped.overlap
    for name in ("song.mp3", "tail.flac"):
        before, after = sequential(str(clips / name)), overlapped(str(clips / name))
        _same(before, after)
        assert {"decode", "encoder", "chords", "key"} <= set(after.timings)
    assert after.segments == [(0.0, pytest.approx(30.4, abs=0.01))]
    wave = render_progression(["C", "G"], 1.5, 16000)
    _same(sequential(wave, sampling_rate=16000), overlapped(wave, sampling_rate=16000))


@pytest.mark.parametrize("name", ["truncated.mp3", "text.wav", "nan.wav"])
def test_overlapped_stages_raise_the_sequential_error(mert_dir, clips, name):
    messages = []
    for overlap in (False, True):
        with pytest.raises(EmotuneError) as caught:
            Music2EmoFeatureExtractor(str(mert_dir), chord_backend="dsp", overlap=overlap)(str(clips / name))
        messages.append((type(caught.value), str(caught.value)))
    assert messages[0] == messages[1]


def test_one_decode_gives_both_rates_of_two_decodes(clips):
    import threading

    source = AudioInput(clips / "song.mp3")
    first, second = source.blocks_at_two_rates((24000, 30.0), (22050, 10.0))
    got = {}
    reader = threading.Thread(target=lambda: got.setdefault("second", list(second)))
    reader.start()
    got["first"] = list(first)
    reader.join()
    for key, (rate, seconds) in (("first", (24000, 30.0)), ("second", (22050, 10.0))):
        expected = list(source.blocks(rate, seconds))
        assert [len(block) for block in got[key]] == [len(block) for block in expected]
        assert all(np.array_equal(a, b) for a, b in zip(got[key], expected, strict=True))


def test_segment_cutter_holds_the_last_block_back():
    cutter = SegmentCutter(10)
    assert cutter.push(np.zeros(300)) == []
    assert len(cutter.push(np.zeros(5))[0]) == 300
    assert cutter.finish() == [] and cutter.spans == [(0.0, 30.5)]  # 0.5 s is too short to encode
    alone = SegmentCutter(10)
    alone.push(np.zeros(5))
    assert len(alone.finish()[0]) == 5 and alone.spans == [(0.0, 0.5)]


@pytest.mark.parametrize("backend", ["dsp", "btc"])
def test_the_chroma_key_method_reads_the_audio_whatever_the_chord_backend(mert_dir, btc_dir, backend):
    """``key_method="chroma"``: the dsp backend hands over the chroma its chords came from; beside BTC (here
    random weights, whose chords say nothing) the dsp chroma of the same blocks is computed. Either way the
    key is the audio's, and the overlapped and sequential paths agree."""
    from modeling.chord_recognition.key import detect_key

    wave = render_progression(["D", "G", "A", "D", "B:min", "E:min", "A", "D"], 1.5, 22050)
    options = {"chord_backend": backend, "chord_model": str(btc_dir) if backend == "btc" else None}
    sequential = Music2EmoFeatureExtractor(str(mert_dir), overlap=False, key_method="chroma", **options)
    overlapped = Music2EmoFeatureExtractor(str(mert_dir), key_method="chroma", **options)
    features = overlapped(wave, sampling_rate=22050)
    _same(sequential(wave, sampling_rate=22050), features)
    assert features.key.name == "D major"
    analysis = DSPChordRecognizer().analyse(wave, 22050)
    expected = detect_key([], "chroma", chroma=analysis.chroma, frame_seconds=analysis.frame_seconds)
    assert features.key == expected
    assert "analysis of the audio" in overlapped.describe()


def test_an_unknown_key_method_is_refused_before_any_model_loads(mert_dir):
    with pytest.raises(
        InvalidInputError, match="Unknown key method 'nope'. Accepted: music21, profiles, degrees, chroma"
    ):
        Music2EmoFeatureExtractor("no/such-encoder", key_method="nope")


def test_the_chord_qualities_option_reaches_the_dsp_backend(mert_dir):
    """``chord_qualities=("maj", "min", "7")``: the dsp backend names dominant sevenths, which the encoder's
    vocabulary reads; the default keeps triads. Another backend, or an unknown quality, is refused before any
    model loads."""
    from modeling.vocabularies.chords.vocabulary import QUALITY_IDS

    wave = render_progression(["C", "G:7", "C", "D:7", "G", "C"], 1.5, 22050)
    sevenths = Music2EmoFeatureExtractor(
        str(mert_dir), chord_backend="dsp", chord_qualities=("maj", "min", "7")
    )
    features = sevenths(wave, sampling_rate=22050)
    assert {"G:7", "D:7"} <= {chord.label for chord in features.chords}  # in the clip's own key
    assert QUALITY_IDS["7"] in features.encoded.quality_ids  # the key-normalised progression keeps them
    assert "`dsp` backend (qualities maj, min, 7); key by" in sevenths.describe()
    triads = Music2EmoFeatureExtractor(str(mert_dir), chord_backend="dsp")(wave, sampling_rate=22050)
    assert not any(chord.label.endswith(":7") for chord in triads.chords)
    with pytest.raises(InvalidInputError, match="Accepted: qualities with the dsp backend"):
        Music2EmoFeatureExtractor("no/such-encoder", chord_backend="btc", chord_qualities=("maj", "min", "7"))
    with pytest.raises(
        InvalidInputError, match=r"Unknown chord qualities \['minor'\]. Accepted: one or more of maj"
    ):
        Music2EmoFeatureExtractor("no/such-encoder", chord_backend="dsp", chord_qualities=("maj", "minor"))
