"""Full-text search over snapshots: an FTS5 index (Russian, English, any script) and snippets."""
from __future__ import annotations

import re
import sqlite3
import unicodedata

from crawler.core.errors import UsageError
from storage.snapshots import unpack

SNIPPET_WIDTH = 80          # characters either side of the first hit
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}
# A query word, maybe a prefix (orlov*); a word before ":" names a column and is skipped.
_QUERY_WORD = re.compile(r"(\w+)(\*?)(:?)")
_TEXT_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """A word as the index compares it: case folded, Latin diacritics dropped (café = cafe), ё read
    as е; other marks (й) stay, as in unicode61."""
    folded = []
    for char in _yo(text):
        if ord(char) < 0x250 or 0x1E00 <= ord(char) <= 0x1EFF:
            char = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        folded.append(char)
    return "".join(folded).casefold()


def index_snapshots(db, rows: list[tuple[int, str | None, str]]) -> None:
    """Add snapshots (id, title, text) to the search index (the index keeps no copy of the text)."""
    db.conn.executemany("INSERT INTO snapshot_search (rowid, title, text) VALUES (?, ?, ?)",
                        [(snapshot_id, _yo(title or ""), _yo(text)) for snapshot_id, title, text in rows])


def search(db, query: str, limit: int = 20, source: str | None = None) -> list[dict]:
    """The best-ranked snapshots matching an FTS5 query, one per page, with a snippet.

    A query the index cannot read raises UsageError with the reason and a hint."""
    query = query.strip()
    if not query:
        raise UsageError("search: the query is empty")
    where, params = ["snapshot_search MATCH ?"], [_yo(query)]
    if source:
        where.append("p.source = ?")
        params.append(source)
    sql = f"""SELECT s.id AS snapshot_id, s.page_id, s.title, s.fetched_at, s.text, p.url, p.source, p.state
              FROM snapshot_search JOIN snapshots s ON s.id = snapshot_search.rowid
              JOIN pages p ON p.id = s.page_id
              WHERE {' AND '.join(where)} ORDER BY snapshot_search.rank, s.id DESC"""
    found, seen_pages = [], set()
    try:
        for row in db.query(sql, params):
            if row["page_id"] in seen_pages:
                continue  # an older version of a page already listed
            seen_pages.add(row["page_id"])
            text = unpack(row.pop("text"))
            row["snippet"] = snippet(text, query_words(query))
            found.append(row)
            if len(found) >= limit:
                break
    except sqlite3.OperationalError as exc:
        raise UsageError(_explain(query, exc)) from None
    return found


def query_words(query: str) -> list[tuple[str, bool]]:
    """The words of a query, folded, each with whether it is a prefix (word*)."""
    words = []
    for word, star, colon in _QUERY_WORD.findall(query):
        if colon or word in _OPERATORS:
            continue
        words.append((fold(word), bool(star)))
    return words


def snippet(text: str, words: list[tuple[str, bool]], width: int = SNIPPET_WIDTH) -> str:
    """A one-line piece of `text` around the first hit, every hit in it marked [like this]."""
    hits = []
    for match in _TEXT_WORD.finditer(text):
        folded = fold(match.group(0))
        if any(folded.startswith(word) if prefix else folded == word for word, prefix in words):
            hits.append((match.start(), match.end()))
    first = hits[0][0] if hits else 0
    start, end = max(0, first - width), min(len(text), first + width)
    # whole words only at the cut ends
    if start > 0:
        start = _next_space(text, start)
    if end < len(text) and text.rfind(" ", first, end) > first:
        end = text.rfind(" ", first, end)
    pieces, position = [], start
    for hit_start, hit_end in hits:
        if hit_start < start or hit_end > end:
            continue
        pieces.append(text[position:hit_start])
        pieces.append(f"[{text[hit_start:hit_end]}]")
        position = hit_end
    pieces.append(text[position:end])
    body = " ".join("".join(pieces).split())
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def _next_space(text: str, position: int) -> int:
    space = text.find(" ", position)
    return space + 1 if 0 <= space < position + 20 else position


def _yo(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


def _explain(query: str, exc: sqlite3.OperationalError) -> str:
    reason = str(exc).removeprefix("fts5: ")
    return (f"search: cannot read the query {query!r} ({reason}): put words with punctuation in double quotes "
            f'("Ter-Petrosyan"), write AND, OR, NOT in capitals, and word* for every ending')
