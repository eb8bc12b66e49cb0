"""`vigil run`: crawls every source on its schedule, delivers alerts continuously, sends digests.

Crawls run in a small pool of worker processes (`crawl_processes`, two by default, one
per core), each crawling many sources side by side in one Twisted reactor, every source
with its own politeness (crawler/service/crawlworker.py). A cycle of many sources so takes about
as long as its slowest source, and the memory of the daemon grows with the pool, not with
the number of sources. Processes, not threads, because:
- a crawl that crashes, leaks memory or hangs in a C extension (lxml, trafilatura) takes
  down one worker, never the scheduler or the dispatcher; the crawls it held are marked
  killed, their pages so far kept, and they run again at their next time;
- Twisted's reactor cannot be restarted in one process, and module-global state
  (extraction caches) must not grow for months: a worker retires after many crawls or
  when it grows too big, and an idle one is let go;
- extraction is CPU-bound: one worker per core uses the machine.
A worker reads the config file (or the last good copy) for every crawl it is handed, and
the watchlists from the database, so changes reach the next crawl without a reload.

With `--redis URL` no crawl process is started: each due source's crawl is planned here and
fetched by `vigil worker`s on any machine, and this process ingests what they send as the
single writer (crawler/service/redisingest.py, docs/scaling.md).

A worker commits each page's snapshot, mentions and outbox rows in one transaction as it
goes (BEGIN IMMEDIATE: writers wait for each other, see storage/db.py), so the dispatcher
thread here, polling the outbox twice a second, sends an instant alert within about a
second of its page being processed, not at the end of the crawl.

APScheduler 3 (a BackgroundScheduler) only decides when a source is due: interval and cron
triggers in the configured time zone, with jitter, coalesced, with no misfire limit. A due
source is queued; the main loop hands queued sources to workers up to
`max_concurrent_crawls`, never two crawls of one source at once, hears when each ends, and
judges each source's health after its crawl. Next run times are written to the database,
so `vigil status` can show them and a restart runs at once, and once, a crawl that fell
due while the daemon was down.
"""
from __future__ import annotations

import fcntl
import logging
import os
import queue
import signal
import threading
import time
from datetime import datetime, timezone

from alerts.delivery import health
from alerts.delivery.dispatch_loop import Dispatcher
from crawler.core.config import Source
from crawler.core.configfile import ConfigFile
from crawler.core.errors import VigilError
from crawler.core.kinds import FinishReason
from crawler.core.logs import remember_secrets
from crawler.core.processes import process_alive
from crawler.core.timeutil import format_iso, now_iso, parse_iso
from crawler.service.configload import load_config
from crawler.service.crawlprocess import CRAWL_COMMAND, CrawlWorker, WorkerPool
from storage import runs
from storage.db import StorageError, open_database

log = logging.getLogger("vigil.daemon")

TICK = 0.2               # seconds between turns of the main loop
HEALTH_INTERVAL = 60.0   # time-based problems (a source gone quiet) are judged this often
WATCH_INTERVAL = 1.0     # the config file is looked at, and next run times recorded, this often
STOP_GRACE = 3.0         # seconds a crawl gets to close after SIGTERM (Scrapy waits for requests in flight)
STOP_FORCE = 2.0         # ... then after a second SIGTERM (Scrapy stops between two pages), before SIGKILL
DISPATCH_GRACE = 3.0     # seconds a delivery in flight gets at shutdown
STORAGE_RETRY = 5.0      # seconds to wait after a database error before trying again


class AlreadyRunning(VigilError):
    """Another daemon owns this database."""


class Daemon:
    """The scheduler, the crawl processes, the dispatcher thread and the signals that steer them."""

    def __init__(self, config_path: str | os.PathLike, log_level: str = "info", log_format: str = "text",
                 redis_url: str | None = None):
        self.config_file = ConfigFile(config_path, load_config)
        self.log_level = log_level
        self.log_format = log_format
        self.config = self.config_file.config
        self.pool = WorkerPool(log_level, log_format, self._crawl_ended, lambda name: self.pending.insert(0, name))
        self.pending: list[str] = []
        self.due: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.wake = threading.Event()
        self.stopping = False
        self.reload_requested = False
        self.recorded: dict[str, str | None] = {}
        self.next_watch = self.next_health = 0.0   # monotonic times of the next look at each
        self.lock = None         # held for the daemon's life
        self.db = None
        self.scheduler = None
        self.dispatcher = None
        self.redis_url = redis_url
        self.fleet = None        # with --redis: crawls run on `vigil worker`s (crawler/service/redisingest.py)

    # -- the main loop -------------------------------------------------------------------
    def run(self) -> int:
        self._install_signals()
        self.lock = self._take_lock()
        self.db = open_database(self.config.database)
        try:
            self._start()
            while not self.stopping:
                try:
                    self._turn()
                except StorageError as exc:  # a database locked for long, a full disk: wait, do not die
                    log.error("%s; trying again in %.0fs", exc, STORAGE_RETRY)
                    self.wake.wait(STORAGE_RETRY)
                self.wake.wait(TICK)
                self.wake.clear()
        finally:
            self._shutdown()
        return 0

    def _turn(self) -> None:
        """One turn of the main loop: reload, start and reap crawls, record, judge health."""
        now = time.monotonic()
        if self.reload_requested:
            self.reload_requested = False
            self._reload("SIGHUP")
        elif now >= self.next_watch and self.config_file.changed():
            self._reload("the config file changed")
        self._queue_due()
        self.pool.reap()
        self._start_pending()
        if self.fleet is not None and self.fleet.turn(self.config):
            self.wake.set()   # more results wait: no pause before the next turn
        if now >= self.next_watch:
            self.next_watch = now + WATCH_INTERVAL
            self._record_next_runs()
        if now >= self.next_health:
            self.next_health = now + HEALTH_INTERVAL
            self._mark_dead_runs()
            self._check_health()

    def _start(self) -> None:
        if self.redis_url:
            from crawler.service.redisingest import Fleet

            self.fleet = Fleet(self.redis_url, self.db, on_ended=lambda name: self.stopping or self._check_health(name))
            self.fleet.open()
        released = runs.release_claims_of_dead_dispatchers(self.db)
        if released:
            log.warning("%d alert deliveries were claimed by a dispatcher that was killed: sending them now "
                        "(the one in flight then may arrive twice)", released)
        self._mark_dead_runs()
        self._check_health()
        self._start_scheduler()
        self.dispatcher = Dispatcher(self.config)
        self.dispatcher.start()
        sources = ", ".join(f"{s.name} ({s.schedule.text})" for s in self.config.sources) or "none"
        log.info("vigil run started (pid %d): sources %s; up to %d crawls at once in up to %d processes",
                 os.getpid(), sources, self.config.max_concurrent_crawls, self.config.crawl_processes)

    def _install_signals(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_stop_signal)
        signal.signal(signal.SIGHUP, self._on_reload_signal)

    def _on_stop_signal(self, signum, frame) -> None:
        name = signal.Signals(signum).name
        if self.stopping:
            log.warning("%s again: stopping at once, crawls killed", name)
            self.pool.kill()
            for handler in logging.getLogger().handlers:
                handler.flush()
            os._exit(128 + signum)
        log.info("%s: stopping; crawls finish their current page (%s again stops at once)", name, name)
        self.stopping = True
        self.wake.set()

    def _on_reload_signal(self, signum, frame) -> None:
        self.reload_requested = True
        self.wake.set()

    def _take_lock(self):
        """One daemon per database: two would crawl twice and deliver twice."""
        path = self.config.database.with_name(self.config.database.name + ".lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            other = handle.read().strip() or "?"
            raise AlreadyRunning(f"{self.config.database}: another `vigil run` (pid {other}) is using this database")
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        return handle

    # -- configuration -------------------------------------------------------------------
    def _reload(self, why: str) -> None:
        config = self.config_file.reload(why)
        if config is None:
            return
        old = {s.name: s for s in self.config.sources}
        new = {s.name: s for s in config.sources}
        timing_changed = (config.timezone, config.jitter) != (self.config.timezone, self.config.jitter)
        self.config = config
        remember_secrets(config)
        self.dispatcher.config = config
        for name in old.keys() - new.keys():
            self.scheduler.remove_job(name)
            if name in self.pending:
                self.pending.remove(name)
            self._set_next_run(name, old[name].schedule.text, None)
        for name, source in new.items():
            if name not in old or timing_changed or source.schedule != old[name].schedule:
                self._schedule(source)
        added, removed = sorted(new.keys() - old.keys()), sorted(old.keys() - new.keys())
        log.info("config reloaded (%s): %d sources; added: %s; removed: %s", why, len(new),
                 ", ".join(added) or "none", ", ".join(removed) or "none")

    # -- scheduling ----------------------------------------------------------------------
    def _start_scheduler(self) -> None:
        from apscheduler.events import EVENT_JOB_ERROR
        from apscheduler.schedulers.background import BackgroundScheduler

        self.scheduler = BackgroundScheduler(timezone=self._timezone() or _local_zone())
        self.scheduler.add_listener(lambda event: log.error("scheduling %s failed: %s", event.job_id, event.exception),
                                    EVENT_JOB_ERROR)
        for source in self.config.sources:
            self._schedule(source)
        self.scheduler.start()

    def _timezone(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.config.timezone) if self.config.timezone else None

    def _schedule(self, source: Source) -> None:
        """(Re)schedule a source. Its first run is when it falls due after its last run, or at once
        if that moment passed while the daemon was down (once, however many were missed) or
        its last crawl was killed."""
        tz = self._timezone()
        now = datetime.now(timezone.utc)
        candidates = []
        stored = runs.next_runs(self.db).get(source.name)
        if stored and stored["next_run_at"] and stored["schedule"] == source.schedule.text:
            candidates.append(parse_iso(stored["next_run_at"]))
        last = runs.last_runs(self.db, source.name, 1)
        if last:
            candidates.append(source.schedule.next_after(parse_iso(last[0]["started_at"]), tz))
            if last[0]["finish_reason"] == FinishReason.KILLED:
                candidates.append(now)  # an interrupted crawl is made good first
        first = max(min(candidates), now) if candidates else now
        self.scheduler.add_job(
            self._fall_due, source.schedule.trigger(tz, self.config.jitter or None), args=[source.name],
            id=source.name, name=f"crawl {source.name}", next_run_time=first, replace_existing=True,
            coalesce=True, max_instances=1, misfire_grace_time=None,
        )

    def _fall_due(self, name: str) -> None:
        """Runs in the scheduler's thread: hand the source to the main loop."""
        self.due.put(name)
        self.wake.set()

    def _queue_due(self) -> None:
        while not self.due.empty():
            name = self.due.get()
            if name in self.pool.running or name in self.pending or (self.fleet and self.fleet.crawling(name)):
                log.debug("%s is due but still crawling; this run is skipped", name)
            else:
                self.pending.append(name)

    def _record_next_runs(self) -> None:
        texts = {s.name: s.schedule.text for s in self.config.sources}
        for job in self.scheduler.get_jobs():
            at = format_iso(job.next_run_time) if job.next_run_time else None
            if job.id in texts and self.recorded.get(job.id) != at:
                self._set_next_run(job.id, texts[job.id], at)

    def _set_next_run(self, name: str, schedule: str, at: str | None) -> None:
        with self.db.atomic():
            runs.set_next_run(self.db, name, schedule, at, now_iso())
        self.recorded[name] = at

    # -- crawls ------------------------------------------------------------------------
    def _start_pending(self) -> None:
        """Hand due sources to crawl workers: a free worker first, a new one while there are fewer
        than `crawl_processes` and every worker is busy, never more than `max_concurrent_crawls`. With
        --redis, to the Redis workers, all at once: they hold each host's politeness themselves."""
        while self.fleet is not None and self.pending and not self.stopping:
            name = self.pending.pop(0)
            if any(s.name == name for s in self.config.sources) and not self._crawled_elsewhere(name):
                self.fleet.start_crawl(self.config, name)
        while self.pending and len(self.pool.running) < self.config.max_concurrent_crawls and not self.stopping:
            name = self.pending[0]
            if not any(s.name == name for s in self.config.sources) or self._crawled_elsewhere(name):
                self.pending.pop(0)
                continue
            worker = self.pool.next_worker(self.config.crawl_processes)
            if worker is None:
                return
            try:
                config_path = self.config_file.for_children()
            except OSError as exc:
                log.error("crawl of %s skipped: the config file is broken and no copy of the last good one can be "
                          "written beside it (%s); fix the file", name, exc.strerror)
                self.pending.pop(0)
                continue
            if self.pool.hand(worker, name, str(config_path)):
                self.pending.pop(0)

    def _crawled_elsewhere(self, name: str) -> bool:
        """A crawl of this source by another process (`vigil crawl`, or one left by a killed daemon)."""
        ours = self.pool.pids() | {os.getpid()}   # the crawls on Redis workers are this process's
        for run in runs.unfinished_runs(self.db, name):
            if run["pid"] not in ours and process_alive(run["pid"], CRAWL_COMMAND):
                log.info("%s is due but process %s is still crawling it; this run is skipped", name, run["pid"])
                return True
        self._mark_dead_runs(name)
        return False

    def _crawl_ended(self, name: str, worker: CrawlWorker, run_id: int | None, error: str | None,
                     code: int | None) -> None:
        """One source's crawl ended: finished, failed to start, or died with its process (`code`)."""
        now = now_iso()
        took = time.monotonic() - worker.sources.get(name, time.monotonic())
        if error is not None:
            run = None
        else:
            run = runs.get_run(self.db, run_id) if run_id else runs.latest_run_of_process(self.db, name, worker.pid)
        if run is None:
            if worker.stopping:
                return
            reason = FinishReason.KILLED if code is not None and code < 0 else FinishReason.FAILED
            with self.db.atomic():
                runs.finish_run(self.db, runs.start_run(self.db, name, now, worker.pid), now, reason)
            log.error("crawl of %s ended before it began crawling (%s)", name, error or reason)
        elif run["finished_at"] is None:
            reason = FinishReason.SHUTDOWN if worker.stopping else FinishReason.KILLED
            runs.end_interrupted_run(self.db, run, now, reason)
            how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit {code}"
            log.warning("crawl of %s did not finish (its process: %s) after %.1fs: run %d marked %s; "
                        "its pages so far are kept", name, how, took, run["id"], reason)
        else:
            if run["finish_reason"] != FinishReason.FINISHED:
                runs.end_interrupted_run(self.db, run, now, run["finish_reason"])
            figures = ", ".join(f"{run[key]} {key}" for key in runs.COUNTERS)
            level = logging.INFO if run["finish_reason"] == FinishReason.FINISHED else logging.WARNING
            log.log(level, "crawl of %s ended (%s) in %.1fs: %s", name, run["finish_reason"], took, figures)
        if not self.stopping:
            self._check_health(name)

    def _mark_dead_runs(self, source: str | None = None) -> None:
        """Runs whose process died without recording an end: marked killed, reported as unfinished."""
        ours = self.pool.pids(alive_only=True) | {os.getpid()}
        for run in runs.unfinished_runs(self.db, source):
            if run["pid"] in ours or process_alive(run["pid"], CRAWL_COMMAND):
                continue
            runs.end_interrupted_run(self.db, run, now_iso(), FinishReason.KILLED)
            log.warning("crawl of %s (run %d, pid %s, started %s) did not finish: marked killed",
                        run["source"], run["id"], run["pid"], run["started_at"])

    def _check_health(self, name: str | None = None) -> None:
        for source in self.config.sources:
            if name is not None and source.name != name:
                continue
            try:
                reports = health.check_source(self.db, self.config, source)
            except Exception:  # health is advice; a fault here must not stop crawling
                log.exception("judging the health of %s failed", source.name)
                continue
            for report in reports:
                level = logging.INFO if report.recovered else logging.WARNING
                log.log(level, "health of %s: %s: %s", source.name, report.event, report.text)

    # -- stopping ------------------------------------------------------------------------
    def _shutdown(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.pending.clear()
        # A page's snapshot, mentions and alerts are one transaction, so no way of stopping leaves
        # half a page; the gentler ones only save the work of fetching pages again.
        self.pool.stop(STOP_GRACE, STOP_FORCE)
        if self.fleet is not None:
            self.fleet.stop()
        if self.dispatcher is not None:
            self.dispatcher.stop_event.set()
            self.dispatcher.join(DISPATCH_GRACE)
            if self.dispatcher.is_alive():
                log.warning("a delivery still in flight was left; it is retried on the next start")
        if self.db is not None:
            with self.db.atomic():
                runs.clear_next_runs(self.db, now_iso())
        log.info("vigil run stopped")


def _local_zone():
    from tzlocal import get_localzone

    return get_localzone()
