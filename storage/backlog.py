"""Index rows of quiet pages that wait and go in together: the near-duplicate band keys
(story_bands) and the search rows (snapshot_search) of their new texts.

A page that names someone is committed at once (crawler/ingest/steps.py), and every commit wrote
again to SQLite's write-ahead log each index page it touched. Band keys are random, so a page's 42
rows land on 42 leaves of the index; the search index flushes a new segment at each commit and
merges segments. A first crawl of 1,000 pages wrote 415 MB for an 8.5 MB database; now 161 MB.
The rows of a quiet page (nothing named, nothing alerted) instead wait in this connection's
memory once its page is ingested whole, their snapshot noted in index_backlog (rows added in
order, at the table's end), and go in sorted, all together, once BACKLOG_PAGES pages wait or the
first has waited BACKLOG_SECONDS, and when a crawl ends. This process's story look-ups see the
waiting keys at once; other processes, and searches, once they are written. A page that names
someone has its rows written at once: a copy of it that another crawl process reads a moment
later is the same story, and alerts no one a second time. Rows noted but never written (the
process was killed) are written by `recover`, which each crawl runs as it starts when their
process is gone: a note says the process's pid and when it started, so a pid reused is not taken
for the process that noted them.
"""
from __future__ import annotations

import logging
import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from crawler.core.processes import process_alive, process_started
from storage import search
from storage.snapshots import unpack

log = logging.getLogger(__name__)

BACKLOG_PAGES = 250
BACKLOG_SECONDS = 10.0
CANDIDATES = 20

_started: dict[int, float | None] = {}   # this process's start, by pid (a forked child has its own)


@dataclass(frozen=True)
class IndexRows:
    """What one new text adds to the indexes: its story's band keys and its search row."""

    story_id: int
    keys: list[str]
    title: str | None
    text: str


class Backlog:
    """The rows of quiet pages not yet written, by snapshot, and the stories each waiting key leads to."""

    def __init__(self):
        self.entries: dict[int, IndexRows] = {}
        self.stories_by_key: dict[str, set[int]] = defaultdict(set)
        self.since: float | None = None

    def due(self) -> bool:
        return bool(self.entries) and (
            len(self.entries) >= BACKLOG_PAGES or time.monotonic() - self.since >= BACKLOG_SECONDS)


def _backlog(db) -> Backlog:
    """The backlog of this connection (one per process: each process writes its own)."""
    if db.index_backlog is None:
        db.index_backlog = Backlog()
    return db.index_backlog


def stories_with_bands(db, keys: list[str]) -> list[int]:
    """Candidate stories sharing at least one band key, most shared first, at most CANDIDATES."""
    if not keys:
        return []
    marks = ",".join("?" * len(keys))
    shared = dict(db.execute(
        f"SELECT story_id, count(*) FROM story_bands WHERE band IN ({marks}) GROUP BY story_id "
        f"ORDER BY count(*) DESC LIMIT {CANDIDATES}",
        keys,
    ).fetchall())
    waiting = _backlog(db).stories_by_key
    if waiting:
        for key in keys:
            for story_id in waiting.get(key, ()):
                shared[story_id] = shared.get(story_id, 0) + 1
    return sorted(shared, key=shared.get, reverse=True)[:CANDIDATES]


def add(db, snapshot_id: int, rows: IndexRows, quiet: bool) -> None:
    """A new text's index rows, in its page's transaction: written now, or, for a quiet page, noted
    in index_backlog; `hold` then keeps them once that transaction's page is done."""
    if not quiet:
        _insert_bands(db, [(key, rows.story_id) for key in rows.keys])
        search.index_snapshots(db, [(snapshot_id, rows.title, rows.text)])
        return
    pid = os.getpid()
    if pid not in _started:
        _started[pid] = process_started(pid)
    db.execute("INSERT OR IGNORE INTO index_backlog (snapshot_id, pid, started) VALUES (?, ?, ?)",
               [snapshot_id, pid, _started[pid]])


def hold(db, snapshot_id: int, rows: IndexRows) -> None:
    """Keep a quiet page's rows until they are written: called once its page was ingested whole,
    so that the rows of a page undone never wait here."""
    waiting = _backlog(db)
    waiting.entries[snapshot_id] = rows
    for key in rows.keys:
        waiting.stories_by_key[key].add(rows.story_id)
    if waiting.since is None:
        waiting.since = time.monotonic()


def due(db) -> bool:
    """Whether the rows held wait to be written: enough of them, or for long enough."""
    return db.index_backlog is not None and db.index_backlog.due()


def write(db, everything: bool = False) -> None:
    """Write the waiting rows in the caller's transaction when they are due (all, with `everything`)."""
    waiting = db.index_backlog
    if waiting is None or not waiting.entries or not (everything or waiting.due()):
        return
    # Rows whose note is gone were written by another process's `recover`: skip them.
    noted = sorted(_noted_by(db, os.getpid()) & waiting.entries.keys())
    entries = [(snapshot_id, waiting.entries[snapshot_id]) for snapshot_id in noted]
    _insert_bands(db, sorted((key, rows.story_id) for _, rows in entries for key in rows.keys))
    search.index_snapshots(db, [(snapshot_id, rows.title, rows.text) for snapshot_id, rows in entries])
    db.conn.executemany("DELETE FROM index_backlog WHERE snapshot_id = ?", [(snapshot_id,) for snapshot_id in noted])
    db.index_backlog = None


def orphaned(db) -> list[int]:
    """The processes whose noted rows nobody will write: ended ones (killed, or their pid now another
    process's, started at another time), and this one when it no longer holds some of its own (dropped
    with an undone batch, or noted by an earlier process of this pid). A read: the crawls of `vigil run`
    start often, and the rows of its workers that are alive, this one's included, are theirs to write."""
    held = db.index_backlog.entries.keys() if db.index_backlog is not None else set()
    orphans = []
    for pid, starts in _notes_by_pid(db).items():
        if pid == os.getpid():
            gone = bool(_noted_by(db, pid) - held)   # rows of an earlier process of this pid included
        else:   # a note of a process alive under its pid, but started at another time, is another's
            gone = not all(process_alive(pid, started=started) for started in starts)
        if gone:
            orphans.append(pid)
    return orphans


def recover(db, keys_of: Callable[[bytes], list[str]], pids: list[int]) -> int:
    """Write the rows that the processes `pids` noted and never wrote (see `orphaned`), in the
    caller's transaction; `keys_of` turns a stored signature into band keys. Returns how many texts.
    A process that still holds some (a pid reused) finds their note gone and skips them."""
    mine = db.index_backlog.entries if db.index_backlog is not None else {}
    marks = ",".join("?" * len(pids))
    orphans = [row for row in db.execute(
        f"""SELECT b.snapshot_id, s.story_id, s.signature, s.title, s.text
            FROM index_backlog b JOIN snapshots s ON s.id = b.snapshot_id
            WHERE b.pid IN ({marks}) ORDER BY b.snapshot_id""", pids)
        if row[0] not in mine]
    _insert_bands(db, sorted((key, story_id) for _, story_id, signature, _, _ in orphans
                             for key in _keys(keys_of, signature)))
    search.index_snapshots(db, [(snapshot_id, title, unpack(text)) for snapshot_id, _, _, title, text in orphans])
    db.conn.executemany("DELETE FROM index_backlog WHERE snapshot_id = ?", [(row[0],) for row in orphans])
    return len(orphans)


def _notes_by_pid(db) -> dict[int, list[float | None]]:
    """The processes that noted rows, each with the start times its notes give (None: not recorded)."""
    notes: dict[int, list[float | None]] = defaultdict(list)
    for pid, started in db.execute("SELECT DISTINCT pid, started FROM index_backlog"):
        notes[pid].append(started)
    return notes


def _noted_by(db, pid: int) -> set[int]:
    return {snapshot_id for (snapshot_id,) in db.execute("SELECT snapshot_id FROM index_backlog WHERE pid = ?",
                                                         [pid])}


def _keys(keys_of, signature: bytes | None) -> list[str]:
    try:
        return keys_of(signature) if signature else []
    except ValueError as exc:   # a signature of another format: said, and its text left out of the band index
        log.warning("a stored text signature cannot be indexed for near-duplicates: %s", exc)
        return []


def _insert_bands(db, rows: list[tuple[str, int]]) -> None:
    db.conn.executemany("INSERT OR IGNORE INTO story_bands (band, story_id) VALUES (?, ?)", rows)
