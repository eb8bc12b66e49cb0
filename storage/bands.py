"""The near-duplicate band index (story_bands): the stories a text's band keys lead to, and the keys
of quiet pages, which wait and go into the index together.

Band keys are random, so each of a page's 42 rows lands on a leaf of its own. A page that names
someone is committed at once (crawler/ingest/steps.py), and every commit wrote all the leaves it
touched to SQLite's write-ahead log again: two thirds of all a first crawl wrote. The keys of a
quiet page (nothing named, nothing alerted) instead wait in this connection's memory, their
snapshot noted in band_backlog (rows added in order, at the table's end), and go in sorted, all
together, once BACKLOG_PAGES pages wait or the first has waited BACKLOG_SECONDS, and when a crawl
ends. This process's look-ups see them at once; other processes once they are written. A page
that names someone has its keys written at once: a copy of it that another crawl process reads a
moment later is the same story, and alerts no one a second time. Keys noted but never written (the
process was killed) are written by `recover`, which each crawl runs as it starts.
"""
from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable

BACKLOG_PAGES = 250
BACKLOG_SECONDS = 10.0
CANDIDATES = 20
_CHUNK = 500   # ids per statement, well below SQLite's limit of bound values


class Backlog:
    """Keys of quiet pages not yet in the index: by snapshot, and the stories each key leads to."""

    def __init__(self):
        self.entries: dict[int, tuple[int, list[str]]] = {}   # snapshot id -> (story id, keys)
        self.stories_by_key: dict[str, set[int]] = defaultdict(set)
        self.since: float | None = None

    def due(self) -> bool:
        return bool(self.entries) and (
            len(self.entries) >= BACKLOG_PAGES or time.monotonic() - self.since >= BACKLOG_SECONDS)


def backlog(db) -> Backlog:
    """The backlog of this connection (one per process: each process writes its own)."""
    if db.band_backlog is None:
        db.band_backlog = Backlog()
    return db.band_backlog


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
    waiting = backlog(db).stories_by_key
    if waiting:
        for key in keys:
            for story_id in waiting.get(key, ()):
                shared[story_id] = shared.get(story_id, 0) + 1
    return sorted(shared, key=shared.get, reverse=True)[:CANDIDATES]


def add_story_bands(db, story_id: int, keys: list[str], quiet_snapshot: int | None = None) -> None:
    """A text's keys for its story: into the index now, or, for `quiet_snapshot`, into the backlog."""
    if quiet_snapshot is None:
        _insert(db, [(key, story_id) for key in keys])
        return
    if not keys:
        return
    db.execute("INSERT OR IGNORE INTO band_backlog (snapshot_id) VALUES (?)", [quiet_snapshot])
    waiting = backlog(db)
    waiting.entries[quiet_snapshot] = (story_id, keys)
    for key in keys:
        waiting.stories_by_key[key].add(story_id)
    if waiting.since is None:
        waiting.since = time.monotonic()


def write_backlog(db, everything: bool = False) -> None:
    """Write the waiting keys in the caller's transaction when they are due (all, with `everything`)."""
    waiting = db.band_backlog
    if waiting is None or not waiting.entries or not (everything or waiting.due()):
        return
    ids = sorted(waiting.entries)
    # A page whose transaction was undone after its keys waited here has no row left: skip it.
    noted = [snapshot_id for chunk in _chunks(ids) for (snapshot_id,) in db.execute(
        f"SELECT snapshot_id FROM band_backlog WHERE snapshot_id IN ({','.join('?' * len(chunk))})", chunk)]
    _insert(db, sorted((key, story_id) for snapshot_id in noted
                       for story_id, keys in (waiting.entries[snapshot_id],) for key in keys))
    db.conn.executemany("DELETE FROM band_backlog WHERE snapshot_id = ?", [(snapshot_id,) for snapshot_id in noted])
    db.band_backlog = None


def has_backlog(db) -> bool:
    """Whether keys wait in band_backlog, noted by this process or another."""
    return db.execute("SELECT 1 FROM band_backlog LIMIT 1").fetchone() is not None


def recover(db, keys_of: Callable[[bytes], list[str]]) -> int:
    """Write the keys another process noted and never wrote (it was killed), in the caller's
    transaction; `keys_of` turns a stored signature into keys. Keys that a running process still
    holds are written twice, which changes nothing."""
    mine = db.band_backlog.entries if db.band_backlog is not None else {}
    orphans = [(snapshot_id, story_id, signature) for snapshot_id, story_id, signature in db.execute(
        """SELECT b.snapshot_id, s.story_id, s.signature FROM band_backlog b JOIN snapshots s ON s.id = b.snapshot_id
           ORDER BY b.snapshot_id""") if snapshot_id not in mine]
    _insert(db, sorted((key, story_id) for _, story_id, signature in orphans for key in _keys(keys_of, signature)))
    db.conn.executemany("DELETE FROM band_backlog WHERE snapshot_id = ?", [(row[0],) for row in orphans])
    return len(orphans)


def _keys(keys_of, signature: bytes | None) -> list[str]:
    try:
        return keys_of(signature) if signature else []
    except ValueError:   # a signature of another format: its text is left out of the index, as before
        return []


def _insert(db, rows: list[tuple[str, int]]) -> None:
    db.conn.executemany("INSERT OR IGNORE INTO story_bands (band, story_id) VALUES (?, ?)", rows)


def _chunks(ids: list[int]):
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]
