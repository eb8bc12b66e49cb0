"""Runs (one crawl of one source, with its figures), the errors met on the way, and the next run times."""
from __future__ import annotations

COUNTERS = ("fetched", "new", "changed", "unchanged", "removed", "errors", "mentions", "alerts")


def recorded_sources(db) -> set[str]:
    """Every source that was ever crawled or has pages stored."""
    return {row[0] for row in db.execute("SELECT source FROM runs UNION SELECT source FROM pages")}


def start_run(db, source: str, now: str, pid: int | None = None) -> int:
    return db.execute("INSERT INTO runs (source, started_at, pid) VALUES (?, ?, ?)", [source, now, pid]).lastrowid


def count(db, run_id: int, counter: str, amount: int = 1) -> None:
    assert counter in COUNTERS
    db.execute(f"UPDATE runs SET {counter} = {counter} + ? WHERE id = ?", [amount, run_id])


def save_figures(db, run_id: int, figures) -> None:
    """Write a crawl's counters (kept in memory while it runs) to its run."""
    values = [getattr(figures, counter) for counter in COUNTERS]
    db.execute(f"UPDATE runs SET {', '.join(f'{c} = ?' for c in COUNTERS)} WHERE id = ?", [*values, run_id])


def record_plan(db, run_id: int, planned: int, due_left: int, new_left: int) -> None:
    """The pages a crawl asked for, and what its budget did not cover: due revisits, and
    links waiting in the frontier."""
    db.execute("UPDATE runs SET planned = ?, due_left = ?, new_left = ? WHERE id = ?",
               [planned, due_left, new_left, run_id])


def finish_run(db, run_id: int, now: str, reason: str) -> None:
    db.execute("UPDATE runs SET finished_at = ?, finish_reason = ? WHERE id = ?", [now, reason, run_id])


def get_run(db, run_id: int) -> dict:
    return next(iter(db.query("SELECT * FROM runs WHERE id = ?", [run_id])))


def run_errors(db, run_id: int, limit: int) -> list[dict]:
    """The first errors a run recorded."""
    return list(db.query("SELECT url, reason FROM errors WHERE run_id = ? ORDER BY id LIMIT ?", [run_id, limit]))


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


def end_interrupted_run(db, run: dict, now: str, reason: str) -> None:
    """Record the end of a run that stopped halfway (killed, shut down), in one transaction.

    The links a crawl had found but not yet fetched died with it, and the next crawl would get
    304 Not Modified for the pages that listed them, or not visit them at all, and never see
    those links again: so the pages it fetched are due at once, lose their validators and are
    fetched whole, and their links followed, next time."""
    with db.atomic():
        if run["finished_at"] is None:
            finish_run(db, run["id"], now, reason)
        db.execute("""UPDATE pages SET etag = NULL, last_modified = NULL, next_visit_at = NULL
                      WHERE source = ? AND last_fetched >= ?""", [run["source"], run["started_at"]])


def unfinished_runs(db, source: str | None = None) -> list[dict]:
    """Runs with no finish recorded: still crawling, or killed before they could say so."""
    clause, params = ("AND source = ?", [source]) if source else ("", [])
    return list(db.query(f"SELECT * FROM runs WHERE finished_at IS NULL {clause} ORDER BY id", params))


def latest_run_of_process(db, source: str, pid: int) -> dict | None:
    """The latest run of `source` by process `pid` (a crawl worker runs many)."""
    rows = list(db.query("SELECT * FROM runs WHERE source = ? AND pid = ? ORDER BY id DESC LIMIT 1", [source, pid]))
    return rows[0] if rows else None


def first_run_id(db, source: str) -> int | None:
    return db.execute("SELECT min(id) FROM runs WHERE source = ?", [source]).fetchone()[0]


def first_run_started(db, source: str) -> str | None:
    return db.execute("SELECT min(started_at) FROM runs WHERE source = ?", [source]).fetchone()[0]


def last_new_page_run(db, source: str) -> str | None:
    """When the latest run that found a new page started."""
    return db.execute("SELECT max(started_at) FROM runs WHERE source = ? AND new > 0", [source]).fetchone()[0]


def errors_by_kind(db, run_id: int) -> dict[str, int]:
    return dict(db.execute("SELECT kind, count(*) FROM errors WHERE run_id = ? GROUP BY kind ORDER BY kind", [run_id]))


def count_errors(db, source: str, since: str) -> int:
    return db.execute("SELECT count(*) FROM errors WHERE source = ? AND at >= ?", [source, since]).fetchone()[0]


def latest_error(db, source: str, run_id: int | None = None) -> dict | None:
    clause, params = ("AND run_id = ?", [source, run_id]) if run_id is not None else ("", [source])
    rows = list(db.query(f"SELECT url, kind, reason, at FROM errors WHERE source = ? {clause} ORDER BY id DESC LIMIT 1",
                         params))
    return rows[0] if rows else None


def set_next_run(db, source: str, schedule: str, next_run_at: str | None, now: str) -> None:
    db.execute(
        """INSERT INTO schedules (source, schedule, next_run_at, recorded_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (source) DO UPDATE SET schedule = excluded.schedule, next_run_at = excluded.next_run_at,
               recorded_at = excluded.recorded_at""",
        [source, schedule, next_run_at, now],
    )


def next_runs(db) -> dict[str, dict]:
    """Per source: the schedule and next run time that `vigil run` recorded."""
    return {row["source"]: row for row in db.query("SELECT * FROM schedules")}


def clear_next_runs(db, now: str) -> None:
    """Nothing is scheduled while the daemon is stopped; the schedules stay for its next start."""
    db.execute("UPDATE schedules SET next_run_at = NULL, recorded_at = ?", [now])


def release_claims_of_dead_dispatchers(db) -> int:
    """Deliveries claimed by a dispatcher that was killed: claimable again now, not when the lease
    lapses minutes later. Only for a daemon starting, which holds the one-daemon-per-database lock."""
    with db.atomic():
        return db.execute("UPDATE deliveries SET claimed_by = NULL, claimed_until = NULL "
                          "WHERE claimed_by IS NOT NULL AND status = 'pending'").rowcount
