"""``push``: publish an installed (converted) model folder to a Hub repository, card and provenance included."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..base.errors import EmotuneError, InvalidInputError
from ..hub.cache import installed_folder, read_provenance
from ..hub.resolution import transport_errors
from .converters import CONVERTERS
from .provenance import card_sections

__all__ = ["push"]


def push(model: str, repo: str, *, private: bool = False, token: str | None = None, api=None) -> str:
    """Upload the installed model ``model`` (an id such as ``emotune/music2emo``, or a converted folder) to
    the Hub repository ``repo`` (created if needed); returns the commit URL. The card's examples name
    ``repo``. ``api``: an ``HfApi`` (default: a new one with ``token``)."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled
    from huggingface_hub.utils import validate_repo_id

    folder = Path(model) if Path(model).is_dir() else installed_folder(model) if "/" in model else None
    if folder is None or not (folder / "config.json").is_file():
        raise InvalidInputError(
            f"{model!r} is not an installed model or a saved model folder. Accepted: an id `emotune weights list` "
            "shows as installed, or a folder with config.json"
        )
    try:
        validate_repo_id(repo)
    except ValueError as error:
        raise InvalidInputError(
            f"{repo!r} is not a Hub repository id ({error}). Accepted: owner/name"
        ) from None
    record = read_provenance(folder) or {}
    api = api or HfApi(token=token)
    with tempfile.TemporaryDirectory(prefix="emotune-push-") as temporary:
        upload = Path(temporary) / "model"
        shutil.copytree(folder, upload)
        if record.get("converter") in CONVERTERS and record.get("model_id") != repo:
            # the card is rendered again for the repository it is published to: its examples load ``repo``
            original = Path(record.get("member") or record["file"]).name
            card = CONVERTERS[record["converter"]].card(folder, original, repo, card_sections(record))
            card.save(upload / "README.md")
        try:
            api.create_repo(repo, repo_type="model", private=private, exist_ok=True)
            info = api.upload_folder(
                repo_id=repo,
                folder_path=upload,
                repo_type="model",
                commit_message=f"Upload {record.get('model_id', folder.name)} converted by emotune "
                f"from {record.get('file', 'the original weights')}",
            )
        except OfflineModeIsEnabled:
            raise EmotuneError(
                f"Cannot push to {repo}: HF_HUB_OFFLINE is set. Accepted: unset it and log in (`hf auth login` or "
                "HF_TOKEN)"
            ) from None
        except (HfHubHTTPError, *transport_errors(), OSError) as error:
            raise EmotuneError(
                f"Cannot push {folder} to {repo}: {type(error).__name__}: {error}. Accepted: network access to the "
                "Hub and a token with write access to the repository (`hf auth login` or HF_TOKEN)"
            ) from None
    return str(getattr(info, "commit_url", info))
