"""The AMT model: loss, affective targets, generation (cache = recomputation), constraints, saving."""

import pytest
import torch
from transformers import AutoModel

import modeling
from modeling.video2music.modeling_amt import ChordConstraintsLogitsProcessor
from modeling.vocabularies.chords import parse_chord
from tests.conftest import REPO_ROOT, run_python

MODES = torch.tensor([0, 1])


def test_forward_loss_mixes_chord_and_affective_terms(amt, video):
    chords = torch.randint(1, 157, (2, 23))
    labels = torch.randint(1, 157, (2, 23))
    labels[1, 12] = 157
    labels[1, 13:] = 158
    out = amt(video, chords, MODES, labels=labels)
    assert out.logits.shape == (2, 23, 159)
    assert torch.allclose(out.loss, 0.4 * out.chord_loss + 0.6 * out.emotion_loss)
    ignoring_pad = torch.nn.functional.cross_entropy(
        out.logits.reshape(-1, 159), labels.reshape(-1), ignore_index=158
    )
    assert torch.allclose(out.chord_loss, ignoring_pad)


def test_affective_targets_follow_the_emotion_to_quality_map(amt):
    features = torch.zeros(1, 7, 776)
    for second, emotion in enumerate([5, 0, 1, 2, 3, 4, 5]):  # emotion of second t+1 targets step t
        features[0, second, 770 + emotion] = 1.0
    labels = torch.tensor([[1, 1, 1, 1, 1, 157]])
    targets = amt.affective_targets(features, labels)[0]
    expected = {
        0: {"maj", "sus4", "7"},
        1: {"dim", "min7", "dim7", "hdim7"},
        2: {"dim", "sus4", "min7", "7"},
        3: {"min7", "min", "sus2"},
        4: {"maj", "maj6", "maj7"},
    }
    for step, qualities in expected.items():
        on = {parse_chord(label).quality for label in _labels(targets[step])}
        assert on == qualities, step
        assert targets[step].sum() == 12 * len(qualities)  # every root
    assert targets[5].tolist() == [0.0] * 158 + [1.0]  # END step -> the PAD target, as the original


def _labels(row):
    from modeling.vocabularies.chords import CHORD_VOCAB

    return [CHORD_VOCAB[i] for i in row.nonzero().flatten().tolist()]


def test_greedy_generation_with_the_cache_equals_full_recomputation(amt, video):
    primer = torch.tensor([[1, 40], [60, 60]])
    cached = amt.generate(video, MODES, primer, do_sample=False)
    full = amt.generate(video, MODES, primer, do_sample=False, use_cache=False)
    assert cached.shape == (2, 24) and torch.equal(cached, full)
    assert torch.equal(cached[:, :2], primer)  # the primer opens the output


def test_batches_match_single_videos_and_seeds_reproduce(amt, video):
    primer = torch.tensor([[1], [14]])
    batched = amt.generate(video, MODES, primer, seed=7, do_sample=False)
    for i in range(2):
        alone = amt.generate(video[i : i + 1], MODES[i : i + 1], primer[i : i + 1], do_sample=False)
        assert torch.equal(alone[0], batched[i])
    first = amt.generate(video, MODES, primer, seed=3, temperature=1.3, top_k=20, top_p=0.9)
    again = amt.generate(video, MODES, primer, seed=3, temperature=1.3, top_k=20, top_p=0.9)
    other = amt.generate(video, MODES, primer, seed=4, temperature=1.3, top_k=20, top_p=0.9)
    assert torch.equal(first, again) and not torch.equal(first, other)


def test_constraints_hold_when_sampling(amt, video):
    chords = amt.generate(video, MODES, torch.tensor([[5], [5]]), seed=0, temperature=3.0)
    assert not (chords[:, 1:] == 0).any()  # never N
    assert not (chords >= 157).any()  # neither END nor PAD
    runs = (chords[:, 2:] == chords[:, 1:-1]) & (chords[:, 1:-1] == chords[:, :-2])
    assert not runs.any()  # never 3 in a row


def test_the_repeat_processor_forbids_the_third_repeat():
    processor = ChordConstraintsLogitsProcessor(modeling.AMTConfig(), forbid_no_chord=False, max_repeat=2)
    scores = processor(torch.tensor([[3, 9, 9], [9, 3, 9]]), torch.zeros(2, 159))
    assert scores[0, 9] == float("-inf") and scores[1, 9] == 0.0
    assert scores[0, 157] == float("-inf") and scores[0, 0] == 0.0


def test_bad_inputs_are_refused_with_the_reason(amt):
    with pytest.raises(ValueError, match=r"\(batch, seconds, 776\)"):
        amt.generate(torch.rand(1, 10, 512), torch.tensor([0]), torch.tensor([[1]]))
    with pytest.raises(ValueError, match="primer_length >= 1"):
        amt.generate(torch.rand(1, 10, 776), torch.tensor([0]), torch.zeros(1, 0, dtype=torch.long))
    with pytest.raises(ValueError, match="max_length must be between"):
        amt.generate(torch.rand(1, 10, 776), torch.tensor([0]), torch.tensor([[1, 2, 3]]), max_length=2)
    with pytest.raises(ValueError, match=r"Unknown generation setting\(s\) \['beams'\]"):
        amt.generate(torch.rand(1, 10, 776), torch.tensor([0]), torch.tensor([[1]]), beams=3)
    with pytest.raises(ValueError, match="at most 300"):  # one forward pass holds at most one window
        amt(torch.rand(1, 301, 776), torch.tensor([[1]]), torch.tensor([0]))


def test_long_videos_are_generated_window_by_window():
    """Past `max_sequence_length` seconds, each window re-reads the last generated second, primed with
    its chord: the output is what generating each window alone gives."""
    torch.manual_seed(0)
    config = modeling.AMTConfig(
        d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=4, decoder_attention_heads=4,
        encoder_ffn_dim=64, decoder_ffn_dim=64, max_sequence_length=10,
    )  # fmt: skip
    model = modeling.AMTModel(config).eval()
    video = torch.rand(1, 23, 776)
    mode = torch.tensor([1])
    chords = model.generate(video, mode, torch.tensor([[5, 9]]), do_sample=False)
    assert chords.shape == (1, 23)
    first = model.generate(video[:, :10], mode, torch.tensor([[5, 9]]), do_sample=False)
    assert torch.equal(chords[:, :10], first)
    second = model.generate(video[:, 9:19], mode, chords[:, 9:10], do_sample=False)
    assert torch.equal(chords[:, 9:19], second)
    third = model.generate(video[:, 18:], mode, chords[:, 18:19], do_sample=False)  # 5 s, padded to 10
    assert torch.equal(chords[:, 18:], third)
    seeded = model.generate(video, mode, torch.tensor([[5]]), seed=1)
    assert torch.equal(seeded, model.generate(video, mode, torch.tensor([[5]]), seed=1))
    runs = (seeded[:, 2:] == seeded[:, 1:-1]) & (seeded[:, 1:-1] == seeded[:, :-2])
    assert not runs.any()  # the repeat rule holds across window boundaries too


def test_padding_follows_the_model_config(amt, video):
    """`zeros` (the original's): the encoder reads the video padded to 300 s; `mask`: only its seconds."""
    primer = torch.tensor([[1], [14]])
    padded = torch.nn.functional.pad(video, (0, 0, 0, 300 - video.shape[1]))
    chords = amt.generate(video, MODES, primer, do_sample=False)
    assert torch.equal(chords, amt.generate(padded, MODES, primer, do_sample=False, max_length=24))
    masked = torch.ones(2, 300)
    masked[:, 24:] = 0
    assert torch.equal(
        chords,
        amt.generate(padded, MODES, primer, do_sample=False, max_length=24, video_attention_mask=masked),
    )
    amt.config.video_padding = "mask"
    try:
        alone = amt.generate(video, MODES, primer, do_sample=False)
        assert torch.equal(
            alone,
            amt.generate(padded, MODES, primer, do_sample=False, max_length=24, video_attention_mask=masked),
        )
    finally:
        amt.config.video_padding = "zeros"


def test_generation_settings_are_saved_with_the_model(amt, video, tmp_path):
    from transformers import GenerationConfig

    assert amt.generation_config.do_sample is True and amt.generation_config.max_repeat == 2
    settings = {"temperature": 1.7, "top_k": 12, "max_repeat": 1}
    amt.save_pretrained(tmp_path / "amt")
    saved = GenerationConfig.from_pretrained(tmp_path / "amt")
    assert (saved.do_sample, saved.max_repeat, saved.forbid_no_chord, saved.allow_end) == (
        True,
        2,
        True,
        False,
    )
    loaded = AutoModel.from_pretrained(tmp_path / "amt").eval()
    loaded.generation_config.update(**settings)
    primer = torch.tensor([[3], [3]])
    expected = amt.generate(video, MODES, primer, seed=4, **settings)
    assert torch.equal(loaded.generate(video, MODES, primer, seed=4), expected)
    assert not torch.equal(
        loaded.generate(video, MODES, primer, seed=4, temperature=1.0, top_k=None), expected
    )
    assert not (expected[:, 1:] == expected[:, :-1]).any()  # max_repeat 1: never twice in a row


def test_saves_and_loads_both_ways(amt, tmp_path, video):
    amt.save_pretrained(tmp_path / "amt")
    loaded = AutoModel.from_pretrained(tmp_path / "amt").eval()
    primer = torch.tensor([[1], [2]])
    expected = amt.generate(video, MODES, primer, do_sample=False)
    assert torch.equal(loaded.generate(video, MODES, primer, do_sample=False), expected)
    torch.save({"video": video, "expected": expected}, tmp_path / "case.pt")
    code = f"""
import sys, torch
from transformers import AutoModel
assert "modeling" not in sys.modules
model = AutoModel.from_pretrained({str(tmp_path / "amt")!r}, trust_remote_code=True).eval()
case = torch.load({str(tmp_path / "case.pt")!r})
out = model.generate(case["video"], torch.tensor([0, 1]), torch.tensor([[1], [2]]), do_sample=False)
assert torch.equal(out, case["expected"]), (out, case["expected"])
print(type(model).__name__)
"""
    done = run_python(code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "AMTModel" in done.stdout


def test_regression_model_round_trip_and_masked_loss(tmp_path):
    from modeling import AMTRegressionConfig, AMTRegressionModel

    torch.manual_seed(0)
    model = AMTRegressionModel(AMTRegressionConfig()).eval()
    features, labels = torch.rand(2, 9, 776), torch.rand(2, 9, 2)
    mask = torch.ones(2, 9)
    mask[1, 5:] = 0
    out = model(features, video_attention_mask=mask, labels=labels)
    assert out.predictions.shape == (2, 9, 2)
    errors = (out.predictions - labels) ** 2
    expected = (errors[0].sum() + errors[1, :5].sum()) / (2 * 14)
    assert torch.allclose(out.loss, expected)
    # the GRU runs over the real seconds only: the short video predicts the same alone
    alone = model(features[1:, :5]).predictions
    assert torch.allclose(out.predictions[1, :5], alone[0], atol=1e-6)
    with pytest.raises(ValueError, match="first seconds and 0 after them"):
        model(features, video_attention_mask=torch.tensor([[1.0] * 9, [0.0] + [1.0] * 8]))
    model.save_pretrained(tmp_path / "reg")
    done = run_python(
        f"import torch\nfrom transformers import AutoModel\nm = AutoModel.from_pretrained({str(tmp_path / 'reg')!r}, "
        "trust_remote_code=True)\nprint(type(m).__name__)",
        cwd=REPO_ROOT.parent,
    )
    assert done.returncode == 0 and "AMTRegressionModel" in done.stdout, done.stderr
