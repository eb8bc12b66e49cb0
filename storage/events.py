"""Events: page new, changed, removed, restored; mention added, mention removed."""
from __future__ import annotations

import json


def add_event(db, page_id: int, event: str, at: str, snapshot_id: int | None = None, detail: dict | None = None) -> None:
    db.execute(
        "INSERT INTO events (page_id, snapshot_id, event, at, detail) VALUES (?, ?, ?, ?, ?)",
        [page_id, snapshot_id, event, at, json.dumps(detail, ensure_ascii=False) if detail else None],
    )


def list_events(db, since: str | None = None, until: str | None = None, source: str | None = None,
                kinds: tuple[str, ...] | None = None) -> list[dict]:
    where, params = ["1 = 1"], []
    if since:
        where.append("e.at >= ?")
        params.append(since)
    if until:
        where.append("e.at < ?")
        params.append(until)
    if source:
        where.append("p.source = ?")
        params.append(source)
    if kinds:
        where.append(f"e.event IN ({','.join('?' * len(kinds))})")
        params.extend(kinds)
    rows = db.query(
        f"""SELECT e.event, p.url, p.source, e.at, e.snapshot_id, e.detail FROM events e
            JOIN pages p ON p.id = e.page_id WHERE {' AND '.join(where)} ORDER BY e.at, e.id""",
        params,
    )
    return [{**row, "detail": json.loads(row["detail"]) if row["detail"] else None} for row in rows]
