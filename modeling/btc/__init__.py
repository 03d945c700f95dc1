"""BTC, the Bi-directional Transformer for Chord recognition (Park et al., ISMIR 2019), as a transformers
model (``model_type`` ``btc``) and a chord backend.

* :mod:`.configuration_btc`, :mod:`.modeling_btc`: the model (stand-alone, remote code on the Hub);
* :mod:`.recognizer`: :class:`BTCChordRecognizer`, chords from audio as Music2Emo runs BTC;
* :mod:`.convert_original_checkpoint`: ``btc_model_large_voca.pt`` -> a saved model.

Importing this package registers ``btc`` with transformers' Auto classes.
"""

from ..base.auto_classes import register_auto_classes
from .configuration_btc import BTCConfig, large_vocabulary_labels
from .modeling_btc import BTCModel, BTCOutput
from .recognizer import BTCChordRecognizer

register_auto_classes(BTCConfig, BTCModel)

__all__ = ["BTCChordRecognizer", "BTCConfig", "BTCModel", "BTCOutput", "large_vocabulary_labels"]
