"""The index rows of quiet pages (band keys, search rows) wait and go in together (storage/backlog.py).

Real SQLite files; a second connection sees only what is committed. Pages go through the real
extraction and ingestion code (as tests/ingest_helpers.py feeds them), with the Ingestor driven
as a crawl drives it: `page` for each page, `commit` now and then, `finish` at the end.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys

from alerts.matching.matcher import Matcher
from conftest import REPO, page, simple_config
from crawler.core.config import load_config
from crawler.ingest.items import CrawlFigures, FetchedPage
from crawler.ingest.pipelines import ExtractPipeline
from crawler.ingest.steps import Ingestor
from storage import backlog
from storage.db import open_database

STATEMENT = ("Human rights defenders in the region report that the trial of the journalist was closed to the "
             "public and to the press. The court refused to hear the defence's witnesses. Observers from "
             "several embassies waited outside the building for the whole day. The verdict is expected next week, "
             "and the defence says it will appeal whatever the outcome.")
OTHER = ("The winter school on documentation gathered forty lawyers from eleven countries. They practised "
         "interviewing witnesses, keeping records safe and writing reports that courts will accept. The next "
         "school opens in the spring, and applications are due by the end of February.")
NAMING = "Oleg Orlov was sentenced to two and a half years in a penal colony, the court announced on Tuesday."


class Crawl:
    """An Ingestor fed as a crawl feeds it, on a connection of its own."""

    def __init__(self, folder):
        (folder / "vigil.toml").write_text(simple_config("http://127.0.0.1:9"))
        self.config = load_config(folder / "vigil.toml")
        self.db = open_database(folder / "vigil.db")
        self.ingestor = Ingestor(self.db, self.config, Matcher(self.config.terms()), None, CrawlFigures())

    def page(self, url: str, *paragraphs: str) -> int:
        """Ingest a page; returns its story."""
        body = page("A statement", *paragraphs).encode()
        item = FetchedPage(source="ngo", page_url=None, url=url, final_url=url, status=200,
                           headers={"content-type": "text/html; charset=utf-8"}, body=body,
                           fetched_at="2026-12-07T10:00:00Z")
        self.ingestor.page(ExtractPipeline().extract_item(item))
        return self.db.execute("SELECT story_id FROM snapshots ORDER BY id DESC LIMIT 1").fetchone()[0]


def committed(folder, sql: str) -> list[tuple]:
    with sqlite3.connect(folder / "vigil.db") as conn:
        return conn.execute(sql).fetchall()


def indexed_stories(folder) -> set[int]:
    return {row[0] for row in committed(folder, "SELECT DISTINCT story_id FROM story_bands")}


def searchable(folder, words: str) -> int:
    """Snapshots another connection finds with a search for `words`."""
    return committed(folder, f"SELECT count(*) FROM snapshot_search WHERE snapshot_search MATCH '{words}'")[0][0]


def test_a_quiet_page_waits_and_its_copy_is_its_story_before_its_rows_are_written(tmp_path):
    crawl = Crawl(tmp_path)
    original = crawl.page("http://127.0.0.1:9/statement.html", STATEMENT)
    crawl.ingestor.commit()
    assert indexed_stories(tmp_path) == set()   # the page is committed; its index rows wait
    assert searchable(tmp_path, "embassies") == 0
    assert committed(tmp_path, "SELECT count(*) FROM index_backlog") == [(1,)]
    copy = crawl.page("http://127.0.0.1:9/copy.html", "Republished from our partners.", STATEMENT)
    assert copy == original
    unrelated = crawl.page("http://127.0.0.1:9/school.html", OTHER)
    assert unrelated != original
    crawl.ingestor.finish("ngo")
    assert indexed_stories(tmp_path) == {original, unrelated}
    assert searchable(tmp_path, "embassies") == 2 and searchable(tmp_path, "lawyers") == 1
    assert committed(tmp_path, "SELECT count(*) FROM index_backlog") == [(0,)]


def test_a_page_that_names_someone_has_its_rows_written_at_once(tmp_path):
    crawl = Crawl(tmp_path)
    quiet = crawl.page("http://127.0.0.1:9/school.html", OTHER)
    named = crawl.page("http://127.0.0.1:9/verdict.html", STATEMENT, NAMING)
    # Committed at once, with its keys: another process crawling a copy finds its story now.
    assert indexed_stories(tmp_path) == {named} and searchable(tmp_path, "orlov") == 1
    other_process = Crawl(tmp_path)
    copy = other_process.page("http://127.0.0.1:9/verdict-copy.html", "From our partners:", STATEMENT, NAMING)
    assert copy == named
    assert committed(tmp_path, "SELECT count(*) FROM alerts") == [(1,)]   # one alert, not two
    crawl.ingestor.finish("ngo")
    assert quiet in indexed_stories(tmp_path)


def test_rows_wait_until_enough_pages_wait(tmp_path, monkeypatch):
    monkeypatch.setattr(backlog, "BACKLOG_PAGES", 3)
    crawl = Crawl(tmp_path)

    def report(n: int) -> int:
        story = crawl.page(f"http://127.0.0.1:9/report-{n}.html", f"Report number {n} of the monitors.",
                           OTHER.replace("forty", f"{n + 40}").replace("eleven", f"{n + 11}"))
        crawl.ingestor.commit()
        return story

    stories = {report(0), report(1)}
    assert indexed_stories(tmp_path) == set()
    stories.add(report(2))
    assert indexed_stories(tmp_path) == stories
    assert committed(tmp_path, "SELECT count(*) FROM index_backlog") == [(0,)]


def test_rows_a_killed_process_never_wrote_are_written_by_the_next_crawl(tmp_path):
    killed = Crawl(tmp_path)
    original = killed.page("http://127.0.0.1:9/statement.html", STATEMENT)
    killed.ingestor.commit()
    killed.db.conn.close()   # as SIGKILL leaves it: the page committed, its rows only noted
    assert indexed_stories(tmp_path) == set()

    next_crawl = Crawl(tmp_path)
    assert indexed_stories(tmp_path) == {original} and searchable(tmp_path, "embassies") == 1
    assert committed(tmp_path, "SELECT count(*) FROM index_backlog") == [(0,)]
    assert next_crawl.page("http://127.0.0.1:9/copy.html", "Republished from our partners.", STATEMENT) == original


def test_rows_of_pages_whose_transaction_was_undone_are_not_written(tmp_path):
    crawl = Crawl(tmp_path)
    kept = crawl.page("http://127.0.0.1:9/school.html", OTHER)
    crawl.ingestor.commit()
    crawl.page("http://127.0.0.1:9/statement.html", STATEMENT)
    # SQLite ends the batch's transaction (a full disk, say): the page is gone, its rows still wait here.
    crawl.db.conn.rollback()
    crawl.db.commit_batch()
    crawl.ingestor.finish("ngo")   # no foreign key error: the undone page's rows are left out
    assert committed(tmp_path, "SELECT count(*) FROM snapshots") == [(1,)]
    assert indexed_stories(tmp_path) == {kept} and searchable(tmp_path, "embassies") == 0


HOLDER = """
import sys, time
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
from pathlib import Path
from test_index_backlog import STATEMENT, Crawl
crawl = Crawl(Path(sys.argv[2]))
crawl.page("http://127.0.0.1:9/statement.html", STATEMENT)
crawl.ingestor.commit()
print("held", flush=True)
time.sleep(120)
"""


def test_a_crawl_leaves_a_live_process_its_rows_and_takes_those_of_a_killed_one(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(REPO), str(tmp_path)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        Crawl(tmp_path)   # a crawl starting beside it: the live process's rows are its own to write
        assert indexed_stories(tmp_path) == set()
        assert committed(tmp_path, "SELECT pid FROM index_backlog") == [(holder.pid,)]
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    Crawl(tmp_path)   # the next crawl after the kill writes them
    assert len(indexed_stories(tmp_path)) == 1 and searchable(tmp_path, "embassies") == 1
    assert committed(tmp_path, "SELECT count(*) FROM index_backlog") == [(0,)]


def test_rows_noted_under_a_pid_now_another_processs_are_written_by_the_next_crawl(tmp_path):
    """A killed crawl's pid, taken by a process started later, does not keep its rows waiting."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(REPO), str(tmp_path)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        # as if an earlier process with the holder's pid had noted the rows, an hour before it started
        with sqlite3.connect(tmp_path / "vigil.db") as conn:
            conn.execute("UPDATE index_backlog SET started = started - 3600")
        Crawl(tmp_path)
        assert len(indexed_stories(tmp_path)) == 1 and searchable(tmp_path, "embassies") == 1
        assert committed(tmp_path, "SELECT count(*) FROM index_backlog") == [(0,)]
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
