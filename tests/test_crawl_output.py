"""What `vigil` prints around a crawl: the help when asked nothing, Scrapy's failed requests left
to `vigil errors`, log lines that never break the progress line, spiders named in JSON logs."""
from __future__ import annotations

import http.server
import json
import os
import pty
import subprocess
import sys
import threading

from conftest import REPO, page, simple_config


def test_a_bare_vigil_prints_the_help_as_help(tmp_path):
    result = subprocess.run([sys.executable, "-m", "crawler"], capture_output=True, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Usage: vigil") and len(lines) > 20
    assert any(line.strip().startswith("crawl ") for line in lines)   # one command per line


def test_requests_that_fail_are_recorded_not_logged_at_the_default_level(site, project):
    site.write("index.html", page("Statements", "Oleg Orlov was detained.", '</p><p><a href="/busy.html">busy</a>'))
    site.statuses["/busy.html"] = 503    # retried once, then given up
    project.write_config(simple_config(site.url))
    result = project.ok("crawl")
    assert result.stderr == ""
    assert "busy.html: HTTP 503" in result.stdout   # the summary says it
    errors = project.ok("errors", "--format", "json").json_lines()
    assert [e["reason"] for e in errors if e["url"].endswith("/busy.html")] == ["HTTP 503"]


def test_json_logs_name_the_spider(site, project):
    site.write("index.html", page("Statements", "Oleg Orlov was detained."))
    project.write_config(simple_config(site.url))
    result = project.ok("--log-level", "debug", "--log-format", "json", "crawl")
    spiders = {json.loads(line).get("spider") for line in result.stderr.splitlines()} - {None}
    assert spiders == {"source:ngo"}


class HeldSite:
    """A site whose /held page answers only once `release` is set."""

    def __init__(self):
        self.release = threading.Event()
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/held":
                    site.release.wait(60)
                body = page("Held", "Oleg Orlov, a statement.", '</p><p><a href="/held">held</a>').encode()
                self.send_response(404 if self.path == "/robots.txt" else 200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _screen(output: str) -> list[str]:
    """The lines as a terminal shows them: after a carriage return, text overwrites the line."""
    shown = []
    for line in output.replace("\r\n", "\n").split("\n"):
        visible = ""
        for piece in line.split("\r"):
            visible = piece + visible[len(piece):]
        shown.append(visible)
    return shown


def test_log_lines_never_break_the_progress_line(project):
    held = HeldSite()
    project.write_config(simple_config(held.url))
    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("VIGIL_CONFIG", None)
    child = subprocess.Popen([sys.executable, "-m", "crawler", "--config", str(project.config), "--log-level", "debug",
                              "crawl"], stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal, cwd=project.path,
                             env=env)
    os.close(terminal)
    output = b""
    try:
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:   # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if b"crawling:" in output:
                held.release.set()   # log lines come now, while the progress line is shown
    finally:
        held.release.set()
        child.wait(120)
        os.close(controller)
        held.server.shutdown()
    text = output.decode("utf-8", "replace")
    assert child.returncode == 0 and "crawling:" in text, text[-2000:]
    logged_after = [line for line in _screen(text) if "Z DEBUG " in line or "Z INFO " in line]
    assert logged_after and not [line for line in logged_after if "crawling:" in line]
