"""``--push-to-hub``: upload a run's best models to one model repository."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ...base.errors import InvalidInputError

__all__ = ["push_models"]


def push_models(
    folders: Mapping[str, str | Path],
    repo_id: str,
    *,
    root: str,
    private: bool | None = None,
    token: str | None = None,
    api=None,
) -> list[str]:
    """Upload each ``save_pretrained`` folder: ``folders[root]`` to the top of ``repo_id`` (what
    ``from_pretrained(repo_id)`` loads), every other one to a subfolder of its name (loaded with
    ``from_pretrained(repo_id, subfolder=name)``). Returns the commit URLs.

    ``api`` replaces ``huggingface_hub.HfApi(token=token)`` (tests pass a fake).
    """
    if root not in folders:
        raise InvalidInputError(f"No model folder named {root!r} to push; have {sorted(folders)}")
    for name, folder in folders.items():
        if not (Path(folder) / "config.json").is_file():
            raise InvalidInputError(f"{folder} ({name}) is not a saved model (no config.json)")
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi(token=token)
    api.create_repo(repo_id, private=private, exist_ok=True)
    urls = []
    for name in [root, *sorted(set(folders) - {root})]:
        commit = api.upload_folder(
            folder_path=str(folders[name]),
            repo_id=repo_id,
            path_in_repo=None if name == root else name,
            commit_message=f"Upload {name} trained with emotune",
        )
        urls.append(str(getattr(commit, "commit_url", commit)))
    return urls
