"""Quiet pages share a transaction; a page that names someone is committed at once, whole.

The storage tests use a real SQLite file and a second connection to see what is committed.
The crawl tests run `vigil crawl` for real: batched writes keep alerts exact, and a crawl killed
with SIGKILL while quiet pages wait in its batch loses nothing that alerted; the next crawl reads
the lost quiet pages again and ends where a clean crawl ends.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import REPO, Project, page, simple_config
from storage.db import StorageError, open_database
from test_daemon import SlowSite, index, query

NAMING = {
    "appeal.html": ("Appeal hearing postponed",
                    "The appeal hearing of Oleg Orlov was postponed by the Moscow City Court until next month.",
                    "Observers from four embassies were turned away at the door of the courtroom."),
    "transfer.html": ("Prisoner transferred to a distant colony",
                      "Relatives learned from a prison official that Oleg Orlov had been moved to Syzran.",
                      "The transfer by rail took eleven days, during which nobody knew where he was."),
    "letter.html": ("A letter from the colony",
                    "In a handwritten letter, Oleg Orlov thanks supporters for postcards from thirty countries.",
                    "He writes that he reads Tolstoy in the evenings and follows the news on the radio."),
}
TOPICS = ("overcrowded cells", "winter heating", "medical care", "visiting rights", "parcels", "solitary confinement",
          "prison labour", "censorship of letters", "transfers by rail", "hunger strikes", "lawyers' access", "food")
QUIET = {f"report-{n}.html": (f"Report on {topic}",
                              f"Our monitors visited {n + 3} colonies to study {topic} this year.",
                              f"Report {n} counts {n * 7 + 11} complaints and {n + 2} replies from the authorities.")
         for n, topic in enumerate(TOPICS)}
SLOW = "slow.html"


def committed(path, sql: str) -> list[tuple]:
    """What another connection sees: only committed rows."""
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "vigil.db")
    database.execute("CREATE TABLE notes (text TEXT)")
    yield database
    database.conn.close()


def test_a_batch_is_committed_when_asked_and_a_failed_unit_is_undone_alone(db, tmp_path):
    path = tmp_path / "vigil.db"
    with db.batched():
        db.execute("INSERT INTO notes VALUES ('first')")
    with pytest.raises(ValueError):
        with db.batched():
            db.execute("INSERT INTO notes VALUES ('broken')")
            raise ValueError("a page that cannot be processed")
    with db.batched():
        db.execute("INSERT INTO notes VALUES ('second')")
    assert committed(path, "SELECT text FROM notes") == []
    assert db.batch_due(max_units=2, max_seconds=3600) and not db.batch_due(max_units=3, max_seconds=3600)
    db.commit_batch()
    assert committed(path, "SELECT text FROM notes ORDER BY rowid") == [("first",), ("second",)]


def test_any_other_transaction_commits_the_batch_first_and_its_own_when_it_ends(db, tmp_path):
    path = tmp_path / "vigil.db"
    with db.batched():
        db.execute("INSERT INTO notes VALUES ('quiet page')")
    with db.atomic():
        db.execute("INSERT INTO notes VALUES ('run finished')")
    assert committed(path, "SELECT text FROM notes ORDER BY rowid") == [("quiet page",), ("run finished",)]
    assert not db.batch_due(max_units=1, max_seconds=0)   # no batch is open any more


def test_a_batch_that_sqlite_undid_stops_the_crawl_rather_than_lose_pages_in_silence(db):
    with db.batched():
        db.execute("INSERT INTO notes VALUES ('quiet page')")
    with pytest.raises(StorageError, match="undid the last 1 pages"):
        with db.batched():
            db.conn.rollback()   # as SQLite does on some faults: the whole transaction is gone


def _open_temporary_files() -> list[str]:
    """SQLite's temporary files this process holds open (deleted as soon as made, so seen only here)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if "etilqs_" in target:
            found.append(target)
    return found


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
@pytest.mark.parametrize("begin", ["batched", "try_begin_batch"])
def test_units_of_a_batch_journal_in_memory_not_in_temporary_files(db, begin):
    # Each unit's savepoint journals the pages it changes; beyond 64 KB SQLite would spill that
    # journal to a temporary file for every batch of a crawl.
    if begin == "try_begin_batch":
        assert db.try_begin_batch()
    db.execute("CREATE INDEX notes_text ON notes (text)")
    for unit in range(3):
        with db.batched():
            db.conn.executemany("INSERT INTO notes VALUES (?)", [(os.urandom(400).hex(),) for _ in range(300)])
    assert _open_temporary_files() == []
    db.commit_batch()
    assert db.execute("SELECT count(*) FROM notes").fetchone()[0] == 900


def _write_site(site) -> None:
    site.write("robots.txt", "User-agent: *\nAllow: /\n")
    # One request at a time, the links of a page are fetched last first: the named pages, then the
    # quiet ones, then the slow page.
    site.write("index.html", index(SLOW, *QUIET, *reversed(NAMING)))
    for name, (title, *paragraphs) in {**NAMING, **QUIET}.items():
        site.write(name, page(title, *paragraphs))
    site.write(SLOW, page("Annual report", "The annual report covers all regions of the country."))


def _alert_key(payload: dict) -> tuple:
    return payload["subscriber"], payload["event"], payload["url"], tuple(m["term"] for m in payload["mentions"])


def _state(project) -> dict:
    return {
        "pages": {row["url"].rsplit("/", 1)[-1] for row in query(project, "SELECT url FROM pages")},
        "snapshots": {(row["url"], row["text_hash"]) for row in query(
            project, "SELECT p.url, s.text_hash FROM snapshots s JOIN pages p ON p.id = s.page_id")},
        "mentions": {(row["url"], row["term"]) for row in query(
            project, "SELECT p.url, m.term FROM mentions m JOIN pages p ON p.id = m.page_id")},
        "alerts": sorted(_alert_key(json.loads(row["payload"]))
                         for row in query(project, "SELECT payload FROM alerts")),
    }


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    """The site, and what a crawl of it with every page committed on its own stores."""
    root = tmp_path_factory.mktemp("batched")
    with SlowSite(root / "site") as site:
        _write_site(site)
        reference = Project(root / "reference")
        reference.path.mkdir()
        reference.write_config(simple_config(site.url, concurrency=1))
        reference.ok("crawl", env={"VIGIL_WRITE_BATCH_SECONDS": "0"})
        yield site, root, _state(reference)


@pytest.mark.e2e
def test_batched_writes_keep_alerts_exact(newsroom):
    site, root, expected = newsroom
    project = Project(root / "batched")
    project.path.mkdir()
    project.write_config(simple_config(site.url, concurrency=4))
    first = project.ok("crawl", env={"VIGIL_WRITE_BATCH_SECONDS": "30"})   # quiet pages wait for the crawl's end
    assert f"new {len(NAMING) + len(QUIET) + 2}" in first.stdout   # the index and the slow page too
    assert _state(project) == expected
    assert sorted(alert["url"].rsplit("/", 1)[-1] for alert in project.alerts()) == sorted(NAMING)
    again = project.ok("crawl", env={"VIGIL_WRITE_BATCH_SECONDS": "30"})
    assert "alerts sent 0" in again.stdout and _state(project) == expected
    assert len(project.alerts()) == len(NAMING)


@pytest.mark.e2e
def test_a_crawl_killed_mid_batch_loses_nothing_that_alerted(newsroom):
    site, root, expected = newsroom
    project = Project(root / "killed")
    project.path.mkdir()
    project.write_config(simple_config(site.url, concurrency=1))
    site.arrived.clear()
    site.delays[f"/{SLOW}"] = 30
    env = {**os.environ, "PYTHONPATH": str(REPO), "VIGIL_WRITE_BATCH_SECONDS": "600"}
    crawl = subprocess.Popen([sys.executable, "-m", "crawler", "--config", str(project.config), "crawl"],
                             cwd=project.path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while f"/{SLOW}" not in site.arrived and time.monotonic() < deadline and crawl.poll() is None:
            time.sleep(0.05)
        assert f"/{SLOW}" in site.arrived, "the crawl never reached the slow page"
        time.sleep(2)   # the pages fetched before the slow one are ingested meanwhile (milliseconds each)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(30)
    finally:
        site.delays.clear()
        if crawl.poll() is None:
            crawl.kill()
    fetched = [path.lstrip("/") for path in site.arrived]
    state = _state(project)
    # Every named page fetched is there, whole: its snapshot, its mention and its alert.
    assert set(NAMING) <= set(fetched)
    for name in NAMING:
        url = f"{site.url}/{name}"
        assert name in state["pages"] and (url, "Oleg Orlov") in state["mentions"]
        assert any(url_of == url for url_of, _ in state["snapshots"])
    assert sorted(state["alerts"]) == sorted(expected["alerts"])
    # Quiet pages read after the last named one were waiting in the batch: the kill lost them (each
    # named page committed the quiet pages before it with its own).
    assert set(QUIET) <= set(fetched) and set(QUIET) - state["pages"]
    assert query(project, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]

    # The next crawl reads them again and ends where a clean crawl ends; no alert twice.
    project.ok("crawl")
    assert _state(project) == expected
    assert sorted(alert["url"].rsplit("/", 1)[-1] for alert in project.alerts()) == sorted(NAMING)


def test_a_failure_is_committed_when_its_batch_is_due_and_holds_no_lock_meanwhile(tmp_path):
    """`vigil run`'s workers commit each page at once (no batch): a failed request must be committed at
    once too, or its open transaction holds the write lock that every other writer waits for."""
    from crawler.core.config import load_config
    from crawler.core.kinds import FailureKind
    from crawler.ingest.items import CrawlFigures, FetchFailure
    from crawler.ingest.steps import Ingestor

    (tmp_path / "vigil.toml").write_text(simple_config("http://127.0.0.1:9"), encoding="utf-8")
    config = load_config(tmp_path / "vigil.toml")
    database = open_database(tmp_path / "vigil.db")
    failure = FetchFailure(source="ngo", url="http://127.0.0.1:9/gone.html", kind=FailureKind.HTTP,
                           reason="HTTP 404", at="2026-12-07T10:00:00.000000Z")
    try:
        Ingestor(database, config, None, None, CrawlFigures(), write_batch_seconds=0).failure(failure)
        assert committed(tmp_path / "vigil.db", "SELECT reason FROM errors") == [("HTTP 404",)]
        assert not database.conn.in_transaction
        batched = Ingestor(database, config, None, None, CrawlFigures(), write_batch_seconds=60)
        batched.failure(failure)   # in a batch that is not due: waits for it, as a quiet page does
        assert database.conn.in_transaction and len(committed(tmp_path / "vigil.db", "SELECT * FROM errors")) == 1
        batched.commit()
        assert len(committed(tmp_path / "vigil.db", "SELECT * FROM errors")) == 2
    finally:
        database.conn.close()
