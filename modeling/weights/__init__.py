"""The original published weights, one command away.

``emotune weights fetch NAME`` downloads the original files of a source (``music2emo``, ``btc``,
``video2music``) from their public homes, verifies them, converts them with the converters of the model
folders and installs the converted models under ``EMOTUNE_HOME`` (default ``<HF_HOME>/emotune``), one
folder per model id, where :func:`modeling.hub.resolve_model` finds them first.

Modules: :mod:`.download` (resumable, atomic transfers), :mod:`.verification` (git blob ids, checksums,
zip members), :mod:`.converters`, :mod:`.provenance` (card section and JSON), :mod:`.fetch`,
:mod:`.publish`. The manifest and the cache of installed folders are :mod:`modeling.hub`'s.
"""

from .fetch import fetch, resolve_or_fetch
from .publish import push
from .verification import git_blob_id

__all__ = ["fetch", "git_blob_id", "push", "resolve_or_fetch"]
