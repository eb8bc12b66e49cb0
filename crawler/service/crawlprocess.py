"""The daemon's handle on a crawl worker process."""
from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

# Every crawl process's command line holds this (`python -m crawler ...`, the crawl workers):
# a pid recorded with a run that now runs another program was reused, and that crawl is gone.
CRAWL_COMMAND = "crawl"


@dataclass
class WorkerEvent:
    worker: "CrawlWorker"
    event: str                 # started | finished | retiring | refused
    source: str | None = None
    run: int | None = None
    error: str | None = None


@dataclass
class CrawlWorker:
    """One `python -m crawler.service.crawlworker` process and the sources it is crawling."""

    process: subprocess.Popen
    events: queue.SimpleQueue
    sources: dict[str, float] = field(default_factory=dict)   # source -> monotonic time it was handed over
    retiring: bool = False
    stopping: bool = False     # we asked it to stop: its crawls' ends are a shutdown, not a kill
    idle_since: float = field(default_factory=time.monotonic)
    reader: threading.Thread | None = None

    @classmethod
    def start(cls, events: queue.SimpleQueue, log_level: str, log_format: str) -> "CrawlWorker":
        command = [sys.executable, "-m", "crawler.service.crawlworker", "--log-level", log_level,
                   "--log-format", log_format]
        # Its own session: a Ctrl-C in the terminal reaches the daemon only, which stops crawls itself.
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                   start_new_session=True, bufsize=1)
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
