"""Fetching a hub source (``mert``, ``clip``) into the Hugging Face cache, so that its loader runs offline.

MERT and CLIP are not converted: emotune's loaders read them as the Hub holds them
(:func:`modeling.music2emo.mert.load_mert`, :class:`modeling.video2music.clip_encoder.ClipFrameEncoder`).
What the loaders read is the manifest's (``files``: the configs, the tokenizer, one format of the
weights), so the fetch lists the repository once (``model_info``), chooses those files (safetensors
before ``.bin``; the sharded index and its shards when the weights are sharded; the optional files the
repository has) and downloads each with ``hf_hub_download`` at the manifest's revision (one progress bar
per file): the Hub cache layout (``models--owner--name/{blobs,snapshots,refs}``), with the revision's ref
recorded, which is what ``from_pretrained`` and ``hf_hub_download`` look up under ``HF_HUB_OFFLINE=1``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..base.errors import WeightsDownloadError
from ..hub.cache import cached_snapshot, hub_cache_dir, is_storage_error, storage_error, writable_home
from ..hub.manifest import HubSource
from ..hub.resolution import hub_offline, transport_errors
from .verification import one_line

__all__ = ["fetch_hub"]

_SETTING = "HF_HUB_CACHE (or HF_HOME)"


def _say(message: str, progress: bool) -> None:
    if progress:
        print(f"emotune weights: {message}", file=sys.stderr, flush=True)


def _bars(progress: bool):
    """The tqdm class for huggingface_hub's bars: plain tqdm (shown even where emotune's commands hide the
    libraries' bars: a download of gigabytes shows its progress), or one that never draws."""
    from tqdm.auto import tqdm

    if progress:
        return tqdm

    class Quiet(tqdm):
        def __init__(self, *args, **kwargs):
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

    return Quiet


def fetch_hub(
    source: HubSource, *, force: bool = False, progress: bool = True, timeout: float = 30.0
) -> dict[str, Path]:
    """Download the files of ``source`` its loader reads into the Hugging Face cache (nothing when they are
    all there, unless ``force``); returns ``{repo_id: snapshot folder}``.

    Raises :class:`~modeling.base.errors.WeightsDownloadError` (offline, unreachable, the repository lacks a
    file the loader needs), :class:`~modeling.base.errors.StorageError` (the cache cannot be written)."""
    from huggingface_hub import HfApi, constants, hf_hub_download
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    repo, revision = source.repo_id, source.revision
    cached = cached_snapshot(source)
    if cached.complete and not force:
        _say(
            f"{source.name}: {repo} is already in the Hugging Face cache ({cached.folder}); --force downloads again",
            progress,
        )
        return {repo: cached.folder}
    if hub_offline():
        raise WeightsDownloadError(
            f"Cannot fetch {repo}: HF_HUB_OFFLINE is set (the Hugging Face cache "
            f"{'has no snapshot of it' if cached.folder is None else 'lacks ' + '; '.join(cached.missing)}). Accepted: "
            f"unset HF_HUB_OFFLINE and run `emotune weights fetch {source.name}` with network access to "
            f"{constants.ENDPOINT}"
        )
    transport = (*transport_errors(), LocalEntryNotFoundError)
    try:
        info = HfApi().model_info(repo, revision=revision, timeout=timeout)
    except (RepositoryNotFoundError, RevisionNotFoundError, GatedRepoError) as error:
        raise WeightsDownloadError(
            f"Cannot fetch {repo}@{revision}: the Hub answered {type(error).__name__} ({one_line(error, limit=160)}). "
            f"Accepted: a public repository and revision in the weights manifest (log in with `hf auth login` "
            f"for a gated one)"
        ) from None
    except (HfHubHTTPError, *transport, OSError) as error:  # a listing writes nothing: never the disk
        raise WeightsDownloadError(
            f"Cannot reach the Hub at {constants.ENDPOINT} for {repo} ({type(error).__name__}: "
            f"{one_line(error, limit=200)}). Nothing was downloaded. Accepted: network access to the Hub "
            "(HF_ENDPOINT for a mirror)"
        ) from None
    files, missing = source.select(sibling.rfilename for sibling in info.siblings or ())
    if missing:
        raise WeightsDownloadError(
            f"{repo}@{revision} (commit {info.sha}) lacks {'; '.join(missing)}, which emotune's loader reads. "
            f"Accepted: a revision of the repository that holds {source.describe_files()}"
        )
    cache = hub_cache_dir()
    writable_home(cache, setting=_SETTING, outcome="Nothing was downloaded")
    _say(f"downloading {', '.join(files)} of {repo} (commit {info.sha[:12]}) into {cache}", progress)
    bars = _bars(progress)
    try:
        for name in files:
            hf_hub_download(repo, name, revision=revision, force_download=force, etag_timeout=timeout,
                            tqdm_class=bars)  # fmt: skip
    except OSError as error:
        if is_storage_error(error) and not isinstance(error, HfHubHTTPError):
            raise storage_error(
                error, cache, setting=_SETTING, outcome="What was cached before is as it was"
            ) from None
        if not isinstance(error, (HfHubHTTPError, *transport)):
            raise
        raise WeightsDownloadError(
            f"Downloading {', '.join(files)} of {repo} failed ({type(error).__name__}: {one_line(error, limit=200)}). "
            "Run the same command again: the files that arrived stay in the Hugging Face cache"
        ) from None
    except transport_errors() as error:
        raise WeightsDownloadError(
            f"Downloading {', '.join(files)} of {repo} failed ({type(error).__name__}: {one_line(error, limit=200)}). "
            "Run the same command again: the files that arrived stay in the Hugging Face cache"
        ) from None
    done = cached_snapshot(source)
    if not done.complete:  # the revision moved on the Hub during the download: run again
        raise WeightsDownloadError(
            f"{repo}@{revision}: after the download the Hugging Face cache ({done.folder}) lacks "
            f"{'; '.join(done.missing)}. Run the same command again"
        )
    _say(f"{repo}: {len(done.files)} files, {done.size / 2**20:.1f} MiB in {done.folder}", progress)
    return {repo: done.folder}
