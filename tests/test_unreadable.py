"""Pages that come out of extraction empty: read after all when they can be, recorded when they cannot."""
from __future__ import annotations

import pytest

from conftest import page, simple_config

pytestmark = pytest.mark.e2e   # `vigil` run as processes against local servers

STATEMENT = page(
    "New amendments widen the foreign agent law",
    "Parliament adopted amendments that allow the authorities to designate any person a foreign agent "
    "on the basis of vaguely defined foreign influence.",
    "The amendments also ban such persons from teaching and from organising public events.",
    "We urge the upper house to reject the amendments and the president not to sign them.",
)
# The same page as a site that moved to client-side rendering serves it: a title and an empty shell.
SCRIPT_SHELL = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>New amendments widen the foreign agent law</title><script src="/app.js"></script></head>
<body><div id="app"></div></body></html>"""


def _index() -> str:
    return page("Rights Centre", "We document the persecution of human rights defenders.",
                '</p><ul><li><a href="/law.html">Statement</a></li></ul><p>Every report is verified.')


def _events(project, *kinds):
    return [(e["event"], e["url"].rsplit("/", 1)[-1]) for e in project.ok("events", "--format", "json").json_lines()
            if e["event"] in kinds]


def test_a_control_character_entity_does_not_hide_a_new_mention(site, project):
    site.write("index.html", _index())
    site.write("law.html", STATEMENT)
    project.write_config(simple_config(site.url))
    project.ok("crawl")
    # One backspace written as an entity, beside a new paragraph naming a watched person.
    site.write("law.html", STATEMENT.replace(
        "</article>", "<p>Among those already labelled is Oleg Orlov&#8;, now serving his sentence.</p></article>"))
    result = project.ok("crawl")
    assert "changed 1" in result.stdout
    alerts = project.alerts()
    assert len(alerts) == 1 and alerts[0]["url"] == f"{site.url}/law.html"
    assert "already labelled is Oleg Orlov, now" in alerts[0]["mentions"][0]["snippet"]


def test_a_page_read_as_empty_is_an_error_and_keeps_its_text(site, project):
    site.write("index.html", _index())
    site.write("law.html", STATEMENT.replace("</article>", "<p>Oleg Orlov signed the appeal.</p></article>"))
    project.write_config(simple_config(site.url, subscriber_extra="takedowns = true"))
    project.ok("crawl")
    db = project.db()
    snapshots_before = db.execute("SELECT count(*) FROM snapshots").fetchone()[0]

    site.write("law.html", SCRIPT_SHELL)
    result = project.ok("crawl")
    assert "changed 0" in result.stdout and "removed 0" in result.stdout
    errors = [e for e in project.ok("errors", "--format", "json").json_lines() if e["url"].endswith("/law.html")]
    assert [e["kind"] for e in errors] == ["empty_text"]
    assert "is kept" in errors[0]["reason"]
    # Neither a removal nor a new version, nor a name removed: the page is as it was.
    assert _events(project, "removed", "changed", "mention_removed") == []
    assert db.execute("SELECT count(*) FROM snapshots").fetchone()[0] == snapshots_before
    assert db.execute("SELECT state FROM pages WHERE url LIKE '%/law.html'").fetchone()[0] == "live"
    assert [a["event"] for a in project.alerts()] == ["mention_added"]

    # The same empty body next time is read again and said again, not skipped as seen before.
    site.conditional = False
    project.ok("crawl")
    assert db.execute("SELECT count(*) FROM errors WHERE kind = 'empty_text'").fetchone()[0] == 2

    # Once the text is back, nothing has changed.
    site.write("law.html", STATEMENT.replace("</article>", "<p>Oleg Orlov signed the appeal.</p></article>"))
    result = project.ok("crawl")
    assert "changed 0" in result.stdout
    assert _events(project, "removed", "changed", "mention_removed", "mention_added") == [("mention_added", "law.html")]


def test_a_known_page_that_turns_unreadable_is_said_so_at_every_crawl(site, project):
    site.write("index.html", _index())
    site.write("law.html", STATEMENT)
    project.write_config(simple_config(site.url))
    project.ok("crawl")
    site.conditional = False
    site.write("law.html", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    project.ok("crawl")
    project.ok("crawl")
    db = project.db()
    kinds = [row[0] for row in db.execute("SELECT kind FROM errors WHERE url LIKE '%/law.html' ORDER BY id")]
    assert kinds == ["processing", "processing"]
    assert _events(project, "removed", "changed") == []
