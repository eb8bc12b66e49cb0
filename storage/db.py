"""Opening the database: WAL, busy timeout, owner-only file mode, migrations applied."""
from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from crawler.errors import VigilError

BUSY_TIMEOUT_MS = 30_000


class StorageError(VigilError):
    """The database cannot be opened or written (corrupt, locked, disk full)."""


def now_iso() -> str:
    """The current UTC time as stored everywhere: 2026-11-29T06:40:00.123456Z."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def open_database(path: str | os.PathLike, create: bool = True) -> sqlite_utils.Database:
    """Open (and migrate) the database at `path`; raise StorageError on any fault."""
    from storage.migrations import migrations

    path = Path(path)
    if not path.exists():
        if not create:
            raise StorageError(f"{path}: no database here (run `vigil init` or `vigil crawl` first)")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Created by us, readable by the owner only: it holds what monitors found.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        except OSError as exc:
            raise StorageError(f"{path}: cannot create the database: {exc.strerror}") from None
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        db = sqlite_utils.Database(conn)
        migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise StorageError(describe_db_error(path, exc)) from None
    return db


def describe_db_error(path, exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return f"{path}: the database file is corrupt or not a Vigil database ({text})"
    if "locked" in text or "busy" in text:
        return f"{path}: the database is locked by another process ({text})"
    if "disk is full" in text or "disk I/O" in text:
        return f"{path}: cannot write the database: {text}"
    return f"{path}: database error: {text}"
