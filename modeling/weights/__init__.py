"""The original published weights, one command away, and model arguments that resolve.

``emotune weights fetch NAME`` downloads the original files of a source (``music2emo``, ``btc``,
``video2music``) from their public homes, verifies them, converts them with emotune's converters and
installs the converted models under ``EMOTUNE_HOME`` (default ``<HF_HOME>/emotune``), one folder per
model id; :func:`resolve_model` makes every default model id load from there first, then from the Hub.

Modules: :mod:`.manifest` (the sources, as data: ``sources.json``), :mod:`.download` (resumable,
atomic transfers), :mod:`.verification` (git blob ids, checksums, zip members), :mod:`.converters`,
:mod:`.provenance` (card section and JSON), :mod:`.cache` (``EMOTUNE_HOME`` and atomic installs),
:mod:`.fetch`, :mod:`.resolution`, :mod:`.publish`.
"""

from .cache import emotune_home, installed_folder, installed_models, model_folder
from .fetch import fetch
from .manifest import load_manifest
from .publish import push
from .resolution import TaskDefault, hub_availability, resolve_model
from .verification import git_blob_id

__all__ = [
    "TaskDefault",
    "emotune_home",
    "fetch",
    "git_blob_id",
    "hub_availability",
    "installed_folder",
    "installed_models",
    "load_manifest",
    "model_folder",
    "push",
    "resolve_model",
]
