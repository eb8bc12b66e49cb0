"""Takedowns a monitor must notice, and the evidence that proves what a page said."""
from __future__ import annotations

import hashlib
import sqlite3
import zlib

import pytest

from conftest import page, simple_config
from crawler.text.takedown import redirect_takedown, soft_404
from storage.snapshots import unpack

pytestmark = pytest.mark.e2e   # `vigil` run as processes against local servers

STATEMENT = page(
    "Lawyer detained in Grozny",
    "Police in Grozny detained the human rights lawyer Oleg Orlov on Monday morning after he left the court.",
    "His colleagues said he was taken to an unknown location and that his phone has been switched off since.",
    "We call on the authorities to disclose where he is held and to release him without delay.",
)


def _index(*links: str) -> str:
    items = "".join(f'<li><a href="/{link}">Item {n}</a></li>' for n, link in enumerate(links, 1))
    return page("Centre", "We document persecution in the North Caucasus.", f"</p><ul>{items}</ul><p>Verified.")


def _events(project, *kinds):
    return [e for e in project.ok("events", "--format", "json").json_lines() if e["event"] in kinds]


def test_redirect_rules():
    assert redirect_takedown("https://a.org/news/2026/x", "https://a.org/") is not None
    assert redirect_takedown("https://a.org/news/2026/x", "https://a.org/news") is not None
    assert redirect_takedown("https://a.org/news/2026/x", "https://a.org/about/us") is not None
    assert redirect_takedown("http://a.org/news/x", "https://a.org/news/x") is None
    assert redirect_takedown("https://a.org/news/x", "https://a.org/news/x-renamed") is None


def test_soft_404_rules():
    assert soft_404("Page not found | Centre", "Sorry, we could not find that.", 2000)
    assert soft_404("Centre", "Страница не найдена. Вернуться на главную.", 2000)
    assert soft_404("Centre", "Home About", 2400)
    long_text = "Police said the missing activist was not found at the address. " * 10
    assert soft_404("Activist missing", long_text, 900) is None
    assert soft_404("Statement", "A short statement of a hundred characters or so that says nothing odd at all.", None) is None


def test_soft_404_redirect_home_and_name_removed(site, project):
    site.write("index.html", _index("a.html", "b.html", "c.html"))
    site.write("a.html", STATEMENT)
    site.write("b.html", STATEMENT.replace("Grozny", "Nazran"))
    site.write("c.html", STATEMENT.replace("Grozny", "Makhachkala"))
    project.write_config(simple_config(site.url, subscriber_extra="takedowns = true"))
    project.ok("crawl")
    assert len(project.alerts()) == 1  # one statement, three places

    # a.html: a "not found" page answered with 200; b.html: redirected to the front page;
    # c.html: stays up, but the name is edited out.
    site.write("a.html", page("Page not found", "Sorry, the page you are looking for does not exist."))
    site.redirects["/b.html"] = "/"
    site.write("c.html", STATEMENT.replace("Makhachkala", "Makhachkala").replace(
        "the human rights lawyer Oleg Orlov", "a human rights lawyer"))
    project.ok("crawl")
    removed = {e["url"].rsplit("/", 1)[-1]: e for e in _events(project, "removed")}
    assert set(removed) == {"a.html", "b.html"}
    assert "not found" in removed["a.html"]["reason"]
    assert "front page" in removed["b.html"]["reason"]
    name_removed = _events(project, "mention_removed")
    assert [(e["url"].rsplit("/", 1)[-1], e["term"]) for e in name_removed] == [("c.html", "Oleg Orlov")]
    kinds = sorted(a["event"] for a in project.alerts() if a["event"] != "mention_added")
    assert kinds == ["mention_removed", "removed", "removed"]

    # a.html comes back: restored.
    site.write("a.html", STATEMENT)
    project.ok("crawl")
    assert [e["url"].rsplit("/", 1)[-1] for e in _events(project, "restored")] == ["a.html"]


def test_history_and_evidence(site, project):
    site.write("index.html", _index("a.html"))
    site.write("a.html", STATEMENT)
    project.write_config(simple_config(site.url))
    project.ok("crawl")
    site.write("a.html", STATEMENT.replace("</article>", "<p>He was released on Tuesday evening.</p></article>"))
    project.ok("crawl")

    history = project.ok("history", f"{site.url}/a.html").stdout
    assert "+ He was released on Tuesday evening." in history
    rows = [r for r in project.ok("history", f"{site.url}/a.html", "--format", "json").json_lines() if "snapshot" in r]
    assert len(rows) == 2 and rows[0]["evidence"] is True and rows[1]["added"] == ["He was released on Tuesday evening."]
    # A first snapshot is new in full: every paragraph is added (kept once, in the snapshot itself).
    assert rows[0]["added"][-2:] == ["His colleagues said he was taken to an unknown location and that his phone "
                                     "has been switched off since.", "We call on the authorities to disclose where "
                                     "he is held and to release him without delay."]
    assert len(rows[0]["added"]) >= 3 and rows[0]["removed"] == []

    out = project.path / "proof.html"
    result = project.ok("evidence", str(rows[0]["snapshot"]), "--out", str(out))
    original = STATEMENT.encode("utf-8")
    assert out.read_bytes() == original
    assert hashlib.sha256(original).hexdigest() in result.stdout
    assert f"url     {site.url}/a.html" in result.stdout

    # Texts and bodies are written with Zstandard; those an earlier Vigil wrote with zlib read the same.
    with sqlite3.connect(project.path / "vigil.db") as conn:
        text, body = conn.execute("SELECT s.text, e.body FROM snapshots s JOIN evidence e ON e.snapshot_id = s.id "
                                  "WHERE s.id = ?", [rows[0]["snapshot"]]).fetchone()
        assert text[:4] == body[:4] == b"\x28\xb5\x2f\xfd"
        conn.execute("UPDATE snapshots SET text = ? WHERE id = ?", [zlib.compress(unpack(text).encode(), 6),
                                                                    rows[0]["snapshot"]])
        conn.execute("UPDATE evidence SET body = ? WHERE snapshot_id = ?", [zlib.compress(original, 6),
                                                                            rows[0]["snapshot"]])
    assert project.ok("history", f"{site.url}/a.html").stdout == history
    out.unlink()
    assert project.ok("evidence", str(rows[0]["snapshot"]), "--out", str(out)).stdout == result.stdout
    assert out.read_bytes() == original

    missing = project.vigil("evidence", "999", "--out", str(out))
    assert missing.returncode == 2 and "no snapshot 999" in missing.stderr
    unknown = project.vigil("history", f"{site.url}/nope.html")
    assert unknown.returncode == 2 and "no page" in unknown.stderr


def test_unchanged_body_and_304_skip_extraction(site, project):
    site.write("index.html", _index("a.html"))
    site.write("a.html", STATEMENT)
    project.write_config(simple_config(site.url))
    project.ok("crawl")
    db = project.db()
    snapshots_before = db.execute("SELECT count(*) FROM snapshots").fetchone()[0]
    size_before = sum(len(r[0]) for r in db.execute("SELECT text FROM snapshots"))
    # 304 from the server's ETag check; then without conditional support, the same bytes.
    project.ok("crawl")
    site.conditional = False
    result = project.ok("crawl")
    assert "unchanged 2" in result.stdout
    assert db.execute("SELECT count(*) FROM snapshots").fetchone()[0] == snapshots_before
    assert sum(len(r[0]) for r in db.execute("SELECT text FROM snapshots")) == size_before
    statuses = [r[0] for r in db.execute("SELECT last_status FROM pages ORDER BY id")]
    assert statuses == [200, 200]


def test_an_extractor_upgrade_is_a_new_baseline_not_a_change(site, project):
    from crawler.text.extract import EXTRACTOR_VERSION
    from storage.snapshots import pack, unpack

    site.write("index.html", _index("a.html"))
    site.write("a.html", STATEMENT)
    project.write_config(simple_config(site.url, source_extra="max_depth = 1"))
    project.ok("crawl")
    assert len(project.alerts()) == 1
    # As if an older extractor had read the page: another version string, slightly other text.
    db = project.db()
    with db.atomic():
        for snapshot_id, text in list(db.execute("SELECT id, text FROM snapshots")):
            db.execute("UPDATE snapshots SET extractor = 'trafilatura-2.2.0+vigil-0', text = ?, text_hash = 'old' "
                       "WHERE id = ?", [pack(unpack(text) + "\nShare this statement"), snapshot_id])
        db.execute("UPDATE pages SET body_hash = NULL, etag = NULL, last_modified = NULL")
    result = project.ok("crawl")
    assert "changed 0" in result.stdout
    kinds = [e["event"] for e in project.ok("events", "--format", "json").json_lines()]
    assert "changed" not in kinds and kinds.count("mention_removed") == 0
    assert len(project.alerts()) == 1
    latest = db.execute("SELECT extractor FROM snapshots ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert latest == EXTRACTOR_VERSION
