"""Item pipelines, thin: extraction, then ingestion (snapshot, diff, dedupe, match, outbox).

A page that cannot be read (empty, binary, too big to read whole, or one the extractor
chokes on) is not a crash: it becomes an error record with its reason, and the crawl
goes on. A database that cannot be written ends the crawl instead: nothing more could
be stored.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import sys
import time

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads

from crawler.core.kinds import FailureKind
from crawler.core.settings import VIGIL_MAX_EXTRACT_BYTES
from crawler.core.terminal import one_line
from crawler.ingest.items import FetchedPage, FetchFailure
from crawler.text.extractors import UnreadableDocument, isolated
from crawler.text.extractpool import extract_with_signature, release_pool, shared_pool
from storage.db import DatabaseLocked, StorageError

log = logging.getLogger(__name__)

MB = 1024 * 1024
REASON_LIMIT = 300   # characters of an error's reason
LOCK_ATTEMPTS = 10   # each waits the busy timeout (30 s by default) for another writer
# While another process holds the write lock, a crawl looks again this often, its downloads going
# on meanwhile, for this long; then it waits in SQLite as any other writer does.
LOCK_POLL_INTERVAL = 0.002
LOCK_POLL_SECONDS = 10.0


def _set_problem(item: FetchedPage, kind: FailureKind, reason: str) -> None:
    # Read by IngestPipeline, which records it once the page itself is stored.
    item.problem = (kind, reason)


def readable_prefix(body: bytes, limit: int) -> bytes:
    """At most `limit` bytes of `body`, cut before an ASCII byte so no UTF-8 character is split."""
    if len(body) <= limit:
        return body
    cut = limit
    floor = max(0, limit - 4096)
    while cut > floor and body[cut] >= 0x80:
        cut -= 1
    return body[:cut]


class ExtractPipeline:
    """Extracts the main text, unless the page answered 304 or its raw body is unchanged.

    In a crawl, extraction runs in a thread, or in worker processes when
    VIGIL_EXTRACT_WORKERS asks for them (crawler/text/extractpool.py), so downloads in flight
    keep being read meanwhile.
    """

    def __init__(self, max_extract_bytes: int = VIGIL_MAX_EXTRACT_BYTES, in_crawl: bool = False, workers: int = 0,
                 rendered: bool = False, matcher=None):
        self.max_extract_bytes = max_extract_bytes
        self.in_crawl = in_crawl
        self.workers = workers
        self.rendered = rendered   # pages come from a browser: a hint to render them says nothing
        self.matcher = matcher   # the crawl's: the workers match with it too
        self.pool = None

    @classmethod
    def from_crawler(cls, crawler):
        context = getattr(crawler, "vigil", None)
        source = getattr(context, "source", None)
        return cls(crawler.settings.getint("VIGIL_MAX_EXTRACT_BYTES", VIGIL_MAX_EXTRACT_BYTES), in_crawl=True,
                   workers=max(0, crawler.settings.getint("VIGIL_EXTRACT_WORKERS", 0)),
                   rendered=bool(getattr(source, "render", False)),
                   matcher=getattr(context, "matcher", None))

    def open_spider(self, spider=None):
        if self.workers > 0:
            self.pool = shared_pool(self.workers, self.matcher)

    def close_spider(self, spider=None):
        if self.pool is not None:
            release_pool(self.pool)
            self.pool = None

    def process_item(self, item, spider=None):
        body = self.prepare(item)
        if body is None:
            return item
        if self.in_crawl:  # never extract on the reactor's thread
            return self._extract_elsewhere(item, body)
        return self.finish(item, body, _extract_page, item, body)

    async def _extract_elsewhere(self, item, body: bytes):
        content_type = item.headers.get("content-type")
        if self.pool is not None and self.pool.usable():
            try:
                extraction, text_signature, found = await self.pool.submit(body, item.final_url, content_type)
                # Mentions count only when the worker matched with this crawl's matcher (one pool serves
                # every crawl of the process); otherwise ingestion matches.
                if found is not None and self.pool.matcher is self.matcher:
                    item.found = found
                return self.finish(item, body, lambda: (extraction, text_signature))
            except Exception as exc:  # a worker that died takes its page with it: record it
                if self.pool.broken:
                    log.warning("extraction workers stopped (%s); extracting in the crawl process", exc)
                else:
                    return self.finish(item, body, _raise, exc)
        return await maybe_deferred_to_future(threads.deferToThread(self.finish, item, body, _extract_page, item, body))

    def prepare(self, item) -> bytes | None:
        """The bytes to extract, or None when the page needs no extraction (304, same body, empty)."""
        if not isinstance(item, FetchedPage) or item.status != 200 and item.status != 304:
            return None
        if item.status == 304:
            item.skipped = "not_modified"
            return None
        item.body_hash = hashlib.sha256(item.body).hexdigest()
        if item.body_hash == item.known_body_hash:
            item.skipped = "same_body"
            return None
        if not item.body.strip():
            item.skipped = "not_html"
            _set_problem(item, FailureKind.PROCESSING, "the page is empty (HTTP 200 with no body)")
            return None
        if isolated(item.headers.get("content-type"), item.final_url, item.body):
            return item.body   # a document is read whole (a cut PDF is no PDF), in a bounded process
        return readable_prefix(item.body, self.max_extract_bytes)

    def finish(self, item, body: bytes, extract_call, *args):
        """Run `extract_call(*args)` and record its outcome on the item."""
        try:
            item.extraction, item.signature = extract_call(*args)
        except UnreadableDocument as exc:   # a document that cannot be read, and why
            item.skipped = "not_html"
            _set_problem(item, exc.kind, one_line(exc.reason, REASON_LIMIT))
            return item
        except Exception as exc:  # the extractor's libraries raise many kinds on hostile markup
            log.warning("extraction of %s failed: %s: %s", item.final_url, type(exc).__name__, exc)
            item.skipped = "not_html"
            reason = one_line(f"text extraction failed: {type(exc).__name__}: {exc}", REASON_LIMIT)
            _set_problem(item, FailureKind.PROCESSING, reason)
            return item
        if item.extraction is None:
            item.skipped = "not_html"
            content_type = (item.headers.get("content-type") or "").split(";")[0].strip()
            _set_problem(item, FailureKind.PROCESSING,
                         f"not readable as the {content_type or 'document'} it is said to be"
                         if isolated(content_type, item.final_url, item.body)
                         else "not readable as an HTML page (binary or undecodable body)")
            return item
        hint = item.extraction.render_hint
        if hint and self.rendered:
            item.extraction = dataclasses.replace(item.extraction, render_hint=None)
        elif hint and item.extraction.text.strip():
            # A tiny text beside scripts: stored, and said. An empty text is said by the ingestion (steps.py).
            _set_problem(item, FailureKind.NO_TEXT, hint)
        if len(body) < len(item.body):
            _set_problem(item, FailureKind.TRUNCATED, f"only the first {len(body) / MB:.1f} MB of a "
                                                      f"{len(item.body) / MB:.1f} MB body were read for text")
        return item

    def extract_item(self, item):
        """Extract one item here and now (tests and tools that feed pages without a crawl)."""
        body = self.prepare(item)
        return item if body is None else self.finish(item, body, _extract_page, item, body)


def _extract_page(item: FetchedPage, body: bytes):
    return extract_with_signature(body, item.final_url, item.headers.get("content-type"))


def _raise(exc: Exception):
    raise exc


class IngestPipeline:
    """Writes each page's outcome in one transaction, through the crawl's Ingestor."""

    def __init__(self, context):
        self.ingestor = context.ingestor()
        self.source = context.source.name
        self._flush_call = None

    @classmethod
    def from_crawler(cls, crawler):
        context = getattr(crawler, "vigil", None)
        if context is None:
            raise NotConfigured("no Vigil context")
        return cls(context)

    def close_spider(self, spider=None):
        # Teasers whose article this crawl did not read alert on their own (crawler/text/hubs.py); so do
        # those a crawl of the source that died left waiting, which this one took over.
        if self._flush_call is not None and self._flush_call.active():
            self._flush_call.cancel()
        try:
            self.ingestor.commit()
            self.ingestor.finish(self.source)
        except StorageError as exc:
            self._stop(str(exc))

    def process_item(self, item, spider=None):
        try:
            writable = self.ingestor.db.try_begin_batch()
        except StorageError as exc:
            self._stop(str(exc))
        return self._ingest(item) if writable else self._when_writable(item)

    def _ingest(self, item):
        try:
            ingest_item(self.ingestor, item)
        except StorageError as exc:
            self._stop(str(exc))
        self._flush_soon()
        return item

    async def _when_writable(self, item):
        """Another process holds the write lock: the event loop goes on with every other download and
        looks again every few milliseconds; after LOCK_POLL_SECONDS, ingestion waits in SQLite."""
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        deadline = time.monotonic() + LOCK_POLL_SECONDS
        while time.monotonic() < deadline:
            await maybe_deferred_to_future(deferLater(reactor, LOCK_POLL_INTERVAL, lambda: None))
            try:
                if self.ingestor.db.try_begin_batch():
                    break
            except StorageError as exc:
                self._stop(str(exc))
        return self._ingest(item)

    def _flush_soon(self) -> None:
        """Quiet pages wait in the write batch at most its time (VIGIL_WRITE_BATCH_SECONDS), even when
        no page follows."""
        if self.ingestor.write_batch_seconds <= 0:
            return
        if self._flush_call is None or not self._flush_call.active():
            from twisted.internet import reactor

            self._flush_call = reactor.callLater(self.ingestor.write_batch_seconds, self._flush)

    def _flush(self) -> None:
        try:
            self.ingestor.commit()
        except StorageError as exc:
            self._stop(str(exc))

    def _stop(self, message: str) -> None:
        """The database cannot take more (disk full, locked for minutes, corrupt): end now.

        The process stops with the command's own one line and exit code 1. A graceful close
        would not help: each component that records the end of the run would fail on the
        same file, each with a traceback. The daemon marks the crawls of the process killed
        and runs them again at their next time; SQLite keeps every page committed before.
        """
        sys.stdout.flush()
        print(f"vigil: error: {' '.join(message.split())}; the crawl stopped", file=sys.stderr, flush=True)
        os._exit(1)


def ingest_item(ingestor, item) -> None:
    """One item in its transaction (`vigil crawl`, a crawl process, the store of Redis workers). A page
    that cannot be processed is recorded as a failure and the crawl goes on; a database that cannot
    be written raises StorageError."""
    try:
        if isinstance(item, FetchFailure):
            write_with_retries(ingestor.failure, item)
        elif isinstance(item, FetchedPage):
            write_with_retries(ingestor.page, item)
            problem = getattr(item, "problem", None)
            if problem:
                write_with_retries(ingestor.failure, FetchFailure(
                    source=item.source, url=item.url, kind=problem[0], reason=problem[1], at=item.fetched_at,
                    known=bool(item.page_url)))
    except StorageError:
        raise
    except Exception as exc:
        # One page that cannot be processed must not stop the crawl; it is recorded.
        log.warning("processing %s failed: %s: %s", getattr(item, "url", "?"), type(exc).__name__, exc)
        log.debug("processing %s failed", getattr(item, "url", "?"), exc_info=True)
        write_with_retries(ingestor.failure, FetchFailure(
            source=item.source, url=item.url, kind=FailureKind.PROCESSING,
            reason=one_line(f"{type(exc).__name__}: {exc}", REASON_LIMIT),
            at=getattr(item, "fetched_at", None) or getattr(item, "at", ""),
        ))


def write_with_retries(step, item):
    """One transaction; while another process holds the write lock past the busy timeout
    (a long backup, say), wait and try again rather than end the crawl."""
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        try:
            return step(item)
        except DatabaseLocked as exc:
            if attempt == LOCK_ATTEMPTS:
                raise
            log.warning("%s; trying again (%d of %d)", exc, attempt, LOCK_ATTEMPTS - 1)
