"""Extraction in worker processes, so a crawl uses every core for the CPU-bound part.

The crawl process keeps the network, the matcher and the database; pages go to a pool of
processes that only turn bytes into text. The workers are forked when the spider opens,
before the crawl's threads start, with everything they need already imported, and each
dies with the crawl process however it ends (a SIGKILL from the daemon, a full disk):
no orphan outlives it. Until the pool answers, pages are extracted in a thread.
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


def _die_with_parent() -> None:
    """A worker ends when the crawl process ends: no orphan keeps extracting, or keeps the
    crawl's stdout open so that whoever waits for the crawl waits for ever."""
    import ctypes
    import signal

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


class ExtractionPool:
    """A process pool that says when it is ready; submit() returns a concurrent Future."""

    def __init__(self, workers: int):
        context = multiprocessing.get_context("fork")
        self.ready = False
        self.broken = False
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_die_with_parent)
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
            return self._pool.submit(extract_with_signature, body, url, content_type)
        except (BrokenProcessPool, RuntimeError):
            self.broken = True
            raise

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
