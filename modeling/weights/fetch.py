"""``fetch``: download (or take) the original files of a source, verify, convert, install atomically.

Order of work: every file is obtained and verified first; then each model is converted into a staging
folder inside ``EMOTUNE_HOME``; only when all converted are they renamed into place (replacing an
earlier install). Any failure raises and leaves the installed models as they were; the only thing a
failed fetch may leave behind is the ``.part`` file of a transfer that broke off, which the next fetch
resumes.
"""

from __future__ import annotations

import os
import shutil
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from ..base.errors import InvalidInputError, WeightsDownloadError
from ..hub.cache import (
    downloads_dir,
    emotune_home,
    install_folders,
    installed_folder,
    read_provenance,
    staging_dir,
)
from ..hub.manifest import Install, Manifest, Source, SourceFile, load_manifest
from ..hub.resolution import resolve_model
from .converters import CONVERTERS, converter
from .download import UnreachableError, download_url
from .provenance import card_sections, provenance_record, write_provenance
from .verification import verify_file, zip_member

__all__ = ["fetch"]


@dataclass
class _Obtained:
    path: Path
    origin: str
    downloaded: bool
    digests: dict | None = None


def _say(message: str, progress: bool) -> None:
    if progress:
        print(f"emotune weights: {message}", file=sys.stderr, flush=True)


def _is_url(text: str) -> bool:
    return urlparse(text).scheme in ("http", "https")


def _up_to_date(install: Install, file: SourceFile, home: Path) -> bool:
    folder = installed_folder(install.model_id, home)
    record = read_provenance(folder) if folder else None
    return bool(record) and record.get("check") == file.check and record.get("file") == file.name


def _download(
    source: Source, file: SourceFile, urls: Iterable[str], home: Path, progress: bool, timeout: float
):
    target = downloads_dir(source.name, home) / file.name
    if target.is_file():  # downloaded completely by an earlier fetch that failed later; verified again below
        return _Obtained(target, f"{target} (downloaded earlier)", downloaded=True)
    failures = []
    for url in urls:
        _say(f"downloading {file.name} from {url}", progress)
        try:
            return _Obtained(
                download_url(url, target, progress=progress, timeout=timeout), url, downloaded=True
            )
        except UnreachableError as error:
            failures.append(str(error))
    raise WeightsDownloadError(
        f"cannot download {file.name} of {source.name}: " + "; ".join(failures) + ". Nothing was installed. "
        f"Accepted: network access to one of these URLs, or the file itself: emotune weights fetch {source.name} "
        "--from PATH"
    )


def _obtain(source: Source, file: SourceFile, origin: str | None, single: bool, home: Path, progress: bool,
            timeout: float) -> _Obtained:  # fmt: skip
    if origin is None:
        return _download(source, file, file.urls, home, progress, timeout)
    if _is_url(origin):
        url = origin if single else f"{origin.rstrip('/')}/{file.name}"
        return _download(source, file, [url], home, progress, timeout)
    path = Path(origin).expanduser()
    if path.is_file():
        if not single:
            raise InvalidInputError(
                f"--from {origin} is one file, but {source.name} needs "
                f"{', '.join(f.name for f in source.files)}. Accepted: a folder holding them"
            )
        return _Obtained(path, str(path.resolve()), downloaded=False)
    if path.is_dir() and (found := _in_folder(path, file)) is not None:  # fetch() checked they are all there
        return _Obtained(found, str(found.resolve()), downloaded=False)
    raise InvalidInputError(f"--from {origin}: no such file or folder, and not an http(s) URL")


def _in_folder(folder: Path, file: SourceFile) -> Path | None:
    """``file`` in a local folder: by its name, or by its path in the original repository."""
    for candidate in (folder / file.name, folder / file.path if file.path else None):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def _tidy(home: Path, source: str, home_existed: bool) -> None:
    """Remove the empty download folders (and ``home``, if this fetch created it and left it empty)."""
    for folder in (downloads_dir(source, home), home / ".downloads", *([] if home_existed else [home])):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def fetch(
    name: str,
    *,
    origin: str | Path | None = None,
    model_ids: Iterable[str] | None = None,
    force: bool = False,
    progress: bool = True,
    manifest: Manifest | None = None,
    timeout: float = 30.0,
) -> dict[str, Path]:
    """Install the models of source ``name`` (``music2emo``, ``btc``, ``video2music``) under
    ``EMOTUNE_HOME``; returns model id -> folder.

    ``origin``: a local file or folder holding the original file(s), or a URL (the file's, or for a
    source of several files a base URL the file names are appended to), instead of the manifest's URLs.
    ``model_ids``: only the models named (and only their files). Installed models whose provenance
    matches the manifest are kept unless ``force``. Raises :class:`~modeling.base.errors.WeightsDownloadError`
    (unreachable, truncated, does not verify) and leaves the installed models as they were."""
    manifest = manifest or load_manifest()
    source = manifest.source(name)
    home = emotune_home()
    wanted = set(model_ids) if model_ids is not None else set(source.model_ids)
    if wanted - set(source.model_ids):
        raise InvalidInputError(
            f"{name} does not install {sorted(wanted - set(source.model_ids))}. Accepted: {source.model_ids}"
        )
    for install in (i for f in source.files for i in f.installs):
        if install.converter not in CONVERTERS:
            raise InvalidInputError(
                f"{manifest.path}: converter {install.converter!r} of {install.model_id} is unknown. "
                f"Accepted: {', '.join(CONVERTERS)}"
            )
    result, todo = {}, []
    for file in source.files:
        installs = [install for install in file.installs if install.model_id in wanted]
        if not installs:
            continue
        if not force and all(_up_to_date(install, file, home) for install in installs):
            result.update({i.model_id: installed_folder(i.model_id, home) for i in installs})
        else:
            todo.append((file, installs))
    if not todo:
        _say(f"{name}: already installed ({', '.join(sorted(result))}); --force converts again", progress)
        return result

    if origin is not None and Path(origin).expanduser().is_dir():
        missing = [file.name for file, _ in todo if _in_folder(Path(origin).expanduser(), file) is None]
        if missing:
            raise InvalidInputError(
                f"--from {origin}: no {', '.join(missing)} in it (by name, or by their path in "
                f"{source.repository or 'the original repository'}). Accepted: a folder holding "
                + ", ".join(file.name for file, _ in todo)
            )
    home_existed = home.exists()
    obtained: dict[str, _Obtained] = {}
    try:
        for file, _ in todo:
            got = _obtain(source, file, None if origin is None else str(origin), len(todo) == 1, home, progress,
                          timeout)  # fmt: skip
            try:
                got.digests = verify_file(got.path, file, got.origin)
            except WeightsDownloadError as error:
                if got.downloaded:
                    got.path.unlink(missing_ok=True)
                outcome = "The download was deleted; nothing" if got.downloaded else "Nothing"
                raise WeightsDownloadError(f"{error}. {outcome} was installed") from None
            _say(f"{file.name}: verified ({next(iter(file.check))})", progress)
            obtained[file.name] = got
        with staging_dir(home) as staging:
            staged = {}
            for file, installs in todo:
                got = obtained[file.name]
                for install in installs:
                    original = _extract(got.path, install.member, staging) if install.member else got.path
                    folder = staging / install.model_id.replace("/", "--")
                    _say(f"converting {install.member or file.name} -> {install.model_id}", progress)
                    convert = converter(install.converter)
                    command = convert.command_for(install.member or file.name, "OUTPUT")
                    record = provenance_record(source, file, install, got.origin, got.digests, command)
                    convert.run(original, folder, install.model_id, card_sections(record))
                    write_provenance(folder, record)
                    staged[install.model_id] = folder
            installed = install_folders(staged, staging, home)
    finally:
        _tidy(home, name, home_existed)
    for got in obtained.values():
        if got.downloaded:
            got.path.unlink(missing_ok=True)
    _tidy(home, name, home_existed=True)
    for model_id, folder in installed.items():
        _say(f"installed {model_id} in {folder}", progress)
    return {**result, **installed}


def _extract(archive_path: Path, member: str, staging: Path) -> Path:
    """Copy one member of a zip out (by its base name only: no path from the archive is used)."""
    target = staging / "originals" / Path(member).name
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        zipfile.ZipFile(archive_path) as archive,
        archive.open(zip_member(archive, member)) as src,
        open(target, "wb") as dst,
    ):
        shutil.copyfileobj(src, dst)
    return target


def resolve_or_fetch(name_or_path: str | os.PathLike, *, timeout: float = 5.0) -> str:
    """:func:`~modeling.hub.resolve_model`, and an emotune default id that is neither installed nor on the
    Hub is fetched from its public home (only the files it needs) and its new folder returned: what the
    Spaces and the demo do at start-up. Under ``HF_HUB_OFFLINE`` nothing is downloaded."""

    def fetch_one(source: str, model_id: str) -> str:
        return str(fetch(source, model_ids=[model_id])[model_id])

    return resolve_model(name_or_path, timeout=timeout, fetch=fetch_one)
