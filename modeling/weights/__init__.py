"""The original published weights, and the Hub models used as they are, one command away.

``emotune weights fetch NAME`` downloads the original files of a source (``music2emo``, ``btc``,
``video2music``) from their public homes, verifies them, converts them with the converters of the model
folders and installs the converted models under ``EMOTUNE_HOME`` (default ``<HF_HOME>/emotune``), one
folder per model id, where :func:`modeling.hub.resolve_model` finds them first; for a hub source
(``mert``, ``clip``) it downloads the files the loader reads into the Hugging Face cache. After ``all``,
the default commands run with ``HF_HUB_OFFLINE=1``.

Modules: :mod:`.download` (resumable, atomic transfers that recognise HTML pages and Git LFS pointers),
:mod:`.verification` (git blob ids, checksums, zip members and their contents), :mod:`.layouts` (the state
dicts Video2Music's pickles must hold), :mod:`.converters`, :mod:`.provenance` (card section and JSON,
whether an install matches the manifest), :mod:`.fetch`, :mod:`.hub_models` (MERT, CLIP),
:mod:`.publish`. The manifest, the caches and the storage errors are :mod:`modeling.hub`'s.
"""

from .fetch import fetch, resolve_or_fetch
from .publish import push
from .verification import git_blob_id

__all__ = ["fetch", "git_blob_id", "push", "resolve_or_fetch"]
