"""Snapshots of a page's text, the changes between them, stories and raw evidence."""
from __future__ import annotations

import json

from storage.compression import compress, decompress


def pack(text: str) -> bytes:
    return compress(text.encode("utf-8"))


def unpack(blob: bytes) -> str:
    return decompress(blob).decode("utf-8")


def latest_snapshot(db, page_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM snapshots WHERE page_id = ? ORDER BY id DESC LIMIT 1", [page_id]))
    return rows[0] if rows else None


def get_snapshot(db, snapshot_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM snapshots WHERE id = ?", [snapshot_id]))
    return rows[0] if rows else None


def page_snapshots(db, page_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM snapshots WHERE page_id = ? ORDER BY id", [page_id]))


def add_snapshot(db, *, page_id, story_id, fetched_at, title, published, lang, text_hash, text,
                 signature, extractor, final_url, http_status) -> int:
    cursor = db.execute(
        """INSERT INTO snapshots (page_id, story_id, fetched_at, title, published, lang, text_hash, text,
                                  signature, extractor, final_url, http_status)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [page_id, story_id, fetched_at, title, published, lang, text_hash, pack(text), signature, extractor,
         final_url, http_status],
    )
    return cursor.lastrowid


def add_change(db, snapshot_id: int, previous_id: int | None, added: list[str] | None, removed: list[str]) -> None:
    """`added` is None for a first snapshot, new in full: its paragraphs are the snapshot's text, which
    is not stored a second time (uncompressed, it was half of what a page costs the database)."""
    db.execute(
        "INSERT INTO changes (snapshot_id, previous_id, added, removed) VALUES (?, ?, ?, ?)",
        [snapshot_id, previous_id, json.dumps(added, ensure_ascii=False), json.dumps(removed, ensure_ascii=False)],
    )


def get_change(db, snapshot_id: int) -> dict | None:
    rows = list(db.query("""SELECT c.*, s.text FROM changes c JOIN snapshots s ON s.id = c.snapshot_id
                            WHERE c.snapshot_id = ?""", [snapshot_id]))
    if not rows:
        return None
    row = rows[0]
    text = row.pop("text")
    return {**row, "added": added_paragraphs(row["added"], text), "removed": json.loads(row["removed"])}


def added_paragraphs(added: str, text: bytes) -> list[str]:
    """A change's added paragraphs and sentences, from its stored `added` and its snapshot's packed text."""
    paragraphs = json.loads(added)
    if paragraphs is None:   # a first snapshot: every paragraph of its text (see add_change)
        paragraphs = [line for line in unpack(text).split("\n") if line.strip()]
    return paragraphs


def add_evidence(db, snapshot_id: int, sha256: str, body: bytes, url: str, status: int, headers: dict) -> None:
    db.execute(
        "INSERT INTO evidence (snapshot_id, sha256, body, url, status, headers) VALUES (?, ?, ?, ?, ?, ?)",
        [snapshot_id, sha256, compress(body), url, status, json.dumps(headers, ensure_ascii=False)],
    )


def get_evidence(db, snapshot_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM evidence WHERE snapshot_id = ?", [snapshot_id]))
    if not rows:
        return None
    row = rows[0]
    return {**row, "body": decompress(row["body"]), "headers": json.loads(row["headers"])}


def has_evidence(db, snapshot_id: int) -> bool:
    return db.execute("SELECT 1 FROM evidence WHERE snapshot_id = ?", [snapshot_id]).fetchone() is not None


def story_first_seen(db, story_id: int) -> str:
    return db.execute("SELECT first_seen FROM stories WHERE id = ?", [story_id]).fetchone()[0]


def new_story(db, now: str) -> int:
    return db.execute("INSERT INTO stories (first_seen) VALUES (?)", [now]).lastrowid


def story_with_text(db, text_hash: str, page_id: int) -> int | None:
    """The story of an identical text already stored under another page."""
    row = db.execute(
        "SELECT story_id FROM snapshots WHERE text_hash = ? AND page_id != ? ORDER BY id LIMIT 1",
        [text_hash, page_id],
    ).fetchone()
    return row[0] if row else None


def story_signatures(db, story_id: int, exclude_page: int | None = None) -> list[bytes]:
    """Fingerprints of a story's snapshots, leaving out one page's own earlier versions."""
    return [row[0] for row in db.execute(
        "SELECT signature FROM snapshots WHERE story_id = ? AND signature IS NOT NULL AND page_id IS NOT ?",
        [story_id, exclude_page],
    )]


def story_urls(db, story_id: int) -> list[str]:
    """Every page URL where a story appeared, first seen first."""
    return [row[0] for row in db.execute(
        """SELECT p.url FROM snapshots s JOIN pages p ON p.id = s.page_id
           WHERE s.story_id = ? GROUP BY p.id ORDER BY min(s.id)""",
        [story_id],
    )]
