"""emotune: affective music AI on the Hugging Face Hub (Music2Emo, its time-resolved variant, BTC chords,
Video2Music), as transformers models, pipelines, datasets and commands.

``import modeling`` is cheap (the ``emotune`` command line answers at once) and yet enough for
transformers to know emotune's models and tasks: as soon as the program loads transformers' Auto classes
(or at once, if it already has), every model folder is imported and registers its model types with
``AutoConfig`` / ``AutoModel``, so ``AutoModel.from_pretrained(folder)`` loads a saved emotune model
without ``trust_remote_code``; when it loads ``transformers.pipelines``, the two tasks
(``music-emotion-recognition``, ``video-to-music``) are registered (:mod:`modeling.base.after_import`).
Saved models also carry their code (``register_for_auto_class``), so a process that never imports
``modeling`` loads them with ``trust_remote_code=True``.

The classes below are imported from their folders when first used: ``from modeling import
Music2EmoModel``. The layers of the package, each importing only the ones below it, are written down in
``pyproject.toml`` (``[tool.importlinter]``) and in the README.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import errors as _errors
from .base.after_import import after_import
from .base.errors import *  # noqa: F403  (the error family: cheap, imported at once)
from .base.lazy import lazy_exports
from .base.version import __version__

if TYPE_CHECKING:
    from .btc import BTCConfig, BTCModel
    from .music2emo import Music2EmoConfig, Music2EmoModel
    from .music2emo_dynamic import Music2EmoDynamicConfig, Music2EmoDynamicModel
    from .pipelines import MusicEmotionRecognitionPipeline, VideoToMusicPipeline
    from .video2music import AMTConfig, AMTModel, AMTRegressionConfig, AMTRegressionModel


_EXPORTS = {
    **dict.fromkeys(("Music2EmoConfig", "Music2EmoModel"), "music2emo"),
    **dict.fromkeys(("Music2EmoDynamicConfig", "Music2EmoDynamicModel"), "music2emo_dynamic"),
    **dict.fromkeys(("AMTConfig", "AMTModel", "AMTRegressionConfig", "AMTRegressionModel"), "video2music"),
    **dict.fromkeys(("BTCConfig", "BTCModel"), "btc"),
    **dict.fromkeys(("MusicEmotionRecognitionPipeline", "VideoToMusicPipeline"), "pipelines"),
}
"""Exported name -> the module (relative to this package) that defines it."""

__all__ = [
    "AMTConfig",
    "AMTModel",
    "AMTRegressionConfig",
    "AMTRegressionModel",
    "BTCConfig",
    "BTCModel",
    "Music2EmoConfig",
    "Music2EmoDynamicConfig",
    "Music2EmoDynamicModel",
    "Music2EmoModel",
    "MusicEmotionRecognitionPipeline",
    "VideoToMusicPipeline",
    *_errors.__all__,
    "__version__",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())


def _register_models() -> None:
    """Import every model folder: each registers its model types with the Auto classes."""
    from . import btc, music2emo, music2emo_dynamic, video2music  # noqa: F401


def _register_tasks() -> None:
    """Import the pipelines: they register their tasks with transformers' pipeline registry."""
    from . import pipelines  # noqa: F401


after_import("transformers", ["transformers.models.auto.configuration_auto"], _register_models)
after_import("transformers", ["transformers.pipelines"], _register_tasks)
