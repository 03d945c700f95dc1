"""Small files in the original published formats (Lightning checkpoints, BTC's ``.pt`` with NumPy
scalars, Video2Music's two pickles zipped as ``AMT.zip``), stand-ins of the Hub repositories of MERT and
CLIP (as served by :mod:`tests.weights.hub_server`), a manifest of emotune's own form pointing at a local
server, and a snapshot of a cache folder."""

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
from tests.weights.hub_server import HubRepo

TEACHERS = {"jamendo": (56,), "deam": (2,), "pmemo": (2,), "emomusic": (2,)}
AUDIO_DIM = 64  # the tiny MERT stand-in's 2 layers x 32
AMT_SIZES = {"d_model": 32, "encoder_layers": 2, "decoder_layers": 2, "heads": 4, "ffn": 64}
REGRESSION_SIZES = {"hidden": 16}
LAYOUTS = {"video2music-amt": AMT_SIZES, "video2music-regression": REGRESSION_SIZES}
"""The sizes of the stand-ins of Video2Music's models, which the test manifest gives as their layouts."""


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
    amt = OriginalAMT(d_model=32, heads=4, layers=2, ffn=64).eval()
    regression = OriginalRegression(hidden=REGRESSION_SIZES["hidden"]).eval()
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
    """emotune's manifest with every URL on ``base_url``, the test files' blob ids and the stand-ins' layouts
    (hub sources as shipped); ``edit(raw)`` may change it further."""
    raw = json.loads(SHIPPED_MANIFEST.read_text())
    for name, source in raw["sources"].items():
        if source.get("kind") == "hub":
            continue
        for file in source["files"]:
            file["urls"] = [f"{base_url}/{name}/{file['name']}"]
            if "git_blob" in file["check"]:
                file["check"]["git_blob"] = git_blob_id(originals.files[file["name"]])
            for install in file["installs"]:
                if install["converter"] in LAYOUTS:
                    install["layout"] = {**install["layout"], **LAYOUTS[install["converter"]]}
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


def hub_repos(folder: Path) -> dict[str, HubRepo]:
    """The Hub repositories of MERT and CLIP in the form the Hub holds them, with tiny random weights:
    ``m-a-p/MERT-v1-95M`` (config.json, preprocessor_config.json, pytorch_model.bin with legacy weight-norm
    keys, its remote code, README.md) and ``openai/clip-vit-large-patch14-336`` (config.json,
    preprocessor_config.json, the tokenizer as tokenizer.json + tokenizer_config.json + special_tokens_map.json
    and as vocab.json + merges.txt, model.safetensors, README.md, and a tf_model.h5 emotune never reads)."""
    from transformers import CLIPProcessor

    from modeling.base.defaults import CLIP_MODEL, MERT_MODEL
    from modeling.testing import save_random_clip, save_random_mert

    mert = save_random_mert(folder / "mert", "tiny")
    clip = save_random_clip(folder / "clip", "tiny")
    processor = CLIPProcessor.from_pretrained(clip)
    legacy = folder / "clip-legacy"  # the files as the real repository holds them (saved by transformers 4)
    processor.image_processor.save_pretrained(legacy)
    processor.tokenizer.save_pretrained(legacy)
    processor.tokenizer.backend_tokenizer.model.save(str(legacy))  # vocab.json, merges.txt
    (legacy / "special_tokens_map.json").write_text(
        json.dumps({"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>",
                    "unk_token": "<|endoftext|>"})
    )  # fmt: skip
    clip_files = {
        name: (clip / name).read_bytes() for name in ("config.json", "model.safetensors", "README.md")
    }
    for path in legacy.iterdir():
        clip_files[path.name] = path.read_bytes()
    clip_files["tf_model.h5"] = b"\x89HDF\r\n" + bytes(64)
    return {
        MERT_MODEL: HubRepo.from_folder(mert, {"modeling_MERT.py": b"# remote code emotune never runs\n"}),
        CLIP_MODEL: HubRepo(clip_files),
    }
