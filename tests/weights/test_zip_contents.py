"""AMT.zip is checked by its contents, not its member names alone: each pickle must be the state dict of the
published model, key for key and shape for shape. Each installed model records the sha256 of the file it
was converted from, and `emotune weights list` tells the models that match the manifest's checks from those
that do not."""

from __future__ import annotations

import hashlib
import json
import zipfile

import numpy as np
import pytest
import torch

from modeling.base.errors import WeightsDownloadError
from modeling.cli import main
from modeling.hub import load_manifest
from modeling.hub.manifest import SHIPPED_MANIFEST
from modeling.weights import fetch
from modeling.weights.layouts import amt_layout, compare, layout_for, regression_layout
from tests.video2music.original_reference import OriginalAMT, OriginalRegression
from tests.weights.originals import AMT_SIZES, REGRESSION_SIZES, snapshot, zip_pickles

AMT_ZIP = "/video2music/AMT.zip"


def _serve_zip(weights_env, tmp_path, loss_state, rmse_state):
    weights_env.server.files[AMT_ZIP] = zip_pickles(
        tmp_path / "AMT.zip",
        {"AMT/best_loss_weights.pickle": loss_state, "AMT/best_rmse_weights.pickle": rmse_state},
    ).read_bytes()


def test_right_names_wrong_contents_are_refused_and_change_nothing(weights_env, tmp_path):
    fetch("btc", progress=False)
    before = snapshot(weights_env.home)
    amt = weights_env.originals.models["best_loss_weights.pickle"].state_dict()
    regression = weights_env.originals.models["best_rmse_weights.pickle"].state_dict()
    wider = OriginalAMT(d_model=64, heads=4, layers=2, ffn=64).state_dict()
    cases = [
        ((regression, amt), r"best_loss_weights.pickle in AMT.zip from \S+ is not the state dict of the published "
                            r"model behind emotune/video2music-amt \(52 tensors; 81 missing: embedding.weight"),
        ((wider, regression), r"wrong shape: embedding.weight \[159, 64\] instead of \[159, 32\]"),
        (({**amt, "extra.weight": torch.zeros(3)}, regression), r"1 unexpected: extra.weight \[3\]\)"),
        (({**amt, "Wout.bias": np.zeros(3)}, regression),
         r"best_loss_weights.pickle in AMT.zip from \S+ is not a PyTorch state dict \(UnpicklingError: "
         r"torch.load\(weights_only=True\) refused it: Unsupported global: GLOBAL numpy"),
        ((amt, [regression]), r"best_rmse_weights.pickle in AMT.zip from \S+ holds a list, not the state dict"),
    ]  # fmt: skip
    for (loss_state, rmse_state), expected in cases:
        _serve_zip(weights_env, tmp_path, loss_state, rmse_state)
        with pytest.raises(WeightsDownloadError, match=expected) as caught:
            fetch("video2music", progress=False)
        assert "\n" not in str(caught.value) and "\x1b" not in str(caught.value)
        assert snapshot(weights_env.home) == before


def test_an_amt_zip_given_with_from_is_checked_the_same(weights_env, tmp_path):
    regression = weights_env.originals.models["best_rmse_weights.pickle"].state_dict()
    zipped = zip_pickles(tmp_path / "AMT.zip", {"best_loss_weights.pickle": regression,
                                                 "best_rmse_weights.pickle": regression})  # fmt: skip
    with pytest.raises(WeightsDownloadError, match="is not the state dict of the published model"):
        fetch("video2music", origin=zipped, progress=False)
    assert zipped.is_file() and snapshot(weights_env.home) == {}


def test_the_layouts_are_the_original_form_and_what_the_converters_read():
    """The layout of the stand-in sizes is the reference models' state dicts; the shipped manifest's layouts,
    renamed as the converter renames them, are the published configurations' models (AMTConfig and
    AMTRegressionConfig defaults), the rest being what the converter reports as unused."""
    from modeling.video2music import AMTConfig, AMTModel, AMTRegressionConfig, AMTRegressionModel
    from modeling.video2music.convert_original_checkpoint import _rename

    reference = OriginalAMT(d_model=32, heads=4, layers=2, ffn=64).state_dict()
    assert {k: tuple(v.shape) for k, v in reference.items()} == amt_layout(**AMT_SIZES).required
    assert compare(reference, amt_layout(**AMT_SIZES)) == []
    regression = OriginalRegression(hidden=REGRESSION_SIZES["hidden"]).state_dict()
    assert {k: tuple(v.shape) for k, v in regression.items()} == regression_layout(
        **REGRESSION_SIZES
    ).required

    shipped = {
        i.converter: i
        for f in load_manifest(SHIPPED_MANIFEST).source("video2music").files
        for i in f.installs
    }
    with torch.device("meta"):
        published_amt = AMTModel(AMTConfig()).state_dict()
        published_regression = AMTRegressionModel(AMTRegressionConfig()).state_dict()
    layout = layout_for("video2music-amt", shipped["video2music-amt"].layout).required
    renamed = {_rename(key): shape for key, shape in layout.items() if _rename(key)}
    assert renamed == {key: tuple(value.shape) for key, value in published_amt.items()}
    assert {key.split(".")[0] for key in layout if not _rename(key)} == {
        "embedding", "condition_linear", "Wout_root", "Wout_attr"}  # fmt: skip
    layout = layout_for("video2music-regression", shipped["video2music-regression"].layout).required
    renamed = {key.replace("bigru.", "gru.").replace("bifc.", "head."): shape for key, shape in layout.items()
               if key.startswith(("bigru.", "bifc."))}  # fmt: skip
    assert renamed == {key: tuple(value.shape) for key, value in published_regression.items()}
    # the positional tables some versions of the original code save are accepted, nothing else
    assert amt_layout().allows("positional_encoding.pe", (300, 1, 512))
    assert not amt_layout().allows("positional_encoding.pe", (300, 1, 32))


def test_install_records_the_sha256_and_list_tells_what_matches_the_manifest(weights_env, capsys):
    installed = fetch("video2music", progress=False)
    with zipfile.ZipFile(weights_env.originals.files["AMT.zip"]) as archive:
        member = archive.read("AMT/best_loss_weights.pickle")
    record = json.loads((installed["emotune/video2music-amt"] / "emotune_provenance.json").read_text())
    assert record["original_sha256"] == hashlib.sha256(member).hexdigest() and record["original_size"] == len(
        member
    )
    assert record["layout_checked"] and record["layout"]["d_model"] == AMT_SIZES["d_model"]
    card = (installed["emotune/video2music-amt"] / "README.md").read_text()
    assert record["original_sha256"] in card and "key for key and shape for shape (verified)" in card
    fetch("btc", progress=False)

    def listing() -> str:
        assert main(["weights", "list"]) == 0
        return capsys.readouterr().out

    out = listing()
    for model_id in ("emotune/video2music-amt", "emotune/video2music-regression", "emotune/btc-large-voca"):
        assert f"{model_id:<36} {'installed':<14} {'verified':<10}" in out
    assert "does not match the manifest" not in out

    # the manifest now expects another file for BTC; the AMT's record predates the content check
    weights_env.rewrite(lambda raw: raw["sources"]["btc"]["files"][0]["check"].update(git_blob="1" * 40))
    path = installed["emotune/video2music-amt"] / "emotune_provenance.json"
    path.write_text(json.dumps({**record, "layout_checked": False, "layout": None}))
    out = listing()
    assert f"{'emotune/btc-large-voca':<36} {'installed':<14} {'MISMATCH':<10}" in out
    assert f"{'emotune/video2music-amt':<36} {'installed':<14} {'MISMATCH':<10}" in out
    assert f"{'emotune/video2music-regression':<36} {'installed':<14} {'verified':<10}" in out
    assert "emotune/btc-large-voca: does not match the manifest (checked against" in out
    assert "`emotune weights fetch btc --force` installs it again" in out
    assert ("emotune/video2music-amt: does not match the manifest (installed before emotune checked the contents "
            "of best_loss_weights.pickle)") in out  # fmt: skip

    weights_env.server.requests.clear()
    fetch("video2music", progress=False)  # not up to date: converted again, with the check
    assert weights_env.server.requests and json.loads(path.read_text())["layout_checked"]
