"""A crawl process of `vigil run`: crawls the sources the daemon hands it, side by side, until told to stop.

The daemon forks it from its fork server (crawler/service/crawlprocess.py, `serve_forked`);
`python -m crawler.service.crawlworker` runs one by hand. The daemon writes one JSON line
per crawl to the worker's standard input,
`{"source": NAME, "config": PATH}`; the worker answers on standard output with
`{"event": "started" | "finished", "source": NAME, "run": ID}`, and `{"event": "retiring"}`
when it has crawled enough or grown too big, after which it takes no more crawls and
exits when its last crawl ends. End of input means the same. Logging goes to stderr.

All crawls share one Twisted reactor: each source is a Scrapy Crawler of its own, with
its own download slots, delay and concurrency, so politeness is per source while a cycle
of many sources takes as long as its slowest source, not as long as all of them.
SIGTERM stops every crawl gracefully (Scrapy's shutdown), a second one at once.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
from datetime import datetime, timezone

import psutil
from scrapy.crawler import Crawler
from scrapy.utils.reactor import install_reactor

from crawler.core.logs import remember_secrets, setup_logging
from crawler.core.processes import limit_malloc_arenas
from crawler.core.timeutil import now_iso
from crawler.ingest.context import CrawlContext
from crawler.ingest.crawl import crawl_settings, crawler_process, matcher_for
from crawler.ingest.frontier import plan_crawl
from crawler.service.configload import load_config
from spiders import spider_class
from storage import runs
from storage.db import open_database
from storage.effective import effective_config

log = logging.getLogger("vigil.worker")

RETIRE_AFTER_CRAWLS = 500        # a worker is replaced after this many crawls (caches, fragmentation)
RETIRE_ABOVE_MB = 600            # ... or when it holds more than this much memory between crawls


class Worker:
    """The reactor's side: starts the crawls it is told to, and reports their ends."""

    def __init__(self, process):
        self.process = process
        self.running: dict[str, int] = {}   # source -> run id
        self.crawls = 0
        self.retiring = False
        self.db = None
        self.configs: dict[str, tuple[float, object]] = {}   # path -> (mtime, Config)
        self.matchers: dict[tuple, object] = {}

    def take(self, message: dict) -> None:
        """Start the crawl of one source; a fault here is that crawl's, reported, never the worker's end."""
        name = message.get("source", "?")
        if self.retiring:
            _say(event="refused", source=name)
            return
        try:
            self._start(name, message["config"])
        except Exception as exc:  # a broken config, a database that cannot be opened
            log.error("crawl of %s could not start: %s", name, exc)
            _say(event="finished", source=name, run=None, error=" ".join(str(exc).split()))

    def _start(self, name: str, config_path: str) -> None:
        config = self._config(config_path)
        if self.db is None:
            self.db = open_database(config.database)
        config = effective_config(self.db, config)
        source = config.source(name)
        key = tuple(sorted(map(repr, config.terms())))
        if key not in self.matchers:
            self.matchers = {key: matcher_for(config)}   # only the current watchlists are kept
        with self.db.atomic():
            run_id = runs.start_run(self.db, name, now_iso(), os.getpid())
        # Each page is committed on its own: the other workers, the dispatcher and the web app write to
        # the database at once, and a batch would hold the write lock they wait for (a fleet of 200
        # sources took 24 s a cycle with batches of 0.5 s, 19 s without).
        context = CrawlContext(config=config, source=source, db=self.db, matcher=self.matchers[key], run_id=run_id,
                               write_batch_seconds=0.0)
        crawler = Crawler(spider_class(source.spider), crawl_settings(source, proxy=config.proxy), init_reactor=False)
        crawler.vigil = context
        plan = plan_crawl(self.db, source, datetime.now(timezone.utc))
        self.running[name] = run_id
        _say(event="started", source=name, run=run_id)
        deferred = self.process.crawl(crawler, source=source, plan=plan)
        deferred.addBoth(self._finished, name, run_id)

    def _finished(self, result, name: str, run_id: int):
        if hasattr(result, "getErrorMessage"):
            log.error("crawl of %s failed: %s", name, result.getErrorMessage())
        self.running.pop(name, None)
        self.crawls += 1
        _say(event="finished", source=name, run=run_id)
        megabytes = psutil.Process().memory_info().rss / 2**20
        if not self.retiring and (self.crawls >= RETIRE_AFTER_CRAWLS or megabytes > RETIRE_ABOVE_MB):
            log.info("crawl worker %d retires after %d crawls (%.0f MB)", os.getpid(), self.crawls, megabytes)
            self.retire()
        elif self.retiring and not self.running:
            self._stop()

    def retire(self) -> None:
        if not self.retiring:
            self.retiring = True
            _say(event="retiring")
        if not self.running:
            self._stop()

    def _stop(self) -> None:
        from twisted.internet import reactor

        if reactor.running:
            reactor.stop()

    def _config(self, path: str):
        mtime = os.stat(path).st_mtime
        cached = self.configs.get(path)
        if cached is None or cached[0] != mtime:
            config = load_config(path)
            remember_secrets(config)
            self.configs = {path: (mtime, config)}
        return self.configs[path][1]


_say_lock = threading.Lock()
_answers = sys.stdout   # the daemon's pipe; `main` gives it a handle of its own


def _say(**event) -> None:
    global _answers
    with _say_lock:
        try:
            _answers.write(json.dumps(event) + "\n")
            _answers.flush()
        except OSError:
            # The daemon is gone (killed): nobody hears us any more, but the crawls in hand still
            # finish and store their pages, and then this worker ends, as it does at end of input.
            _answers = open(os.devnull, "w")


def _read_input(worker: Worker, commands) -> None:
    """The reader thread: hands each line to the reactor's thread."""
    from twisted.internet import reactor

    for line in commands:
        line = line.strip()
        if not line:
            continue
        try:
            message = json.loads(line)
        except ValueError:
            log.error("crawl worker: unreadable message %r", line[:200])
            continue
        reactor.callFromThread(worker.take, message)
    reactor.callFromThread(worker.retire)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.service.crawlworker")
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--log-format", default="text")
    args = parser.parse_args(argv)

    global _answers
    # The daemon's pipes get handles of their own; stdin and stdout become harmless. A process
    # forked from this one (an extraction worker) closes sys.stdin and flushes sys.stdout: on the
    # pipe that the reader thread is blocked on, the close would wait for ever for its lock.
    commands = open(os.dup(0), encoding="utf-8")
    _answers = open(os.dup(1), "w", encoding="utf-8", buffering=1)
    sys.stdin = open(os.devnull, encoding="utf-8")
    os.dup2(2, 1)   # anything a library prints goes to the log, never into the daemon's pipe
    sys.stdout = sys.stderr
    setup_logging(args.log_level, args.log_format)
    limit_malloc_arenas()
    settings = crawl_settings(None)
    install_reactor(settings["TWISTED_REACTOR"])
    process = crawler_process(settings)
    worker = Worker(process)
    threading.Thread(target=_read_input, args=(worker, commands), daemon=True, name="worker-input").start()
    process.start(stop_after_crawl=False)
    return 0


def serve_forked(commands, answers, log_level: str, log_format: str) -> None:
    """A worker forked from the daemon's fork server: `commands` and `answers`, the ends of two
    pipes, become its standard input and output, and it runs as `main` would."""
    os.setsid()   # its own session: a Ctrl-C in the terminal reaches the daemon only, which stops crawls itself
    os.dup2(commands.fileno(), 0)
    os.dup2(answers.fileno(), 1)
    commands.close()
    answers.close()
    sys.exit(main(["--log-level", log_level, "--log-format", log_format]))


if __name__ == "__main__":
    sys.exit(main())
