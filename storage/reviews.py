"""Reviews of mentions (confirmed, or dismissed as not this person), what each reader has read, and
the inbox: mentions with both, filtered and a page at a time."""
from __future__ import annotations

REVIEW_STATES = ("confirmed", "dismissed")


def set_review(db, page_id: int, watchlist: str, term: str, state: str | None, note: str, reviewer: str,
               now: str) -> None:
    """Record a verdict on a term found on a page, for every version of it; state None forgets it."""
    if state is None:
        db.execute("DELETE FROM reviews WHERE page_id = ? AND watchlist = ? AND term = ?", [page_id, watchlist, term])
        return
    db.execute(
        """INSERT INTO reviews (page_id, watchlist, term, state, note, reviewer, at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (page_id, watchlist, term) DO UPDATE
           SET state = excluded.state, note = excluded.note, reviewer = excluded.reviewer, at = excluded.at""",
        [page_id, watchlist, term, state, note, reviewer, now])


def dismissed_on_page(db, page_id: int) -> set[tuple[str, str]]:
    """(watchlist, term) pairs a reader said are not the person on this page: they alert no more."""
    return {(row[0], row[1]) for row in db.execute(
        "SELECT watchlist, term FROM reviews WHERE page_id = ? AND state = 'dismissed'", [page_id])}


def review_counts(db) -> dict[tuple[str, str], dict[str, int]]:
    """Per (watchlist, term): how many pages were confirmed and dismissed. Many dismissals of one
    term say it needs an alias or an exclusion."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for watchlist, term, state, number in db.execute(
            "SELECT watchlist, term, state, count(*) FROM reviews GROUP BY watchlist, term, state"):
        counts.setdefault((watchlist, term), {"confirmed": 0, "dismissed": 0})[state] = number
    return counts


def get_mention(db, mention_id: int) -> dict | None:
    rows = list(db.query("SELECT id, page_id, watchlist, term, snapshot_id FROM mentions WHERE id = ?",
                         [mention_id]))
    return rows[0] if rows else None


def mark_read(db, user_id: int, mention_ids: list[int]) -> None:
    db.conn.executemany("INSERT OR IGNORE INTO mention_reads (user_id, mention_id) VALUES (?, ?)",
                        [(user_id, mention_id) for mention_id in mention_ids])


# One row per term per page version, as `vigil mentions` lists them: the first occurrence stands for
# the others (walked newest first by id, so a page of the inbox reads only what it shows).
_FIRST_OF_GROUP = """NOT EXISTS (SELECT 1 FROM mentions o WHERE o.snapshot_id = m.snapshot_id
                     AND o.watchlist = m.watchlist AND o.term = m.term AND o.id < m.id)"""


def _inbox_where(filters: dict, user_id: int | None) -> tuple[list[str], list]:
    where, params = ["1 = 1"], []
    simple = {"watchlist": "m.watchlist", "term": "m.term", "source": "p.source", "lang": "s.lang",
              "page_id": "m.page_id", "id": "m.id"}
    for key, column in simple.items():
        if filters.get(key):
            where.append(f"{column} = ?")
            params.append(filters[key])
    if filters.get("since"):
        where.append("m.first_seen >= ?")
        params.append(filters["since"])
    if filters.get("until"):
        where.append("m.first_seen < ?")
        params.append(filters["until"])
    review = filters.get("review") or "open"
    if review == "open":            # what still asks for a look: not dismissed
        where.append("(r.state IS NULL OR r.state != 'dismissed')")
    elif review == "unreviewed":
        where.append("r.state IS NULL")
    elif review in REVIEW_STATES:
        where.append("r.state = ?")
        params.append(review)
    if filters.get("unread") and user_id is not None:
        where.append("mr.mention_id IS NULL")
    return where, params


def inbox(db, user_id: int | None, filters: dict, limit: int = 50, before: int | None = None) -> list[dict]:
    """Mentions newest first, one per term per page version, each with its review and whether this
    reader has read it; `before` an id to continue from (the last one of the previous page).

    `filters`: watchlist, term, source, lang, page_id, id, since, until, review (open: all but dismissed,
    the default; unreviewed; confirmed; dismissed; all), unread."""
    where, params = _inbox_where(filters, user_id)
    if before is not None:
        where.append("m.id < ?")
        params.append(before)
    sql = f"""SELECT m.id, m.term, m.kind, m.watchlist, m.matched, m.snippet, m.first_seen, m.rule,
                     m.story_id, m.snapshot_id, m.page_id, p.url, p.source, s.title, s.lang,
                     r.state AS review, r.note AS review_note, r.reviewer, r.at AS reviewed_at,
                     mr.mention_id IS NOT NULL AS read
              FROM mentions m JOIN pages p ON p.id = m.page_id JOIN snapshots s ON s.id = m.snapshot_id
              LEFT JOIN reviews r ON r.page_id = m.page_id AND r.watchlist = m.watchlist AND r.term = m.term
              LEFT JOIN mention_reads mr ON mr.user_id = ? AND mr.mention_id = m.id
              WHERE {_FIRST_OF_GROUP} AND {' AND '.join(where)}
              ORDER BY m.id DESC LIMIT ?"""
    rows = list(db.query(sql, [user_id if user_id is not None else -1, *params, limit]))
    _add_also_at(db, rows)
    for row in rows:
        row["read"] = bool(row["read"])
    return rows


def inbox_terms(db, user_id: int | None) -> list[dict]:
    """Per watched term: mentions open (not dismissed), unread by this reader, pages confirmed and dismissed."""
    rows = list(db.query(
        f"""SELECT m.watchlist, m.term,
                  sum(r.state IS NULL OR r.state != 'dismissed') AS open,
                  sum((r.state IS NULL OR r.state != 'dismissed') AND mr.mention_id IS NULL) AS unread
           FROM mentions m
           LEFT JOIN reviews r ON r.page_id = m.page_id AND r.watchlist = m.watchlist AND r.term = m.term
           LEFT JOIN mention_reads mr ON mr.user_id = ? AND mr.mention_id = m.id
           WHERE {_FIRST_OF_GROUP}
           GROUP BY m.watchlist, m.term ORDER BY m.watchlist, m.term""",
        [user_id if user_id is not None else -1]))
    counts = review_counts(db)
    for row in rows:
        row.update(counts.get((row["watchlist"], row["term"]), {"confirmed": 0, "dismissed": 0}))
    return rows


def mentions_per_week(db, watchlist: str, term: str) -> list[tuple[str, int]]:
    """(Monday of the week, mentions first seen that week) for one term, oldest first; dismissed left out."""
    return [(row[0], row[1]) for row in db.execute(
        """SELECT date(substr(m.first_seen, 1, 10), '-' || ((strftime('%w', substr(m.first_seen, 1, 10)) + 6) % 7)
                       || ' days') AS week, count(DISTINCT m.snapshot_id)
           FROM mentions m
           LEFT JOIN reviews r ON r.page_id = m.page_id AND r.watchlist = m.watchlist AND r.term = m.term
           WHERE m.watchlist = ? AND m.term = ? AND (r.state IS NULL OR r.state != 'dismissed')
           GROUP BY week ORDER BY week""", [watchlist, term])]


def _add_also_at(db, rows: list[dict]) -> None:
    """Each row's `also_at`: the other pages of its story, in one query for all."""
    stories = sorted({row["story_id"] for row in rows})
    urls: dict[int, list[str]] = {}
    for start in range(0, len(stories), 500):
        chunk = stories[start:start + 500]
        for story_id, url in db.execute(
                f"""SELECT s.story_id, p.url FROM snapshots s JOIN pages p ON p.id = s.page_id
                    WHERE s.story_id IN ({','.join('?' * len(chunk))})
                    GROUP BY s.story_id, p.id ORDER BY s.story_id, min(s.id)""", chunk):
            urls.setdefault(story_id, []).append(url)
    for row in rows:
        row["also_at"] = [url for url in urls.get(row["story_id"], []) if url != row["url"]]
