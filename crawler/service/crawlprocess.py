"""The crawl workers of `vigil run`: each process, and the pool that starts them, hands them sources and hears them.

Workers are forked from a fork server (multiprocessing's forkserver) that has imported the
crawl's libraries and loaded the dictionaries of name matching once (crawler/service/preload.py):
every worker shares those pages with it instead of loading its own 100 MB, and starts in a
tenth of a second instead of two. The fork server is a fresh interpreter started for the
purpose, so the daemon's threads are never forked.
"""
from __future__ import annotations

import json
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Callable

log = logging.getLogger("vigil.daemon")

WORKER_IDLE = 30.0       # seconds a crawl process may wait for work before it is let go

# Every crawl process's command line holds this (`python -m crawler ...`, the crawl workers):
# a pid recorded with a run that now runs another program was reused, and that crawl is gone.
CRAWL_COMMAND = "crawl"


def _fork_server():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["crawler.service.preload"])
    return context


def _serve_forked(*args) -> None:
    """The worker's entry in the forked child. The daemon names this function, not the worker
    module's: importing that module would load Scrapy and trafilatura into the daemon itself
    (about 30 MB of its own); the fork server has them already."""
    from crawler.service.crawlworker import serve_forked

    serve_forked(*args)


class ForkedProcess:
    """A crawl worker forked from the fork server, seen through the parts of `subprocess.Popen`
    the pool uses: `stdin` and `stdout` as text pipes, `poll`, `send_signal`, `kill`, `wait`."""

    def __init__(self, log_level: str, log_format: str):
        commands_in, commands_out = os.pipe()
        answers_in, answers_out = os.pipe()
        child_commands, child_answers = Connection(commands_in, writable=False), Connection(answers_out, readable=False)
        self._process = _fork_server().Process(target=_serve_forked, name="vigil crawl worker",
                                               args=(child_commands, child_answers, log_level, log_format))
        try:
            self._process.start()
        finally:
            child_commands.close()   # the child holds its own copies now
            child_answers.close()
        self.stdin = open(commands_out, "w", encoding="utf-8", buffering=1)
        self.stdout = open(answers_in, encoding="utf-8")

    @property
    def pid(self) -> int:
        return self._process.pid

    def poll(self) -> int | None:
        return self._process.exitcode

    def send_signal(self, signum: int) -> None:
        if self._process.exitcode is None:
            try:
                os.kill(self._process.pid, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int | None:
        self._process.join(timeout)
        if self._process.exitcode is not None:
            self.stdin.close()
        return self._process.exitcode


@dataclass
class WorkerEvent:
    worker: "CrawlWorker"
    event: str                 # started | finished | retiring | refused
    source: str | None = None
    run: int | None = None
    error: str | None = None


@dataclass
class CrawlWorker:
    """One crawl worker process (crawler/service/crawlworker.py) and the sources it is crawling."""

    process: ForkedProcess
    events: queue.SimpleQueue
    sources: dict[str, float] = field(default_factory=dict)   # source -> monotonic time it was handed over
    retiring: bool = False
    stopping: bool = False     # we asked it to stop: its crawls' ends are a shutdown, not a kill
    idle_since: float = field(default_factory=time.monotonic)
    reader: threading.Thread | None = None

    @classmethod
    def start(cls, events: queue.SimpleQueue, log_level: str, log_format: str) -> "CrawlWorker":
        process = ForkedProcess(log_level, log_format)
        worker = cls(process, events)
        worker.reader = threading.Thread(target=worker._read, daemon=True, name=f"worker-{process.pid}")
        worker.reader.start()
        return worker

    @property
    def pid(self) -> int:
        return self.process.pid

    def hand(self, source: str, config_path: str) -> bool:
        """Give the worker a source to crawl; False when it cannot take it (it died or retires)."""
        if self.retiring or self.process.poll() is not None:
            return False
        try:
            self.process.stdin.write(json.dumps({"source": source, "config": config_path}) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return False
        self.sources[source] = time.monotonic()
        return True

    def retire(self) -> None:
        """No more crawls: it exits when its last one ends."""
        self.retiring = True
        try:
            self.process.stdin.close()
        except OSError:
            pass

    def _read(self) -> None:
        for line in self.process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            self.events.put(WorkerEvent(self, message.get("event", ""), message.get("source"), message.get("run"),
                                        message.get("error")))


class WorkerPool:
    """The crawl workers: started as needed up to a number, handed sources, heard, buried.

    `on_ended(name, worker, run_id, error, code)` is told of every crawl that ends: finished
    (`run_id`), unable to start (`error`) or gone with its process (`code`); `on_refused(name)`
    of a source a retiring worker would not take."""

    def __init__(self, log_level: str, log_format: str, on_ended: Callable, on_refused: Callable[[str], None]):
        self.log_level, self.log_format = log_level, log_format
        self.on_ended, self.on_refused = on_ended, on_refused
        self.workers: list[CrawlWorker] = []
        self.running: dict[str, CrawlWorker] = {}   # source -> the worker crawling it
        self.events: queue.SimpleQueue = queue.SimpleQueue()   # what the workers say

    def pids(self, alive_only: bool = False) -> set[int]:
        return {w.pid for w in self.workers if not alive_only or w.process.poll() is None}

    def next_worker(self, processes: int) -> CrawlWorker | None:
        """The least busy worker that takes crawls, or a new one when all are busy and fewer than
        `processes` run."""
        open_ = [w for w in self.workers if not w.retiring and w.process.poll() is None]
        idle = [w for w in open_ if not w.sources]
        if idle:
            return idle[0]
        if len(self.workers) < processes:
            worker = CrawlWorker.start(self.events, self.log_level, self.log_format)
            self.workers.append(worker)
            log.info("crawl process %d started", worker.pid)
            return worker
        return min(open_, key=lambda w: len(w.sources)) if open_ else None

    def hand(self, worker: CrawlWorker, name: str, config_path: str) -> bool:
        if worker.hand(name, config_path):
            self.running[name] = worker
            log.info("crawl of %s started (crawl process %d)", name, worker.pid)
            return True
        worker.retiring = True
        return False

    def reap(self) -> None:
        """Read what the workers said, let idle ones go, and bury the ones that ended."""
        self._read_events()
        now = time.monotonic()
        for worker in list(self.workers):
            code = worker.process.poll()
            if code is None:
                if not worker.sources and not worker.retiring and now - worker.idle_since > WORKER_IDLE:
                    worker.retire()   # an idle worker gives its memory back; a new one starts when needed
                continue
            worker.reader.join(1.0)   # its last words come before its burial
            self._read_events()
            self._bury(worker, code)

    def stop(self, grace: float, force: float) -> None:
        """SIGTERM (Scrapy closes the spiders once requests in flight end), after `grace` seconds a
        second one (the reactor ends after the page in hand), after `force` more SIGKILL."""
        for worker in self.workers:
            worker.stopping = True
            worker.process.send_signal(signal.SIGTERM)
        self._wait(grace)
        for worker in self.workers:
            worker.process.send_signal(signal.SIGTERM)
        self._wait(force)
        for worker in list(self.workers):
            log.warning("crawl process %d (%s) did not stop within %.0fs: killed", worker.pid,
                        ", ".join(worker.sources) or "idle", grace + force)
            worker.process.kill()
            worker.process.wait()
        self.reap()

    def kill(self) -> None:
        for worker in self.workers:
            worker.process.kill()

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while self.workers and time.monotonic() < deadline:
            self.reap()
            time.sleep(0.05)

    def _read_events(self) -> None:
        while not self.events.empty():
            event = self.events.get()
            worker = event.worker
            if event.event == "finished" and event.source in worker.sources:
                if self.running.get(event.source) is worker:
                    del self.running[event.source]
                self.on_ended(event.source, worker, event.run, event.error, None)
                del worker.sources[event.source]
            elif event.event == "retiring":
                worker.retiring = True
            elif event.event == "refused" and event.source in worker.sources:
                del worker.sources[event.source]
                self.running.pop(event.source, None)
                self.on_refused(event.source)
            if not worker.sources:
                worker.idle_since = time.monotonic()

    def _bury(self, worker: CrawlWorker, code: int) -> None:
        self.workers.remove(worker)
        if code != 0 and not worker.stopping:
            how = f"killed by signal {-code}" if code < 0 else f"exit {code}"
            log.warning("crawl process %d ended (%s) while crawling %s", worker.pid, how,
                        ", ".join(worker.sources) or "nothing")
        for name in list(worker.sources):
            if self.running.get(name) is worker:
                del self.running[name]
            self.on_ended(name, worker, None, None, code)
        worker.sources.clear()
