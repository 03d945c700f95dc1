"""Small files in the original published formats (Lightning checkpoints, BTC's ``.pt`` with NumPy
scalars, Video2Music's two pickles zipped as ``AMT.zip``), a manifest of emotune's own form pointing at
a local server, and a snapshot of a cache folder."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import torch

from modeling.hub.manifest import SHIPPED_MANIFEST
from modeling.weights import git_blob_id
from tests.btc.original_reference import OriginalBTC, save_original_checkpoint
from tests.music2emo.factories import OriginalMusic2Emo, lightning_checkpoint
from tests.video2music.original_reference import OriginalAMT, OriginalRegression

TEACHERS = {"jamendo": (56,), "deam": (2,), "pmemo": (2,), "emomusic": (2,)}
AUDIO_DIM = 64  # the tiny MERT stand-in's 2 layers x 32


@dataclass
class Originals:
    folder: Path
    files: dict[str, Path]  # file name -> path
    sources: dict[str, str]  # file name -> source name
    models: dict[str, torch.nn.Module] = field(default_factory=dict)

    def served(self) -> dict[str, bytes]:
        """URL path -> bytes, as the test server serves them."""
        return {f"/{self.sources[name]}/{name}": path.read_bytes() for name, path in self.files.items()}


def build_originals(folder: Path) -> Originals:
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    files, sources, models = {}, {}, {}
    student = OriginalMusic2Emo((56, 2), audio_dim=AUDIO_DIM).eval()
    lightning_checkpoint(student, folder / "J_all.ckpt")
    files["J_all.ckpt"], models["J_all.ckpt"] = folder / "J_all.ckpt", student
    for name, outputs in TEACHERS.items():
        teacher = OriginalMusic2Emo(outputs, audio_dim=AUDIO_DIM).eval()
        lightning_checkpoint(teacher, folder / f"{name}_best.ckpt")
        files[f"{name}_best.ckpt"], models[f"{name}_best.ckpt"] = folder / f"{name}_best.ckpt", teacher
    sources.update(dict.fromkeys(files, "music2emo"))
    btc = OriginalBTC(hidden=16, layers=1).eval()
    files["btc_model_large_voca.pt"] = save_original_checkpoint(
        btc, folder / "btc_model_large_voca.pt", numpy_module="numpy.core"
    )
    models["btc_model_large_voca.pt"], sources["btc_model_large_voca.pt"] = btc, "btc"
    amt, regression = OriginalAMT().eval(), OriginalRegression(hidden=16).eval()
    files["AMT.zip"] = zip_pickles(folder / "AMT.zip", {"AMT/best_loss_weights.pickle": amt.state_dict(),
                                                         "AMT/best_rmse_weights.pickle": regression.state_dict()})  # fmt: skip
    models["best_loss_weights.pickle"], models["best_rmse_weights.pickle"] = amt, regression
    sources["AMT.zip"] = "video2music"
    return Originals(folder, files, sources, models)


def zip_pickles(path: Path, members: dict[str, dict]) -> Path:
    """A zip of ``torch.save``-d state dicts (what AMT.zip holds)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, state in members.items():
            buffer = io.BytesIO()
            torch.save(state, buffer)
            archive.writestr(name, buffer.getvalue())
    return path


def write_manifest(path: Path, base_url: str, originals: Originals, edit=None) -> Path:
    """emotune's manifest with every URL on ``base_url`` and the test files' blob ids; ``edit(raw)`` may
    change it further."""
    raw = json.loads(SHIPPED_MANIFEST.read_text())
    for name, source in raw["sources"].items():
        for file in source["files"]:
            file["urls"] = [f"{base_url}/{name}/{file['name']}"]
            if "git_blob" in file["check"]:
                file["check"]["git_blob"] = git_blob_id(originals.files[file["name"]])
    if edit is not None:
        edit(raw)
    path.write_text(json.dumps(raw, indent=2))
    return path


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder``: relative path -> sha256 (empty folders do not count)."""
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
