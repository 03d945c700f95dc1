"""Configuration of Video2Music's bi-GRU note density / loudness model.

This file travels to the Hub as remote code: it imports only transformers and the standard library.
"""

from __future__ import annotations

from huggingface_hub.dataclasses import strict
from transformers import PreTrainedConfig


@strict(accept_kwargs=True)
class AMTRegressionConfig(PreTrainedConfig):
    r"""Configuration of [`AMTRegressionModel`]: a bidirectional GRU over the per-second video features
    that predicts, per second, the music's note density and loudness. Defaults reproduce Video2Music's
    released regression model (`regModel="bigru"`).

    Args:
        video_feature_dim (`int`, defaults to 776): values per second of video (see `AMTConfig`).
        hidden_size (`int`, defaults to 64): GRU hidden size per direction.
        num_hidden_layers (`int`, defaults to 2): stacked GRU layers.
        dropout (`float`, defaults to 0.1): dropout on the input features (training only).
        num_outputs (`int`, defaults to 2): note density and loudness.
        max_sequence_length (`int`, defaults to 300): longest video, in seconds.
        video_padding (`str`, defaults to `"zeros"`): `"zeros"` pads every video to `max_sequence_length`
            seconds of zero features and runs the GRU over them (Video2Music's training and app: the
            backward direction reads the padding); `"mask"` packs a padded batch with its
            `video_attention_mask`, so a video's curves do not depend on the padding (emotune's option).
    """

    model_type = "amt_regression"

    video_feature_dim: int = 776
    hidden_size: int = 64
    num_hidden_layers: int = 2
    dropout: float = 0.1
    num_outputs: int = 2
    max_sequence_length: int = 300
    video_padding: str = "zeros"

    def validate_architecture(self):
        if self.video_padding not in ("zeros", "mask"):
            raise ValueError(f"video_padding must be 'zeros' or 'mask', got {self.video_padding!r}")
        for name in (
            "video_feature_dim",
            "hidden_size",
            "num_hidden_layers",
            "num_outputs",
            "max_sequence_length",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")


__all__ = ["AMTRegressionConfig"]
