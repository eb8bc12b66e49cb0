"""A static site served on 127.0.0.1 from a folder: the demo's site and the tests' fixture.

Files can be rewritten between crawls; a path can also be made to answer a given status
or to redirect. ETag and Last-Modified are sent, and conditional requests get a 304.
"""
from __future__ import annotations

import email.utils
import hashlib
import http.server
import mimetypes
import os
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit


class LocalSite:
    """`with LocalSite(folder) as site:` serves `folder` at `site.url`."""

    def __init__(self, root: str | os.PathLike, port: int = 0, host: str = "127.0.0.1"):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.statuses: dict[str, int] = {}
        self.redirects: dict[str, str] = {}
        self.headers: dict[str, dict[str, str]] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.times: list[tuple[str, float]] = []   # (path, time.monotonic()) of every request, in order
        self.conditional = True
        self._server = http.server.ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def start(self) -> "LocalSite":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def write(self, path: str, content: str | bytes, encoding: str = "utf-8") -> None:
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode(encoding) if isinstance(content, str) else content)

    def remove(self, path: str) -> None:
        (self.root / path.lstrip("/")).unlink()

    def _handler(self):
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_HEAD(self):
                self.do_GET(head=True)

            def do_GET(self, head=False):
                path = unquote(urlsplit(self.path).path)
                site.requests.append(("GET", path, dict(self.headers)))
                site.times.append((path, time.monotonic()))
                if path in site.redirects:
                    return self._answer(301, b"", {"Location": site.redirects[path]}, head)
                if path in site.statuses:
                    return self._answer(site.statuses[path], b"gone",
                                        {"Content-Type": "text/plain", **site.headers.get(path, {})}, head)
                file = self._file(path)
                if file is None:
                    return self._answer(404, b"<html><body><h1>Not found</h1></body></html>",
                                        {"Content-Type": "text/html"}, head)
                body = file.read_bytes()
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                modified = email.utils.formatdate(file.stat().st_mtime, usegmt=True)
                headers = {"Content-Type": mimetypes.guess_type(file.name)[0] or "application/octet-stream",
                           "ETag": etag, "Last-Modified": modified, **site.headers.get(path, {})}
                if site.conditional and self.headers.get("If-None-Match") == etag:
                    return self._answer(304, b"", {"ETag": etag}, head=True)
                self._answer(200, body, headers, head)

            def _file(self, path: str):
                candidate = (site.root / path.lstrip("/")).resolve()
                if not str(candidate).startswith(str(site.root.resolve())):
                    return None
                if candidate.is_dir():
                    candidate = candidate / "index.html"
                return candidate if candidate.is_file() else None

            def _answer(self, status, body, headers, head):
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head and status != 304:
                    self.wfile.write(body)

        return Handler
