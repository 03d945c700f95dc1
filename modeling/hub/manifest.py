"""The sources manifest: where each default model's original weights live, how to check them, their
licence and which converter turns them into an emotune model.

The manifest is data (``sources.json`` beside this file). ``EMOTUNE_WEIGHTS_MANIFEST`` may name
another file of the same form, e.g. a mirror with other URLs (the tests point it at a local server).

Form::

    {"format": 1,
     "sources": {"<name>": {"description", "homepage", "repository", "commit",
                            "licence": {"name", "spdx", "holder", "url"},
                            "files": [{"name", "path", "urls": [...], "check": {...}, "size",
                                       "installs": [{"model_id", "converter", "member"?, "description"}]}]}}}

``check`` is ``{"git_blob": "<sha1>"}`` (the git blob id: sha1 of ``b"blob <size>\\0" + content``),
``{"sha256": "<hex>"}`` or ``{"zip_members": ["a.pickle", ...]}`` (a zip that holds these files;
``member`` of an install names the one it converts).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..base.errors import InvalidInputError

__all__ = [
    "MANIFEST_ENV",
    "SHIPPED_MANIFEST",
    "Install",
    "Manifest",
    "Source",
    "SourceFile",
    "load_manifest",
]

MANIFEST_ENV = "EMOTUNE_WEIGHTS_MANIFEST"
SHIPPED_MANIFEST = Path(__file__).with_name("sources.json")
_CHECKS = ("git_blob", "sha256", "zip_members")


@dataclass(frozen=True)
class Install:
    """One converted model a file gives: its id (the folder under ``EMOTUNE_HOME``), the converter,
    and for a zip the member it converts."""

    model_id: str
    converter: str
    member: str | None = None
    description: str = ""


@dataclass(frozen=True)
class SourceFile:
    """One original file: where it is served, how it is checked, what it installs."""

    name: str
    urls: tuple[str, ...]
    check: dict
    installs: tuple[Install, ...]
    path: str | None = None
    size: int | None = None
    page: str | None = None


@dataclass(frozen=True)
class Source:
    """A named group of original files fetched together (``music2emo``, ``btc``, ``video2music``)."""

    name: str
    files: tuple[SourceFile, ...]
    licence: dict
    description: str = ""
    homepage: str = ""
    repository: str = ""
    commit: str = ""

    @property
    def model_ids(self) -> list[str]:
        return [install.model_id for file in self.files for install in file.installs]


@dataclass(frozen=True)
class Manifest:
    """Every source, by name, and where the manifest was read from."""

    sources: dict[str, Source]
    path: Path
    extra: dict = field(default_factory=dict)

    def source(self, name: str) -> Source:
        if name not in self.sources:
            raise InvalidInputError(
                f"No weights named {name!r} in the manifest {self.path}. Accepted: {', '.join(self.sources)} or all"
            )
        return self.sources[name]

    def source_of(self, model_id: str) -> Source | None:
        """The source that installs ``model_id`` (None for an id no source knows)."""
        for source in self.sources.values():
            if model_id in source.model_ids:
                return source
        return None

    @property
    def model_ids(self) -> list[str]:
        return [model_id for source in self.sources.values() for model_id in source.model_ids]


def _parse_file(raw: dict, where: str) -> SourceFile:
    for key in ("name", "urls", "check", "installs"):
        if key not in raw:
            raise InvalidInputError(f"{where}: a file entry needs {key!r}; it has {sorted(raw)}")
    check = dict(raw["check"])
    if len(check) != 1 or next(iter(check)) not in _CHECKS:
        raise InvalidInputError(
            f"{where}: 'check' must hold exactly one of {', '.join(_CHECKS)}; got {check}"
        )
    installs = tuple(
        Install(
            model_id=item["model_id"],
            converter=item["converter"],
            member=item.get("member"),
            description=item.get("description", ""),
        )
        for item in raw["installs"]
    )
    members = check.get("zip_members")
    for install in installs:
        if (install.member is not None) != (members is not None) or (
            members and install.member not in members
        ):
            raise InvalidInputError(
                f"{where}: install {install.model_id!r} names member {install.member!r}; a zip file's installs "
                f"name one of its zip_members ({members}), other files' installs none"
            )
    urls = raw["urls"]
    return SourceFile(
        name=raw["name"],
        urls=tuple([urls] if isinstance(urls, str) else urls),
        check=check,
        installs=installs,
        path=raw.get("path"),
        size=raw.get("size"),
        page=raw.get("page"),
    )


def load_manifest(path: str | os.PathLike | None = None) -> Manifest:
    """The manifest at ``path``, else ``$EMOTUNE_WEIGHTS_MANIFEST``, else emotune's own ``sources.json``."""
    path = Path(path or os.environ.get(MANIFEST_ENV) or SHIPPED_MANIFEST)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInputError(
            f"No weights manifest at {path} (set by {MANIFEST_ENV}). Accepted: a JSON file of the form of "
            f"{SHIPPED_MANIFEST}"
        ) from None
    except json.JSONDecodeError as error:
        raise InvalidInputError(f"The weights manifest {path} is not valid JSON: {error}") from None
    if raw.get("format") != 1 or not isinstance(raw.get("sources"), dict):
        raise InvalidInputError(
            f'{path} is not a weights manifest: it needs "format": 1 and a "sources" object'
        )
    sources = {}
    for name, entry in raw["sources"].items():
        where = f"{path}: source {name!r}"
        files = tuple(_parse_file(item, where) for item in entry.get("files", ()))
        if not files:
            raise InvalidInputError(f"{where} lists no files")
        sources[name] = Source(
            name=name,
            files=files,
            licence=dict(entry.get("licence", {})),
            description=entry.get("description", ""),
            homepage=entry.get("homepage", ""),
            repository=entry.get("repository", ""),
            commit=entry.get("commit", ""),
        )
    ids = [model_id for source in sources.values() for model_id in source.model_ids]
    if len(ids) != len(set(ids)):
        raise InvalidInputError(f"{path}: a model id is installed by more than one file: {sorted(ids)}")
    return Manifest(sources=sources, path=path, extra={k: v for k, v in raw.items() if k != "sources"})
