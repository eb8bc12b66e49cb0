"""A crawl of a hostile site ends in bounded time and memory, names every bad URL with its reason,
and still alerts on the good pages beside them."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import REPO, without_hanging
from crawler.ingest.items import FetchedPage
from crawler.ingest.pipelines import ExtractPipeline, readable_prefix
from hostile import BAD_PAGES, GOOD_PAGES, SURVIVABLE_PAGES, WATCHED, HostileSite

pytestmark = pytest.mark.e2e   # real daemons, crawls and servers: `pytest -m "not e2e"` skips them

DOWNLOAD_TIMEOUT = 10   # seconds; the drip page holds a download this long


def _config(project, url: str, *, max_depth: int = 2, max_pages: int = 80, follow: str = "") -> None:
    project.write_config(f"""
        [vigil]
        database = "vigil.db"
        allow_private_networks = ["127.0.0.1/32"]

        [[sources]]
        name = "hostile"
        start_urls = ["{url}"]
        delay = 0
        concurrency = 8
        max_depth = {max_depth}
        max_pages = {max_pages}
        {follow}

        [[watchlists]]
        name = "defenders"
        [[watchlists.terms]]
        name = "{WATCHED}"

        [[subscribers]]
        name = "desk"
        watchlists = ["defenders"]
        channels = ["file://alerts.jsonl"]
        """)


def _measured_crawl(project) -> tuple[subprocess.CompletedProcess, float]:
    """`vigil crawl` in a child of a fresh process, so the peak RSS read belongs to the crawl alone.
    Its time is bounded by a generous timeout: the drip page costs one download timeout, never an
    hour, and nothing waits twice for it."""
    probe = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(done.returncode)")
    env = {**os.environ, "PYTHONPATH": str(REPO), "VIGIL_DOWNLOAD_TIMEOUT": str(DOWNLOAD_TIMEOUT)}
    env.pop("VIGIL_CONFIG", None)
    done = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "crawler", "--config",
                           str(project.config), "crawl"], capture_output=True, text=True, cwd=project.path,
                          env=env, timeout=180)
    *log, peak_kb = done.stderr.rstrip("\n").split("\n")
    done.stderr = "\n".join(log)
    return done, int(peak_kb) / 1024


def test_a_hostile_site_is_survived(project):
    with HostileSite(huge_mb=30, bomb_mb=64, paragraph_mb=10, nesting=100_000, links=100_000) as site:
        _config(project, f"{site.url}/")
        crawl, peak_mb = _measured_crawl(project)
        requested = list(site.requests)
    assert crawl.returncode == 0, crawl.stderr
    assert "Traceback" not in crawl.stderr, crawl.stderr
    # bounded time (the timeout above): the drip page was asked for once, never waited for twice
    assert requested.count("/drip.html") == 1
    # bounded memory: a 30 MB body and a 64 MB gzip bomb are never held whole
    assert peak_mb < 400, f"peak RSS {peak_mb:.0f} MB"

    errors = {row["url"].removeprefix(site.url): row for row in project.ok("errors", "--format", "json").json_lines()}
    for path, kind in BAD_PAGES.items():
        assert path in errors, f"{path} not recorded among {sorted(errors)}"
        assert errors[path]["kind"] == kind, errors[path]
        assert errors[path]["reason"] and errors[path]["source"] == "hostile"
    assert "16 MB" in errors["/huge.html"]["reason"] and "16 MB" in errors["/bomb.html"]["reason"]
    assert "redirects" in errors["/loop/a"]["reason"]
    assert errors["/error503.html"]["reason"] == "HTTP 503 (Retry-After: 3600)"
    assert errors["/drip.html"]["reason"] == f"no complete answer within {DOWNLOAD_TIMEOUT} s"
    assert errors["/links.html"]["kind"] == "truncated" and "100,001 links" in errors["/links.html"]["reason"]
    assert errors["/paragraph.html"]["kind"] == "truncated"
    long_link = [row for url, row in errors.items() if url.startswith("/search?q=aaaa")]
    assert long_link and long_link[0]["kind"] == "trap"
    assert "characters long, over the limit of 2048" in long_link[0]["reason"]

    alerted = {alert["url"].removeprefix(site.url) for alert in project.alerts()}
    assert alerted >= {*GOOD_PAGES, *SURVIVABLE_PAGES}, sorted(alerted)
    assert not alerted & set(BAD_PAGES)
    # the page with 100,000 links was followed no further than its first 2,000, within max_pages
    assert sum(path.startswith("/items/") for path in requested) <= 80


def test_an_endless_calendar_is_cut_and_recorded_once(project):
    with HostileSite(bomb_mb=1, links=10) as site:
        _config(project, f"{site.url}/calendar?month=2024-06", max_depth=3, max_pages=1000,
                follow='follow = ["/calendar"]')
        project.ok("crawl")
        calendar_urls = {path for path in site.full_requests if path.startswith("/calendar")}
    # 30 links a month, 3 levels deep: without the bound this is about 900 URLs
    assert 40 <= len(calendar_urls) <= 51, len(calendar_urls)   # VIGIL_MAX_QUERY_VARIANTS and the start URL
    traps = [row for row in project.ok("errors", "--format", "json").json_lines() if row["kind"] == "trap"]
    assert len(traps) == 1, traps
    assert "more than 50 query-string variants of /calendar" in traps[0]["reason"]


def test_a_robots_txt_that_breaks_off_is_survived_quietly(project):
    with HostileSite(bomb_mb=1, links=10, robots="reset") as site:
        _config(project, f"{site.url}/good/appeal.html", max_depth=0)
        result = project.ok("crawl")
    assert "1 mention (" in result.stdout   # the site is crawled as if it had no robots.txt
    assert "Traceback" not in result.stderr


def _monstrous(kind: str) -> bytes:
    head = b"<html><body><article><p>A statement about " + WATCHED.encode() + b" before the rest.</p>"
    if kind == "10 MB paragraph":
        middle = b"<p>" + b"the court said that defenders were detained " * 250_000 + b"</p>"
    else:
        middle = b"<div>" * 100_000 + b"deep" + b"</div>" * 100_000
    return head + middle + b"</article></body></html>"


@pytest.mark.parametrize("kind", ["10 MB paragraph", "100,000 nested tags"])
def test_extraction_of_monstrous_pages_is_bounded(kind):
    body = _monstrous(kind)
    item = FetchedPage(source="s", page_url=None, url="http://site.example/p", final_url="http://site.example/p",
                       status=200, headers={"content-type": "text/html; charset=utf-8"}, body=body,
                       fetched_at="2026-01-01T00:00:00Z")
    without_hanging(ExtractPipeline().extract_item, item)
    assert item.extraction is not None and WATCHED in item.extraction.text, getattr(item, "problem", None)
    kind, reason = item.problem
    assert kind == "truncated" and reason.startswith("only the first 1.0 MB of a ")


def test_bodies_are_cut_before_a_character_never_inside_one():
    body = ("Олег Орлов " * 1000).encode()
    for limit in range(1, 200):
        readable_prefix(body, limit).decode("utf-8")   # raises if a character were split
    assert readable_prefix(body, len(body) + 5) is body


def test_a_page_whose_links_are_not_followed_is_read_past_its_links(project, site):
    """The cut at VIGIL_MAX_LINKS_PER_PAGE bounds link extraction; a page at max_depth has none, so
    a name after its 2,001st link is still found, while the same page one level up is cut."""
    from conftest import page, simple_config

    links = "".join(f'<a href="/items/{n}.html">Item {n}</a> ' for n in range(2100))
    archive = page("Archive", f"Every item. {links}", "Oleg Orlov was detained on Monday.")
    site.write("index.html", page("Home", 'News: <a href="/archive.html">the archive</a>.'))
    site.write("archive.html", archive)
    project.write_config(simple_config(site.url, source_extra="max_depth = 1\nmax_pages = 5"))
    project.ok("crawl")
    assert [m["url"] for m in project.ok("mentions", "--format", "json").json_lines()] == [f"{site.url}/archive.html"]
    assert not [e for e in project.ok("errors", "--format", "json").json_lines() if e["kind"] == "truncated"]

    project.write_config(simple_config(site.url, source_extra="max_depth = 2\nmax_pages = 5",
                                       database="vigil-deeper.db"))
    project.ok("crawl")
    assert project.ok("mentions", "--format", "json").json_lines() == []   # the name lies past the cut
    assert [e["url"] for e in project.ok("errors", "--format", "json").json_lines() if e["kind"] == "truncated"] == [f"{site.url}/archive.html"]
