"""The local caches: converted original weights in ``EMOTUNE_HOME`` (default ``<HF_HOME>/emotune``), and
the Hub models used as they are (MERT, CLIP) in the Hugging Face cache.

One folder per model id (``EMOTUNE_HOME/emotune/music2emo``, ...), each a ``save_pretrained`` folder
with its card (README.md) and ``emotune_provenance.json``. Downloads in progress live in
``EMOTUNE_HOME/.downloads`` (a ``.part`` file there is what the next fetch resumes); conversions
happen in ``EMOTUNE_HOME/.staging-*`` and are renamed into place only when every model of the fetch
converted, so a failed fetch leaves the installed models as they were.

A folder that cannot be written (a file in the way, no permission, a read-only or full disk) is a
:class:`~modeling.base.errors.StorageError` naming the path and what to do (:func:`writable_home`,
:func:`storage_error`). :func:`cached_snapshot` tells whether the Hugging Face cache holds what the loader
of a hub source reads.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..base.errors import InvalidInputError, StorageError

__all__ = [
    "HOME_ENV",
    "PROVENANCE_FILE",
    "CachedSnapshot",
    "cached_snapshot",
    "disk_is_full",
    "downloads_dir",
    "emotune_home",
    "folder_size",
    "hub_cache_dir",
    "install_folders",
    "installed_folder",
    "installed_models",
    "is_storage_error",
    "model_folder",
    "read_provenance",
    "staging_dir",
    "storage_error",
    "writable_home",
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


# --- folders that cannot be written ----------------------------------------------------------------

_FULL = {errno.ENOSPC, errno.EDQUOT}
_DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}
_NOT_A_FOLDER = {errno.ENOTDIR, errno.EEXIST, errno.EISDIR}
_FULL_TEXT = ("No space left on device", "os error 28", "Disk quota exceeded")
_NEARLY_FULL = 1 << 20
"""Free bytes under which a failed write counts as a full disk whatever the writer said (torch's zip writer
reports a full disk as "unexpected pos")."""


def is_storage_error(error: BaseException) -> bool:
    """Whether ``error`` is the file system refusing a write: no room, no permission, a file in the way."""
    return isinstance(error, OSError) and error.errno in _FULL | _DENIED | _NOT_A_FOLDER


def disk_is_full(error: BaseException, folder: Path) -> bool:
    """Whether ``error``, raised while writing into ``folder``, comes from a full disk: its errno, the text
    safetensors and others wrap it in, or (for writers that say neither) next to no room left there."""
    if isinstance(error, OSError) and error.errno in _FULL:
        return True
    if any(text in str(error) for text in _FULL_TEXT):
        return True
    try:
        return shutil.disk_usage(_existing(folder)).free < _NEARLY_FULL
    except OSError:
        return False


def _existing(path: Path) -> Path:
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _in_the_way(path: Path) -> Path | None:
    """The first part of ``path`` (from the root down) that exists and is not a folder."""
    for part in [*reversed(Path(path).parents), Path(path)]:
        if part.exists() and not part.is_dir():
            return part
    return None


def storage_error(
    error: OSError | None,
    folder: Path,
    *,
    setting: str = HOME_ENV,
    outcome: str = "Nothing was installed; the installed models are as they were",
    full: bool = False,
) -> StorageError:
    """The one-line :class:`StorageError` for ``error`` raised while writing into ``folder`` (set by the
    environment variable ``setting``); ``full``: the disk is known to be full whatever ``error`` says."""
    where = Path(folder)
    if error is not None and isinstance(error.filename, str) and Path(error.filename).is_relative_to(folder):
        where = Path(error.filename)  # the file being written (not, say, the source of a copy)
    reason = f"{error.strerror or error}" if error is not None else "No space left on device"
    if full or (error is not None and error.errno in _FULL):
        try:
            free = f", {shutil.disk_usage(_existing(folder)).free // 1024} KiB free"
        except OSError:
            free = ""
        return StorageError(
            f"The disk holding {folder} is full ({reason} while writing {where}{free}). {outcome}. Free space on "
            f"that disk, or set {setting} to a folder on a disk with room"
        )
    blocker = _in_the_way(where) or _in_the_way(folder)
    if blocker is not None:
        return StorageError(
            f"{blocker} is a file, not a folder, so {folder} cannot be used ({reason}). {outcome}. Move that file "
            f"away, or set {setting} to a folder (it is created if missing)"
        )
    return StorageError(
        f"Cannot write to {where} ({reason}). {outcome}. Set {setting} to a folder you can write, or give "
        f"yourself write permission on {folder}"
    )


def writable_home(
    home: Path | None = None, *, setting: str = HOME_ENV, outcome: str = "Nothing was downloaded or installed"
) -> Path:
    """``home`` (default ``EMOTUNE_HOME``; ``setting`` names the variable that sets it), created if missing,
    once a file could be written in it; else the :class:`StorageError` that says why not (before anything
    is downloaded)."""
    home = Path(home or emotune_home())
    try:
        home.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".write-test-", dir=home)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        if not is_storage_error(error):
            raise
        if isinstance(error.filename, str) and Path(error.filename).name.startswith(".write-test-"):
            error = OSError(error.errno, error.strerror, str(home))  # the folder, not the probe's name
        raise storage_error(error, home, setting=setting, outcome=outcome) from None
    return home


# --- the Hugging Face cache (hub sources) -----------------------------------------------------------


def hub_cache_dir() -> Path:
    """huggingface_hub's cache folder (``HF_HUB_CACHE``, default ``<HF_HOME>/hub``)."""
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE).expanduser()


@dataclass(frozen=True)
class CachedSnapshot:
    """What the Hugging Face cache holds of a hub source: the snapshot folder of its revision (None when
    there is none), the files of it the loader reads, their total size, and what it lacks."""

    folder: Path | None
    commit: str | None
    files: tuple[str, ...]
    size: int
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return self.folder is not None and not self.missing


def cached_snapshot(source) -> CachedSnapshot:
    """The cached snapshot of ``source`` (a :class:`~modeling.hub.manifest.HubSource`) at its revision, read
    from the cache alone (no request): the files present, chosen as a fetch chooses them."""
    from huggingface_hub.file_download import repo_folder_name

    storage = hub_cache_dir() / repo_folder_name(repo_id=source.repo_id, repo_type="model")
    commit = source.revision if re.fullmatch(r"[0-9a-f]{40}", source.revision) else None
    ref = storage / "refs" / source.revision
    if commit is None and ref.is_file():
        commit = ref.read_text().strip()
    folder = storage / "snapshots" / commit if commit else None
    if folder is None or not folder.is_dir():
        _, missing = source.select(())
        return CachedSnapshot(None, commit, (), 0, tuple(missing))
    present = [path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()]
    files, missing = source.select(present)
    size = sum((folder / name).stat().st_size for name in files)
    return CachedSnapshot(folder, commit, tuple(files), size, tuple(missing))
