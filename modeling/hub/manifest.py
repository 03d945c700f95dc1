"""The sources manifest: where each default model's weights live. Two kinds of source:

* ``original`` (the default kind): original published files, how to check them, their licence and which
  converter turns them into an emotune model installed under ``EMOTUNE_HOME``;
* ``hub``: a model used as the Hub holds it (MERT, CLIP: not converted), fetched into the Hugging Face
  cache, only the files emotune's loaders read.

The manifest is data (``sources.json`` beside this file). ``EMOTUNE_WEIGHTS_MANIFEST`` may name
another file of the same form, e.g. a mirror with other URLs (the tests point it at a local server).

Form::

    {"format": 1,
     "sources": {"<name>": {"description", "homepage", "repository", "commit",
                            "licence": {"name", "spdx", "holder", "url"},
                            "files": [{"name", "path", "urls": [...], "check": {...}, "size", "page"?,
                                       "installs": [{"model_id", "converter", "member"?, "layout"?,
                                                     "description"}]}]},
                 "<name>": {"kind": "hub", "repo_id", "revision", "description", "homepage", "licence",
                            "files": ["config.json", {"one_of": [["model.safetensors"], ["pytorch_model.bin"]]}],
                            "optional": ["special_tokens_map.json"]}}}

``check`` is ``{"git_blob": "<sha1>"}`` (the git blob id: sha1 of ``b"blob <size>\\0" + content``),
``{"sha256": "<hex>"}`` or ``{"zip_members": ["a.pickle", ...]}`` (a zip that holds these files;
``member`` of an install names the one it converts, and ``layout`` the sizes of the model whose state dict
the member must hold, key for key and shape for shape). URLs are ``https://``, ``http://`` or ``file://``.

A hub source's ``files`` are what its repository must hold: a name, or ``{"one_of": [...]}``, alternatives
in order of preference, each a list of names or glob patterns of which the first must be in the
repository (``["model.safetensors.index.json", "model-*-of-*.safetensors"]``: the index, then its shards);
``optional`` files are fetched when the repository has them.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..base.errors import InvalidInputError

__all__ = [
    "MANIFEST_ENV",
    "SHIPPED_MANIFEST",
    "HubSource",
    "Install",
    "Manifest",
    "Source",
    "SourceFile",
    "load_manifest",
]

MANIFEST_ENV = "EMOTUNE_WEIGHTS_MANIFEST"
SHIPPED_MANIFEST = Path(__file__).with_name("sources.json")
_CHECKS = ("git_blob", "sha256", "zip_members")
_URL_SCHEMES = ("https://", "http://", "file://")
_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")


@dataclass(frozen=True)
class Install:
    """One converted model a file gives: its id (the folder under ``EMOTUNE_HOME``), the converter,
    and for a zip the member it converts."""

    model_id: str
    converter: str
    member: str | None = None
    description: str = ""
    layout: dict | None = None


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
    kind = "original"

    @property
    def model_ids(self) -> list[str]:
        return [install.model_id for file in self.files for install in file.installs]

    def file_named(self, name: str) -> SourceFile | None:
        """The file of this source called ``name`` (its base name), if any."""
        return next((file for file in self.files if file.name == name), None)


FileGroup = tuple[tuple[str, ...], ...]
"""Alternatives in order of preference, each a tuple of names or glob patterns (the first must be present)."""


@dataclass(frozen=True)
class HubSource:
    """A Hub model used as it is (``mert``, ``clip``): its repository, the revision fetched, and the files
    its loader reads (:attr:`groups`, one alternative of each must be there; :attr:`optional`)."""

    name: str
    repo_id: str
    revision: str
    groups: tuple[FileGroup, ...]
    licence: dict
    optional: tuple[str, ...] = ()
    description: str = ""
    homepage: str = ""
    kind = "hub"

    @property
    def model_ids(self) -> list[str]:
        return [self.repo_id]

    def select(self, names: Iterable[str]) -> tuple[list[str], list[str]]:
        """Of a repository's file ``names``: the ones to fetch (the first alternative of each group whose
        first pattern matches a name, all names matching that alternative; the optional files present), and
        one description per group that no alternative satisfies."""
        names = sorted(set(names))
        chosen: list[str] = []
        missing: list[str] = []
        for group in self.groups:
            for alternative in group:
                if fnmatch.filter(names, alternative[0]):
                    chosen += [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in alternative)]
                    break
            else:
                missing.append(" or ".join(" + ".join(alternative) for alternative in group))
        chosen += [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in self.optional)]
        return sorted(set(chosen)), missing

    def describe_files(self) -> str:
        """The files, as the README and messages name them: ``config.json, model.safetensors or pytorch_model.bin``."""
        parts = [" or ".join(" + ".join(alternative) for alternative in group) for group in self.groups]
        if self.optional:
            parts.append(f"and if present {', '.join(self.optional)}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Manifest:
    """Every source, by name, and where the manifest was read from."""

    sources: dict[str, Source | HubSource]
    path: Path
    extra: dict = field(default_factory=dict)

    def source(self, name: str) -> Source | HubSource:
        if name not in self.sources:
            raise InvalidInputError(
                f"No weights named {name!r} in the manifest {self.path}. Accepted: {', '.join(self.sources)} or all"
            )
        return self.sources[name]

    def source_of(self, model_id: str) -> Source | HubSource | None:
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
            layout=dict(item["layout"]) if item.get("layout") is not None else None,
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
    urls = tuple([raw["urls"]] if isinstance(raw["urls"], str) else raw["urls"])
    for url in urls:
        if not url.startswith(_URL_SCHEMES):
            raise InvalidInputError(
                f"{where}: URL {url!r} of {raw['name']} is not one emotune downloads. Accepted: "
                + ", ".join(_URL_SCHEMES)
                + " URLs"
            )
    return SourceFile(
        name=raw["name"],
        urls=urls,
        check=check,
        installs=installs,
        path=raw.get("path"),
        size=raw.get("size"),
        page=raw.get("page"),
    )


def _parse_hub(name: str, entry: dict, where: str) -> HubSource:
    repo_id = entry.get("repo_id", "")
    if not _REPO_ID.fullmatch(repo_id):
        raise InvalidInputError(f"{where}: a hub source needs 'repo_id' (owner/name); it has {repo_id!r}")
    groups = []
    for item in entry.get("files", ()):
        if isinstance(item, str):
            groups.append(((item,),))
        elif isinstance(item, dict) and item.get("one_of"):
            groups.append(
                tuple((alt,) if isinstance(alt, str) else tuple(alt) for alt in item["one_of"] if alt)
            )
        else:
            raise InvalidInputError(
                f"{where}: {item!r} in 'files' is neither a file name nor {{\"one_of\": [[names...], ...]}}"
            )
    if not groups:
        raise InvalidInputError(f"{where} lists no files")
    return HubSource(
        name=name,
        repo_id=repo_id,
        revision=entry.get("revision", "main"),
        groups=tuple(groups),
        optional=tuple(entry.get("optional", ())),
        licence=dict(entry.get("licence", {})),
        description=entry.get("description", ""),
        homepage=entry.get("homepage", ""),
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
    sources: dict[str, Source | HubSource] = {}
    for name, entry in raw["sources"].items():
        where = f"{path}: source {name!r}"
        kind = entry.get("kind", "original")
        if kind == "hub":
            sources[name] = _parse_hub(name, entry, where)
            continue
        if kind != "original":
            raise InvalidInputError(
                f"{where}: kind {kind!r} is not one emotune knows. Accepted: original, hub"
            )
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
