"""Opening the database: WAL, busy timeout, owner-only file mode, migrations applied."""
from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time
from pathlib import Path

import sqlite_utils
from sqlite_utils.utils import dedupe_keys

from crawler.core.errors import VigilError
from storage.migrations import migrations

BUSY_TIMEOUT_MS = 30_000
# What SQLite says when the file, not the query, is at fault: these become one-line StorageErrors.
_FILE_FAULTS = ("not a database", "malformed", "locked", "busy", "disk is full", "disk i/o", "readonly",
                "unable to open", "file is encrypted", "out of memory")


class StorageError(VigilError):
    """The database cannot be opened or written (corrupt, locked, disk full)."""


class DatabaseLocked(StorageError):
    """Another process held the write lock for longer than the busy timeout: worth trying again."""


def storage_error(path, exc: sqlite3.DatabaseError) -> StorageError:
    lowered = str(exc).lower()
    locked = "locked" in lowered or "busy" in lowered
    return (DatabaseLocked if locked else StorageError)(describe_db_error(path, exc))


def _busy_timeout_ms() -> int:
    """How long a command waits for another process's write lock; VIGIL_DB_BUSY_TIMEOUT in seconds."""
    text = os.environ.get("VIGIL_DB_BUSY_TIMEOUT")
    try:
        seconds = float(text)
    except (TypeError, ValueError):
        return BUSY_TIMEOUT_MS
    if seconds != seconds:   # nan
        return BUSY_TIMEOUT_MS
    return int(min(max(seconds, 0), 86_400) * 1000)   # inf and 1e300 wait a day at most, not overflow


def is_file_fault(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.DatabaseError) and any(f in str(exc).lower() for f in _FILE_FAULTS)


class _Cursor(sqlite3.Cursor):
    """A cursor whose file faults, met while running or while reading rows, are StorageErrors."""

    def _fault(self, exc: sqlite3.DatabaseError):
        if is_file_fault(exc):
            raise storage_error(getattr(self.connection, "vigil_path", "database"), exc) from None
        raise exc

    def execute(self, *args):
        try:
            return super().execute(*args)
        except sqlite3.DatabaseError as exc:
            self._fault(exc)

    def executemany(self, *args):
        try:
            return super().executemany(*args)
        except sqlite3.DatabaseError as exc:
            self._fault(exc)

    def executescript(self, *args):
        try:
            return super().executescript(*args)
        except sqlite3.DatabaseError as exc:
            self._fault(exc)

    def __next__(self):
        try:
            return super().__next__()
        except sqlite3.DatabaseError as exc:
            self._fault(exc)

    def fetchone(self):
        try:
            return super().fetchone()
        except sqlite3.DatabaseError as exc:
            self._fault(exc)

    def fetchmany(self, *args):
        try:
            return super().fetchmany(*args)
        except sqlite3.DatabaseError as exc:
            self._fault(exc)

    def fetchall(self):
        try:
            return super().fetchall()
        except sqlite3.DatabaseError as exc:
            self._fault(exc)


class _Connection(sqlite3.Connection):
    """A connection whose every statement runs through `_Cursor`, commits included."""

    vigil_path = "database"
    vigil_busy_ms = BUSY_TIMEOUT_MS   # as open_database set it

    def cursor(self, factory=_Cursor):
        return super().cursor(factory)

    def execute(self, sql, parameters=()):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, parameters):
        return self.cursor().executemany(sql, parameters)

    def executescript(self, script):
        return self.cursor().executescript(script)

    def commit(self):
        try:
            super().commit()
        except sqlite3.DatabaseError as exc:
            if is_file_fault(exc):
                raise storage_error(self.vigil_path, exc) from None
            raise


class Database(sqlite_utils.Database):
    """sqlite-utils' Database whose transactions take the write lock when they begin.

    A deferred BEGIN that reads and then writes cannot wait for another writer in WAL
    mode: SQLite answers SQLITE_BUSY at once, whatever the busy timeout, because its
    snapshot is stale. BEGIN IMMEDIATE waits (up to the busy timeout) before it reads."""

    index_backlog = None   # index rows of quiet pages waiting to be written (storage/backlog.py)
    # A batch (see batched()): the time its transaction began, and how many units it holds.
    _batch_began: float | None = None
    _batch_units = 0
    _in_unit = False
    _temp_store_in_memory = False

    def query(self, sql: str, params=None):
        """Rows as dicts, the statement run at once, as sqlite-utils' query, without its guard: a
        savepoint around every query, to undo a statement that returns no rows before refusing it.
        Vigil's queries all return rows, and the guard cost two more statements each, several a page."""
        cursor = self.execute(sql, params if params is not None else ())
        if cursor.description is None:
            raise ValueError("query() can only be used with SQL that returns rows")
        keys = dedupe_keys(column[0] for column in cursor.description)
        return (dict(zip(keys, row)) for row in cursor)

    @contextlib.contextmanager
    def atomic(self):
        if self.conn.in_transaction and self._batch_began is not None and not self._in_unit:
            self.commit_batch()   # an atomic() of its own is committed when it ends, as ever
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.rollback()
            raise
        else:
            self.conn.commit()

    @contextlib.contextmanager
    def batched(self):
        """One unit of work (a page) in the batch's transaction, which it begins when none is open.

        The unit has a savepoint of its own: an error undoes it alone, the batch goes on. Nothing of
        it is committed until commit_batch(): the caller commits at once what must not be lost (a
        page that alerted) and the rest when batch_due() says so. A crash loses the units of the
        open batch, all of them, never part of one. Any atomic() of other code commits the batch
        first, so that its own transaction is committed when it ends, as it always was."""
        if self._batch_began is None:
            if self.conn.in_transaction:   # inside someone's atomic(): a plain nested unit
                with super().atomic():
                    yield self
                return
            self._journal_units_in_memory()
            self.conn.execute("BEGIN IMMEDIATE")
            self._batch_began, self._batch_units = time.monotonic(), 0
        self._in_unit = True
        failure = None
        try:
            with super().atomic():
                yield self
        except BaseException as exc:
            failure = exc
            raise
        finally:
            self._in_unit = False
            if not self.conn.in_transaction:   # an error SQLite answers by ending the transaction
                units, self._batch_began = self._batch_units, None
                # Index rows held for its pages (storage/backlog.py): their notes are undone too, and
                # any left from earlier batches are noted, for the next crawl to write.
                self.index_backlog = None
                if units:
                    # The error that ended it comes first: it says what to do (a full disk, say).
                    cause = f"{failure}; it" if failure is not None else f"{self.conn.vigil_path}: a failed write"
                    raise StorageError(f"{cause} undid the last {units} pages' records too; the crawl stops "
                                       "so that they are read again") from failure
        self._batch_units += 1

    def try_begin_batch(self) -> bool:
        """Begin the batch's transaction now, unless another process holds the write lock: then False,
        at once. A crawl's event loop tries again a moment later (crawler/ingest/pipelines.py) rather
        than sleep in SQLite's busy handler, which sleeps up to 100 ms a time while every download
        of the process waits, and so sends polite requests late."""
        if self._batch_began is not None or self.conn.in_transaction:
            return True
        self._journal_units_in_memory()
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except DatabaseLocked:
            return False
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {self.conn.vigil_busy_ms}")
        self._batch_began, self._batch_units = time.monotonic(), 0
        return True

    def _journal_units_in_memory(self) -> None:
        """Before the first batch: a unit's savepoint journals every page it changes, and beyond 64 KB
        SQLite spills that journal to a temporary file, made, written and deleted batch after batch
        (95 MB of writes in a 1,000-page first crawl). In memory it holds one unit's pages at most,
        emptied when the unit ends. A sort too large for the cache would go there too: a crawl's are a
        source's frontier at most."""
        if not self._temp_store_in_memory:
            self.conn.execute("PRAGMA temp_store = MEMORY")
            self._temp_store_in_memory = True

    def batch_due(self, max_units: int, max_seconds: float) -> bool:
        return self._batch_began is not None and (
            self._batch_units >= max_units or time.monotonic() - self._batch_began >= max_seconds)

    def commit_batch(self) -> None:
        """Commit the open batch, if any."""
        if self._batch_began is None:
            return
        self._batch_began, self._batch_units = None, 0
        if self.conn.in_transaction:
            self.conn.commit()


def open_database(path: str | os.PathLike, create: bool = True) -> Database:
    """Open (and migrate) the database at `path`; raise StorageError on any fault."""
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
    busy_ms = _busy_timeout_ms()
    try:
        conn = sqlite3.connect(path, timeout=busy_ms / 1000, isolation_level=None, check_same_thread=False,
                               factory=_Connection)
        conn.vigil_path = str(path)
        conn.vigil_busy_ms = busy_ms
        conn.execute(f"PRAGMA busy_timeout = {busy_ms}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        db = Database(conn)
        _migrate(db, path)
    except StorageError:
        raise
    except sqlite3.DatabaseError as exc:
        raise storage_error(path, exc) from None
    return db


def _migrate(db: Database, path: Path) -> None:
    """Apply pending migrations, one process at a time: two processes opening a new or older
    database at once would both create the same tables. (A lock file, since the first
    migrations use executescript, which commits any transaction around it.)"""
    if not migrations.pending(db):
        return
    lock_path = path.with_name(path.name + ".migrate-lock")
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        migrations.apply(db)
        # Safe to remove once every migration is in: whoever locks a new file finds none pending.
        lock_path.unlink(missing_ok=True)
    finally:
        os.close(fd)


def describe_db_error(path, exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    lowered = text.lower()
    if "not a database" in lowered or "malformed" in lowered or "encrypted" in lowered:
        return f"{path}: the database file is corrupt or not a Vigil database ({text}); nothing was changed"
    if "locked" in lowered or "busy" in lowered:
        return f"{path}: the database is locked by another process ({text}); try again when it is done"
    if "disk is full" in lowered or "disk i/o" in lowered:
        return f"{path}: cannot write the database ({text}): is the disk full? Nothing of this step was stored"
    if "readonly" in lowered:
        return f"{path}: cannot write the database: the file or its folder is read-only"
    if "unable to open" in lowered:
        return f"{path}: cannot open the database file (is it a folder, or its folder unreadable?)"
    return f"{path}: database error: {text}"
