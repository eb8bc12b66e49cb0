"""The frontier: new pages first within a budget, adaptive revisits, hints sites give for free."""
from __future__ import annotations

import time

import pytest

from conftest import page, simple_config
from crawler.core.timeutil import parse_iso

pytestmark = pytest.mark.e2e   # `vigil` run as processes against local servers

ORLOV = "Oleg Orlov, co-chair of the Memorial Human Rights Centre, was detained again on Tuesday."


WORDS = ("lawyers journalists students teachers doctors farmers miners pensioners artists bloggers priests "
         "searches summonses fines arrests raids dismissals threats beatings trials warnings").split()


def statement(n: int, *extra: str) -> str:
    """A statement whose words differ from every other's, so that no two are one story."""
    words = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(12)]
    return page(f"Statement {n} on the situation of defenders",
                f"In case {n} the monitoring group documented {' and '.join(words[:4])} in region {n * 13}.",
                f"Witnesses described {', '.join(words[4:8])} over {n + 2} weeks.",
                f"The group calls for an end to the {' and '.join(words[8:])} of number {n}.",
                *extra)


def front(*numbers: int) -> str:
    items = "".join(f'<li><a href="/s/{n}.html">Statement {n}</a></li>' for n in numbers)
    return page("Rights Centre", "Latest statements of the monitoring group.", f"</p><ul>{items}</ul><p>End.")


def runs(project) -> list[dict]:
    return project.db().execute(
        "SELECT fetched, new, due_left, new_left FROM runs ORDER BY id").fetchall()


def pages(project, *fields: str) -> dict[str, tuple]:
    rows = project.db().execute(f"SELECT url, {', '.join(fields)} FROM pages").fetchall()
    return {url.rsplit("/", 1)[-1]: tuple(rest) for url, *rest in rows}


def fetched_paths(site) -> list[str]:
    return [path for path, _ in site.times if path not in ("/robots.txt", "/sitemap.xml")]


def test_new_statements_are_found_and_alerted_whatever_the_archive_size(site, project):
    # 60 statements, a budget of 25: once the archive is known, known pages no longer fill the budget.
    for n in range(1, 61):
        site.write(f"s/{n}.html", statement(n))
    site.write("index.html", front(*range(60, 0, -1)))
    project.write_config(simple_config(site.url, source_extra="max_pages = 25\nmax_depth = 1"))
    for _ in range(4):
        project.ok("crawl")
    assert len(pages(project, "id")) == 61, "the whole archive is known after a few crawls"
    assert all(fetched <= 25 for fetched, *_ in runs(project))

    for n in (61, 62, 63):
        site.write(f"s/{n}.html", statement(n, ORLOV))
    site.write("index.html", front(63, 62, 61, *range(60, 0, -1)))
    site.times.clear()
    result = project.ok("crawl")
    assert "alerts sent 3" in result.stdout
    assert sorted(a["url"].rsplit("/", 1)[-1] for a in project.alerts()) == ["61.html", "62.html", "63.html"]
    fetched, new, due_left, new_left = runs(project)[-1]
    assert fetched <= 25 and new == 3 and new_left == 0
    # The front page and the new statements came before any revisit.
    order = fetched_paths(site)
    assert order[0] == "/"
    new_paths = {"/s/61.html", "/s/62.html", "/s/63.html"}
    last_new = max(order.index(path) for path in new_paths)
    assert not [path for path in order[:last_new] if path.startswith("/s/") and path not in new_paths]


def test_links_beyond_the_budget_wait_in_the_frontier_and_come_first_next_time(site, project):
    for n in range(1, 31):
        site.write(f"s/{n}.html", statement(n))
    site.write("index.html", front(*range(1, 31)))
    project.write_config(simple_config(site.url, source_extra="max_pages = 10\nmax_depth = 1"))
    project.ok("crawl")
    assert len(fetched_paths(site)) == 10, "the budget: the front page, its two template links, 7 statements"
    statements = {path for path in fetched_paths(site) if path.startswith("/s/")}
    assert runs(project)[-1][3] == 30 - len(statements), "the links left are kept"
    site.times.clear()
    project.ok("crawl")
    # The kept links come before the revisits of the pages the first crawl found.
    order = fetched_paths(site)
    known_first = statements
    first_revisit = min(i for i, path in enumerate(order) if path in known_first)
    assert all(path not in known_first for path in order[:first_revisit])
    assert first_revisit > 1
    assert len(pages(project, "id")) > 10


def test_revisit_intervals_lengthen_when_unchanged_and_shorten_on_change(site, project):
    site.write("index.html", front(1, 2))
    site.write("s/1.html", statement(1))
    site.write("s/2.html", statement(2, ORLOV))
    project.write_config(simple_config(site.url, source_extra=(
        'schedule = "every 1h"\nrevisit_ceiling = "3h"\nrevisit_ceiling_watched = "90m"')))
    intervals = []
    for _ in range(5):
        project.ok("crawl", "--revisit-all")
        found = pages(project, "revisit_interval", "names_watched")
        intervals.append((found["1.html"][0], found["2.html"][0]))
    assert pages(project, "names_watched")["2.html"] == (1,)
    # New: at the next crawl; then the crawl interval, half as long again each time, to the ceiling.
    assert intervals == [(0, 0), (3600, 3600), (5400, 5400), (8100, 5400), (10800, 5400)]

    site.write("s/1.html", statement(1, "The group added a correction to the names of the lawyers."))
    project.ok("crawl", "--revisit-all")
    assert pages(project, "revisit_interval")["1.html"] == (5400,)
    site.write("s/1.html", statement(1, "A second correction was added to the names of the lawyers."))
    project.ok("crawl", "--revisit-all")
    assert pages(project, "revisit_interval")["1.html"] == (0,), "under the crawl interval: due at the next crawl"


def test_pages_not_due_are_not_fetched_and_start_urls_always_are(site, project):
    site.write("index.html", front(1, 2))
    site.write("s/1.html", statement(1))
    site.write("s/2.html", statement(2))
    project.write_config(simple_config(site.url, source_extra='schedule = "every 1h"\nmax_depth = 1'))
    project.ok("crawl")
    project.ok("crawl")          # the new pages are due at once; unchanged, they wait an hour
    site.times.clear()
    project.ok("crawl")
    # Nor are the template's dead links (/news/, /about.html) tried again before the ceiling.
    assert fetched_paths(site) == ["/"]
    site.times.clear()
    project.ok("crawl", "--revisit-all")
    assert {"/", "/s/1.html", "/s/2.html"} <= set(fetched_paths(site))


def test_cache_lifetimes_delay_a_visit_up_to_the_ceiling(site, project):
    site.write("index.html", front(1, 2))
    site.write("s/1.html", statement(1))
    site.write("s/2.html", statement(2))
    site.headers["/s/1.html"] = {"Cache-Control": "public, max-age=7200"}
    site.headers["/s/2.html"] = {"Cache-Control": "max-age=999999"}
    project.write_config(simple_config(site.url, source_extra='schedule = "every 1h"\nrevisit_ceiling = "1d"'))
    project.ok("crawl")
    stored = pages(project, "next_visit_at", "last_fetched")
    for name, expected in (("1.html", 7200), ("2.html", 86400)):
        next_visit, fetched = stored[name]
        assert abs((parse_iso(next_visit) - parse_iso(fetched)).total_seconds() - expected) < 1, name


def test_a_newer_sitemap_lastmod_makes_a_known_page_due(site, project):
    site.write("index.html", front(1, 2))
    site.write("s/1.html", statement(1))
    site.write("s/2.html", statement(2))

    def sitemap(lastmod: str) -> str:
        entries = "".join(f"<url><loc>{site.url}/s/{n}.html</loc><lastmod>{lastmod if n == 1 else '2020-01-01'}"
                          f"</lastmod></url>" for n in (1, 2))
        return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'

    site.write("sitemap.xml", sitemap("2020-01-01"))
    project.write_config(simple_config(site.url, source_extra=(
        f'schedule = "every 1h"\nsitemaps = ["{site.url}/sitemap.xml"]')))
    project.ok("crawl")
    project.ok("crawl")
    site.times.clear()
    project.ok("crawl")
    assert "/s/1.html" not in fetched_paths(site), "not due, and the sitemap says nothing changed"
    site.write("s/1.html", statement(1, ORLOV))
    site.write("sitemap.xml", sitemap(time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 60))))
    site.times.clear()
    result = project.ok("crawl")
    assert "/s/1.html" in fetched_paths(site) and "/s/2.html" not in fetched_paths(site)
    assert "alerts sent 1" in result.stdout


def test_a_named_page_taken_down_is_seen_within_its_ceiling_whatever_the_archive_size(site, project):
    for n in range(1, 41):
        site.write(f"s/{n}.html", statement(n, ORLOV if n == 7 else "The appeal was filed on time."))
    site.write("index.html", front(*range(40, 0, -1)))
    config = 'schedule = "every 12h"\nmax_depth = 1\nmax_pages = {}'
    project.write_config(simple_config(site.url, source_extra=config.format(100)))
    project.ok("crawl")
    for _ in range(4):   # unchanged visits: the intervals grow, the named page's to its one-day ceiling
        project.ok("crawl", "--revisit-all")
    intervals = pages(project, "revisit_interval")
    assert intervals["7.html"] == (86400,) and intervals["8.html"][0] > 86400

    # A day and an hour later, with a budget far below the archive: the named page is due, the others not yet.
    db = project.db()
    with db.atomic():
        db.execute("UPDATE pages SET next_visit_at = strftime('%Y-%m-%dT%H:%M:%fZ', next_visit_at, '-25 hours')")
    project.write_config(simple_config(site.url, source_extra=config.format(10)))
    site.remove("s/7.html")
    site.times.clear()
    project.ok("crawl")
    assert "/s/7.html" in fetched_paths(site)
    removed = [e for e in project.ok("events", "--format", "json").json_lines() if e["event"] == "removed"]
    assert [e["url"].rsplit("/", 1)[-1] for e in removed] == ["7.html"]


@pytest.mark.e2e
def test_a_source_that_knows_twenty_thousand_pages_still_sees_its_new_statement_first(site, project):
    known = 20_000
    for n in range(1, 60):
        site.write(f"s/{n}.html", statement(n))
    site.write("s/new.html", statement(99_999, ORLOV))
    site.write("index.html", front(*range(1, 60)).replace('<li><a href="/s/1.html">',
                                                           '<li><a href="/s/new.html">New</a></li><li><a href="/s/1.html">'))
    project.write_config(simple_config(site.url, source_extra="max_pages = 1000\nmax_depth = 1", concurrency=16))
    # The archive as an earlier year of crawls left it: 20,000 pages, every one due for a visit.
    db = project.db()
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO pages (source, url, fetch_url, first_seen, last_fetched, depth) VALUES ('ngo', ?, ?, ?, ?, 1)",
            [(f"{site.url}/s/{n}.html", f"{site.url}/s/{n}.html", now, now) for n in range(1, known + 1)])
    site.times.clear()
    result = project.ok("crawl")
    assert "alerts sent 1" in result.stdout
    assert [a["url"].rsplit("/", 1)[-1] for a in project.alerts()] == ["new.html"]
    fetched, new, due_left, new_left = runs(project)[-1]
    assert len(fetched_paths(site)) <= 1000 and fetched <= 1000
    assert new >= 1 and due_left >= known - 1000
    assert fetched_paths(site).index("/s/new.html") < 5
