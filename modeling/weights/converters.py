"""The converters the manifest names, each turning one original file into a saved emotune model.

They run the conversion modules of the model folders (``python -m modeling.<model>.convert_original_checkpoint``,
every one reading its checkpoint with ``torch.load(weights_only=True)``) and render the card of a converted
folder: at conversion, with the section that says where the weights came from, and again when a converted
folder is published under another id (the card is rendered, never patched).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import ModelCard

from ..base.errors import InvalidInputError

__all__ = ["CONVERTERS", "Converter", "converter"]

Sections = Mapping[str, str]


@dataclass(frozen=True)
class Converter:
    """How one kind of original file becomes a saved model.

    ``run(original, output_dir, repo, sections)`` converts and saves the model with its card (whose examples
    load ``repo``, with ``sections`` added); ``card(folder, original_name, repo, sections)`` renders the card
    of a folder it converted; ``command`` is the command line that converts the same way."""

    run: Callable[[Path, Path, str, Sections], None]
    card: Callable[[Path, str, str, Sections], ModelCard]
    command: str

    def command_for(self, original: str, output_dir: str) -> str:
        return self.command.format(original=original, output=output_dir)


def _music2emo(original: Path, output_dir: Path, repo: str, sections: Sections) -> None:
    from ..music2emo.convert_original_checkpoint import convert_checkpoint

    convert_checkpoint(original, output_dir, repo=repo, card_sections=sections)


def _music2emo_card(folder: Path, original: str, repo: str, sections: Sections) -> ModelCard:
    from ..music2emo import Music2EmoConfig
    from ..music2emo.convert_original_checkpoint import converted_model_card

    return converted_model_card(
        Music2EmoConfig.from_pretrained(folder), original, repo=repo, sections=sections
    )


def _btc(original: Path, output_dir: Path, repo: str, sections: Sections) -> None:
    from ..btc.convert_original_checkpoint import convert_file

    convert_file(original, output_dir, repo=repo, card_sections=sections)


def _btc_card(folder: Path, original: str, repo: str, sections: Sections) -> ModelCard:
    from ..btc import BTCConfig
    from ..btc.convert_original_checkpoint import converted_model_card

    return converted_model_card(BTCConfig.from_pretrained(folder), original, repo=repo, sections=sections)


def _video2music(kind: str) -> Callable[[Path, Path, str, Sections], None]:
    def run(original: Path, output_dir: Path, repo: str, sections: Sections) -> None:
        from ..video2music.convert_original_checkpoint import convert_file

        convert_file(kind, original, output_dir, repo=repo, card_sections=sections)

    return run


def _video2music_card(kind: str) -> Callable[[Path, str, str, Sections], ModelCard]:
    def card(folder: Path, original: str, repo: str, sections: Sections) -> ModelCard:
        from ..video2music import AMTConfig, AMTRegressionConfig
        from ..video2music.convert_original_checkpoint import converted_model_card

        config = (AMTConfig if kind == "amt" else AMTRegressionConfig).from_pretrained(folder)
        return converted_model_card(config, original, repo=repo, sections=sections)

    return card


_V2M = (
    "python -m modeling.video2music.convert_original_checkpoint --{kind} {{original}} --output-dir {{output}}"
)
CONVERTERS: dict[str, Converter] = {
    "music2emo": Converter(
        _music2emo,
        _music2emo_card,
        "python -m modeling.music2emo.convert_original_checkpoint --checkpoint {original} --output-dir {output}",
    ),
    "btc": Converter(
        _btc,
        _btc_card,
        "python -m modeling.btc.convert_original_checkpoint --checkpoint {original} --output-dir {output}",
    ),
    "video2music-amt": Converter(
        _video2music("amt"), _video2music_card("amt"), _V2M.format(kind="amt") + " (writes OUTPUT/amt)"
    ),
    "video2music-regression": Converter(
        _video2music("regression"),
        _video2music_card("regression"),
        _V2M.format(kind="regression") + " (writes OUTPUT/regression)",
    ),
}
"""Converter name (the manifest's ``converter``) -> :class:`Converter`."""


def converter(name: str) -> Converter:
    """The converter the manifest names ``name``."""
    if name not in CONVERTERS:
        raise InvalidInputError(
            f"Unknown converter {name!r} in the weights manifest. Accepted: {', '.join(CONVERTERS)}"
        )
    return CONVERTERS[name]
