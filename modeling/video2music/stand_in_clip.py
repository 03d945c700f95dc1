"""A randomly initialised CLIP saved to a folder, for when the real one cannot be downloaded.

The tests, the demo, the Space and the benchmark load CLIP exactly as users do,
``CLIPModel.from_pretrained(folder)`` + ``CLIPProcessor.from_pretrained(folder)``. Without the Hub
they load a stand-in saved here: the real architecture (``"vit-l-14-336"``: ViT-L/14 at 336 px,
768-d projection, as ``openai/clip-vit-large-patch14-336``) or a tiny one (``"tiny"``, with the
same 768-d projection so the features keep their real width), with random weights and a
byte-level BPE tokenizer built here from the six emotion prompts (each prompt is one token; any
other text still encodes, byte by byte). Its outputs have the right shapes and meaningless values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ..cards import render_model_card, save_model_card
from ..emotion import VIDEO_EMOTIONS
from ..errors import InvalidInputError

__all__ = ["STAND_IN_SIZES", "build_clip_tokenizer", "save_random_clip", "stand_in_clip_config"]

_BOS, _EOS = "<|startoftext|>", "<|endoftext|>"

STAND_IN_SIZES: dict[str, dict] = {
    "tiny": {
        "text": dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4),
        "vision": dict(
            hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, patch_size=8
        ),
        "image_size": 32,
    },
    "vit-l-14-336": {
        "text": dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12),
        "vision": dict(
            hidden_size=1024,
            intermediate_size=4096,
            num_hidden_layers=24,
            num_attention_heads=16,
            patch_size=14,
        ),
        "image_size": 336,
    },
}
"""Architectures of the stand-ins: ``vit-l-14-336`` is openai/clip-vit-large-patch14-336's."""

_PROJECTION_DIM = 768
_REAL_VOCAB_SIZE = 49408


def build_clip_tokenizer(words=VIDEO_EMOTIONS):
    """A :class:`~transformers.CLIPTokenizer` built offline: CLIP's byte-level alphabet (each byte
    alone and word-final, as CLIP's vocabulary starts) plus merges that make each of ``words`` one
    token, then the start/end-of-text tokens."""
    from tokenizers import pre_tokenizers
    from transformers import CLIPTokenizer

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {symbol: i for i, symbol in enumerate(alphabet + [a + "</w>" for a in alphabet])}
    merges: list[tuple[str, str]] = []
    for word in words:
        word = word.lower()
        merged = word[0]
        for position, char in enumerate(word[1:], start=2):
            piece = char + ("</w>" if position == len(word) else "")
            if merged + piece not in vocab:
                merges.append((merged, piece))
                vocab[merged + piece] = len(vocab)
            merged += piece
    vocab[_BOS] = len(vocab)
    vocab[_EOS] = len(vocab)
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=77)


def stand_in_clip_config(size: Literal["tiny", "vit-l-14-336"] = "tiny", tokenizer=None):
    """The :class:`~transformers.CLIPConfig` of a stand-in, its special token ids taken from ``tokenizer``."""
    from transformers import CLIPConfig

    if size not in STAND_IN_SIZES:
        raise InvalidInputError(f"Unknown stand-in CLIP size {size!r}. Accepted: {', '.join(STAND_IN_SIZES)}")
    tokenizer = tokenizer or build_clip_tokenizer()
    spec = STAND_IN_SIZES[size]
    vocab_size = _REAL_VOCAB_SIZE if size == "vit-l-14-336" else len(tokenizer)
    text = dict(
        spec["text"],
        vocab_size=vocab_size,
        max_position_embeddings=77,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    vision = dict(spec["vision"], image_size=spec["image_size"])
    return CLIPConfig(text_config=text, vision_config=vision, projection_dim=_PROJECTION_DIM)


def save_random_clip(
    folder: str | Path, size: Literal["tiny", "vit-l-14-336"] = "tiny", *, seed: int = 0
) -> Path:
    """Save a randomly initialised ``CLIPModel`` and its ``CLIPProcessor`` (PIL image processor,
    locally built tokenizer) to ``folder``; load it back with ``from_pretrained(folder)``."""
    import torch
    from transformers import CLIPImageProcessorPil, CLIPModel, CLIPProcessor

    folder = Path(folder)
    tokenizer = build_clip_tokenizer()
    config = stand_in_clip_config(size, tokenizer)
    image_size = STAND_IN_SIZES[size]["image_size"]
    image_processor = CLIPImageProcessorPil(
        size={"shortest_edge": image_size}, crop_size={"height": image_size, "width": image_size}
    )
    torch.manual_seed(seed)
    model = CLIPModel(config).eval()
    model.save_pretrained(folder)
    CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)
    save_model_card(
        render_model_card(
            title=f"Random-weight CLIP stand-in ({size})",
            summary=(
                f"A `CLIPModel` with the `{size}` architecture and RANDOM weights (seed {seed}), with a "
                "byte-level BPE tokenizer built offline from Video2Music's six emotion prompts. It stands in "
                "for `openai/clip-vit-large-patch14-336` where that cannot be downloaded (tests, offline "
                "benchmarks): outputs have the real shapes (768-d image embeddings) and no meaning."
            ),
            usage=(
                "```python\nfrom transformers import CLIPModel, CLIPProcessor\n\n"
                f"model = CLIPModel.from_pretrained('{folder.name}')\n"
                f"processor = CLIPProcessor.from_pretrained('{folder.name}')\n```"
            ),
            paper="video2music",
            tags=["clip", "random-weights", "test-fixture"],
            limitations="Random weights: never use its embeddings or zero-shot probabilities as features.",
        ),
        folder,
    )
    return folder
