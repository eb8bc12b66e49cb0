"""Shared fixtures: a local site on 127.0.0.1, a project folder with a config, and `vigil` run for real."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.service.localsite import LocalSite

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    def json_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


class Project:
    """A folder holding vigil.toml, the database and alert files; runs `vigil` as a subprocess."""

    def __init__(self, path: Path):
        self.path = path
        self.config = path / "vigil.toml"

    def write_config(self, text: str) -> Path:
        self.config.write_text(textwrap.dedent(text), encoding="utf-8")
        return self.config

    def vigil(self, *args: str, stdin: str | None = None, env: dict | None = None, timeout: float = 120) -> Result:
        full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
        full_env.pop("VIGIL_CONFIG", None)
        proc = subprocess.run(
            [sys.executable, "-m", "crawler", "--config", str(self.config), *args],
            input=stdin, capture_output=True, text=True, cwd=self.path, env=full_env, timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def ok(self, *args: str, **kwargs) -> Result:
        result = self.vigil(*args, **kwargs)
        assert result.returncode == 0, f"vigil {' '.join(args)} failed:\n{result.stderr}\n{result.stdout}"
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def alerts(self, name: str = "alerts.jsonl") -> list[dict]:
        path = self.path / name
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    def db(self):
        from storage.db import open_database

        return open_database(self.path / "vigil.db")


@pytest.fixture
def site(tmp_path):
    with LocalSite(tmp_path / "site") as served:
        served.write("robots.txt", "User-agent: *\nDisallow: /private/\n")
        yield served


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    return Project(folder)


def page(title: str, *paragraphs: str, sidebar: str = "", lang: str = "en", charset: str | None = "utf-8",
         extra_head: str = "", footer: str = "Footer text, all rights reserved.") -> str:
    """An HTML page with navigation, a main article, a sidebar and a footer, like a real NGO site."""
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head>{meta}<title>{title}</title>{extra_head}</head>
<body>
<header><nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/about.html">About us</a></nav></header>
<main><article><h1>{title}</h1>
{body}
</article></main>
<aside class="sidebar"><h2>Most read</h2><ul>{sidebar}</ul></aside>
<footer><p>{footer}</p></footer>
</body></html>"""


def simple_config(site_url: str, *, terms: str = 'name = "Oleg Orlov"', extra: str = "",
                  source_extra: str = "", subscriber_extra: str = "", database: str = "vigil.db",
                  concurrency: int = 8, channels: tuple[str, ...] = ("file://alerts.jsonl",)) -> str:
    """A config with one source on the local site, one watchlist and the subscriber "desk";
    `extra` is appended (more subscribers, say)."""
    quoted = ", ".join(f'"{channel}"' for channel in channels)
    return f"""
[vigil]
database = "{database}"
allow_private_networks = ["127.0.0.1/32"]

[[sources]]
name = "ngo"
start_urls = ["{site_url}/"]
delay = 0
concurrency = {concurrency}
{source_extra}

[[watchlists]]
name = "defenders"
[[watchlists.terms]]
{terms}

[[subscribers]]
name = "desk"
watchlists = ["defenders"]
channels = [{quoted}]
{subscriber_extra}
{extra}
"""


def without_hanging(call, *args, timeout: float = 120):
    """`call(*args)`, failing the test if it has not returned after `timeout` seconds: a guard
    against a hang (a trap that costs super-linear time), never a measurement of speed."""
    pool = ThreadPoolExecutor(1)
    try:
        return pool.submit(call, *args).result(timeout=timeout)
    finally:
        pool.shutdown(wait=False)
