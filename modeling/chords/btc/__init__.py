"""BTC, the Bi-directional Transformer for Chord recognition, as a transformers model and a chord backend."""

from .configuration_btc import BTCConfig, large_vocabulary_labels
from .modeling_btc import BTCModel, BTCOutput
from .recognizer import BTCChordRecognizer

__all__ = ["BTCChordRecognizer", "BTCConfig", "BTCModel", "BTCOutput", "large_vocabulary_labels"]
