"""The random CLIP stand-in loads through the real from_pretrained path, and the frame encoder
computes what CLIPModel itself computes."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from modeling.base.devices import resolve_device_dtype
from modeling.base.errors import InvalidInputError
from modeling.testing import build_clip_tokenizer, save_random_clip, stand_in_clip_config
from modeling.video2music.clip_encoder import ClipFrameEncoder
from modeling.vocabularies.emotion import VIDEO_EMOTIONS


def test_tokenizer_built_offline_makes_each_prompt_one_token():
    tokenizer = build_clip_tokenizer()
    ids = tokenizer(list(VIDEO_EMOTIONS))["input_ids"]
    assert all(len(row) == 3 for row in ids)  # <|startoftext|> word <|endoftext|>
    assert len({row[1] for row in ids}) == 6
    assert [row[0] for row in ids] == [tokenizer.bos_token_id] * 6
    other = tokenizer("A calm, sunny beach!")["input_ids"]  # any text still encodes, byte by byte
    assert tokenizer.decode(other, skip_special_tokens=True) == "a calm , sunny beach !"


def test_saved_stand_in_loads_with_plain_from_pretrained(clip_dir):
    from transformers import AutoProcessor, CLIPImageProcessorPil, CLIPModel, CLIPProcessor, CLIPTokenizer

    processor = CLIPProcessor.from_pretrained(clip_dir)
    assert isinstance(processor.image_processor, CLIPImageProcessorPil)  # no torchvision needed
    assert isinstance(processor.tokenizer, CLIPTokenizer)
    assert isinstance(AutoProcessor.from_pretrained(clip_dir).image_processor, CLIPImageProcessorPil)
    model = CLIPModel.from_pretrained(clip_dir)
    assert model.config.projection_dim == 768
    assert model.config.text_config.eos_token_id == processor.tokenizer.eos_token_id
    assert (clip_dir / "model.safetensors").is_file() and "random" in (
        clip_dir / "README.md"
    ).read_text().lower()
    saved = json.loads((clip_dir / "processor_config.json").read_text())
    assert saved["image_processor"]["crop_size"] == {"height": 32, "width": 32}


def test_same_seed_same_weights(tmp_path, clip_dir):
    from safetensors.torch import load_file

    again = save_random_clip(tmp_path / "again", "tiny", seed=0)
    first, second = load_file(clip_dir / "model.safetensors"), load_file(again / "model.safetensors")
    assert all(torch.equal(first[name], second[name]) for name in first)


def test_vit_l_14_336_stand_in_has_the_real_architecture():
    config = stand_in_clip_config("vit-l-14-336")
    vision, text = config.vision_config, config.text_config
    assert (vision.hidden_size, vision.num_hidden_layers, vision.num_attention_heads) == (1024, 24, 16)
    assert (vision.patch_size, vision.image_size, config.projection_dim) == (14, 336, 768)
    assert (text.hidden_size, text.num_hidden_layers, text.vocab_size, text.max_position_embeddings) == (
        768,
        12,
        49408,
        77,
    )
    with pytest.raises(InvalidInputError, match="Accepted: tiny, vit-l-14-336"):
        stand_in_clip_config("huge")


def test_encoder_matches_clip_model_outputs(clip_dir, extractor):
    from transformers import CLIPModel, CLIPProcessor

    encoder = extractor.encoder
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (48, 64, 3), dtype=np.uint8) for _ in range(3)]
    semantic, emotion = encoder.encode(encoder.preprocess(frames))
    model, processor = CLIPModel.from_pretrained(clip_dir).eval(), CLIPProcessor.from_pretrained(clip_dir)
    inputs = processor(text=list(VIDEO_EMOTIONS), images=frames, return_tensors="pt", padding=True)
    with torch.no_grad():
        reference = model(**inputs)
        projected = model.get_image_features(pixel_values=inputs["pixel_values"]).pooler_output.numpy()
    # semantic = the projected embedding, not normalised (OpenAI's encode_image)
    np.testing.assert_allclose(semantic, projected, rtol=1e-5, atol=1e-6)
    unit = semantic / np.linalg.norm(semantic, axis=1, keepdims=True)
    np.testing.assert_allclose(unit, reference.image_embeds.numpy(), rtol=1e-4, atol=1e-6)
    # emotion = softmax of CLIP's own logits_per_image over the six prompts
    np.testing.assert_allclose(emotion, reference.logits_per_image.softmax(-1).numpy(), rtol=1e-4, atol=1e-6)
    assert semantic.shape == (3, 768) and emotion.shape == (3, 6)


def test_bfloat16_when_asked_returns_float32(clip_dir):
    encoder = ClipFrameEncoder(clip_dir, device="cpu", dtype="bfloat16")
    assert encoder.model.dtype == torch.bfloat16
    semantic, emotion = encoder.encode(encoder.preprocess([np.zeros((40, 40, 3), dtype=np.uint8)]))
    assert semantic.dtype == emotion.dtype == np.float32
    np.testing.assert_allclose(emotion.sum(), 1.0, atol=1e-5)


def test_bad_clip_arguments(tmp_path):
    with pytest.raises(InvalidInputError, match="CLIP folder not found"):
        ClipFrameEncoder(tmp_path / "missing")
    with pytest.raises(
        InvalidInputError, match="Cannot load CLIP from .*Accepted: the Hub id of a CLIPModel"
    ):
        ClipFrameEncoder(tmp_path)  # a folder without a model
    with pytest.raises(InvalidInputError, match="Unknown dtype 'fp8'. Accepted: float32, bfloat16, float16"):
        resolve_device_dtype("cpu", "fp8")
    assert resolve_device_dtype("cpu", None) == (torch.device("cpu"), torch.float32)
