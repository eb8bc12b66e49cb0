"""A hostile web site on 127.0.0.1: broken, huge, slow and trapping pages beside a few good ones.

`with HostileSite() as site:` serves it in background threads; `site.url` is its root,
whose index links to every page below. Big bodies are generated while they are sent,
never held in memory. Sizes are parameters so that tests stay quick and the benchmark
can go large.
"""
from __future__ import annotations

import http.server
import random
import socket
import struct
import threading
import time
import zlib
from urllib.parse import parse_qs, urlsplit

WATCHED = "Oleg Orlov"
MB = 1024 * 1024

GOOD_PAGES = {
    "/good/appeal.html": ("Appeal court upholds sentence",
                          f"The Moscow City Court upheld the sentence handed down to {WATCHED}, co-chair of "
                          "the Memorial Human Rights Centre, for an article about the war."),
    "/good/letter.html": ("Letters from the penal colony",
                          f"Supporters published new letters in which {WATCHED} describes the conditions of "
                          "his detention and thanks those who write to him."),
    "/good/hearing.html": ("Cassation hearing set for spring",
                           f"The Second Court of Cassation will hear the complaint of {WATCHED} in the spring, "
                           "his lawyers told reporters after the preliminary session."),
}

# Pages whose failure must be recorded, each with the kind of error it must produce.
BAD_PAGES = {
    "/huge.html": "too_large",
    "/huge-chunked.html": "too_large",
    "/bomb.html": "too_large",
    "/loop/a": "redirect",
    "/chain/0": "redirect",
    "/drip.html": "timeout",
    "/error500.html": "http",
    "/error503.html": "http",
    "/reset.html": "network",
    "/sheet.xls": "skipped",    # a format no extractor reads: named, never fetched
    "/random.html": "processing",
    "/empty.html": "processing",
}

# Pages that must be read despite their faults (and so name the watched person).
SURVIVABLE_PAGES = ("/malformed.html", "/charset/missing.html", "/charset/wrong.html", "/charset/lying.html",
                    "/paragraph.html", "/nested.html", "/doc.pdf")   # a PDF whose font is not defined

OTHER_PAGES = ("/calendar", "/links.html", "/long-link.html")

INDEX_PATHS = (*GOOD_PAGES, *BAD_PAGES, *SURVIVABLE_PAGES, *OTHER_PAGES)

_WORDS = ("the court said that rights defenders were detained after a search of the office and the "
          "lawyers filed an appeal while observers watched the hearing in the city").split()


def html_page(title: str, *paragraphs: str, charset: str = "utf-8") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    meta = f'<meta charset="{charset}">' if charset else ""
    return (f"<!DOCTYPE html><html lang=\"en\"><head>{meta}<title>{title}</title></head><body>"
            f"<nav><a href=\"/\">Home</a></nav><main><article><h1>{title}</h1>{body}</article></main>"
            "<footer><p>Rights Centre, all rights reserved.</p></footer></body></html>")


def minimal_pdf(text: str) -> bytes:
    """A small valid one-page PDF."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def gzip_bomb(inflated_mb: int) -> bytes:
    """A gzip member of `inflated_mb` MB of zeros, compressed chunk by chunk (about 1 KB per MB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MB)
    return b"".join(packer.compress(zeros) for _ in range(inflated_mb)) + packer.flush()


class HostileSite:
    """The hostile site; every size can be chosen, defaults are those of the real threat."""

    def __init__(self, huge_mb: int = 200, bomb_mb: int = 512, paragraph_mb: int = 10, nesting: int = 100_000,
                 links: int = 100_000, drip_seconds: int = 3600, robots: str = "allow", port: int = 0):
        self.huge_mb, self.paragraph_mb, self.nesting = huge_mb, paragraph_mb, nesting
        self.links, self.drip_seconds = links, drip_seconds
        self.robots = robots   # "allow", or "reset": robots.txt breaks off like /reset.html
        self.bomb = gzip_bomb(bomb_mb)
        self.requests: list[str] = []        # paths, in the order asked
        self.full_requests: list[str] = []   # paths with their query strings
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None  # clients hang up on purpose here
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "HostileSite":
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.1,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def index(self) -> str:
        links = "".join(f'<li><a href="{path}">{path}</a></li>' for path in INDEX_PATHS)
        return html_page("Rights Centre", "We document the persecution of human rights defenders.") \
            .replace("</article>", f"<ul>{links}</ul></article>")

    def _handler(self):
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                site.requests.append(parts.path)
                site.full_requests.append(self.path)
                route = ROUTES.get(parts.path) or next(
                    (handler for prefix, handler in PREFIX_ROUTES if parts.path.startswith(prefix)), None)
                if route is None:
                    return self.send(404, b"<html><body><p>Not found</p></body></html>")
                try:
                    route(self, site, parts.path, parse_qs(parts.query))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the crawler gave up on a body it did not want: that is the point

            def send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
                     headers: dict | None = None) -> None:
                self.send_response(status)
                if content_type is not None:
                    self.send_header("Content-Type", content_type)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def stream(self, chunks, content_type="text/html; charset=utf-8", length: int | None = None):
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                if length is None:
                    self.send_header("Connection", "close")  # the body ends when the connection does
                    self.close_connection = True
                else:
                    self.send_header("Content-Length", str(length))
                self.end_headers()
                for chunk in chunks:
                    self.wfile.write(chunk)

        return Handler


def _words(count: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(_WORDS) for _ in range(count))


def _index(handler, site, path, query):
    handler.send(200, site.index().encode())


def _robots(handler, site, path, query):
    if site.robots == "reset":
        return _reset(handler, site, path, query)
    handler.send(200, b"User-agent: *\nAllow: /\n", "text/plain")


def _good(handler, site, path, query):
    title, text = GOOD_PAGES[path]
    handler.send(200, html_page(title, text, "Observers from several embassies attended the hearing.").encode())


def _malformed(handler, site, path, query):
    body = ("<html><head><title>Broken <b>markup</title><meta charset=utf-8 <body><div><p>Unclosed "
            f"<i>tags and <b>bad nesting</i></b> everywhere.<p>The monitors say {WATCHED} was moved "
            "to another colony <table><tr><td>without notice <<< >>> &bogus; &#xFFFFFF; "
            "<a href='/good/appeal.html>broken attribute</a></div></span></p><!-- unterminated comment "
            "<p>more text after the comment</p><script>document.write('<p>')</script><p>end")
    handler.send(200, body.encode())


def _random(handler, site, path, query):
    handler.send(200, random.Random(42).randbytes(64 * 1024))


def _huge(handler, site, path, query, chunked=False):
    chunk = (("<p>" + _words(400) + "</p>\n").encode() * 40)[:64 * 1024]
    prefix = b"<!DOCTYPE html><html><head><title>Huge</title></head><body>"
    size = site.huge_mb * MB
    handler.stream(_huge_chunks(prefix, chunk, size), length=None if chunked else size)


def _huge_chunks(prefix: bytes, chunk: bytes, size: int):
    yield prefix
    sent = len(prefix)
    while sent < size:
        piece = chunk[: size - sent]
        yield piece
        sent += len(piece)


def _bomb(handler, site, path, query):
    handler.send(200, site.bomb, headers={"Content-Encoding": "gzip"})


CHARSET_TEXTS = {
    "missing.html": ("Олега Орлова перевели в другую колонию", "Адвокаты сообщили, что Олега Орлова этапировали "
                     "из Сызрани, не предупредив ни родственников, ни защиту."),
    "wrong.html": ("Письма из колонии", "Сторонники опубликовали новые письма, в которых Олег Орлов рассказывает "
                   "об условиях содержания и благодарит всех, кто ему пишет."),
    "lying.html": ("Кассационная жалоба", "Второй кассационный суд рассмотрит жалобу Олега Орлова весной, "
                   "сообщили журналистам его защитники после предварительного заседания."),
}


def _charset(handler, site, path, query):
    name = path.rsplit("/", 1)[-1]
    title, text = CHARSET_TEXTS.get(name, CHARSET_TEXTS["lying.html"])
    page = html_page(title, text, "Наблюдатели из нескольких посольств присутствовали на заседании.", charset="")
    if name == "missing.html":      # no charset anywhere, windows-1251 bytes
        handler.send(200, page.encode("cp1251"), "text/html")
    elif name == "wrong.html":      # the header says UTF-8, the bytes are KOI8-R
        handler.send(200, page.encode("koi8_r"), "text/html; charset=utf-8")
    else:                           # header and <meta> both lie, differently; the bytes are windows-1251
        lying = page.replace("<head>", '<head><meta charset="iso-8859-1">')
        handler.send(200, lying.encode("cp1251"), "text/html; charset=shift_jis")


def _redirect_loop(handler, site, path, query):
    target = "/loop/b" if path == "/loop/a" else "/loop/a"
    handler.send(302, b"", headers={"Location": target})


def _redirect_chain(handler, site, path, query):
    step = int(path.rsplit("/", 1)[-1] or 0)
    handler.send(301, b"", headers={"Location": f"/chain/{step + 1}"})


def _drip(handler, site, path, query):
    def chunks():
        yield b"<html><head><title>Slow</title></head><body><p>"
        for _ in range(site.drip_seconds):
            time.sleep(1)
            yield b"x"
    handler.stream(chunks(), length=10_000_000)


def _error(handler, site, path, query):
    if path == "/error503.html":
        handler.send(503, b"<html><body>Down for maintenance</body></html>", headers={"Retry-After": "3600"})
    else:
        handler.send(500, b"<html><body>Internal error</body></html>")


def _reset(handler, site, path, query):
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    handler.wfile.write(b"<html><body><p>" + b"partial " * 200)
    handler.wfile.flush()
    # SO_LINGER with a zero timeout makes close() send a TCP RST instead of a FIN
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


def _calendar(handler, site, path, query):
    month = query.get("month", ["2024-01"])[0]
    try:
        year, number = (int(part) for part in month.split("-"))
    except ValueError:
        year, number = 2024, 1
    index = year * 12 + number - 1
    previous, following = (f"{(i) // 12:04d}-{(i) % 12 + 1:02d}" for i in (index - 1, index + 1))
    days = "".join(f'<a href="/calendar?month={month}&amp;day={day}">{day}</a> ' for day in range(1, 29))
    body = html_page(f"Events in {month}", "No events this month.") \
        .replace("</article>", f'<p><a href="/calendar?month={previous}">previous</a> '
                               f'<a href="/calendar?month={following}">next</a></p><p>{days}</p></article>')
    handler.send(200, body.encode())


def _links(handler, site, path, query):
    items = "".join(f'<a href="/items/{n}">Item {n}</a>\n' for n in range(site.links))
    handler.send(200, html_page("Archive", "Every item we ever published.").replace("</article>", items + "</article>")
                 .encode())


def _long_link(handler, site, path, query):
    target = "/search?q=" + "a" * 3000
    handler.send(200, html_page("Search", "Saved searches of the archive.")
                 .replace("</article>", f'<a href="{target}">saved search</a></article>').encode())


def _item(handler, site, path, query):
    number = path.rsplit("/", 1)[-1]
    handler.send(200, html_page(f"Item {number}", f"Short notice number {number} about a court hearing.").encode())


def _pdf(handler, site, path, query):
    handler.send(200, minimal_pdf(f"A report naming {WATCHED}"), "application/pdf")


def _empty(handler, site, path, query):
    handler.send(200, b"")


def _paragraph(handler, site, path, query):
    size = site.paragraph_mb * MB
    head = (f"<!DOCTYPE html><html><head><meta charset=utf-8><title>One long paragraph</title></head><body>"
            f"<article><p>A statement about {WATCHED} opens this paragraph. ").encode()
    tail = b"</p></article></body></html>"
    filler = (_words(2000) + " ").encode()
    body = head + (filler * (size // len(filler) + 1))[: max(0, size - len(head) - len(tail))] + tail
    handler.send(200, body)


def _nested(handler, site, path, query):
    depth = site.nesting
    body = (f"<!DOCTYPE html><html><head><meta charset=utf-8><title>Deep</title></head><body>"
            f"<article><p>A statement about {WATCHED} before the deep part.</p>"
            + "<div>" * depth + "deep text" + "</div>" * depth + "</article></body></html>")
    handler.send(200, body.encode())


ROUTES = {
    "/": _index, "/robots.txt": _robots, "/malformed.html": _malformed, "/random.html": _random,
    "/huge.html": _huge, "/huge-chunked.html": lambda h, s, p, q: _huge(h, s, p, q, chunked=True),
    "/bomb.html": _bomb, "/drip.html": _drip, "/error500.html": _error, "/error503.html": _error,
    "/reset.html": _reset, "/calendar": _calendar, "/links.html": _links, "/doc.pdf": _pdf, "/sheet.xls": _pdf,
    "/empty.html": _empty, "/paragraph.html": _paragraph, "/nested.html": _nested, "/long-link.html": _long_link,
    **{path: _good for path in GOOD_PAGES},
}
PREFIX_ROUTES = (("/charset/", _charset), ("/loop/", _redirect_loop), ("/chain/", _redirect_chain),
                 ("/items/", _item))

__all__ = ["HostileSite", "WATCHED", "GOOD_PAGES", "BAD_PAGES", "SURVIVABLE_PAGES", "INDEX_PATHS",
           "minimal_pdf", "gzip_bomb", "html_page"]
