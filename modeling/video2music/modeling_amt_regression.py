"""Video2Music's note density / loudness model: a bidirectional GRU over per-second video features.

This file travels to the Hub as remote code: it imports only torch, transformers and the standard
library.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers.utils import ModelOutput

from .configuration_amt_regression import AMTRegressionConfig


@dataclass
class AMTRegressionOutput(ModelOutput):
    """Output of [`AMTRegressionModel`].

    Args:
        loss (`torch.FloatTensor` of shape `()`, *optional*): MSE over the real seconds, when `labels` are given.
        predictions (`torch.FloatTensor` of shape `(batch, seconds, 2)`): note density and loudness per second.
    """

    loss: torch.FloatTensor | None = None
    predictions: torch.FloatTensor | None = None


class AMTRegressionPreTrainedModel(PreTrainedModel):
    config_class = AMTRegressionConfig
    base_model_prefix = "amt_regression"
    main_input_name = "video_features"

    @torch.no_grad()
    def _init_weights(self, module):
        # PyTorch's defaults (the original's): each module's own initialisation.
        if isinstance(module, (nn.GRU, nn.Linear)):
            module.reset_parameters()


class AMTRegressionModel(AMTRegressionPreTrainedModel):
    """Per-second note density and loudness from per-second video features (input dropout, a 2-layer
    bidirectional GRU, a linear layer to 2 outputs)."""

    def __init__(self, config: AMTRegressionConfig):
        super().__init__(config)
        self.gru = nn.GRU(
            config.video_feature_dim,
            config.hidden_size,
            config.num_hidden_layers,
            bidirectional=True,
            batch_first=True,
        )
        self.head = nn.Linear(2 * config.hidden_size, config.num_outputs)
        self.post_init()

    def _run_packed(self, x: torch.Tensor, video_attention_mask: torch.Tensor) -> torch.Tensor:
        mask = video_attention_mask.bool()
        if mask.shape != x.shape[:2]:
            raise ValueError(
                f"video_attention_mask must have shape {tuple(x.shape[:2])}, got {tuple(mask.shape)}"
            )
        lengths = mask.sum(-1)
        if not torch.equal(mask, torch.arange(mask.shape[1], device=mask.device)[None] < lengths[:, None]):
            raise ValueError("video_attention_mask must be 1 for each video's first seconds and 0 after them")
        if (lengths == 0).any():
            raise ValueError("video_attention_mask marks a video with no real second")
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        return nn.utils.rnn.pad_packed_sequence(
            self.gru(packed)[0], batch_first=True, total_length=x.shape[1]
        )[0]

    def forward(
        self,
        video_features: torch.Tensor,
        video_attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        return_dict: bool | None = None,
        **kwargs,
    ) -> AMTRegressionOutput | tuple:
        r"""
        Args:
            video_features (`torch.FloatTensor` of shape `(batch, seconds, 776)`): see `AMTConfig`.
            video_attention_mask (`torch.Tensor` of shape `(batch, seconds)`, *optional*): 1 real, 0 padding
                (padding at the end only). The GRU then runs over each video's real seconds alone (packed), so
                a video's predictions do not depend on how much padding its batch has; padded seconds are left
                out of the loss.
            labels (`torch.FloatTensor` of shape `(batch, seconds, 2)`, *optional*): note density, loudness.
        """
        if video_features.ndim != 3 or video_features.shape[-1] != self.config.video_feature_dim:
            raise ValueError(
                f"video_features must have shape (batch, seconds, {self.config.video_feature_dim}), "
                f"got {tuple(video_features.shape)}"
            )
        x = F.dropout(
            video_features.to(self.head.weight.dtype), p=self.config.dropout, training=self.training
        )
        if video_attention_mask is None:
            hidden = self.gru(x)[0]
        else:
            hidden = self._run_packed(x, video_attention_mask)
        predictions = self.head(hidden)
        loss = None
        if labels is not None:
            if labels.shape != predictions.shape:
                raise ValueError(
                    f"labels must have shape {tuple(predictions.shape)}, got {tuple(labels.shape)}"
                )
            errors = (predictions.float() - labels.float()) ** 2
            if video_attention_mask is None:
                loss = errors.mean()
            else:
                weights = video_attention_mask.float()[..., None].expand_as(errors)
                loss = (errors * weights).sum() / weights.sum().clamp(min=1.0)
        output = AMTRegressionOutput(loss=loss, predictions=predictions)
        return output if return_dict is not False else output.to_tuple()

    @torch.no_grad()
    def predict(
        self, video_features: torch.Tensor, video_attention_mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        r"""Note density and loudness per second for videos of any length, fed as the model was trained
        (`config.video_padding`): with `"zeros"` each window of `config.max_sequence_length` seconds is padded
        with zero features to that length (Video2Music's app and training; the backward direction reads the
        padding) and the windows' predictions are joined; with `"mask"` the GRU runs over each video's real
        seconds alone (packed).

        Args:
            video_features (`torch.FloatTensor` of shape `(batch, seconds, 776)`).
            video_attention_mask (`torch.Tensor` of shape `(batch, seconds)`, *optional*): 1 real, 0 padding.

        Returns:
            `torch.FloatTensor` of shape `(batch, seconds, 2)`.
        """
        if self.config.video_padding == "mask":
            return self(video_features, video_attention_mask).predictions
        if video_attention_mask is not None:
            video_features = video_features * video_attention_mask[..., None].to(video_features.dtype)
        window, seconds = self.config.max_sequence_length, video_features.shape[1]
        parts = []
        for start in range(0, seconds, window):
            part = video_features[:, start : start + window]
            padded = F.pad(part, (0, 0, 0, window - part.shape[1]))
            parts.append(self(padded).predictions[:, : part.shape[1]])
        return torch.cat(parts, dim=1)


__all__ = ["AMTRegressionModel", "AMTRegressionOutput", "AMTRegressionPreTrainedModel"]
