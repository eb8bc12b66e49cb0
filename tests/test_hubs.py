"""Listing pages (hubs): a name in a teaser alerts once, with its article, whichever is read first."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import REPO, page, simple_config
from crawler.text.extract import extract
from crawler.text.hubs import copied_from, teaser_at, teaser_spans
from test_daemon import SlowSite, query

pytestmark = pytest.mark.e2e   # `vigil` run as processes against local servers

ARTICLES = {
    "orlov.html": ("Appeal court upholds sentence against Oleg Orlov",
                   "The Moscow City Court upheld the sentence handed down to the co-chair of Memorial.",
                   "His lawyers said they would appeal to the Court of Cassation and to the United Nations."),
    "law.html": ("New amendments widen the foreign agent law",
                 "Parliament adopted amendments that allow the authorities to designate anyone a foreign agent.",
                 "The amendments also ban such persons from teaching and from organising public events."),
    "grozny.html": ("Lawyer detained in Grozny",
                    "Police detained a human rights lawyer on Monday morning after he left the court.",
                    "His colleagues said he was taken to an unknown location."),
    "markelov.html": ("Seventeen years without justice for Stanislav Markelov",
                      "Seventeen years ago the lawyer Stanislav Markelov was shot dead in central Moscow.",
                      "Those who ordered the murder have never been identified."),
}
TERMS = 'name = "Oleg Orlov"\n[[watchlists.terms]]\nname = "Stanislav Markelov"'


def front_page(*slugs: str, intro: str = "We document the persecution of human rights defenders.") -> str:
    """A front page with a teaser (headline, lead, "read more") for each article, like a real NGO site."""
    teasers = "".join(
        f'<article class="teaser"><h2><a href="/news/{slug}">{ARTICLES[slug][0]}</a></h2>'
        f'<p class="lead">{ARTICLES[slug][1]}</p><a href="/news/{slug}">Read more</a></article>'
        for slug in slugs)
    return page("Rights Centre", intro, f"</p>{teasers}<p>Every report is verified before we publish it.")


def publish(site, *slugs: str, intro: str | None = None) -> None:
    for slug in slugs:
        site.write(f"news/{slug}", page(*ARTICLES[slug]))
    site.write("index.html", front_page(*slugs) if intro is None else front_page(*slugs, intro=intro))


def alerted(project) -> list[tuple[str, list[str]]]:
    return [(a["url"].rsplit("/", 1)[-1], [m["term"] for m in a["mentions"]]) for a in project.alerts()]


def test_what_is_a_hub_and_what_is_a_teaser():
    base = "http://127.0.0.1:8000/"
    hub = extract(front_page("orlov.html", "law.html", "grozny.html").encode(), base)
    assert [t.url for t in hub.teasers] == [f"{base}news/{slug}" for slug in ("orlov.html", "law.html", "grozny.html")]
    assert hub.teasers[0].text.startswith("Appeal court upholds sentence against Oleg Orlov The Moscow City Court")
    start = hub.text.index("Oleg Orlov")
    assert teaser_at(hub.text, start, start + 10, hub.teasers, teaser_spans(hub.text, hub.teasers)) == hub.teasers[0]
    # An article with links in its text is no hub; navigation, sidebar and footer links do not count.
    article = page(*ARTICLES["orlov.html"][:2], 'See <a href="/news/law.html">the law</a> and '
                   '<a href="/news/grozny.html">Grozny</a>.', sidebar='<li><a href="/a">A</a></li><li><a href="/b">B</a></li>')
    assert extract(article.encode(), base).teasers == ()
    # A teaser repeats its article; a new paragraph that links to an older article does not.
    assert copied_from(hub.teasers[0].text, "\n".join(ARTICLES["orlov.html"]))
    assert not copied_from("Oleg Orlov was taken from his colony this morning. Read about his appeal",
                           "\n".join(ARTICLES["orlov.html"]))


def test_a_teaser_alerts_once_with_its_article(site, project):
    publish(site, "orlov.html", "law.html", "grozny.html")
    project.write_config(simple_config(site.url, terms=TERMS))
    project.ok("crawl")   # the front page is read first, its articles after it
    assert alerted(project) == [("orlov.html", ["Oleg Orlov"])]
    # The teaser's mention is kept, as one more place of the article's story.
    mentions = {m["url"].rsplit("/", 1)[-1]: m for m in project.ok("mentions", "--format", "json").json_lines()}
    assert set(mentions) == {"", "orlov.html"}
    assert mentions[""]["also_at"] == [f"{site.url}/news/orlov.html"]

    # A new article and its teaser; the old article's teaser stays: still one alert each.
    publish(site, "markelov.html", "orlov.html", "law.html", "grozny.html")
    project.ok("crawl")
    assert alerted(project) == [("orlov.html", ["Oleg Orlov"]), ("markelov.html", ["Stanislav Markelov"])]
    assert project.db().execute("SELECT count(*) FROM held_alerts").fetchone()[0] == 0


def test_a_teaser_of_an_article_read_long_ago_does_not_alert(site, project):
    publish(site, "law.html", "grozny.html", "markelov.html")
    site.write("news/orlov.html", page(*ARTICLES["orlov.html"]))
    project.write_config(simple_config(site.url, terms=TERMS))
    site.write("archive.html", page("Archive", '<a href="/news/orlov.html">Older statements</a>'))
    site.write("index.html", front_page("law.html", "grozny.html", "markelov.html").replace(
        "Every report", '<a href="/archive.html">Archive</a>. Every report'))
    project.ok("crawl")
    assert sorted(alerted(project)) == [("markelov.html", ["Stanislav Markelov"]), ("orlov.html", ["Oleg Orlov"])]
    # The front page now promotes the Orlov article, read in the first crawl.
    publish(site, "orlov.html", "law.html", "grozny.html", "markelov.html")
    project.ok("crawl")
    assert len(project.alerts()) == 2


def test_a_teaser_whose_article_is_not_read_alerts_at_the_end_of_the_crawl(site, project):
    publish(site, "orlov.html", "law.html", "grozny.html")
    # The article is never fetched: it is outside what the source may crawl.
    project.write_config(simple_config(site.url, terms=TERMS, source_extra='deny = ["/news/orlov"]'))
    project.ok("crawl")
    assert alerted(project) == [("", ["Oleg Orlov"])]
    assert project.db().execute("SELECT count(*) FROM held_alerts").fetchone()[0] == 0


def test_a_teaser_whose_article_does_not_name_the_person_alerts(site, project):
    publish(site, "orlov.html", "law.html", "grozny.html")
    # The article was edited and no longer names him; its teaser still does.
    site.write("news/orlov.html", page(ARTICLES["orlov.html"][0].replace("Oleg Orlov", "a veteran defender"),
                                       *ARTICLES["orlov.html"][1:]))
    project.write_config(simple_config(site.url, terms=TERMS))
    project.ok("crawl")
    assert alerted(project) == [("", ["Oleg Orlov"])]


def test_news_of_the_front_page_itself_alerts_beside_the_article(site, project):
    publish(site, "orlov.html", "law.html", "grozny.html",
            intro="Breaking: Oleg Orlov was taken from his colony to an unknown place this morning.")
    project.write_config(simple_config(site.url, terms=TERMS))
    project.ok("crawl")
    assert sorted(alerted(project)) == [("", ["Oleg Orlov"]), ("orlov.html", ["Oleg Orlov"])]


def test_a_teaser_held_by_a_crawl_that_died_waits_for_the_next_crawl(tmp_path, project):
    with SlowSite(tmp_path / "slow") as site:
        publish(site, "orlov.html", "law.html", "grozny.html")
        site.delays["/news/orlov.html"] = 120   # the article is not read before the crawl is killed
        project.write_config(simple_config(site.url, terms=TERMS))
        crawl = subprocess.Popen([sys.executable, "-m", "crawler", "--config", str(project.config), "crawl"],
                                 cwd=project.path, env={**os.environ, "PYTHONPATH": str(REPO)},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while not _held(project) and crawl.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _held(project), "the front page's teaser was never held"
        finally:
            os.killpg(crawl.pid, signal.SIGKILL)
            crawl.wait()
        assert project.alerts() == []
        site.delays.clear()
        project.ok("crawl")
    assert alerted(project) == [("orlov.html", ["Oleg Orlov"])]
    assert not _held(project)


def _held(project) -> int:
    if not (project.path / "vigil.db").exists():
        return 0
    try:
        return query(project, "SELECT count(*) AS n FROM held_alerts")[0]["n"]
    except sqlite3.OperationalError:   # the crawl has not created its tables yet
        return 0
