"""Text from the web is inert in a terminal: every command prints control characters escaped."""
from __future__ import annotations

import json
import re

import pytest

from conftest import page, simple_config

pytestmark = pytest.mark.e2e   # `vigil` run as processes against local servers

# What a terminal acts on: C0 but tab and newline, DEL, C1 (U+009B is a one-character CSI), bidi overrides.
LIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
OSC_TITLE = "\x1b]0;owned\x07"     # sets the terminal's window title
CLEAR = "\x1b[2J"                  # clears the screen
CSI_8BIT = "\x9b31m"               # the same in one C1 character


def test_headers_and_titles_from_the_web_are_printed_escaped(site, project):
    site.write("index.html", page(f"Appeal {CSI_8BIT}court\u202e upheld",
                                  "The court upheld the sentence handed down to Oleg Orlov for his article.",
                                  '</p><p><a href="/busy.html">busy</a>'))
    site.statuses["/busy.html"] = 503
    site.headers["/busy.html"] = {"Retry-After": f"60{OSC_TITLE}{CLEAR}{CSI_8BIT}",
                                  "Content-Type": f"text/plain{CSI_8BIT}"}
    site.headers["/"] = {"X-Note": f"proof{OSC_TITLE}"}
    project.write_config(simple_config(site.url))

    crawled = project.ok("crawl")
    snapshot = json.loads(project.ok("history", f"{site.url}/", "--format", "json").stdout.splitlines()[0])["snapshot"]
    outputs = {
        "crawl": crawled.stdout,
        "errors": project.ok("errors").stdout,
        "errors json": project.ok("errors", "--format", "json").stdout,
        "status": project.ok("status").stdout,
        "status json": project.ok("status", "--format", "json").stdout,
        "search": project.ok("search", "Orlov").stdout,
        "search json": project.ok("search", "Orlov", "--format", "json").stdout,
        "mentions json": project.ok("mentions", "--format", "json").stdout,
        "mentions csv": project.ok("mentions", "--format", "csv").stdout,
        "evidence": project.ok("evidence", str(snapshot), "--out", str(project.path / "proof.html")).stdout,
        "history": project.ok("history", f"{site.url}/").stdout,
    }
    for name, text in outputs.items():
        assert not LIVE.search(text), (name, text)
    assert "Retry-After: 60\\x1b]0;owned\\x07\\x1b[2J\\x9b31m" in outputs["crawl"]
    assert "\\x1b]0;owned" in outputs["errors"] and "\\x1b]0;owned" in outputs["status"]
    assert "header  x-note: proof\\x1b]0;owned\\x07" in outputs["evidence"].lower()
    # JSON stays JSON: the escapes decode back to the very text that was stored
    errors = [json.loads(line) for line in outputs["errors json"].splitlines()]
    assert any(f"{OSC_TITLE}{CLEAR}{CSI_8BIT}" in error["reason"] for error in errors)
