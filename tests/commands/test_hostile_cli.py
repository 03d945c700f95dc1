"""Error lines of `emotune` and `train.py` start on a line of their own, even when an error (or Ctrl-C)
stops a command while one of its progress bars is drawn: the bytes on stderr are checked."""

from __future__ import annotations

import pytest
from tqdm.auto import tqdm

from modeling.base.errors import InvalidAudioError


def _stopped_mid_bar(error: BaseException):
    def run(args):
        for done, _ in enumerate(tqdm(range(10), desc="files", unit="file", mininterval=0)):
            if done == 3:
                inner = tqdm(total=100, desc="segments", leave=False, mininterval=0)
                inner.update(40)
                raise error
        return 0  # pragma: no cover - the loop raises

    return run


def _line_before(err: str, marker: str) -> tuple[str, str]:
    """The text before ``marker`` and the line ``marker`` starts."""
    before, _, after = err.partition(marker)
    return before, marker + after.split("\n", 1)[0]


@pytest.mark.parametrize(
    ("error", "status", "marker"),
    [
        (InvalidAudioError("song.wav is 0.50 s long"), 1, "emotune predict: error: "),
        (KeyboardInterrupt(), 130, "interrupted"),
    ],
)
def test_emotune_prints_its_error_on_a_fresh_line(error, status, marker, monkeypatch, capsys):
    from modeling import cli
    from modeling.commands import predict

    monkeypatch.setattr(predict, "run", _stopped_mid_bar(error))
    assert cli.main(["predict", "song.wav"]) == status
    err = capsys.readouterr().err
    before, line = _line_before(err, marker)
    assert "files:  30%" in before and "3/10" in before  # the bar was drawn, and left at 3 of 10
    assert before.endswith("\n"), repr(err[-300:])  # ... and ended before the message
    assert line.startswith(marker) and err.endswith("\n")
    assert "segments:  40%" in before.rsplit("\n", 2)[-2]  # the inner bar, kept to show where it stopped


def failing_recipe(recipe, output_dir, *, resume, push_to_hub):
    """A recipe stopped by a bad value in its third epoch's batch (for the test below)."""
    from modeling.base.errors import InvalidInputError

    return _stopped_mid_bar(InvalidInputError("a NaN loss in epoch 3"))(None)


def test_train_py_prints_its_error_on_a_fresh_line(monkeypatch, capsys, tmp_path):
    from modeling.training import cli

    monkeypatch.setattr(cli, "_recipe", lambda name: failing_recipe)
    (tmp_path / "recipe.yaml").write_text("training: {max_epochs: 3}\n")
    assert cli.main(["teacher", "--config", str(tmp_path / "recipe.yaml")]) == 1
    before, line = _line_before(capsys.readouterr().err, "train.py teacher: error: ")
    assert "3/10" in before and before.endswith("\n") and line.endswith("a NaN loss in epoch 3")
