"""``emotune weights``: fetch the original published weights, list what is installed, publish a converted model."""

from __future__ import annotations

NAME = "weights"
HELP = (
    "Download, verify and convert the original Music2Emo / BTC / Video2Music weights into EMOTUNE_HOME "
    "(fetch), show what is installed (list), or publish a converted model to the Hub (push)."
)


def add_arguments(parser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    fetch = actions.add_parser(
        "fetch", help="download, verify, convert and install the original weights",
        description="Download the original files from their public homes (or take them from --from), verify them "
        "(git blob id / zip contents), convert them and install the converted models in EMOTUNE_HOME.",
    )  # fmt: skip
    fetch.add_argument("name", metavar="NAME", help="music2emo, btc, video2music or all")
    fetch.add_argument(
        "--from", dest="origin", metavar="PATH_OR_URL",
        help="the original file (or a folder holding the files, or a URL / base URL) instead of the public URLs",
    )  # fmt: skip
    fetch.add_argument("--force", action="store_true", help="convert again even if installed")
    fetch.add_argument("--no-progress", action="store_true", help="no progress bars or messages")
    actions.add_parser("list", help="show the installed models and those not installed")
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


def _list() -> int:
    from ..hub import emotune_home, installed_models, load_manifest
    from ..hub.cache import folder_size, read_provenance

    manifest, home = load_manifest(), emotune_home()
    installed = installed_models(home)
    print(f"EMOTUNE_HOME: {home}")
    print(f"{'MODEL ID':<36} {'STATUS':<14} {'SIZE':>9}  FOLDER / SOURCE")
    known = set()
    for source in manifest.sources.values():
        for model_id in source.model_ids:
            known.add(model_id)
            if model_id in installed:
                folder = installed[model_id]
                record = read_provenance(folder) or {}
                print(f"{model_id:<36} {'installed':<14} {_size(folder_size(folder)):>9}  {folder}")
                print(f"{'':<36} {'':<14} {'':>9}  from {record.get('downloaded_from', '?')}")
            else:
                print(f"{model_id:<36} {'not installed':<14} {'':>9}  emotune weights fetch {source.name}")
    for model_id in sorted(set(installed) - known):
        folder = installed[model_id]
        print(f"{model_id:<36} {'installed*':<14} {_size(folder_size(folder)):>9}  {folder}")
    if set(installed) - known:
        print(f"* not in the manifest {manifest.path}")
    return 0


def run(args) -> int:
    if args.action == "list":
        return _list()
    if args.action == "push":
        from ..weights import push

        url = push(args.model, args.repo, private=args.private, token=args.token)
        print(f"pushed {args.model} to {args.repo}: {url}")
        return 0
    from ..base.errors import EmotuneError
    from ..hub import load_manifest
    from ..weights import fetch

    manifest = load_manifest()
    names = list(manifest.sources) if args.name == "all" else [manifest.source(args.name).name]
    if args.origin and len(names) > 1:
        from ..base.errors import InvalidInputError

        raise InvalidInputError(
            "--from names the files of one source. Accepted: fetch music2emo|btc|video2music"
        )
    failures = []
    for name in names:
        try:
            installed = fetch(name, origin=args.origin, force=args.force, progress=not args.no_progress,
                              manifest=manifest)  # fmt: skip
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
