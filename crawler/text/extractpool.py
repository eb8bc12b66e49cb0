"""Extraction in worker processes, so a crawl uses every core for the CPU-bound part.

The crawl process keeps the network and the database; pages go to worker processes that
turn bytes into what ingestion needs: the extraction, its near-duplicate signature and,
when the crawl's matcher was handed over, the mentions of watched terms in its text. A
page travels as its bytes (pickled once, no tree, no text) and comes back as that small
tuple. One pool serves every crawl of the process, whatever the number of sources.

The workers are forked when the first spider opens, before the crawl's threads start,
with everything they need already imported and the matcher already loaded (shared with
the crawl process, copy on write). Each dies with the crawl process however it ends (a
SIGKILL from the daemon, a full disk): no orphan outlives it. The last spider to close
stops and reaps them. Until the pool answers, pages are extracted in a thread.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from crawler.text.dedupe import signature
from crawler.text.extractors import extract

log = logging.getLogger(__name__)

STOP_SECONDS = 5   # a worker's time to finish its page when the crawl ends

_matcher = None   # in a worker: the crawl's matcher, inherited at the fork


def _start_worker(matcher) -> None:
    """A worker ends when the crawl process ends: no orphan keeps extracting, or keeps the
    crawl's stdout open so that whoever waits for the crawl waits for ever."""
    import ctypes
    import signal

    global _matcher
    _matcher = matcher
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl process's to handle
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(0)


def _warm() -> bool:
    return True


def extract_with_signature(body: bytes, url: str, content_type: str | None):
    """(Extraction or None, its near-duplicate signature or None): both CPU work, done together."""
    extraction = extract(body, url, content_type)
    return extraction, (signature(extraction.text) if extraction is not None and extraction.text else None)


def _extract_and_match(body: bytes, url: str, content_type: str | None):
    """In a worker: (extraction, signature, mentions in its text or None when the worker has no matcher)."""
    extraction, text_signature = extract_with_signature(body, url, content_type)
    found = None
    if _matcher is not None:
        found = _matcher.find(extraction.text) if extraction is not None and extraction.text.strip() else []
    return extraction, text_signature, found


class ExtractionPool:
    """A process pool that says when it is ready; submit() returns a concurrent Future of
    (extraction, signature, mentions or None)."""

    def __init__(self, workers: int, matcher=None):
        context = multiprocessing.get_context("fork")
        self.ready = False
        self.broken = False
        self.matcher = matcher
        self.users = 0
        # initargs reach the workers through the fork, not through a pipe: the matcher is not copied.
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                                         initargs=(matcher,))
        # The first answer says the workers are up (all are forked at the first submit).
        self._pool.submit(_warm).add_done_callback(self._warmed)

    def _warmed(self, future: Future) -> None:
        if future.exception() is None:
            self.ready = True
        else:
            self.broken = True
            log.warning("extraction workers did not start (%s); extracting in the crawl process",
                        future.exception())

    def usable(self) -> bool:
        return self.ready and not self.broken

    def submit(self, body: bytes, url: str, content_type: str | None) -> Future:
        try:
            return self._pool.submit(_extract_and_match, body, url, content_type)
        except (BrokenProcessPool, RuntimeError):
            self.broken = True
            raise

    def close(self) -> None:
        """Stop the workers and reap them, so that their CPU time counts as the crawl process's; one that
        does not stop within a few seconds (stuck on a hostile page) is killed."""
        processes = list((self._pool._processes or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()


_shared: ExtractionPool | None = None


def shared_pool(workers: int, matcher=None) -> ExtractionPool:
    """The process's pool, started by the first crawl that asks; every crawl of the process uses it."""
    global _shared
    if _shared is None or _shared.broken:
        _shared = ExtractionPool(workers, matcher)
    _shared.users += 1
    return _shared


def release_pool(pool: ExtractionPool) -> None:
    """A crawl is done with the pool; the last one stops it."""
    global _shared
    pool.users -= 1
    if pool.users <= 0:
        pool.close()
        if _shared is pool:
            _shared = None
