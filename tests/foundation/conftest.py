from __future__ import annotations

import pytest
import torch

from modeling.music2emo import Music2EmoModel
from tests.foundation.factories import tiny_config


@pytest.fixture
def tiny_model() -> Music2EmoModel:
    torch.manual_seed(0)
    return Music2EmoModel(tiny_config()).eval()
