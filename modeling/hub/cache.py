"""The local cache of converted original weights: ``EMOTUNE_HOME`` (default ``<HF_HOME>/emotune``).

One folder per model id (``EMOTUNE_HOME/emotune/music2emo``, ...), each a ``save_pretrained`` folder
with its card (README.md) and ``emotune_provenance.json``. Downloads in progress live in
``EMOTUNE_HOME/.downloads`` (a ``.part`` file there is what the next fetch resumes); conversions
happen in ``EMOTUNE_HOME/.staging-*`` and are renamed into place only when every model of the fetch
converted, so a failed fetch leaves the installed models as they were.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..base.errors import InvalidInputError

__all__ = [
    "HOME_ENV",
    "PROVENANCE_FILE",
    "downloads_dir",
    "emotune_home",
    "folder_size",
    "install_folders",
    "installed_folder",
    "installed_models",
    "model_folder",
    "read_provenance",
    "staging_dir",
]

HOME_ENV = "EMOTUNE_HOME"
PROVENANCE_FILE = "emotune_provenance.json"
_MODEL_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")


def emotune_home() -> Path:
    """``$EMOTUNE_HOME``, else ``<HF_HOME>/emotune`` (huggingface_hub's ``HF_HOME``)."""
    if os.environ.get(HOME_ENV):
        return Path(os.environ[HOME_ENV]).expanduser()
    from huggingface_hub import constants

    return Path(constants.HF_HOME).expanduser() / "emotune"


def model_folder(model_id: str, home: Path | None = None) -> Path:
    """Where ``model_id`` (``owner/name``) is installed, whether or not it is."""
    if not _MODEL_ID.fullmatch(model_id) or ".." in model_id:
        raise InvalidInputError(
            f"{model_id!r} is not a model id. Accepted: owner/name, e.g. emotune/music2emo"
        )
    return (home or emotune_home()) / model_id


def installed_folder(model_id: str, home: Path | None = None) -> Path | None:
    """The folder of an installed ``model_id`` (one with a ``config.json``), else None."""
    folder = model_folder(model_id, home)
    return folder if (folder / "config.json").is_file() else None


def read_provenance(folder: Path) -> dict | None:
    path = Path(folder) / PROVENANCE_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in Path(folder).rglob("*") if path.is_file())


def installed_models(home: Path | None = None) -> dict[str, Path]:
    """Every installed model under ``home``: model id -> folder (found by their provenance files)."""
    home = home or emotune_home()
    found = {}
    for path in sorted(home.glob(f"*/*/{PROVENANCE_FILE}")) if home.is_dir() else []:
        if not any(part.startswith(".") for part in path.relative_to(home).parts):
            found[f"{path.parent.parent.name}/{path.parent.name}"] = path.parent
    return found


def downloads_dir(source: str, home: Path | None = None) -> Path:
    return (home or emotune_home()) / ".downloads" / source


@contextmanager
def staging_dir(home: Path | None = None) -> Iterator[Path]:
    """A fresh folder inside ``home`` (same file system, so its contents rename into place), removed
    afterwards whatever happens."""
    home = home or emotune_home()
    created = not home.exists()
    home.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".staging-", dir=home))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if created and not any(home.iterdir()):
            home.rmdir()


def install_folders(staged: dict[str, Path], staging: Path, home: Path | None = None) -> dict[str, Path]:
    """Rename each staged folder to its model id's place; a model installed before is moved into
    ``staging`` (deleted with it). If a rename fails, the models already moved are put back."""
    home = home or emotune_home()
    done: list[tuple[Path, Path | None]] = []
    try:
        for number, (model_id, folder) in enumerate(staged.items()):
            final = model_folder(model_id, home)
            final.parent.mkdir(parents=True, exist_ok=True)
            previous = None
            if final.exists():
                previous = staging / f"previous-{number}"
                os.replace(final, previous)
            done.append((final, previous))
            os.replace(folder, final)
    except OSError:
        for final, previous in reversed(done):
            if final.exists():
                shutil.rmtree(final, ignore_errors=True)
            if previous is not None:
                os.replace(previous, final)
        raise
    return {model_id: model_folder(model_id, home) for model_id in staged}
