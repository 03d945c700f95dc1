"""From a model name to what loads it: a local folder, the installed copy of an emotune default id
(``EMOTUNE_HOME``), the Hugging Face cache, or the Hub; and dataset folders written by emotune. Imports no
model.

* :mod:`.resolution`: :func:`resolve_model`, decided in seconds, and :class:`TaskDefault`;
* :mod:`.cache`: ``EMOTUNE_HOME``, installed model folders, their provenance, atomic installs, the
  storage errors of folders that cannot be written, the cached snapshots of the Hub models (MERT, CLIP);
* :mod:`.manifest`: the sources manifest (``sources.json``): which model ids come from which original files,
  and which files of the Hub models emotune's loaders read;
* :mod:`.datasets`: loading an emotune dataset folder (Parquet + card), or a Hub dataset.
"""

from .cache import emotune_home, installed_folder, installed_models, model_folder
from .manifest import load_manifest
from .resolution import TaskDefault, hub_availability, resolve_model

__all__ = [
    "TaskDefault",
    "emotune_home",
    "hub_availability",
    "installed_folder",
    "installed_models",
    "load_manifest",
    "model_folder",
    "resolve_model",
]
