"""``emotune demo``: the main job on the built-in default."""

from __future__ import annotations

NAME = "demo"
HELP = "Run the built-in demonstration (what `make demo` runs)."


def add_arguments(parser) -> None:
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")


def run(args) -> int:
    import torch

    from ..chords import encode_chords, normalize_chords, parse_key, parse_progression
    from ..emotion import MOOD_TAGS, quadrant
    from ..music2emo import Music2EmoConfig, Music2EmoModel

    torch.manual_seed(args.seed)
    print("emotune demo: Music2Emo with RANDOM weights (no trained model exists in this checkout yet).")
    print("This shows the model's inputs and outputs, not a meaningful prediction.\n")
    key = parse_key("A minor")
    progression = parse_progression("Am F C G Am F E E")
    normalized = normalize_chords(progression, key)
    encoded = encode_chords(normalized, max_length=100)
    print(f"key: {key.name}; progression: {' '.join(c.label for c in progression)}")
    print(f"normalised to A minor: {' '.join(c.label for c in normalized)}")
    model = Music2EmoModel(Music2EmoConfig()).eval()
    with torch.inference_mode():
        output = model(
            audio_embeddings=torch.randn(1, model.config.audio_embedding_dim),
            chord_root_ids=torch.tensor([encoded.root_ids]),
            chord_attr_ids=torch.tensor([encoded.quality_ids]),
            mode_ids=torch.tensor([key.mode_id]),
        )
    probabilities = torch.sigmoid(output.mood_logits)[0]
    top = probabilities.topk(5)
    valence, arousal = output.va[0].tolist()
    print(
        "top tags: "
        + ", ".join(f"{MOOD_TAGS[i]} {p:.2f}" for p, i in zip(top.values.tolist(), top.indices.tolist()))
    )
    print(f"valence {valence:.2f}, arousal {arousal:.2f} (1-9 scale) -> {quadrant(valence, arousal)}")
    return 0
