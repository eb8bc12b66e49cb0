"""The frontier of a source: its known pages' next visits, listings, and links not yet fetched."""
from __future__ import annotations

PAGE_FIELDS = "id, url, fetch_url, state, etag, last_modified, body_hash, depth, last_fetched, next_visit_at"


def known_urls(db, source: str) -> set[str]:
    """The canonical URL of every page known for a source: a link to one is not a new page."""
    return {row[0] for row in db.execute("SELECT url FROM pages WHERE source = ?", [source])}


def last_fetches(db, source: str) -> dict[str, str | None]:
    """Every page known for a source: canonical URL -> its last fetch (None: never fetched)."""
    return dict(db.execute("SELECT url, last_fetched FROM pages WHERE source = ?", [source]).fetchall())


def pages_by_url(db, source: str, urls: list[str]) -> dict[str, dict]:
    """Known pages among `urls` (start URLs, feed items), by canonical URL."""
    found = {}
    for start in range(0, len(urls), 500):
        chunk = urls[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for row in db.query(f"SELECT {PAGE_FIELDS} FROM pages WHERE source = ? AND url IN ({marks})",
                            [source, *chunk]):
            found[row["url"]] = row
    return found


def listings(db, source: str, since: str, max_depth: int, limit: int) -> list[dict]:
    """Pages whose links led to new pages since `since`, latest first: visited every crawl."""
    return list(db.query(
        f"""SELECT {PAGE_FIELDS} FROM pages WHERE source = ? AND led_to_new_at >= ? AND depth < ?
            ORDER BY led_to_new_at DESC LIMIT ?""",
        [source, since, max_depth, limit],
    ))


def due_pages(db, source: str, horizon: str, limit: int) -> list[dict]:
    """Known pages due by `horizon`, the most overdue first (never visited by this schedule: first of all)."""
    return list(db.query(
        f"""SELECT {PAGE_FIELDS} FROM pages WHERE source = ? AND (next_visit_at IS NULL OR next_visit_at <= ?)
            ORDER BY next_visit_at IS NOT NULL, next_visit_at, id LIMIT ?""",
        [source, horizon, limit],
    ))


def count_due(db, source: str, horizon: str) -> int:
    return db.execute("SELECT count(*) FROM pages WHERE source = ? AND (next_visit_at IS NULL OR next_visit_at <= ?)",
                      [source, horizon]).fetchone()[0]


def pending_links(db, source: str, limit: int, now: str) -> list[dict]:
    """Links found by earlier crawls and not fetched yet (or whose failure is old enough to try
    again), oldest first."""
    return list(db.query(
        """SELECT url, fetch_url, depth FROM frontier WHERE source = ? AND (retry_at IS NULL OR retry_at <= ?)
           ORDER BY found_at, url LIMIT ?""", [source, now, limit]))


def resting_links(db, source: str, now: str) -> set[str]:
    """Links that failed for good lately: known, so that a page linking them is not a listing for it."""
    return {row[0] for row in db.execute("SELECT url FROM frontier WHERE source = ? AND retry_at > ?", [source, now])}


def count_pending(db, source: str) -> int:
    return db.execute("SELECT count(*) FROM frontier WHERE source = ? AND retry_at IS NULL", [source]).fetchone()[0]


def defer_links(db, source: str, links: list[tuple[str, str, int]], now: str, retry_at: str | None = None) -> None:
    """Remember links a crawl did not fetch: (canonical URL, URL as linked, depth). Without
    `retry_at` they are first in line at the next crawl; with it, they wait till then."""
    db.conn.executemany(
        """INSERT INTO frontier (source, url, fetch_url, depth, found_at, retry_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (source, url) DO UPDATE SET retry_at = excluded.retry_at""",
        [(source, url, fetch_url, depth, now, retry_at) for url, fetch_url, depth in links])


def forget_links(db, source: str, urls: list[str]) -> None:
    """Links that were fetched (or failed: the error is recorded) leave the frontier."""
    db.conn.executemany("DELETE FROM frontier WHERE source = ? AND url = ?", [(source, url) for url in urls])


def visit_next_crawl(db, source: str, url: str, at: str) -> None:
    """Make a known page due at the next crawl, behind the pages that have waited longer than `at`."""
    db.execute("UPDATE pages SET next_visit_at = ? WHERE source = ? AND url = ?", [at, source, url])


def visit_state(db, page_id: int) -> dict:
    """What the next visit of a page is computed from."""
    return next(iter(db.query("SELECT revisit_interval, names_watched FROM pages WHERE id = ?", [page_id])))


def schedule_visit(db, page_id: int, interval: float, next_visit_at: str, names_watched: bool | None = None,
                   led_to_new_at: str | None = None) -> None:
    """Record when a page is due again; what is None stays as it was."""
    db.execute(
        """UPDATE pages SET revisit_interval = ?, next_visit_at = ?,
               names_watched = COALESCE(?, names_watched), led_to_new_at = COALESCE(?, led_to_new_at)
           WHERE id = ?""",
        [interval, next_visit_at, None if names_watched is None else int(names_watched), led_to_new_at, page_id],
    )


def figures(db, source: str, horizon: str) -> dict:
    """What `vigil status` shows of a source's frontier."""
    known, oldest = db.execute("SELECT count(*), min(coalesce(last_fetched, first_seen)) FROM pages WHERE source = ?",
                               [source]).fetchone()
    return {"pages_known": known, "pages_due": count_due(db, source, horizon),
            "links_pending": count_pending(db, source), "oldest_visit": oldest}


def oldest_live_visit(db, source: str) -> str | None:
    """The last visit of the live page that has waited longest (never visited: when it was found)."""
    return db.execute("SELECT min(coalesce(last_fetched, first_seen)) FROM pages WHERE source = ? AND state = 'live'",
                      [source]).fetchone()[0]
