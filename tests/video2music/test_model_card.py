"""The Video2Music cards say where emotune follows the original app and where it follows the training."""

import modeling
from modeling.video2music.model_card import amt_model_card


def test_cards_name_the_differences_from_the_original_app():
    for config in (modeling.AMTConfig(), modeling.AMTRegressionConfig()):
        card = str(amt_model_card(config, origin="converted"))
        assert "## Differences from the original app" in card
        assert "padded with zeros to 300 s" in card and "157 chord probabilities" in card
        assert "quality id 0" in card
