"""``fetch``: download (or take) the original files of a source, verify, convert, install atomically; or,
for a hub source (MERT, CLIP), fetch the files its loader reads into the Hugging Face cache
(:mod:`.hub_models`).

Order of work: ``EMOTUNE_HOME`` is checked writable; every file is obtained and verified first (the URLs
of a file in turn: one that cannot be reached, answers an HTML page or a Git LFS pointer, or serves a file
that does not verify, makes way for the next); then each model is converted into a staging folder inside
``EMOTUNE_HOME``; only when all converted are they renamed into place (replacing an earlier install).
Any failure raises one line and leaves the installed models as they were; the only thing a failed fetch
may leave behind is the ``.part`` file of a transfer that broke off, which the next fetch resumes.
"""

from __future__ import annotations

import os
import shutil
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

from ..base.errors import CheckpointError, EmotuneError, InvalidInputError, StorageError, WeightsDownloadError
from ..hub.cache import (
    disk_is_full,
    downloads_dir,
    emotune_home,
    install_folders,
    installed_folder,
    is_storage_error,
    read_provenance,
    staging_dir,
    storage_error,
    writable_home,
)
from ..hub.manifest import HubSource, Install, Manifest, Source, SourceFile, load_manifest
from ..hub.resolution import resolve_model
from .converters import CONVERTERS, converter
from .download import UnreachableError, WrongBodyError, download_url, local_path
from .provenance import card_sections, provenance_record, record_matches, write_provenance
from .verification import file_digests, one_line, verify_file, zip_member

__all__ = ["fetch", "resolve_or_fetch"]


@dataclass
class _Obtained:
    path: Path
    origin: str
    downloaded: bool
    digests: dict = field(default_factory=dict)


def _say(message: str, progress: bool) -> None:
    if progress:
        print(f"emotune weights: {message}", file=sys.stderr, flush=True)


def _is_url(text: str) -> bool:
    return urlparse(text).scheme in ("http", "https")


def _up_to_date(install: Install, file: SourceFile, home: Path) -> bool:
    folder = installed_folder(install.model_id, home)
    return folder is not None and record_matches(read_provenance(folder), file, install)[0]


def _download(
    source: Source, file: SourceFile, urls: Iterable[str], home: Path, progress: bool, timeout: float
) -> _Obtained:
    """The first of ``urls`` that gives ``file``, verified; a failure of one URL makes way for the next,
    and the error lists what each gave."""
    target = downloads_dir(source.name, home) / file.name
    failures, pointer = [], None
    if target.is_file():  # downloaded completely by an earlier fetch that failed later
        try:
            return _Obtained(
                target, f"{target} (downloaded earlier)", True, verify_file(target, file, str(target))
            )
        except WeightsDownloadError as error:
            target.unlink()
            failures.append(f"{error}; that download was deleted")
    for url in urls:
        path = local_path(url)
        if path is not None:  # file://: the file is used where it is, never copied nor deleted
            if not path.is_file():
                failures.append(f"{url}: no such file")
                continue
            try:
                return _Obtained(path, url, False, verify_file(path, file, url, lfs=pointer))
            except WeightsDownloadError as error:
                failures.append(str(error))
                continue
        _say(f"downloading {file.name} from {url}", progress)
        try:
            path = download_url(url, target, progress=progress, timeout=timeout)
        except WrongBodyError as error:
            failures.append(str(error))
            pointer = pointer or error.pointer
            continue
        except UnreachableError as error:
            failures.append(str(error))
            continue
        try:
            return _Obtained(path, url, True, verify_file(path, file, url, lfs=pointer))
        except WeightsDownloadError as error:
            path.unlink(missing_ok=True)
            failures.append(f"{error}; that download was deleted")
    advice = f"network access to one of these URLs, or the file itself: emotune weights fetch {source.name} --from PATH"
    if file.page:  # a file whose home is a web page (Google Drive): a browser gets it when a script cannot
        advice = (
            f"download {file.name} in a browser from its page {file.page}, then run `emotune weights fetch "
            f"{source.name} --from {file.name}` (with the path you saved it to)"
        )
    raise WeightsDownloadError(
        f"cannot download {file.name} of {source.name}: " + "; ".join(failures) + ". Nothing was installed. "
        f"Accepted: {advice}"
    )


def _in_folder(folder: Path, file: SourceFile) -> Path | None:
    """``file`` in a local folder: by its name, or by its path in the original repository."""
    for candidate in (folder / file.name, folder / file.path if file.path else None):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def _identify(source: Source, path: Path) -> SourceFile:
    """Which file of ``source`` the local file ``path`` is: by its name, else by its checksum (a renamed
    copy); a source of one file takes any file (it is verified next)."""
    by_name = source.file_named(path.name)
    if by_name is not None or len(source.files) == 1:
        return by_name or source.files[0]
    digests = file_digests(path)
    for file in source.files:
        kind, expected = next(iter(file.check.items()))
        if kind in ("git_blob", "sha256") and digests[kind] == str(expected).lower():
            return file
    raise InvalidInputError(
        f"--from {path}: it is none of the files of {source.name} (neither by name nor by checksum). Accepted: "
        + ", ".join(file.name for file in source.files)
        + ", or a folder holding them"
    )


def _origin(origin: str | Path | None) -> tuple[Path | None, str | None]:
    """``--from`` as a local path or an http(s) URL (``file://`` URLs are paths)."""
    if origin is None:
        return None, None
    text = os.fspath(origin)
    path = local_path(text)
    if path is not None:
        return path, None
    if _is_url(text):
        return None, text
    if "://" in text:
        raise InvalidInputError(
            f"--from {text}: not a URL emotune downloads. Accepted: a path, http(s):// or file://"
        )
    return Path(text).expanduser(), None


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
    ``EMOTUNE_HOME``, or fetch a hub source (``mert``, ``clip``) into the Hugging Face cache; returns model
    id -> folder.

    ``origin``: a local file or folder holding the original file(s) (a path or a ``file://`` URL), or an
    http(s) URL (the file's, or for a source of several files a base URL the file names are appended to),
    instead of the manifest's URLs. One file of a source of several installs the models of that file alone.
    ``model_ids``: only the models named (and only their files). Installed models whose provenance
    matches the manifest are kept unless ``force``. Raises :class:`~modeling.base.errors.WeightsDownloadError`
    (unreachable, truncated, does not verify), :class:`~modeling.base.errors.CheckpointError` (does not
    convert), :class:`~modeling.base.errors.StorageError` (a folder that cannot be written), and leaves the
    installed models as they were."""
    manifest = manifest or load_manifest()
    source = manifest.source(name)
    if isinstance(source, HubSource):
        if origin is not None:
            raise InvalidInputError(
                f"{name} comes from the Hub as it is ({source.repo_id}); --from does not apply. Accepted: fetch "
                f"{name} without --from, or pass a local copy of the model folder to the command that uses it"
            )
        from .hub_models import fetch_hub

        return fetch_hub(source, force=force, progress=progress, timeout=timeout)
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
    path, url = _origin(origin)
    files = list(source.files)
    if path is not None and path.is_file():
        chosen = _identify(source, path)
        if not wanted & {install.model_id for install in chosen.installs}:
            raise InvalidInputError(
                f"--from {origin} is {chosen.name}, which installs "
                f"{', '.join(i.model_id for i in chosen.installs)}, not {', '.join(sorted(wanted))}"
            )
        files = [chosen]
    elif (
        url is not None
        and len(files) > 1
        and (by_name := source.file_named(PurePosixPath(urlparse(url).path).name))
    ):
        files = [by_name]
    elif path is not None and not path.is_dir():
        raise InvalidInputError(f"--from {origin}: no such file or folder, and not an http(s) or file:// URL")
    home = emotune_home()
    result, todo = {}, []
    for file in files:
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
    if path is not None and path.is_dir():
        missing = [file.name for file, _ in todo if _in_folder(path, file) is None]
        if missing:
            raise InvalidInputError(
                f"--from {origin}: no {', '.join(missing)} in it (by name, or by their path in "
                f"{source.repository or 'the original repository'}). Accepted: a folder holding "
                + ", ".join(file.name for file, _ in todo)
            )
    home_existed = home.exists()
    writable_home(home)
    try:
        installed = _install(source, todo, path, url, home, progress, timeout)
    except OSError as error:
        if not is_storage_error(error):
            raise
        raise storage_error(error, home) from None
    finally:
        _tidy(home, name, home_existed)
    for model_id, folder in installed.items():
        _say(f"installed {model_id} in {folder}", progress)
    return {**result, **installed}


def _obtain(source: Source, file: SourceFile, path: Path | None, url: str | None, single: bool, home: Path,
            progress: bool, timeout: float) -> _Obtained:  # fmt: skip
    if path is None:
        urls = file.urls if url is None else [url if single else f"{url.rstrip('/')}/{file.name}"]
        return _download(source, file, urls, home, progress, timeout)
    found = path if path.is_file() else _in_folder(path, file)
    try:
        return _Obtained(found, str(found.resolve()), False, verify_file(found, file, str(found.resolve())))
    except WeightsDownloadError as error:
        raise WeightsDownloadError(f"{error}. Nothing was installed") from None


def _install(source: Source, todo: list, path: Path | None, url: str | None, home: Path, progress: bool,
             timeout: float) -> dict[str, Path]:  # fmt: skip
    obtained: dict[str, _Obtained] = {}
    single = len(todo) == 1 and (len(source.files) == 1 or url is None or url.endswith(todo[0][0].name))
    for file, _ in todo:
        got = _obtain(source, file, path, url, single, home, progress, timeout)
        _say(f"{file.name}: verified ({next(iter(file.check))})", progress)
        obtained[file.name] = got
    try:
        installed = _convert(source, todo, obtained, home, progress)
    except (OSError, StorageError):
        for got in obtained.values():  # the disk is full or refuses writes: give back the room downloads took
            if got.downloaded:
                got.path.unlink(missing_ok=True)
        raise
    for got in obtained.values():
        if got.downloaded:
            got.path.unlink(missing_ok=True)
    return installed


def _convert(
    source: Source, todo: list, obtained: dict[str, _Obtained], home: Path, progress: bool
) -> dict[str, Path]:
    """Convert every model of ``todo`` into a staging folder, then rename them all into place."""
    with staging_dir(home) as staging:
        staged = {}
        for file, installs in todo:
            got = obtained[file.name]
            for install in installs:
                original = _extract(got.path, install.member, staging) if install.member else got.path
                folder = staging / install.model_id.replace("/", "--")
                label = f"{install.member} (in {file.name})" if install.member else file.name
                _say(f"converting {label} -> {install.model_id}", progress)
                convert = converter(install.converter)
                command = convert.command_for(install.member or file.name, "OUTPUT")
                record = provenance_record(source, file, install, got.origin, got.digests, command)
                try:
                    convert.run(original, folder, install.model_id, card_sections(record))
                except Exception as error:
                    failure = _conversion_error(error, label, install, {str(original): label,
                                                                        str(staging): "the staging folder"}, home)  # fmt: skip
                    if failure is None:
                        raise  # not a checkpoint, not the disk: a bug, with its traceback
                    raise failure from None
                write_provenance(folder, record)
                staged[install.model_id] = folder
        return install_folders(staged, staging, home)


def _conversion_error(
    error: Exception, label: str, install: Install, names: dict, home: Path
) -> EmotuneError | None:
    """The one-line error for a conversion that failed (None for an error that is a bug)."""
    if isinstance(error, EmotuneError):
        return CheckpointError(
            f"{label} could not be converted into {install.model_id}: {one_line(error, names)}. Nothing was "
            "installed; the installed models are as they were"
        )
    if disk_is_full(error, home):
        return storage_error(error if isinstance(error, OSError) else None, home, full=True)
    if is_storage_error(error):
        return storage_error(error, home)
    return None


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
