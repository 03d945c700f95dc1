"""The Music2Emo card says where emotune follows the training rather than the original app."""

from modeling.music2emo import Music2EmoConfig
from modeling.music2emo.model_card import music2emo_model_card


def test_card_names_the_differences_from_the_original_app():
    card = str(music2emo_model_card(Music2EmoConfig(), origin="converted"))
    assert "## Differences from the original app" in card
    assert "mode 0" in card and "shorter than 1 s" in card and "89-95 %" in card
