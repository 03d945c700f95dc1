"""``resolve_model``: what a model argument (folder, emotune default id, Hub id) loads from, decided in
seconds.

* an existing local folder is used as it is;
* an emotune default id (one the weights manifest installs, e.g. ``emotune/music2emo``) resolves to its
  converted copy under ``EMOTUNE_HOME`` first, then to the Hub;
* a Hub model the manifest fetches as it is (``m-a-p/MERT-v1-95M``, the CLIP model) resolves to its id
  when the Hugging Face cache holds every file its loader reads (offline too), else to the Hub;
* any other Hub id resolves to the Hub (or the Hugging Face cache).

The Hub is asked once, for the repository's ``config.json`` metadata, with a short time-out and no
retries (``hf_hub_download`` would retry for up to a minute when nothing is cached); ``HF_HUB_OFFLINE``
means only the cache counts. When nothing serves the model, one :class:`~modeling.base.errors.WeightsNotFoundError`
names the command that installs it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..base.errors import WeightsNotFoundError
from .cache import HOME_ENV, cached_snapshot, emotune_home, hub_cache_dir, installed_folder
from .manifest import HubSource, load_manifest

__all__ = ["TaskDefault", "hub_availability", "hub_offline", "resolve_model", "transport_errors"]

_TRUE = {"1", "ON", "YES", "TRUE"}


def hub_offline() -> bool:
    """Whether the Hub is switched off: huggingface_hub's ``HF_HUB_OFFLINE``, or ``HF_HUB_OFFLINE`` /
    ``TRANSFORMERS_OFFLINE`` set in the environment since it was imported."""
    from huggingface_hub import constants

    return constants.HF_HUB_OFFLINE or any(
        os.environ.get(name, "").strip().upper() in _TRUE
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def transport_errors() -> tuple[type[Exception], ...]:
    """The base error class of the HTTP client huggingface_hub uses (httpx2 in 2.x, httpx in 1.x)."""
    import importlib

    errors = []
    for name in ("httpx2", "httpx"):
        try:
            errors.append(importlib.import_module(name).HTTPError)
        except ImportError:
            continue
    return tuple(errors)


def hub_availability(repo_id: str, timeout: float = 5.0) -> tuple[bool, str]:
    """Whether ``repo_id`` can be loaded from the Hugging Face cache or the Hub, and if not, why not.
    One metadata request at most, ``timeout`` seconds, no retries."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url, try_to_load_from_cache
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
    )

    if isinstance(try_to_load_from_cache(repo_id, "config.json"), str):
        return True, "in the Hugging Face cache"
    if hub_offline():
        return False, "it is not in the Hugging Face cache and HF_HUB_OFFLINE is set"
    try:
        get_hf_file_metadata(hf_hub_url(repo_id, "config.json"), timeout=timeout)
    except RemoteEntryNotFoundError:
        return True, "on the Hub (without a config.json)"
    except GatedRepoError:
        return False, "it is gated on the Hub: accept its conditions on its page and log in (`hf auth login`)"
    except RepositoryNotFoundError:
        return False, "the Hub has no such repository (or it is private and you are not logged in)"
    except HfHubHTTPError as error:
        return False, f"the Hub answered HTTP {error.response.status_code} for it"
    except (*transport_errors(), OSError) as error:
        return False, f"the Hub cannot be reached ({type(error).__name__}: {error})"
    return True, "on the Hub"


def _is_repo_id(text: str) -> bool:
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(text)
    except HFValidationError:
        return False
    return not text.startswith((".", "~")) and not Path(text).exists()


def resolve_model(
    name_or_path: str | os.PathLike, *, timeout: float = 5.0, fetch: Callable[[str, str], str] | None = None
) -> str:
    """The folder or Hub id to load ``name_or_path`` from (see the module docstring).

    ``fetch(source_name, model_id) -> folder``: what to do with an emotune default id that is neither
    installed nor on the Hub (:func:`modeling.weights.resolve_or_fetch` passes the weights fetcher: the
    Spaces and the demo download what they miss); never called under ``HF_HUB_OFFLINE``, which means no
    downloads at all. Raises :class:`~modeling.base.errors.WeightsNotFoundError` within about ``timeout``
    seconds when nothing serves the model."""
    text = os.fspath(name_or_path)
    if Path(text).expanduser().is_dir():
        return text
    if not _is_repo_id(text):
        raise WeightsNotFoundError(
            f"No model folder at {text!r} (and it is not a Hub id). Accepted: a saved model folder, a Hub id "
            "(owner/name), or an emotune default id installed with `emotune weights fetch`"
        )
    source = load_manifest().source_of(text)
    if isinstance(source, HubSource):
        cached = cached_snapshot(source)
        if cached.complete:
            return text
        if hub_offline():
            available = False
            reason = (
                "it is not in the Hugging Face cache"
                if cached.folder is None
                else f"the Hugging Face cache holds only part of it (no {'; no '.join(cached.missing)})"
            ) + " and HF_HUB_OFFLINE is set"
        else:
            available, reason = hub_availability(text, timeout=timeout)
    else:
        if source is not None and (folder := installed_folder(text)) is not None:
            return str(folder)
        available, reason = hub_availability(text, timeout=timeout)
    if available:
        return text
    if source is None:
        raise WeightsNotFoundError(
            f"Cannot load {text!r}: it is not a local folder and {reason}. Accepted: a saved model folder, or a "
            f"Hub id the Hub serves (or the Hugging Face cache holds: `hf download {text}` while online)"
        )
    if fetch is not None and not hub_offline():  # offline mode means no downloads at all, from anywhere
        return str(fetch(source.name, text))
    licence = source.licence.get("name", "see upstream")
    if isinstance(source, HubSource):
        raise WeightsNotFoundError(
            f"Cannot load {text}: {reason} (HF_HUB_CACHE: {hub_cache_dir()}). Run `emotune weights fetch "
            f"{source.name}` to download {source.describe_files()} ({licence} licence) into the Hugging Face "
            "cache, or pass a local model folder"
        )
    raise WeightsNotFoundError(
        f"{text} is not installed (no {emotune_home() / text}; {HOME_ENV} sets the folder) and {reason}. Run "
        f"`emotune weights fetch {source.name}` to download the original weights ({licence} licence) and convert "
        "them, or pass a local model folder"
    )


class TaskDefault(dict):
    """A pipeline task's ``default`` (``{"model": (id, revision)}``) whose model resolves with
    :func:`resolve_model` when transformers reads it, i.e. when ``pipeline(task)`` is called without a
    model: the installed copy if there is one, else the Hub id."""

    def __init__(self, model_id: str, revision: str = "main"):
        super().__init__(model=(model_id, revision))

    def __getitem__(self, key):
        value = super().__getitem__(key)
        if key == "model":
            model_id, revision = value
            return resolve_model(model_id), revision
        return value
