"""Checking an original file against the manifest before anything is converted.

GitHub files are checked by their git blob id (what ``git ls-tree`` prints: the sha1 of
``b"blob <size>\\0" + content``, so a file of the wrong size or content never verifies); other files
by sha256; a zip by holding the members the manifest names (and their CRCs), each member a state dict of
exactly the keys and shapes of the model it converts into (:mod:`.layouts`).

Two kinds of body are told apart from the file itself, wherever it came from: an HTML page (a download
page, a sign-in or error page served with status 200) and a Git LFS pointer (what a repository holds in
place of a large file: ``raw.githubusercontent.com`` serves it, and so does a clone made without Git LFS).
A pointer whose git blob id is the manifest's names the file's sha256 and size: the file served at another
URL is then checked against those.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..base.errors import WeightsDownloadError
from ..hub.manifest import SourceFile

__all__ = [
    "LfsPointer",
    "body_kind",
    "file_digests",
    "git_blob_id",
    "one_line",
    "read_lfs_pointer",
    "verify_file",
    "zip_member",
]

_BLOCK = 1 << 20
_LFS_SPEC = b"version https://git-lfs.github.com/spec/v1"
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<!--")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class LfsPointer:
    """A Git LFS pointer file: the sha256 and size of the file it stands for, and its own git blob id."""

    sha256: str
    size: int
    git_blob: str


def read_lfs_pointer(data: bytes) -> LfsPointer | None:
    """The pointer ``data`` is, or None."""
    if not data.startswith(_LFS_SPEC) or len(data) > 1024:
        return None
    oid = re.search(rb"^oid sha256:([0-9a-f]{64})$", data, re.M)
    size = re.search(rb"^size (\d+)$", data, re.M)
    if not oid or not size:
        return None
    blob = hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()
    return LfsPointer(oid.group(1).decode(), int(size.group(1)), blob)


def body_kind(head: bytes, total: int | None = None) -> str | None:
    """What the first bytes of a body say it is, when it is not a weights file: ``"an HTML page"`` (with
    its title) or ``"a Git LFS pointer (...)"``; None otherwise. ``total``: the body's size if known."""
    if head.startswith(_LFS_SPEC):
        pointer = read_lfs_pointer(head)
        if pointer is not None:
            return f"a Git LFS pointer (for a file of {pointer.size} bytes, sha256 {pointer.sha256[:12]}...)"
        return "a Git LFS pointer"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:16].lower()
    if start.startswith(_HTML_STARTS):
        title = re.search(rb"<title[^>]*>([^<]{1,120})", head, re.I)
        what = f' titled "{" ".join(title.group(1).decode("utf-8", "replace").split())}"' if title else ""
        size = f", {total} bytes" if total is not None else ""
        return f"an HTML page{what}{size}"
    return None


def _head(path: Path, size: int = 4096) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def one_line(text: str, replacements: dict[str, str] | None = None, limit: int = 400) -> str:
    """``text`` (an error message) as one line: terminal colour codes removed, each key of
    ``replacements`` (a temporary path) replaced by its value (the name the user knows), torch's advice
    around a refused pickle cut down to the reason, whitespace collapsed, at most ``limit`` characters."""
    text = _ANSI.sub("", str(text))
    for old, new in sorted((replacements or {}).items(), key=lambda item: -len(item[0])):
        text = text.replace(old, new)
    if "WeightsUnpickler error:" in text:  # torch.load(weights_only=True)'s several paragraphs
        reason = text.split("WeightsUnpickler error:", 1)[1].strip()
        reason = re.split(r"\.\s|\n\s*\n", reason, maxsplit=1)[0].strip().rstrip(".")
        text = f"torch.load(weights_only=True) refused it: {reason}"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


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


def verify_file(
    path: str | Path, file: SourceFile, origin: str, *, lfs: LfsPointer | None = None
) -> dict[str, object]:
    """Check ``path`` (obtained from ``origin``) against the manifest entry ``file``; return its digests
    (for a zip also ``members``: name -> sha256, size and whether its state dict matched a layout).
    ``lfs``: a Git LFS pointer met at an earlier URL of the file, which counts as the manifest's check when
    its own blob id is the one the manifest names. Raises :class:`WeightsDownloadError` saying what did
    not match."""
    path = Path(path)
    digests: dict[str, object] = dict(file_digests(path))
    size = digests["size"]
    kind = body_kind(_head(path), size)
    if kind is not None:
        hint = (
            " (a clone made without Git LFS holds these: run `git lfs pull` in it)" if "LFS" in kind else ""
        )
        raise WeightsDownloadError(f"{file.name} from {origin} is {kind}, not the file{hint}")
    if file.size is not None and size != file.size:
        raise WeightsDownloadError(
            f"{file.name} from {origin} has {size} bytes; expected {file.size} (a truncated or different file)"
        )
    check, expected = next(iter(file.check.items()))
    if check == "git_blob" and lfs is not None and lfs.git_blob == expected.lower():
        # the manifest's blob id is the LFS pointer's, and the pointer names the content's sha256 and size
        if digests["sha256"] != lfs.sha256 or size != lfs.size:
            raise WeightsDownloadError(
                f"{file.name} from {origin} does not verify: its sha256 is {digests['sha256']} ({size} bytes), "
                f"the Git LFS pointer of git blob id {expected} names sha256 {lfs.sha256} ({lfs.size} bytes). "
                "The file is not the published one (damaged, truncated or replaced)"
            )
        digests["lfs_pointer"] = {"git_blob": lfs.git_blob, "sha256": lfs.sha256, "size": lfs.size}
    elif check in ("git_blob", "sha256") and digests[check] != expected.lower():
        label = "git blob id" if check == "git_blob" else "sha256"
        raise WeightsDownloadError(
            f"{file.name} from {origin} does not verify: its {label} is {digests[check]}, expected {expected} "
            f"({size} bytes received). The file is not the published one (damaged, truncated or replaced)"
        )
    if check == "zip_members":
        digests["members"] = _verify_zip(path, file, origin, expected)
    return digests


def _verify_zip(path: Path, file: SourceFile, origin: str, expected: list[str]) -> dict[str, dict]:
    from .layouts import LAYOUTS, compare, layout_for

    if not zipfile.is_zipfile(path):
        raise WeightsDownloadError(
            f"{file.name} from {origin} is not a zip file ({path.stat().st_size} bytes). Expected a zip holding "
            f"{', '.join(expected)}"
        )
    installs = {install.member: install for install in file.installs if install.member}
    members = {}
    try:
        with zipfile.ZipFile(path) as archive:
            found = {}
            for name in expected:  # every member there, before any is read
                try:
                    found[name] = zip_member(archive, name)
                except WeightsDownloadError as error:
                    raise WeightsDownloadError(f"{file.name} from {origin}: {error}") from None
            for name, info in found.items():
                data = archive.read(info)  # checks the member's CRC
                record = {
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "layout_checked": False,
                }
                install = installs.get(name)
                if install is not None and install.converter in LAYOUTS:
                    try:
                        layout = layout_for(install.converter, install.layout)
                    except TypeError as error:
                        raise WeightsDownloadError(
                            f"the manifest's layout of {install.model_id} is not one of {install.converter} ({error})"
                        ) from None
                    _check_state_dict(data, name, file.name, origin, layout, install.model_id, compare)
                    record["layout_checked"] = True
                members[name] = record
    except zipfile.BadZipFile as error:
        raise WeightsDownloadError(f"{file.name} from {origin} is a damaged zip: {error}") from None
    return members


def _check_state_dict(
    data: bytes, name: str, archive: str, origin: str, layout, model_id: str, compare
) -> None:
    import torch

    where = f"{name} in {archive} from {origin}"
    try:
        state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many types for a bad pickle; report which file and why
        raise WeightsDownloadError(
            f"{where} is not a PyTorch state dict ({type(error).__name__}: {one_line(error)})"
        ) from None
    if not isinstance(state, dict):
        raise WeightsDownloadError(
            f"{where} holds a {type(state).__name__}, not the state dict of the published model behind "
            f"{model_id}"
        )
    problems = compare(state, layout)
    if problems:
        raise WeightsDownloadError(
            f"{where} is not the state dict of the published model behind {model_id} ({len(state)} tensors; "
            + "; ".join(problems)
            + ")"
        )
