"""Extraction in worker processes, so a crawl uses every core for the CPU-bound part.

The crawl process keeps the network, the matcher and the database; pages go to a pool of
processes (forkserver, so no worker inherits the reactor's threads) that only turn bytes
into text. While the workers start (about a second, for their imports), pages are
extracted in a thread instead, so a small crawl never waits for them.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

log = logging.getLogger(__name__)


def _warm() -> bool:
    import crawler.extract  # noqa: F401  (imported once per worker, before the first page)

    return True


def extract_with_signature(body: bytes, url: str, content_type: str | None):
    """(Extraction or None, its near-duplicate signature or None): both CPU work, done together."""
    from crawler.dedupe import signature
    from crawler.extract import extract

    extraction = extract(body, url, content_type)
    return extraction, (signature(extraction.text) if extraction is not None and extraction.text else None)


def worker_count(setting: int | None) -> int:
    """Workers to start: the setting, or one per core when it is None; 0 means none."""
    if setting is None:
        return os.cpu_count() or 1
    return max(0, setting)


class ExtractionPool:
    """A process pool that says when it is ready; submit() returns a concurrent Future."""

    def __init__(self, workers: int):
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["crawler.extract"])
        self.ready = False
        self.broken = False
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        # One warm-up per worker would be ideal; one task is enough to know the pool works.
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
