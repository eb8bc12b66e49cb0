"""Boilerplate churn on real page templates is never a change and never a mention."""
from __future__ import annotations

from pathlib import Path

import pytest

from alerts.matching.matcher import Matcher
from crawler.core.terms import Term
from crawler.text.diff import text_hash
from crawler.text.extract import extract

DATA = Path(__file__).parent / "data" / "churn"
WATCHED = [Term("Oleg Orlov", watchlist="w"), Term("Svetlana Gannushkina", watchlist="w")]

# Each template: the file, and where the article's own container ends (churn goes around it).
TEMPLATES = {
    "ovdinfo": ("ovdinfo-dvorcovoe-delo.html", "</article>"),
    "ebb-org": ("ebb-org.html", '<div id="prevlink">'),
}


def _churn(kind: str, version: int) -> tuple[str, str]:
    """(where, html) of one kind of boilerplate in version 1 or 2; version 2 names watched people."""
    name = "Oleg Orlov" if version == 2 else "a court in Moscow"
    other = "Svetlana Gannushkina" if version == 2 else "the weekly review"
    return {
        "navigation": ("header", f'<nav class="menu"><a href="/">Home</a> <a href="/news">News</a>'
                                 f'{" <a href=/cases>Cases</a> <a href=/donate>Donate now</a>" * version}</nav>'),
        "most-read": ("after", f'<aside class="sidebar most-read"><h3>Most read</h3><ul>'
                               f'<li><a href="/n/{version}">Interview with {name}</a></li>'
                               f'<li><a href="/m/{version}">Notes from {other}</a></li></ul></aside>'),
        "related": ("after", f'<div class="related-articles"><h4>Related</h4><ul><li><a href="/r/{version}">'
                             f'What happened to {name} last year</a></li></ul></div>'),
        "footer-timestamp": ("end", f'<footer class="site-footer"><p>Page generated on 2026-11-{10 + version} '
                                    f'at 0{version}:1{version}:00 UTC. All rights reserved.</p></footer>'),
        "cookie-banner": ("end", '<div id="cookie-consent" class="cookie-banner">We use cookies to improve your '
                                 'experience on our site. <button>Accept all cookies</button></div>' * (version - 1)),
        "comment-count": ("after", f'<div class="comments"><a href="#comments">Comments ({12 * version})</a></div>'),
        "ad-slot": ("after", f'<div class="ad-slot advertisement" id="ad-{version}"><a href="/ads/{version}">'
                             f'Advertisement: {"Summer sale on books" if version == 1 else "Winter tickets"}</a></div>'),
        "share-counter": ("after", f'<div class="share-buttons social-share"><span class="share-count">'
                                   f'{137 * version}</span> shares <a href="/share/fb">Facebook</a></div>'),
        "csrf-token": ("end", f'<form class="newsletter" action="/subscribe" method="post"><input type="hidden" '
                              f'name="csrf_token" value="tok{version}x{version * 7919}"><input name="email">'
                              f'<button>Subscribe</button></form>'),
        "tracking-script": ("end", f'<script>window.dataLayer=[{{"ts":"2026-11-{10 + version}","pv":{version}}}];'
                                   f'</script>'),
    }[kind]


KINDS = ["navigation", "most-read", "related", "footer-timestamp", "cookie-banner", "comment-count", "ad-slot",
         "share-counter", "csrf-token", "tracking-script"]


def _render(template: str, kinds: list[str], version: int) -> bytes:
    file, article_end = TEMPLATES[template]
    html = (DATA / file).read_text(encoding="utf-8")
    for kind in kinds:
        where, snippet = _churn(kind, version)
        if where == "header":
            body_open_end = html.index(">", html.index("<body")) + 1
            html = html[:body_open_end] + snippet + html[body_open_end:]
        elif where == "after":
            # Beside the article: after its closing tag, or before the element that follows it.
            placed = snippet + article_end if article_end.startswith("<div") else article_end + snippet
            html = html.replace(article_end, placed, 1)
        else:
            html = html.replace("</body>", snippet + "</body>", 1)
    return html.encode("utf-8")


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("kind", KINDS)
def test_churn_kind_changes_nothing(template, kind):
    before = extract(_render(template, [kind], 1), f"https://example.org/{template}", "text/html")
    after = extract(_render(template, [kind], 2), f"https://example.org/{template}", "text/html")
    assert before is not None and after is not None
    assert len(after.text) > 500, "the article itself must still be extracted"
    assert text_hash(before.text) == text_hash(after.text), _first_difference(before.text, after.text)
    assert Matcher(WATCHED).find(after.text) == []


def test_all_churn_at_once_on_a_crawled_site(site, project):
    from conftest import simple_config

    for template, (file, _) in TEMPLATES.items():
        site.write(f"{template}.html", _render(template, KINDS, 1))
    links = "".join(f'<li><a href="/{t}.html">{t}</a></li>' for t in TEMPLATES)
    site.write("index.html", f"<html><body><h1>Archive</h1><ul>{links}</ul></body></html>")
    project.write_config(simple_config(site.url, terms='name = "Oleg Orlov"'))
    project.ok("crawl")
    for template in TEMPLATES:
        site.write(f"{template}.html", _render(template, KINDS, 2))
    result = project.ok("crawl")
    assert "changed 0" in result.stdout
    events = project.ok("events", "--format", "json").json_lines()
    assert [e for e in events if e["event"] in ("changed", "mention_added")] == []
    assert project.alerts() == []


def _first_difference(a: str, b: str) -> str:
    for line_a, line_b in zip(a.split("\n"), b.split("\n")):
        if line_a != line_b:
            return f"first difference: {line_a[:120]!r} != {line_b[:120]!r}"
    return f"lengths differ: {len(a)} != {len(b)}; tail {b[len(a):][:200]!r}"
