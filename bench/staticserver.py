"""A pre-rendered static site server for the benchmarks: every answer built before the first request.

    python bench/staticserver.py FOLDER [PORT]   # prints its URL, serves until killed

The crawl benchmark shares two cores between the site server and the crawler, so the
server must cost as little as possible: each file's full HTTP answer (status line,
headers with ETag and Last-Modified, body) is rendered once at start, and a request only
looks its path up and writes those bytes (or a 304 when a validator matches). One
asyncio process, keep-alive, no threads. The sitemap may be rewritten after start: the
server reads files it has not rendered yet on their first request.
"""
from __future__ import annotations

import asyncio
import email.utils
import hashlib
import mimetypes
import sys
from pathlib import Path


class Site:
    def __init__(self, root: Path):
        self.root = root.resolve()
        self.answers: dict[bytes, tuple[bytes, bytes, bytes, bytes]] = {}

    def render_all(self) -> None:
        for file in self.root.rglob("*"):
            if file.is_file():
                self.render(file)

    def render(self, file: Path):
        body = file.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = email.utils.formatdate(file.stat().st_mtime, usegmt=True)
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nETag: {etag}\r\nLast-Modified: {modified}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        not_modified = f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n".encode()
        answer = (head + body, not_modified, etag.encode(), modified.encode())
        self.answers[b"/" + str(file.relative_to(self.root)).encode()] = answer
        return answer

    def answer(self, path: bytes):
        found = self.answers.get(path)
        if found is None:
            file = (self.root / path.decode("utf-8", "replace").lstrip("/")).resolve()
            if file.is_file() and str(file).startswith(str(self.root)):
                found = self.render(file)
        return found


NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"


class Connection(asyncio.Protocol):
    def __init__(self, site: Site):
        self.site = site
        self.buffer = b""

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            request, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            lines = request.split(b"\r\n")
            path = lines[0].split(b" ")[1].split(b"?")[0] if b" " in lines[0] else b"/"
            found = self.site.answer(path)
            if found is None:
                self.transport.write(NOT_FOUND)
                continue
            full, not_modified, etag, modified = found
            validators = {}
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                validators[name.strip().lower()] = value.strip()
            same = validators.get(b"if-none-match") == etag or (
                b"if-none-match" not in validators and validators.get(b"if-modified-since") == modified)
            self.transport.write(not_modified if same else full)


async def serve(root: Path, port: int = 0) -> None:
    site = Site(root)
    site.render_all()
    server = await asyncio.get_running_loop().create_server(lambda: Connection(site), "127.0.0.1", port)
    print(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0))
