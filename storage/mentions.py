"""Mentions: a watched term found in the new text of a snapshot."""
from __future__ import annotations

from storage.snapshots import story_urls


def add_mention(db, *, snapshot_id, page_id, story_id, watchlist, term, kind, matched, start, end, rule,
                snippet, first_seen, doc_page: int | None = None) -> None:
    """`doc_page`: the page of a paged document (a PDF) the mention is on; None on a web page."""
    db.execute(
        """INSERT INTO mentions (snapshot_id, page_id, story_id, watchlist, term, kind, matched, start, "end",
                                 rule, snippet, first_seen, doc_page)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [snapshot_id, page_id, story_id, watchlist, term, kind, matched, start, end, rule, snippet, first_seen,
         doc_page],
    )


def list_mentions(db, since: str | None = None, until: str | None = None, terms: tuple[str, ...] = (),
                  watchlists: tuple[str, ...] = (), source: str | None = None, dismissed: bool = True) -> list[dict]:
    """Mentions with their page and `review` (confirmed, dismissed or None), newest last; one row per
    term per snapshot. dismissed=False leaves out what a reader said is not the person (digests, feeds)."""
    where, params = ["1 = 1"], []
    if not dismissed:
        where.append("(r.state IS NULL OR r.state != 'dismissed')")
    if since:
        where.append("m.first_seen >= ?")
        params.append(since)
    if until:
        where.append("m.first_seen < ?")
        params.append(until)
    if terms:
        where.append(f"m.term IN ({','.join('?' * len(terms))})")
        params.extend(terms)
    if watchlists:
        where.append(f"m.watchlist IN ({','.join('?' * len(watchlists))})")
        params.extend(watchlists)
    if source:
        where.append("p.source = ?")
        params.append(source)
    return list(db.query(
        f"""SELECT m.id, m.term, m.kind, m.watchlist, m.matched, p.url, p.source, s.title, m.snippet,
                   m.first_seen, m.story_id, m.snapshot_id, m.rule, r.state AS review
            FROM mentions m JOIN pages p ON p.id = m.page_id JOIN snapshots s ON s.id = m.snapshot_id
            LEFT JOIN reviews r ON r.page_id = m.page_id AND r.watchlist = m.watchlist AND r.term = m.term
            WHERE {' AND '.join(where)}
            GROUP BY m.snapshot_id, m.watchlist, m.term ORDER BY m.first_seen, m.id""",
        params,
    ))


def recorded_names(db) -> tuple[set[str], set[str]]:
    """Every term and every watchlist that mentions were ever recorded for."""
    terms = {row[0] for row in db.execute("SELECT DISTINCT term FROM mentions")}
    watchlists = {row[0] for row in db.execute("SELECT DISTINCT watchlist FROM mentions")}
    return terms, watchlists


def terms_on_snapshot(db, snapshot_id: int) -> set[tuple[str, str]]:
    """(watchlist, term) pairs recorded for a snapshot."""
    return {(row[0], row[1]) for row in db.execute(
        "SELECT watchlist, term FROM mentions WHERE snapshot_id = ?", [snapshot_id]
    )}


def terms_on_page(db, page_id: int, dismissed: bool = True) -> set[tuple[str, str]]:
    """(watchlist, term) pairs ever mentioned on a page; dismissed=False leaves out those a reader
    said are not the person there (their takedowns are no news either)."""
    named = {(row[0], row[1]) for row in db.execute(
        "SELECT DISTINCT watchlist, term FROM mentions WHERE page_id = ?", [page_id]
    )}
    if not dismissed:
        named -= {(row[0], row[1]) for row in db.execute(
            "SELECT watchlist, term FROM reviews WHERE page_id = ? AND state = 'dismissed'", [page_id])}
    return named


def set_story(db, snapshot_id: int, watchlist: str, term: str, story_id: int) -> None:
    """Attach a snapshot's mentions of a term to another story (a teaser's, to its article's)."""
    db.execute("UPDATE mentions SET story_id = ? WHERE snapshot_id = ? AND watchlist = ? AND term = ?",
               [story_id, snapshot_id, watchlist, term])


def mentions_with_story_urls(db, **filters) -> list[dict]:
    """list_mentions(db, **filters), each with `also_at`: the other URLs of the same story."""
    urls_by_story: dict[int, list[str]] = {}
    rows = []
    for m in list_mentions(db, **filters):
        if m["story_id"] not in urls_by_story:
            urls_by_story[m["story_id"]] = story_urls(db, m["story_id"])
        rows.append({**m, "also_at": [u for u in urls_by_story[m["story_id"]] if u != m["url"]]})
    return rows
