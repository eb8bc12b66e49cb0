"""What subscribers get: watch terms and subscriptions changed at run time, digests made, and the
deliveries as the operator lists and steers them."""
from __future__ import annotations

import json


def set_term(db, watchlist: str, name: str, kind: str, aliases: tuple[str, ...], now: str) -> None:
    """Watch a term (again), with this kind and these aliases."""
    db.execute(
        """INSERT INTO watch_terms (watchlist, name, kind, aliases, active, changed_at) VALUES (?, ?, ?, ?, 1, ?)
           ON CONFLICT (watchlist, name) DO UPDATE SET kind = excluded.kind, aliases = excluded.aliases,
               active = 1, changed_at = excluded.changed_at""",
        [watchlist, name, kind, json.dumps(list(aliases), ensure_ascii=False), now],
    )


def drop_term(db, watchlist: str, name: str, now: str) -> None:
    """Stop watching a term; the row stays so that a term of vigil.toml stays hidden."""
    db.execute(
        """INSERT INTO watch_terms (watchlist, name, active, changed_at) VALUES (?, ?, 0, ?)
           ON CONFLICT (watchlist, name) DO UPDATE SET active = 0, changed_at = excluded.changed_at""",
        [watchlist, name, now],
    )


def watch_terms(db) -> list[dict]:
    """Every term added or removed at run time, oldest change first."""
    rows = db.query("SELECT watchlist, name, kind, aliases, active, changed_at FROM watch_terms ORDER BY changed_at")
    return [{**row, "aliases": tuple(json.loads(row["aliases"])), "active": bool(row["active"])} for row in rows]


def set_subscription(db, subscriber: str, watchlist: str, subscribed: bool, mode: str | None, now: str) -> None:
    db.execute(
        """INSERT INTO subscriptions (subscriber, watchlist, subscribed, mode, changed_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (subscriber, watchlist) DO UPDATE SET subscribed = excluded.subscribed,
               mode = excluded.mode, changed_at = excluded.changed_at""",
        [subscriber, watchlist, int(subscribed), mode, now],
    )


def subscriptions(db) -> list[dict]:
    """Every subscription made or ended at run time, oldest change first."""
    rows = db.query("SELECT subscriber, watchlist, subscribed, mode, changed_at FROM subscriptions ORDER BY changed_at")
    return [{**row, "subscribed": bool(row["subscribed"])} for row in rows]


def last_digest(db, subscriber: str, period: str) -> dict | None:
    rows = list(db.query(
        "SELECT * FROM digests WHERE subscriber = ? AND period = ? ORDER BY due_at DESC LIMIT 1", [subscriber, period]
    ))
    return rows[0] if rows else None


def add_digest(db, *, subscriber: str, period: str, due_at: str, since: str, until: str, items: int,
               alert_id: int | None, now: str) -> bool:
    """Record a digest made for one scheduled moment; False when one was already made for it."""
    cursor = db.execute(
        """INSERT OR IGNORE INTO digests (subscriber, period, due_at, since, until, items, alert_id, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [subscriber, period, due_at, since, until, items, alert_id, now],
    )
    return bool(cursor.rowcount)


def runs_between(db, since: str | None, until: str | None) -> list[dict]:
    """Runs started in a period, each with the reason of its last error (NULL when none)."""
    where, params = ["1 = 1"], []
    if since:
        where.append("r.started_at >= ?")
        params.append(since)
    if until:
        where.append("r.started_at < ?")
        params.append(until)
    return list(db.query(
        f"""SELECT r.*, (SELECT e.reason FROM errors e WHERE e.run_id = r.id ORDER BY e.id DESC LIMIT 1) AS error
            FROM runs r WHERE {' AND '.join(where)} ORDER BY r.id""",
        params,
    ))


def list_deliveries(db, since: str | None = None, status: str | None = None) -> list[dict]:
    """One row per alert and channel, oldest first: where each alert went, or why it did not."""
    where, params = ["1 = 1"], []
    if since:
        where.append("a.created_at >= ?")
        params.append(since)
    if status:
        where.append("d.status = ?")
        params.append(status)
    rows = db.query(
        f"""SELECT a.id, a.created_at, a.subscriber, a.event, a.payload, d.channel, d.status, d.attempts,
                   d.next_attempt_at, d.sent_at, d.last_error
            FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE {' AND '.join(where)}
            ORDER BY a.id, d.id""",
        params,
    )
    return [{**row, "payload": json.loads(row["payload"])} for row in rows]


def postpone_channel(db, channel: str, until: str) -> None:
    """Hold every pending delivery to a channel that just failed until `until`: the channel backs
    off as a whole, and its alerts keep their own attempt counts."""
    db.execute("UPDATE deliveries SET next_attempt_at = ? WHERE channel = ? AND status = 'pending' "
               "AND next_attempt_at < ?", [until, channel, until])


def retry_failed(db, now: str) -> int:
    """Put deliveries given up back in the queue for one more try each; returns how many."""
    return db.execute("UPDATE deliveries SET status = 'pending', next_attempt_at = ? WHERE status = 'failed'",
                      [now]).rowcount


def claim_deliveries(db, ids: list[int], token: str, now: str, until: str) -> set[int]:
    """Claim pending deliveries for one dispatcher until `until`; returns the ids it got. One still
    claimed by another dispatcher, or sent meanwhile, is left out."""
    with db.atomic():
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            db.execute(
                f"""UPDATE deliveries SET claimed_by = ?, claimed_until = ?
                    WHERE id IN ({','.join('?' * len(chunk))}) AND status = 'pending'
                      AND (claimed_until IS NULL OR claimed_until < ?)""",
                [token, until, *chunk, now],
            )
    return {row[0] for row in db.execute("SELECT id FROM deliveries WHERE claimed_by = ?", [token])}


def release_claims(db, token: str, delivery_id: int | None = None) -> None:
    """Give back one claimed delivery, or every one a dispatcher still holds."""
    if delivery_id is None:
        db.execute("UPDATE deliveries SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?", [token])
    else:
        db.execute("UPDATE deliveries SET claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?",
                   [delivery_id, token])


def claimants(db, now: str) -> list[str]:
    """The dispatchers holding claims that have not lapsed."""
    return [row[0] for row in db.execute(
        "SELECT DISTINCT claimed_by FROM deliveries WHERE claimed_by IS NOT NULL AND claimed_until >= ?", [now])]
