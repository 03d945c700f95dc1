"""Where an installed model came from: ``emotune_provenance.json`` and the card's "Original weights"
section (source URL, commit, checksum, licence, conversion command)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from .cache import PROVENANCE_FILE
from .manifest import Install, Source, SourceFile

__all__ = ["card_section", "provenance_record", "write_provenance"]


def provenance_record(
    source: Source, file: SourceFile, install: Install, origin: str, digests: dict, command: str
) -> dict:
    """The JSON record of one installed model."""
    from .. import __version__

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
        "## Original weights\n\n"
        f"These are the original published weights, converted to emotune's classes with identical outputs "
        f"and nothing retrained. The licence of the original weights applies.\n\n{table}\n"
    )


def write_provenance(folder: Path, record: dict) -> None:
    """Write ``emotune_provenance.json`` and put the provenance section into the folder's card (before its
    citation, or at the end)."""
    folder = Path(folder)
    (folder / PROVENANCE_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    card = folder / "README.md"
    text = card.read_text(encoding="utf-8") if card.is_file() else f"# {record['model_id']}\n\n"
    section = card_section(record)
    if "\n## Citation" in text:
        head, tail = text.split("\n## Citation", 1)
        text = f"{head.rstrip()}\n\n{section}\n## Citation{tail}"
    else:
        text = f"{text.rstrip()}\n\n{section}"
    card.write_text(text, encoding="utf-8")
