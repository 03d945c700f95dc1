"""Registering a model type with transformers' Auto classes, as each model folder does when it is imported.

After registration ``AutoConfig.from_pretrained`` / ``AutoModel.from_pretrained`` load a saved folder of
that type without ``trust_remote_code``; the classes are also marked for ``register_for_auto_class`` so
that ``save_pretrained`` writes their code and an ``auto_map`` beside the weights, and a process without
emotune loads them from the Hub with ``trust_remote_code=True``.
"""

from __future__ import annotations

__all__ = ["register_auto_classes"]


def register_auto_classes(config_class, model_class) -> None:
    """Register ``config_class`` (by its ``model_type``) with ``AutoConfig`` and ``model_class`` with
    ``AutoModel``; registering the same pair again is harmless."""
    from transformers import AutoConfig, AutoModel

    AutoConfig.register(config_class.model_type, config_class, exist_ok=True)
    AutoModel.register(config_class, model_class, exist_ok=True)
    config_class.register_for_auto_class()
    model_class.register_for_auto_class("AutoModel")
