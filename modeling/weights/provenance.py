"""Where an installed model came from: ``emotune_provenance.json`` and the card's "Original weights"
section (source URL, commit, checksum, licence, conversion command), which the converter renders into the
card with the model's own sections."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from ..hub.cache import PROVENANCE_FILE
from ..hub.manifest import Install, Source, SourceFile

__all__ = ["card_section", "card_sections", "provenance_record", "write_provenance"]


def provenance_record(
    source: Source, file: SourceFile, install: Install, origin: str, digests: dict, command: str
) -> dict:
    """The JSON record of one installed model."""
    from ..base.version import __version__

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
    check = {
        "git_blob": f"git blob id `{expected}` (verified)",
        "sha256": f"sha256 `{expected}` (verified)",
        "zip_members": "a zip holding " + ", ".join(f"`{m}`" for m in expected) + " (verified)",
    }[kind]
    rows += [
        ("Check", check),
        (
            "Downloaded file",
            f"{record['size']} bytes, sha256 `{record['sha256']}`, git blob `{record['git_blob']}`",
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
