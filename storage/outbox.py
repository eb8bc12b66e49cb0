"""The alert outbox: alerts keyed so they are written once, and their delivery per channel."""
from __future__ import annotations

import json

from crawler.core.alert import Alert


def add_alert(db, alert: Alert, *, story_id, page_id, channels: tuple[str, ...], now: str) -> int | None:
    """Queue an alert on each channel; None when an alert with its key already exists."""
    cursor = db.execute(
        """INSERT OR IGNORE INTO alerts (key, subscriber, story_id, page_id, event, payload, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [alert.key, alert.subscriber, story_id, page_id, alert.event,
         json.dumps(alert.payload(), ensure_ascii=False), now],
    )
    if not cursor.rowcount:
        return None
    alert_id = alert.id = cursor.lastrowid
    set_payload(db, alert_id, alert.payload())
    add_deliveries(db, alert_id, channels, now)
    return alert_id


def add_deliveries(db, alert_id: int, channels: tuple[str, ...], now: str) -> None:
    """Queue an alert on each channel: from now on the dispatcher sends it."""
    for channel in channels:
        db.execute(
            "INSERT INTO deliveries (alert_id, channel, next_attempt_at) VALUES (?, ?, ?)", [alert_id, channel, now]
        )


def get_alert(db, alert_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM alerts WHERE id = ?", [alert_id]))
    return {**rows[0], "payload": json.loads(rows[0]["payload"])} if rows else None


def set_payload(db, alert_id: int, payload: dict) -> None:
    db.execute("UPDATE alerts SET payload = ? WHERE id = ?", [json.dumps(payload, ensure_ascii=False), alert_id])


def delete_alert(db, alert_id: int) -> None:
    """Remove an alert that was never queued on a channel (a held alert found redundant)."""
    db.execute("DELETE FROM alerts WHERE id = ? AND NOT EXISTS (SELECT 1 FROM deliveries WHERE alert_id = ?)",
               [alert_id, alert_id])


def due_deliveries(db, now: str, ignore_backoff: bool = False) -> list[dict]:
    clause = "" if ignore_backoff else "AND d.next_attempt_at <= ?"
    params = [] if ignore_backoff else [now]
    rows = db.query(
        f"""SELECT d.id, d.alert_id, d.channel, d.attempts, a.subscriber, a.story_id, a.payload
            FROM deliveries d JOIN alerts a ON a.id = d.alert_id
            WHERE d.status = 'pending' {clause} ORDER BY d.id""",
        params,
    )
    return [{**row, "payload": json.loads(row["payload"])} for row in rows]


def record_attempt(db, delivery_id: int, now: str, error: str | None, next_attempt_at: str | None,
                   give_up: bool) -> None:
    """Record one attempt and its outcome in one transaction."""
    with db.atomic():
        db.execute(
            "INSERT INTO attempts (delivery_id, at, ok, error) VALUES (?, ?, ?, ?)",
            [delivery_id, now, int(error is None), error],
        )
        if error is None:
            db.execute("UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL "
                       "WHERE id = ?", [now, delivery_id])
        else:
            db.execute(
                "UPDATE deliveries SET status = ?, attempts = attempts + 1, last_error = ?, "
                "next_attempt_at = COALESCE(?, next_attempt_at) WHERE id = ?",
                ["failed" if give_up else "pending", error, next_attempt_at, delivery_id],
            )


def delivery_counts(db) -> dict[str, int]:
    counts = {"pending": 0, "sent": 0, "failed": 0}
    for status, count in db.execute("SELECT status, count(*) FROM deliveries GROUP BY status"):
        counts[status] = count
    return counts


def failed_deliveries(db) -> list[dict]:
    return list(db.query(
        """SELECT d.id, a.subscriber, d.channel, d.attempts, d.last_error, a.event, a.payload
           FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE d.status = 'failed' ORDER BY d.id"""
    ))
