"""Checking a downloaded original file against the manifest before anything is converted.

GitHub files are checked by their git blob id (what ``git ls-tree`` prints: the sha1 of
``b"blob <size>\\0" + content``, so a file of the wrong size or content never verifies); other files
by sha256; a zip by holding the members the manifest names (and their CRCs).
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from ..base.errors import WeightsDownloadError
from ..hub.manifest import SourceFile

__all__ = ["file_digests", "git_blob_id", "verify_file", "zip_member"]

_BLOCK = 1 << 20


def git_blob_id(path: str | Path) -> str:
    """The git blob id of a file: ``sha1(b"blob <size>\\0" + content)``."""
    path = Path(path)
    digest = hashlib.sha1(f"blob {path.stat().st_size}\0".encode())
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def file_digests(path: str | Path) -> dict[str, str | int]:
    """``size``, ``sha256`` and ``git_blob`` of a file (one read)."""
    path = Path(path)
    size = path.stat().st_size
    blob, sha256 = hashlib.sha1(f"blob {size}\0".encode()), hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            blob.update(block)
            sha256.update(block)
    return {"size": size, "sha256": sha256.hexdigest(), "git_blob": blob.hexdigest()}


def zip_member(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
    """The one entry of ``archive`` whose base name is ``name`` (at the root or in a folder)."""
    found = [info for info in archive.infolist() if not info.is_dir() and Path(info.filename).name == name]
    if len(found) != 1:
        listing = ", ".join(info.filename for info in archive.infolist()[:10]) or "nothing"
        raise WeightsDownloadError(
            f"the zip holds {len(found)} files named {name!r} (it holds {listing}); expected exactly one"
        )
    return found[0]


def verify_file(path: str | Path, file: SourceFile, origin: str) -> dict[str, str | int]:
    """Check ``path`` (fetched from ``origin``) against the manifest entry ``file``; return its digests.
    Raises :class:`WeightsDownloadError` saying what did not match."""
    path = Path(path)
    digests = file_digests(path)
    if file.size is not None and digests["size"] != file.size:
        raise WeightsDownloadError(
            f"{file.name} from {origin} has {digests['size']} bytes; expected {file.size} (a truncated or "
            "different file)"
        )
    kind, expected = next(iter(file.check.items()))
    if kind in ("git_blob", "sha256") and digests[kind] != expected.lower():
        label = "git blob id" if kind == "git_blob" else "sha256"
        raise WeightsDownloadError(
            f"{file.name} from {origin} does not verify: its {label} is {digests[kind]}, expected {expected} "
            f"({digests['size']} bytes received). The file is not the published one (damaged, truncated or "
            "replaced)"
        )
    if kind == "zip_members":
        if not zipfile.is_zipfile(path):
            raise WeightsDownloadError(
                f"{file.name} from {origin} is not a zip file ({digests['size']} bytes; a download page or an "
                f"error message instead of the archive?). Expected a zip holding {', '.join(expected)}"
            )
        try:
            with zipfile.ZipFile(path) as archive:
                for name in expected:
                    try:
                        zip_member(archive, name)
                    except WeightsDownloadError as error:
                        raise WeightsDownloadError(f"{file.name} from {origin}: {error}") from None
                damaged = archive.testzip()
        except zipfile.BadZipFile as error:
            raise WeightsDownloadError(f"{file.name} from {origin} is a damaged zip: {error}") from None
        if damaged is not None:
            raise WeightsDownloadError(
                f"{file.name} from {origin}: the zip member {damaged} fails its CRC check"
            )
    return digests
