"""A local HTTP file server for the weights tests (stdlib ``http.server`` in a thread): serves bytes by
path, honours ``Range: bytes=N-``, records every request, and can cut a transfer off after N bytes."""

from __future__ import annotations

import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FileServer:
    """``files``: URL path (``/btc/btc_model_large_voca.pt``) -> bytes. ``cut_after[path] = n``: the next
    transfer of ``path`` announces the whole length, sends ``n`` bytes and closes the connection."""

    def __init__(self, files: dict[str, bytes]):
        self.files = dict(files)
        self.cut_after: dict[str, int] = {}
        self.requests: list[tuple[str, str | None]] = []  # (path, Range header)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                wanted = self.headers.get("Range")
                server.requests.append((self.path, wanted))
                if self.path not in server.files:
                    self.send_error(404, "Not Found")
                    return
                data = server.files[self.path]
                start = int(re.fullmatch(r"bytes=(\d+)-", wanted).group(1)) if wanted else 0
                if start >= len(data) and wanted:
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = data[start:]
                self.send_response(206 if wanted else 200)
                if wanted:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                cut = server.cut_after.pop(self.path, None)
                self.wfile.write(body if cut is None else body[:cut])
                self.wfile.flush()
                if cut is not None:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> FileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port_url() -> str:
    """A URL nothing listens on (a port bound and released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
