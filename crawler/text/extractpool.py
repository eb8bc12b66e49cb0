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
stops and reaps them. If a worker dies, the pool is given up and pages are extracted in
a thread of the crawl process (crawler/ingest/pipelines.py).

The earlier pool (concurrent.futures.ProcessPoolExecutor) handed every page and every
answer through two threads of the crawl process, each waiting for the GIL that the busy
event loop holds: the worker waited with them. Here the event loop itself writes a page
to a worker's socket and reads the answer when the socket is readable.
"""
from __future__ import annotations

import asyncio
import collections
import itertools
import logging
import multiprocessing
import os
import pickle
import socket
import struct
from multiprocessing.reduction import ForkingPickler

from crawler.core.processes import die_with_parent
from crawler.text.dedupe import signature
from crawler.text.extractors import extract

log = logging.getLogger(__name__)

STOP_SECONDS = 5   # a worker's time to finish its page when the crawl ends

_matcher = None   # in a worker: the crawl's matcher, inherited at the fork


def _start_worker(matcher) -> None:
    global _matcher
    _matcher = matcher
    die_with_parent()


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


class WorkersGone(RuntimeError):
    """A worker died (killed, out of memory): its pages are lost to it, the pool is unusable."""


def _serve(connection, matcher, inherited) -> None:
    """A worker's loop: a page's (bytes, URL, content type) in, (extraction, signature, mentions) out."""
    _start_worker(matcher)
    for other in inherited:   # the crawl's ends of the sockets (see _Worker)
        other.close()
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):   # the crawl process closed its end, or died
            os._exit(0)
        number, body, url, content_type = request
        try:
            answer = (number, _extract_and_match(body, url, content_type), None)
        except Exception as exc:  # the extractor's libraries raise many kinds on hostile markup
            answer = (number, None, exc)
        try:
            connection.send(answer)
        except (pickle.PicklingError, TypeError, AttributeError):   # an error that cannot travel
            connection.send((number, None, RuntimeError(f"{type(answer[2]).__name__}: {answer[2]}")))


class _Worker:
    def __init__(self, context, matcher, others: list):
        self.connection, child_end = context.Pipe(duplex=True)
        # The matcher reaches the worker through the fork, not through the pipe: it is not copied.
        # The forked worker holds copies of the crawl's ends of its own socket and of the other
        # workers': it closes them, or none of them would ever read the end of its input.
        inherited = [self.connection, *(end for other in others for end in (other.connection, other.socket))]
        self.process = context.Process(target=_serve, args=(child_end, matcher, inherited), daemon=True)
        self.process.start()
        child_end.close()
        # Pages go out through this socket (the connection's own, duplicated) without ever waiting:
        # what the socket cannot take now waits in `outgoing` until the event loop sees it writable.
        self.socket = socket.socket(fileno=os.dup(self.connection.fileno()))
        self.outgoing = bytearray()
        self.writing = False
        self.in_flight: dict[int, asyncio.Future] = {}
        self.sizes: dict[int, int] = {}
        self.bytes_in_flight = 0
        self.reading = False


class ExtractionPool:
    """Worker processes fed from the event loop itself: no thread of the crawl process stands between.

    A page is pickled once into a worker's socket; the answer is read when the event loop sees the
    socket readable. A worker is given pages up to IN_FLIGHT_BYTES (at least MIN_IN_FLIGHT pages):
    enough that it always has the next ones at hand while a busy event loop takes some
    milliseconds to read its answers. Writing never waits: a socket that is full (a Unix socket
    holds about 200 KB, less with many small pages) takes the rest when the loop sees it
    writable. A blocking write stalled every download of the crawl process until the worker had
    read, up to two seconds a cycle in a fleet of 100 sources per process. The rest wait here.
    submit() returns an asyncio Future of (extraction, signature, mentions or None)."""

    IN_FLIGHT_BYTES = 160 * 1024
    MIN_IN_FLIGHT = 2

    def __init__(self, workers: int, matcher=None):
        context = multiprocessing.get_context("fork")
        self.matcher = matcher
        self.users = 0
        self.broken = False
        self._numbers = itertools.count()
        self._waiting: collections.deque = collections.deque()
        self._loop = None
        self._workers: list[_Worker] = []
        for _ in range(max(1, workers)):
            self._workers.append(_Worker(context, matcher, self._workers))

    def usable(self) -> bool:
        return not self.broken

    def pids(self) -> list[int]:
        return [worker.process.pid for worker in self._workers]

    def submit(self, body: bytes, url: str, content_type: str | None) -> asyncio.Future:
        """From a coroutine of the crawl's event loop."""
        if self.broken:
            raise WorkersGone("extraction workers stopped")
        self._loop = asyncio.get_running_loop()
        future = self._loop.create_future()
        self._waiting.append((next(self._numbers), body, url, content_type, future))
        self._send()
        return future

    def _send(self) -> None:
        for worker in sorted(self._workers, key=lambda w: w.bytes_in_flight):
            while self._waiting and (len(worker.in_flight) < self.MIN_IN_FLIGHT
                                     or worker.bytes_in_flight + len(self._waiting[0][1]) <= self.IN_FLIGHT_BYTES):
                number, body, url, content_type, future = self._waiting.popleft()
                message = ForkingPickler.dumps((number, body, url, content_type))
                # The framing of multiprocessing's Connection, which the worker reads with.
                worker.outgoing += struct.pack("!i", len(message))
                worker.outgoing += message
                worker.in_flight[number] = future
                worker.sizes[number] = len(body)
                worker.bytes_in_flight += len(body)
                if not worker.reading:
                    self._loop.add_reader(worker.connection.fileno(), self._answered, worker)
                    worker.reading = True
            self._flush(worker)
            if self.broken:
                return

    def _flush(self, worker: _Worker) -> None:
        """Write what the worker's socket takes now; the rest when the event loop sees it writable."""
        while worker.outgoing:
            try:
                sent = worker.socket.send(worker.outgoing, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:
                self._break(f"an extraction worker is gone ({exc})")
                return
            del worker.outgoing[:sent]
        if worker.outgoing and not worker.writing:
            self._loop.add_writer(worker.socket.fileno(), self._flush, worker)
            worker.writing = True
        elif not worker.outgoing and worker.writing:
            self._loop.remove_writer(worker.socket.fileno())
            worker.writing = False

    def _answered(self, worker: _Worker) -> None:
        """Every answer the worker has sent so far. One answer per turn of a busy event loop (100
        sources' callbacks) let them pile up in the socket, and the pages behind them wait."""
        while True:
            try:
                number, result, error = worker.connection.recv()
            except (EOFError, OSError) as exc:
                self._break(f"an extraction worker died ({exc or type(exc).__name__})")
                return
            future = worker.in_flight.pop(number)
            worker.bytes_in_flight -= worker.sizes.pop(number)
            if future.done():
                pass   # its crawl stopped waiting
            elif error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)
            if not worker.in_flight or not worker.connection.poll():
                break
        self._send()

    def _break(self, reason: str = "extraction workers stopped") -> None:
        self.broken = True
        for worker in self._workers:
            self._stop_reading(worker)
            for future in worker.in_flight.values():
                if not future.done():
                    future.set_exception(WorkersGone(reason))
            worker.in_flight.clear()
            worker.sizes.clear()
            worker.bytes_in_flight = 0
        while self._waiting:
            future = self._waiting.popleft()[-1]
            if not future.done():
                future.set_exception(WorkersGone(reason))

    def _stop_reading(self, worker: _Worker) -> None:
        if self._loop is not None and not self._loop.is_closed():
            if worker.reading:
                self._loop.remove_reader(worker.connection.fileno())
            if worker.writing:
                self._loop.remove_writer(worker.socket.fileno())
        worker.reading = worker.writing = False
        worker.outgoing.clear()

    def close(self) -> None:
        """Stop the workers and reap them, so that their CPU time counts as the crawl process's; one that
        does not stop within a few seconds (stuck on a hostile page) is killed."""
        for worker in self._workers:
            self._stop_reading(worker)
            worker.socket.close()
            worker.connection.close()   # the worker reads the end of its input, and exits
        for worker in self._workers:
            worker.process.join(STOP_SECONDS)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()


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
