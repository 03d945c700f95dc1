"""Where an installed model came from: ``emotune_provenance.json`` and the card's "Original weights"
section (source URL, commit, checksum, licence, conversion command), which the converter renders into the
card with the model's own sections; and whether an installed model still matches the manifest's checks
(:func:`record_matches`, what ``emotune weights list`` shows and what decides whether a fetch converts
again)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from ..hub.cache import PROVENANCE_FILE
from ..hub.manifest import Install, Manifest, Source, SourceFile

__all__ = [
    "card_section",
    "card_sections",
    "install_status",
    "provenance_record",
    "record_matches",
    "write_provenance",
]


def provenance_record(
    source: Source, file: SourceFile, install: Install, origin: str, digests: dict, command: str
) -> dict:
    """The JSON record of one installed model: the downloaded file's digests, and ``original_sha256`` /
    ``original_size`` of the file the converter read (the zip member, for a model from a zip)."""
    from ..base.version import __version__

    member = (digests.get("members") or {}).get(install.member) if install.member else None
    original = member or digests
    return {
        "model_id": install.model_id,
        "source": source.name,
        "file": file.name,
        "member": install.member,
        "path": file.path,
        "repository": source.repository,
        "commit": source.commit,
        "downloaded_from": origin,
        "urls": list(file.urls),
        "check": file.check,
        "size": digests["size"],
        "sha256": digests["sha256"],
        "git_blob": digests["git_blob"],
        "lfs_pointer": digests.get("lfs_pointer"),
        "original_sha256": original["sha256"],
        "original_size": original["size"],
        "layout": install.layout if member and member.get("layout_checked") else None,
        "layout_checked": bool(member and member.get("layout_checked")),
        "licence": source.licence,
        "converter": install.converter,
        "conversion_command": command,
        "emotune_version": __version__,
        "installed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def card_section(record: dict) -> str:
    """Markdown: what the weights are, where they were downloaded, how they were checked and converted."""
    licence = record["licence"]
    rows = [
        (
            "Original file",
            f"`{record['file']}`" + (f" (member `{record['member']}`)" if record["member"] else ""),
        ),
        ("Downloaded from", record["downloaded_from"]),
        ("Published at", " or ".join(record["urls"])),
    ]
    if record["repository"]:
        where = f"`{record['repository']}`" + (f" at commit `{record['commit']}`" if record["commit"] else "")
        rows.append(("Repository", where + (f", path `{record['path']}`" if record["path"] else "")))
    kind, expected = next(iter(record["check"].items()))
    pointer = record.get("lfs_pointer")
    check = {
        "git_blob": f"git blob id `{expected}` (verified)"
        if not pointer
        else f"git blob id `{expected}` of the Git LFS pointer, whose sha256 `{pointer['sha256']}` the file has (verified)",
        "sha256": f"sha256 `{expected}` (verified)",
        "zip_members": "a zip holding "
        + ", ".join(f"`{m}`" for m in expected)
        + (
            ", each the state dict of the published model, key for key and shape for shape (verified)"
            if record.get("layout_checked")
            else " (verified)"
        ),
    }[kind]
    rows += [
        ("Check", check),
        (
            "Downloaded file",
            f"{record['size']} bytes, sha256 `{record['sha256']}`, git blob `{record['git_blob']}`",
        ),
        *(
            [
                (
                    "Converted file",
                    f"`{record['member']}`, {record['original_size']} bytes, sha256 `{record['original_sha256']}`",
                )
            ]
            if record.get("member") and record.get("original_sha256")
            else []
        ),
        (
            "Licence",
            f"{licence.get('name', 'see upstream')} ({licence.get('holder', '')}), {licence.get('url', '')}",
        ),
        (
            "Converted with",
            f"`{record['conversion_command']}` (what `emotune weights fetch {record['source']}` runs)",
        ),
        ("emotune", f"{record['emotune_version']}, {record['installed_at']}"),
    ]
    table = "\n".join(["| | |", "|---|---|", *(f"| {name} | {value} |" for name, value in rows)])
    return (
        f"These are the original published weights, converted to emotune's classes with identical outputs "
        f"and nothing retrained. The licence of the original weights applies.\n\n{table}\n"
    )


def card_sections(record: dict) -> dict[str, str]:
    """The card sections (heading -> Markdown) of an installed model's provenance."""
    return {"Original weights": card_section(record)}


def write_provenance(folder: Path, record: dict) -> None:
    """Write ``emotune_provenance.json`` into an installed model's folder."""
    (Path(folder) / PROVENANCE_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def record_matches(record: dict | None, file: SourceFile, install: Install) -> tuple[bool, str]:
    """Whether the provenance ``record`` of an installed model shows it was made from the file the manifest
    entry ``file`` describes, checked as it says (and with the member's layout, for a zip); if not, why."""
    if not record:
        return False, f"no {PROVENANCE_FILE}: not installed by `emotune weights fetch`"
    if record.get("file") != file.name or record.get("member") != install.member:
        return (
            False,
            f"converted from {record.get('member') or record.get('file')}, not {install.member or file.name}",
        )
    if record.get("check") != file.check:
        return False, f"checked against {record.get('check')} at install; the manifest expects {file.check}"
    kind, expected = next(iter(file.check.items()))
    if kind == "git_blob":
        pointer = record.get("lfs_pointer") or {}
        if expected.lower() not in (record.get("git_blob"), pointer.get("git_blob")):
            return False, f"its git blob id is {record.get('git_blob')}, the manifest expects {expected}"
    elif kind == "sha256" and record.get("sha256") != expected.lower():
        return False, f"its sha256 is {record.get('sha256')}, the manifest expects {expected}"
    elif kind == "zip_members" and install.layout is not None:
        if not record.get("layout_checked"):
            return False, f"installed before emotune checked the contents of {install.member}"
        if record.get("layout") != install.layout:
            return (
                False,
                f"{install.member} was checked against the layout {record.get('layout')}, the manifest expects {install.layout}",
            )
    return True, ""


def install_status(record: dict | None, manifest: Manifest) -> tuple[bool, str]:
    """:func:`record_matches` for an installed model's record, its manifest entry found by its model id."""
    model_id = (record or {}).get("model_id")
    source = manifest.source_of(model_id) if model_id else None
    if not isinstance(source, Source):
        return False, f"not in the manifest {manifest.path}"
    for file in source.files:
        for install in file.installs:
            if install.model_id == model_id:
                return record_matches(record, file, install)
    return False, f"not in the manifest {manifest.path}"  # pragma: no cover (source_of found it)
