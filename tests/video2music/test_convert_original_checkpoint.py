"""Converting Video2Music's published state dicts: identical outputs to the original forward passes."""

import pytest
import torch

from modeling.base.errors import CheckpointError
from modeling.video2music.convert_original_checkpoint import load_state_dict, main
from tests.video2music.original_reference import (
    OriginalAMT,
    OriginalRegression,
    original_curves,
    original_generate,
)


@pytest.fixture(scope="module")
def original_amt():
    torch.manual_seed(0)
    model = OriginalAMT().eval()
    with torch.no_grad():  # non-trivial norms and biases
        for name, parameter in model.named_parameters():
            if "norm" in name or name.endswith("bias"):
                parameter.add_(torch.randn_like(parameter) * 0.1)
    return model


def test_amt_converts_with_identical_outputs(original_amt, tmp_path):
    torch.save(original_amt.state_dict(), tmp_path / "best_loss_weights.pickle")
    torch.manual_seed(2)
    regression = OriginalRegression().eval()
    torch.save(regression.state_dict(), tmp_path / "best_rmse_weights.pickle")
    assert main(["--amt", str(tmp_path / "best_loss_weights.pickle"), "--regression",
                 str(tmp_path / "best_rmse_weights.pickle"), "--output-dir", str(tmp_path / "out")]) == 0  # fmt: skip

    from transformers import AutoModel

    import modeling  # noqa: F401

    amt = AutoModel.from_pretrained(tmp_path / "out" / "amt").eval()
    features = torch.rand(2, 12, 776)
    chords = torch.randint(0, 157, (2, 11))
    for mode in (0, 1):
        ours = amt(features, chords, torch.tensor([mode, mode])).logits
        roots, qualities = amt.token_roots[chords], amt.token_qualities[chords]
        with torch.no_grad():
            theirs = original_amt(roots, qualities, features, mode)
        torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-4)
    assert "Video2Music" in (tmp_path / "out" / "amt" / "README.md").read_text()

    reg = AutoModel.from_pretrained(tmp_path / "out" / "regression").eval()
    with torch.no_grad():
        torch.testing.assert_close(reg(features).predictions, regression(features), rtol=1e-5, atol=1e-5)


@pytest.fixture(scope="module")
def converted(original_amt, tmp_path_factory):
    from modeling.video2music.convert_original_checkpoint import convert_amt, convert_regression

    torch.manual_seed(2)
    regression = OriginalRegression().eval()
    with torch.no_grad():
        for parameter in regression.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.2)
    return (
        convert_amt(original_amt.state_dict())[0],
        regression,
        convert_regression(regression.state_dict())[0],
    )


def test_generation_feeds_the_models_what_the_original_feeds_them(original_amt, converted):
    """Features padded to 300 s; the same seed gives the same chords as the original's sampling loop."""
    amt, original_regression, regression = converted
    torch.manual_seed(5)
    features = torch.rand(1, 30, 776)
    features[..., -6:] = features[..., -6:].softmax(-1)
    primer = torch.tensor([[1, 40]])
    for seed in (0, 1, 2):
        torch.manual_seed(seed)
        theirs = original_generate(
            original_amt, amt.token_roots, amt.token_qualities, features, 0, primer[0], 30
        )
        ours = amt.generate(features, torch.tensor([0]), primer, seed=seed)
        assert ours[0].tolist() == theirs
    # greedy decoding with the cache gives the chords of the original's recomputation (argmax of its logits)
    greedy = amt.generate(features, torch.tensor([0]), primer, do_sample=False)[0].tolist()
    padded = torch.nn.functional.pad(features, (0, 0, 0, 270))
    with torch.no_grad():
        logits = original_amt(
            amt.token_roots[torch.tensor([greedy])], amt.token_qualities[torch.tensor([greedy])], padded, 0
        )
        unpadded = original_amt(
            amt.token_roots[torch.tensor([greedy])], amt.token_qualities[torch.tensor([greedy])], features, 0
        )
    for k in range(2, 30):
        row = logits[0, k - 1].clone()
        row[[0, 157, 158]] = float("-inf")
        if greedy[k - 1] == greedy[k - 2]:
            row[greedy[k - 1]] = float("-inf")
        assert row.argmax().item() == greedy[k], k
    assert not torch.allclose(logits, unpadded, atol=1e-3)  # the padding changes what the model says
    curves = regression.predict(features)
    torch.testing.assert_close(curves, original_curves(original_regression, features), rtol=1e-5, atol=1e-5)
    # fed only the real seconds, the bi-GRU's backward direction sees no padding: other curves
    assert not torch.allclose(regression(features).predictions, curves, atol=1e-4)


def test_a_foreign_file_is_refused(tmp_path):
    torch.save({"weight": torch.zeros(2)}, tmp_path / "other.pickle")
    from modeling.video2music.convert_original_checkpoint import convert_amt

    with pytest.raises(CheckpointError, match="Not a Video2Music AMT state dict"):
        convert_amt(load_state_dict(tmp_path / "other.pickle"))
    with pytest.raises(CheckpointError, match="No checkpoint"):
        load_state_dict(tmp_path / "missing.pickle")
