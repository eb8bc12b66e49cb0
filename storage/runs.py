"""Runs (one crawl of one source, with its figures) and the errors met on the way."""
from __future__ import annotations

COUNTERS = ("fetched", "new", "changed", "unchanged", "removed", "errors", "mentions", "alerts")


def start_run(db, source: str, now: str, pid: int | None = None) -> int:
    return db.execute("INSERT INTO runs (source, started_at, pid) VALUES (?, ?, ?)", [source, now, pid]).lastrowid


def count(db, run_id: int, counter: str, amount: int = 1) -> None:
    assert counter in COUNTERS
    db.execute(f"UPDATE runs SET {counter} = {counter} + ? WHERE id = ?", [amount, run_id])


def finish_run(db, run_id: int, now: str, reason: str) -> None:
    db.execute("UPDATE runs SET finished_at = ?, finish_reason = ? WHERE id = ?", [now, reason, run_id])


def get_run(db, run_id: int) -> dict:
    return next(iter(db.query("SELECT * FROM runs WHERE id = ?", [run_id])))


def last_runs(db, source: str, limit: int = 10) -> list[dict]:
    return list(db.query("SELECT * FROM runs WHERE source = ? ORDER BY id DESC LIMIT ?", [source, limit]))


def add_error(db, *, run_id, source, url, kind, reason, at) -> None:
    db.execute(
        "INSERT INTO errors (run_id, source, url, kind, reason, at) VALUES (?, ?, ?, ?, ?, ?)",
        [run_id, source, url, kind, reason, at],
    )
    if run_id is not None:
        count(db, run_id, "errors")


def list_errors(db, since: str | None = None, source: str | None = None) -> list[dict]:
    """The latest error of each failing URL."""
    where, params = ["1 = 1"], []
    if since:
        where.append("at >= ?")
        params.append(since)
    if source:
        where.append("source = ?")
        params.append(source)
    return list(db.query(
        f"""SELECT url, source, kind, reason, max(at) AS at FROM errors WHERE {' AND '.join(where)}
            GROUP BY url, source ORDER BY at""",
        params,
    ))
