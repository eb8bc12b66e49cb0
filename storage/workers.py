"""The crawl workers and the Redis queue as `vigil run --redis` last saw them, for `vigil status`."""
from __future__ import annotations

WORKER_FIELDS = ("host", "pid", "started_at", "seen_at", "pages", "errors", "pages_per_min", "in_flight", "state")


def record_workers(db, beats: list[dict], heard_at: str) -> None:
    """Store each worker's latest heartbeat; `heard_at` changes only when its heartbeat did."""
    for beat in beats:
        row = db.query("SELECT seen_at, heard_at FROM workers WHERE name = ?", [beat["name"]])
        previous = next(iter(row), None)
        heard = previous["heard_at"] if previous and previous["seen_at"] == beat["seen_at"] else heard_at
        db.execute(
            "INSERT INTO workers (name, host, pid, started_at, seen_at, heard_at, pages, errors, pages_per_min, "
            "in_flight, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
            "host = excluded.host, pid = excluded.pid, started_at = excluded.started_at, "
            "seen_at = excluded.seen_at, heard_at = excluded.heard_at, pages = excluded.pages, "
            "errors = excluded.errors, pages_per_min = excluded.pages_per_min, in_flight = excluded.in_flight, "
            "state = excluded.state",
            [beat["name"], *(beat.get(key) for key in WORKER_FIELDS[:3]), beat["seen_at"], heard,
             *(beat.get(key) or 0 for key in WORKER_FIELDS[4:8]), beat.get("state") or "running"])


def record_queue(db, redis: str, requests: int, taken: int, items: int, crawls: int, now: str) -> None:
    db.execute("INSERT INTO fleet_queue (id, redis, requests, taken, items, crawls, updated_at) "
               "VALUES (1, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET redis = excluded.redis, "
               "requests = excluded.requests, taken = excluded.taken, items = excluded.items, "
               "crawls = excluded.crawls, updated_at = excluded.updated_at",
               [redis, requests, taken, items, crawls, now])


def forget_worker(db, name: str) -> None:
    db.execute("DELETE FROM workers WHERE name = ?", [name])


def list_workers(db) -> list[dict]:
    return list(db.query("SELECT * FROM workers ORDER BY name"))


def queue_state(db) -> dict | None:
    return next(iter(db.query("SELECT * FROM fleet_queue WHERE id = 1")), None)


def latest_text_hash(db, url: str) -> str | None:
    """The text hash of a known page's latest snapshot: a worker sends the raw body only when the
    text it reads differs (it may then be kept as evidence)."""
    row = next(iter(db.query(
        "SELECT s.text_hash FROM snapshots s JOIN pages p ON p.id = s.page_id WHERE p.url = ? "
        "ORDER BY s.id DESC LIMIT 1", [url])), None)
    return row["text_hash"] if row else None
