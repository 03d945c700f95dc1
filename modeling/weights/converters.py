"""The converters the manifest names, each turning one original file into a saved emotune model.

They are emotune's own conversion modules (``python -m modeling.<...>.convert_original_checkpoint``);
every one reads its checkpoint with ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidInputError

__all__ = ["CONVERTERS", "Converter", "convert"]


@dataclass(frozen=True)
class Converter:
    """A conversion function ``(original, output_dir, repo) -> None`` and the command line that does the same."""

    run: Callable[[Path, Path, str], None]
    command: str

    def command_for(self, original: str, output_dir: str) -> str:
        return self.command.format(original=original, output=output_dir)


def _music2emo(original: Path, output_dir: Path, repo: str) -> None:
    from ..music2emo.convert_original_checkpoint import convert_checkpoint

    convert_checkpoint(original, output_dir)
    card = output_dir / "README.md"  # the card's examples load the model by its id, not the staging folder
    card.write_text(card.read_text(encoding="utf-8").replace(str(output_dir), repo), encoding="utf-8")


def _btc(original: Path, output_dir: Path, repo: str) -> None:
    from ..chords.btc.convert_original_checkpoint import convert_file

    convert_file(original, output_dir, repo=repo)


def _video2music(kind: str) -> Callable[[Path, Path, str], None]:
    def run(original: Path, output_dir: Path, repo: str) -> None:
        from ..video2music.convert_original_checkpoint import convert_file

        convert_file(kind, original, output_dir, repo=repo)

    return run


_V2M = (
    "python -m modeling.video2music.convert_original_checkpoint --{kind} {{original}} --output-dir {{output}}"
)
CONVERTERS: dict[str, Converter] = {
    "music2emo": Converter(
        _music2emo,
        "python -m modeling.music2emo.convert_original_checkpoint --checkpoint {original} --output-dir {output}",
    ),
    "btc": Converter(
        _btc,
        "python -m modeling.chords.btc.convert_original_checkpoint --checkpoint {original} --output-dir {output}",
    ),
    "video2music-amt": Converter(_video2music("amt"), _V2M.format(kind="amt") + " (writes OUTPUT/amt)"),
    "video2music-regression": Converter(
        _video2music("regression"), _V2M.format(kind="regression") + " (writes OUTPUT/regression)"
    ),
}
"""Converter name (the manifest's ``converter``) -> :class:`Converter`."""


def convert(name: str, original: Path, output_dir: Path, repo: str) -> Converter:
    """Run converter ``name`` on ``original`` into ``output_dir``; returns the converter used."""
    if name not in CONVERTERS:
        raise InvalidInputError(
            f"Unknown converter {name!r} in the weights manifest. Accepted: {', '.join(CONVERTERS)}"
        )
    converter = CONVERTERS[name]
    converter.run(Path(original), Path(output_dir), repo)
    return converter
