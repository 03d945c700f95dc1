"""A local stand-in of the Hugging Face Hub's file API, enough for ``hf_hub_download``, ``snapshot_download``
and ``HfApi.model_info`` (stdlib ``http.server`` in a thread). Point huggingface_hub at it with
:func:`use_endpoint`.

What it serves, as the Hub does (huggingface_hub 2.x reads these):

* ``HEAD``/``GET /{repo}/resolve/{revision}/{path}``: the file, with ``X-Repo-Commit`` (the commit the
  revision names), ``ETag`` (the git blob id, or the sha256 for a file the Hub keeps in LFS: here any file
  over 10 kB), ``Content-Length``, ``Accept-Ranges``; ``Range: bytes=N-`` is honoured. A missing file is a
  404 with ``X-Error-Code: EntryNotFound``, a missing repository a 401 with ``RepoNotFound`` (what the Hub
  answers anonymous callers), an unknown revision a 404 with ``RevisionNotFound``;
* ``GET /api/models/{repo}`` and ``/api/models/{repo}/revision/{revision}``: the model info JSON (``id``,
  ``sha``, ``siblings``);
* ``GET /api/models/{repo}/tree/{revision}``: the file listing (``type``, ``path``, ``size``, ``oid``,
  ``lfs``), on one page.

Every request is recorded as ``(method, path)``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

_LFS_OVER = 10_000


def _blob_id(data: bytes) -> str:
    return hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()


class HubRepo:
    """One model repository at one commit: path -> bytes."""

    def __init__(self, files: dict[str, bytes]):
        self.files = dict(files)
        listing = "".join(f"{name}\0{_blob_id(data)}\n" for name, data in sorted(self.files.items()))
        self.commit = hashlib.sha1(listing.encode()).hexdigest()

    @classmethod
    def from_folder(cls, folder: str | Path, extra: dict[str, bytes] | None = None) -> HubRepo:
        folder = Path(folder)
        files = {
            str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()
        }
        return cls({**files, **(extra or {})})

    def etag(self, name: str) -> str:
        data = self.files[name]
        return hashlib.sha256(data).hexdigest() if len(data) > _LFS_OVER else _blob_id(data)

    def tree(self) -> list[dict]:
        entries = []
        for name, data in sorted(self.files.items()):
            entry = {"type": "file", "path": name, "size": len(data), "oid": _blob_id(data)}
            if len(data) > _LFS_OVER:
                entry["lfs"] = {
                    "oid": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "pointerSize": 134,
                }
            entries.append(entry)
        return entries


class HubServer:
    """``repos``: repo id -> :class:`HubRepo`. ``HubServer(...).url`` is the endpoint."""

    def __init__(self, repos: dict[str, HubRepo]):
        self.repos = dict(repos)
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_HEAD(self):
                self._answer(head=True)

            def do_GET(self):
                self._answer(head=False)

            def _answer(self, head: bool):
                path = unquote(urlsplit(self.path).path)
                server.requests.append((self.command, path))
                if path.startswith("/api/models/"):
                    return self._api(path[len("/api/models/") :])
                match = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
                if not match:
                    return self._error(404, "EntryNotFound")
                repo, revision, name = match.groups()
                found = self._repo(repo, revision)
                if found is None:
                    return
                if name not in found.files:
                    return self._error(404, "EntryNotFound", commit=found.commit)
                data = found.files[name]
                wanted = self.headers.get("Range")
                start = int(re.fullmatch(r"bytes=(\d+)-\d*", wanted).group(1)) if wanted else 0
                body = data[start:]
                self.send_response(206 if wanted else 200)
                self.send_header("X-Repo-Commit", found.commit)
                self.send_header("ETag", f'"{found.etag(name)}"')
                self.send_header("Accept-Ranges", "bytes")
                if wanted:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def _api(self, rest: str):
                match = re.fullmatch(r"([^/]+/[^/]+)(?:/(revision|tree)/([^/]+))?/?", rest)
                if not match:
                    return self._error(404, "EntryNotFound")
                repo, what, revision = match.groups()
                found = self._repo(repo, revision or "main")
                if found is None:
                    return
                if what == "tree":
                    return self._json(found.tree())
                siblings = [{"rfilename": name} for name in sorted(found.files)]
                return self._json(
                    {"_id": found.commit[:24], "id": repo, "modelId": repo, "sha": found.commit,
                     "private": False, "disabled": False, "gated": False, "tags": [], "siblings": siblings}
                )  # fmt: skip

            def _repo(self, repo: str, revision: str) -> HubRepo | None:
                found = server.repos.get(repo)
                if found is None:
                    self._error(401, "RepoNotFound")
                    return None
                if revision not in ("main", found.commit):
                    self._error(404, "RevisionNotFound")
                    return None
                return found

            def _json(self, value):
                body = json.dumps(value).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _error(self, status: int, code: str, commit: str | None = None):
                body = json.dumps({"error": code}).encode()
                self.send_response(status)
                self.send_header("X-Error-Code", code)
                if commit:
                    self.send_header("X-Repo-Commit", commit)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> HubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def downloaded(self, repo: str) -> set[str]:
        """The files of ``repo`` whose bytes were sent (GET of ``resolve``)."""
        prefix = f"/{repo}/resolve/"
        return {
            path.split("/", 5)[-1]
            for method, path in self.requests
            if method == "GET" and path.startswith(prefix)
        }


def use_endpoint(monkeypatch, url: str, cache: Path) -> None:
    """Point huggingface_hub (this process: its constants; subprocesses: the environment) at ``url``, with
    the Hub cache in ``cache``, online."""
    from huggingface_hub import constants

    monkeypatch.setenv("HF_ENDPOINT", url)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "ENDPOINT", url)
    monkeypatch.setattr(
        constants, "HUGGINGFACE_CO_URL_TEMPLATE", url + "/{repo_id}/resolve/{revision}/{filename}"
    )
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    set_offline(monkeypatch, False)


def set_offline(monkeypatch, offline: bool) -> None:
    """``HF_HUB_OFFLINE`` on or off, in this process and the environment of the processes it starts."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", offline)
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.setenv(name, "1" if offline else "0")
