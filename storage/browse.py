"""Read-only listings for the web app and the API: pages, versions, events and runs, newest first,
a page at a time (each continues before the last id of the previous page)."""
from __future__ import annotations

import json

from storage.snapshots import added_paragraphs, unpack


def _page_of(where: list[str], params: list, before: int | None, column: str) -> tuple[str, list]:
    if before is not None:
        where = [*where, f"{column} < ?"]
        params = [*params, before]
    return " AND ".join(where) or "1 = 1", params


def list_pages(db, source: str | None = None, state: str | None = None, url_contains: str | None = None,
               limit: int = 50, before: int | None = None) -> list[dict]:
    where, params = [], []
    if source:
        where.append("p.source = ?")
        params.append(source)
    if state:
        where.append("p.state = ?")
        params.append(state)
    if url_contains:
        where.append("instr(p.url, ?) > 0")
        params.append(url_contains)
    clause, params = _page_of(where, params, before, "p.id")
    return list(db.query(
        f"""SELECT p.id, p.source, p.url, p.state, p.first_seen, p.last_fetched, p.last_status, p.removed_at,
                   (SELECT title FROM snapshots WHERE page_id = p.id ORDER BY id DESC LIMIT 1) AS title,
                   (SELECT count(*) FROM snapshots WHERE page_id = p.id) AS versions
            FROM pages p WHERE {clause} ORDER BY p.id DESC LIMIT ?""", [*params, limit]))


def page_by_id(db, page_id: int) -> dict | None:
    rows = list(db.query(
        """SELECT id, source, url, fetch_url, state, first_seen, last_fetched, last_status, removed_at
           FROM pages WHERE id = ?""", [page_id]))
    return rows[0] if rows else None


def versions(db, page_id: int) -> list[dict]:
    """A page's snapshots, oldest first, with the size of their change and their evidence's SHA-256."""
    rows = list(db.query(
        """SELECT s.id, s.fetched_at, s.title, s.lang, s.text_hash, s.story_id, s.extractor, s.http_status,
                  s.final_url, e.sha256 AS evidence_sha256, c.added, c.removed, s.text
           FROM snapshots s LEFT JOIN evidence e ON e.snapshot_id = s.id LEFT JOIN changes c ON c.snapshot_id = s.id
           WHERE s.page_id = ? ORDER BY s.id""", [page_id]))
    for row in rows:
        text = row.pop("text")
        row["added"] = len(added_paragraphs(row["added"], text)) if row["added"] else 0
        row["removed"] = len(json.loads(row["removed"])) if row["removed"] else 0
    return rows


def version(db, snapshot_id: int) -> dict | None:
    """One snapshot with its text, its page's URL and its evidence's SHA-256 (not the bytes)."""
    rows = list(db.query(
        """SELECT s.id, s.page_id, s.fetched_at, s.title, s.lang, s.text_hash, s.story_id, s.text, s.extractor,
                  s.http_status, s.final_url, p.url, p.source, e.sha256 AS evidence_sha256
           FROM snapshots s JOIN pages p ON p.id = s.page_id LEFT JOIN evidence e ON e.snapshot_id = s.id
           WHERE s.id = ?""", [snapshot_id]))
    if not rows:
        return None
    row = rows[0]
    row["text"] = unpack(row["text"])
    return row


def list_events(db, source: str | None = None, page_id: int | None = None, kind: str | None = None,
                since: str | None = None, limit: int = 50, before: int | None = None) -> list[dict]:
    where, params = [], []
    for column, value in (("p.source", source), ("e.page_id", page_id), ("e.event", kind)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if since:
        where.append("e.at >= ?")
        params.append(since)
    clause, params = _page_of(where, params, before, "e.id")
    rows = list(db.query(
        f"""SELECT e.id, e.event, e.at, e.page_id, e.snapshot_id, p.url, p.source, e.detail
            FROM events e JOIN pages p ON p.id = e.page_id WHERE {clause} ORDER BY e.id DESC LIMIT ?""",
        [*params, limit]))
    for row in rows:
        row["detail"] = json.loads(row["detail"]) if row["detail"] else None
    return rows


def list_runs(db, source: str | None = None, limit: int = 50, before: int | None = None) -> list[dict]:
    where, params = ([], []) if source is None else (["source = ?"], [source])
    clause, params = _page_of(where, params, before, "id")
    return list(db.query(f"SELECT * FROM runs WHERE {clause} ORDER BY id DESC LIMIT ?", [*params, limit]))


def list_errors(db, source: str, limit: int = 20) -> list[dict]:
    return list(db.query("SELECT id, run_id, url, kind, reason, at FROM errors WHERE source = ? ORDER BY id DESC "
                         "LIMIT ?", [source, limit]))
