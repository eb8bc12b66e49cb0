"""Pages: one canonical URL within a source, live or removed, with what its last fetch returned."""
from __future__ import annotations


def get_page(db, url: str) -> dict | None:
    rows = list(db.query("SELECT * FROM pages WHERE url = ?", [url]))
    return rows[0] if rows else None




def add_page(db, source: str, url: str, fetch_url: str, now: str, depth: int = 0, status: int | None = None,
             etag=None, last_modified=None, body_hash=None) -> dict:
    """A new page; with `status`, its first fetch is recorded too (as record_fetch would)."""
    cursor = db.execute(
        """INSERT INTO pages (source, url, fetch_url, first_seen, depth, last_fetched, last_status, etag,
                              last_modified, body_hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *""",
        [source, url, fetch_url, now, depth, now if status is not None else None, status, etag, last_modified,
         body_hash])
    row = cursor.fetchall()[0]
    return dict(zip((column[0] for column in cursor.description), row))


def record_fetch(db, page_id: int, now: str, status: int, etag=None, last_modified=None, body_hash=None) -> None:
    """Remember the last fetch; validators are kept when a 304 does not repeat them."""
    db.execute(
        """UPDATE pages SET last_fetched = ?, last_status = ?,
               etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),
               body_hash = COALESCE(?, body_hash)
           WHERE id = ?""",
        [now, status, etag, last_modified, body_hash, page_id],
    )


def set_state(db, page_id: int, state: str, now: str) -> None:
    removed_at = now if state == "removed" else None
    db.execute("UPDATE pages SET state = ?, removed_at = ? WHERE id = ?", [state, removed_at, page_id])


def count_pages(db, source: str | None = None) -> int:
    if source is None:
        return db.execute("SELECT count(*) FROM pages").fetchone()[0]
    return db.execute("SELECT count(*) FROM pages WHERE source = ?", [source]).fetchone()[0]
