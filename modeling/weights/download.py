"""Downloading one original file: progress, resume, atomic completion.

Bytes go to ``<target>.part``; an interrupted transfer leaves that file, and the next download of the
same target asks the server for the rest only (HTTP ``Range``). The target appears (by rename) only
once every announced byte has arrived. A body that is not a weights file (an HTML page, a Git LFS pointer;
see :func:`~modeling.weights.verification.body_kind`) is recognised from its first bytes and nothing of it
is kept. A disk that fills during the transfer stops it and the partial file is deleted, to give the room
back. Google Drive links go through ``gdown``, which knows Drive's confirmation page (and resumes its own
partial files). ``file://`` URLs name local files, which :func:`local_path` turns into paths.
"""

from __future__ import annotations

import errno
import re
from pathlib import Path
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from ..base.errors import WeightsDownloadError
from .verification import LfsPointer, body_kind, one_line, read_lfs_pointer

__all__ = [
    "DriveUnreachableError",
    "UnreachableError",
    "WrongBodyError",
    "download_url",
    "is_google_drive",
    "local_path",
    "partial_path",
]

_CHUNK = 1 << 16
_SNIFF = 1024
"""Bytes read before the first write, to tell an HTML page or a Git LFS pointer from the file."""


class UnreachableError(WeightsDownloadError):
    """No byte of the file came from a URL (connection refused, unknown host, HTTP error status); another
    URL of the same file may be tried."""


class WrongBodyError(UnreachableError):
    """A URL answered, but with something else than the file (an HTML page, a Git LFS pointer); another URL
    may serve the file. ``pointer``: the LFS pointer, whose sha256 and size stand for the file."""

    def __init__(self, message: str, pointer: LfsPointer | None = None):
        super().__init__(message)
        self.pointer = pointer


class DriveUnreachableError(UnreachableError):
    """Google Drive could not be reached, or refused the file, and no byte of it arrived."""


def local_path(url: str) -> Path | None:
    """The path a ``file://`` URL names (None for other URLs)."""
    parsed = urlparse(url)
    if parsed.scheme != "file":
        return None
    if parsed.netloc not in ("", "localhost"):
        raise WeightsDownloadError(
            f"{url} names a file on another machine ({parsed.netloc}). Accepted: file:///absolute/path"
        )
    return Path(url2pathname(unquote(parsed.path)))


def partial_path(target: Path) -> Path:
    return target.with_name(target.name + ".part")


def is_google_drive(url: str) -> bool:
    return urlparse(url).netloc in ("drive.google.com", "docs.google.com", "drive.usercontent.google.com")


def download_url(url: str, target: str | Path, *, progress: bool = True, timeout: float = 30.0) -> Path:
    """Download ``url`` to ``target`` (resuming ``<target>.part`` if an earlier transfer left one).

    Raises :class:`UnreachableError` when the server cannot be reached or answers an error status
    (:class:`WrongBodyError` when it answers with something else than the file: nothing is kept;
    :class:`DriveUnreachableError` for Google Drive), :class:`~modeling.base.errors.WeightsDownloadError`
    when the transfer breaks off (the partial file is kept for the next call), and ``OSError`` when the
    target cannot be written (for a full disk, after deleting the partial file)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if is_google_drive(url):
        return _download_google_drive(url, target, progress=progress, timeout=timeout)
    return _download_http(url, target, progress=progress, timeout=timeout)


def _download_http(
    url: str, target: Path, *, progress: bool, timeout: float, restarted: bool = False
) -> Path:
    import requests
    import urllib3
    from tqdm.auto import tqdm

    from ..base.version import __version__

    part = partial_path(target)
    offset = part.stat().st_size if part.exists() else 0
    if offset == 0:
        part.unlink(missing_ok=True)
    headers = {"User-Agent": f"emotune/{__version__}", "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    received, total, answered = 0, None, False
    try:
        with requests.get(
            url, headers=headers, stream=True, timeout=timeout, allow_redirects=True
        ) as response:
            answered = True
            if response.status_code == 416 and offset and not restarted:
                whole = re.fullmatch(r"bytes \*/(\d+)", response.headers.get("Content-Range", ""))
                if whole and int(whole.group(1)) == offset:  # every byte had arrived before the interruption
                    part.replace(target)
                    return target
                part.unlink()  # the partial file is not a prefix the server knows: start again
                return _download_http(url, target, progress=progress, timeout=timeout, restarted=True)
            if response.status_code >= 400:
                raise UnreachableError(f"{url} answered HTTP {response.status_code} {response.reason}")
            if offset and response.status_code == 206:
                start = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
                if not start or int(start.group(1)) != offset:
                    part.unlink()
                    raise WeightsDownloadError(
                        f"{url} answered the resume request for bytes {offset}- with "
                        f"{response.headers.get('Content-Range')!r}; the partial file was deleted, run again"
                    )
            elif offset:  # the server ignores Range: the whole file comes again
                offset = 0
            length = response.headers.get("Content-Length")
            total = offset + int(length) if length is not None else None
            read = getattr(response.raw, "read1", response.raw.read)  # read1: keep every byte that came
            first = b""
            if not offset:  # a fresh transfer: is it the file at all?
                while len(first) < _SNIFF and (chunk := read(_CHUNK)):
                    first += chunk
                kind = body_kind(first, total)
                if kind is not None:
                    small = "LFS" in kind and (total or 0) <= _SNIFF  # a pointer is a few lines
                    pointer = read_lfs_pointer(first + response.raw.read()) if small else None
                    raise WrongBodyError(f"{url} answered {kind} instead of the file", pointer)
            try:
                with (
                    open(part, "ab" if offset else "wb") as handle,
                    tqdm(total=total, initial=offset, unit="B", unit_scale=True, unit_divisor=1024,
                         desc=target.name, disable=not progress, mininterval=1.0) as bar,
                ):  # fmt: skip
                    chunk = first or read(_CHUNK)
                    while chunk:
                        handle.write(chunk)
                        received += len(chunk)
                        bar.update(len(chunk))
                        chunk = read(_CHUNK)
            except OSError as error:
                if isinstance(error, requests.RequestException) or error.errno not in (
                    errno.ENOSPC,
                    errno.EDQUOT,
                ):
                    raise
                part.unlink(missing_ok=True)  # a full disk: give the room back rather than keep a part
                raise OSError(error.errno, error.strerror, str(part)) from None
    except (requests.RequestException, urllib3.exceptions.HTTPError) as error:
        if not answered:
            # requests wraps urllib3's MaxRetryError, whose reason is the cause (unknown host, refused, ...)
            reason = getattr(error.args[0], "reason", None) if error.args else None
            raise UnreachableError(
                f"cannot reach {url} ({type(reason or error).__name__}: {reason or error})"
            ) from None
        _truncated(url, part, offset + received, total, error)
    if total is not None and offset + received != total:
        _truncated(url, part, offset + received, total, None)
    part.replace(target)
    return target


def _truncated(url: str, part: Path, have: int, total: int | None, error: Exception | None):
    of = f" of {total}" if total is not None else ""
    reason = f" ({type(error).__name__}: {one_line(error, limit=200)})" if error is not None else ""
    kept = (
        f"The bytes received are kept in {part}; run the same command again to resume from there"
        if part.is_file()
        else "Nothing was kept; run the same command again"
    )
    raise WeightsDownloadError(
        f"truncated transfer: {have}{of} bytes arrived from {url} before the connection ended{reason}. {kept}"
    )


def _download_google_drive(url: str, target: Path, *, progress: bool, timeout: float) -> Path:
    import gdown
    import requests
    from gdown.exceptions import DownloadError, FileURLRetrievalError

    try:
        output = gdown.download(url, output=str(target), quiet=not progress, resume=True, timeout=timeout)
    except FileURLRetrievalError as error:
        _drop_empty_parts(target)
        raise DriveUnreachableError(f"Google Drive did not serve {url}: {one_line(error)}") from None
    except (DownloadError, requests.RequestException) as error:
        reason = f"{type(error).__name__}: {one_line(error, limit=200)}"
        if not _drop_empty_parts(target):  # not one byte arrived: Drive was never reached
            raise DriveUnreachableError(f"Google Drive could not be reached at {url} ({reason})") from None
        raise WeightsDownloadError(
            f"the download of {url} broke off ({reason}); gdown keeps the bytes received beside {target}, run the "
            "same command again to resume"
        ) from None
    if output is None or not Path(output).is_file():
        raise DriveUnreachableError(f"Google Drive did not serve {url} (gdown returned {output!r})")
    return Path(output)


def _drop_empty_parts(target: Path) -> bool:
    """Delete gdown's empty partial files of ``target`` (``<name>XXXXXXXX.part``); whether a non-empty one
    remains (bytes that the next download resumes from)."""
    kept = False
    for part in target.parent.glob(f"{target.name}*.part") if target.parent.is_dir() else ():
        if part.stat().st_size:
            kept = True
        else:
            part.unlink(missing_ok=True)
    return kept
