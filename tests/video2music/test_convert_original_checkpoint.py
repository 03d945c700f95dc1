"""Converting Video2Music's published state dicts: identical outputs to the original forward passes."""

import pytest
import torch

from modeling.errors import CheckpointError
from modeling.video2music.convert_original_checkpoint import load_state_dict, main
from tests.video2music.original_reference import OriginalAMT, OriginalRegression


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


def test_a_foreign_file_is_refused(tmp_path):
    torch.save({"weight": torch.zeros(2)}, tmp_path / "other.pickle")
    from modeling.video2music.convert_original_checkpoint import convert_amt

    with pytest.raises(CheckpointError, match="Not a Video2Music AMT state dict"):
        convert_amt(load_state_dict(tmp_path / "other.pickle"))
    with pytest.raises(CheckpointError, match="No checkpoint"):
        load_state_dict(tmp_path / "missing.pickle")
