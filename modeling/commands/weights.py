"""``emotune weights``: fetch the original published weights (and the Hub models used as they are), list
what is installed and cached, publish a converted model."""

from __future__ import annotations

NAME = "weights"
HELP = (
    "Download, verify and convert the original Music2Emo / BTC / Video2Music weights into EMOTUNE_HOME, and "
    "MERT and CLIP into the Hugging Face cache (fetch), show what is installed and cached (list), or publish a "
    "converted model to the Hub (push)."
)


def add_arguments(parser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    fetch = actions.add_parser(
        "fetch", help="download, verify, convert and install the original weights; fetch MERT and CLIP",
        description="Download the original files from their public homes (or take them from --from), verify them "
        "(git blob id / zip contents), convert them and install the converted models in EMOTUNE_HOME; download "
        "the files of MERT and CLIP their loaders read into the Hugging Face cache. After `fetch all`, "
        "HF_HUB_OFFLINE=1 emotune predict and score-video load everything from disk.",
    )  # fmt: skip
    fetch.add_argument("name", metavar="NAME", help="music2emo, btc, video2music, mert, clip or all")
    fetch.add_argument(
        "--from", dest="origin", metavar="PATH_OR_URL",
        help="the original file (one file of a source installs its models alone), a folder holding the files, "
        "or a URL (http(s):// or file://; a base URL for a source of several files) instead of the public URLs",
    )  # fmt: skip
    fetch.add_argument(
        "--only", action="append", metavar="MODEL_ID",
        help="install only this model of the source (e.g. emotune/music2emo); may be repeated",
    )  # fmt: skip
    fetch.add_argument("--force", action="store_true", help="download and convert again even if installed")
    fetch.add_argument("--no-progress", action="store_true", help="no progress bars or messages")
    actions.add_parser(
        "list", help="show the installed and cached models, whether they verify, and those missing"
    )
    push = actions.add_parser("push", help="publish an installed model to a Hub repository (card included)")
    push.add_argument(
        "model", metavar="MODEL", help="installed model id (emotune/music2emo) or converted folder"
    )
    push.add_argument("repo", metavar="REPO", help="Hub repository to create or update (owner/name)")
    push.add_argument("--private", action="store_true", help="create the repository private")
    push.add_argument("--token", help="Hub token with write access (default: the logged-in one / HF_TOKEN)")


def _size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


_ROW = "{:<36} {:<14} {:<10} {:>9}  {}"


def _list() -> int:
    from ..base.errors import StorageError
    from ..hub import emotune_home, installed_models, load_manifest
    from ..hub.cache import cached_snapshot, folder_size, hub_cache_dir, read_provenance
    from ..hub.manifest import HubSource
    from ..weights.provenance import install_status

    manifest, home = load_manifest(), emotune_home()
    if home.exists() and not home.is_dir():
        raise StorageError(
            f"EMOTUNE_HOME {home} is a file, not a folder, so nothing can be installed there. Move that file "
            "away, or set EMOTUNE_HOME to a folder (it is created if missing)"
        )
    installed = installed_models(home)
    print(f"EMOTUNE_HOME: {home}")
    print(f"Hugging Face cache: {hub_cache_dir()}")
    print(_ROW.format("MODEL ID", "STATUS", "CHECK", "SIZE", "WHERE / HOW"))
    known, mismatched = set(), []
    for source in manifest.sources.values():
        if isinstance(source, HubSource):
            known.add(source.repo_id)
            cached = cached_snapshot(source)
            if cached.complete:
                print(_ROW.format(source.repo_id, "cached", "-", _size(cached.size), cached.folder))
                print(_ROW.format("", "", "", "", f"revision {source.revision} = commit {cached.commit}"))
            else:
                status = "partly cached" if cached.folder is not None else "not cached"
                print(_ROW.format(source.repo_id, status, "", "", f"emotune weights fetch {source.name}"))
            continue
        for model_id in source.model_ids:
            known.add(model_id)
            if model_id not in installed:
                print(_ROW.format(model_id, "not installed", "", "", f"emotune weights fetch {source.name}"))
                continue
            folder = installed[model_id]
            record = read_provenance(folder) or {}
            matches, why = install_status(record, manifest)
            print(_ROW.format(model_id, "installed", "verified" if matches else "MISMATCH",
                              _size(folder_size(folder)), folder))  # fmt: skip
            print(_ROW.format("", "", "", "", f"from {record.get('downloaded_from', '?')}"))
            if not matches:
                mismatched.append(f"{model_id}: does not match the manifest ({why}); `emotune weights fetch "
                                  f"{source.name} --force` installs it again")  # fmt: skip
    for model_id in sorted(set(installed) - known):
        folder = installed[model_id]
        print(_ROW.format(model_id, "installed*", "", _size(folder_size(folder)), folder))
    if set(installed) - known:
        print(f"* not in the manifest {manifest.path}")
    for line in mismatched:
        print(line)
    return 0


def run(args) -> int:
    if args.action == "list":
        return _list()
    if args.action == "push":
        from ..weights import push

        url = push(args.model, args.repo, private=args.private, token=args.token)
        print(f"pushed {args.model} to {args.repo}: {url}")
        return 0
    from ..base.errors import EmotuneError, InvalidInputError, StorageError
    from ..hub import load_manifest
    from ..weights import fetch

    manifest = load_manifest()
    names = list(manifest.sources) if args.name == "all" else [manifest.source(args.name).name]
    only = {}
    for model_id in args.only or ():
        source = manifest.source_of(model_id)
        if source is None or source.name not in names:
            choices = [m for name in names for m in manifest.sources[name].model_ids]
            raise InvalidInputError(
                f"--only {model_id}: {args.name} installs no such model. Accepted: {', '.join(choices)}"
            )
        only.setdefault(source.name, []).append(model_id)
    if only:
        names = [name for name in names if name in only]
    if args.origin and len(names) > 1:
        raise InvalidInputError(
            "--from names the files of one source. Accepted: fetch music2emo|btc|video2music --from PATH_OR_URL"
        )
    failures = []
    for name in names:
        try:
            installed = fetch(name, origin=args.origin, model_ids=only.get(name), force=args.force,
                              progress=not args.no_progress, manifest=manifest)  # fmt: skip
        except StorageError:
            raise  # the same folder would refuse every other source: one line, at once
        except EmotuneError as error:
            if len(names) == 1:
                raise
            failures.append(f"{name}: {error}")
            continue
        for model_id, folder in installed.items():
            print(f"{model_id}: {folder}")
    if failures:
        raise EmotuneError("not installed:\n  " + "\n  ".join(failures))
    return 0
