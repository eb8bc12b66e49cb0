"""Held alerts: an alert for a name in a listing's teaser, waiting until the article it links to is read."""
from __future__ import annotations


def add_hold(db, *, alert_id: int, source: str, snapshot_id: int, watchlist: str, term: str, page_url: str,
             teaser: str, covered: bool | None = None) -> None:
    db.execute(
        """INSERT INTO held_alerts (alert_id, source, snapshot_id, watchlist, term, page_url, teaser, covered)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [alert_id, source, snapshot_id, watchlist, term, page_url, teaser, None if covered is None else int(covered)],
    )


def waiting_for(db, page_url: str) -> list[dict]:
    """Holds not yet decided that wait for the article at `page_url`."""
    return list(db.query("SELECT * FROM held_alerts WHERE page_url = ? AND covered IS NULL ORDER BY id", [page_url]))


def waiting_in(db, source: str) -> list[dict]:
    """Holds not yet decided that a crawl of `source` made."""
    return list(db.query("SELECT * FROM held_alerts WHERE source = ? AND covered IS NULL ORDER BY id", [source]))


def decide(db, hold_id: int, covered: bool) -> None:
    db.execute("UPDATE held_alerts SET covered = ? WHERE id = ?", [int(covered), hold_id])


def holds_of(db, alert_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM held_alerts WHERE alert_id = ? ORDER BY id", [alert_id]))


def forget(db, alert_id: int) -> None:
    """Drop the holds of an alert once it is released or dropped."""
    db.execute("DELETE FROM held_alerts WHERE alert_id = ?", [alert_id])
