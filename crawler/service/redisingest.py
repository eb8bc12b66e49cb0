"""The store's side of crawling on Redis workers (`vigil run --redis URL`): it plans, pushes, ingests.

Each due source's crawl is planned here as on one machine: the source's own spider
(spiders/source.py) is built with the frontier's plan, and it decides which requests to
make, in which phase, within the budget, but it never downloads anything. Its requests are
pushed to `vigil:requests`; workers fetch and extract them and push results to
`vigil:items`; each result is handed back to the same spider (page_outcome, parse_feed,
failure_of), which names the page's item and the next requests, and the item is ingested
here, in this process, the single writer: snapshot, diff, story, matching, outbox, one
transaction per page. When no request of a crawl is outstanding, the spider's next phase
starts; when none is left, the run is recorded as a crawl's end is (RunRecorder).

At least once, and only once in the store: a result is acknowledged in Redis after its
transaction is committed, and a result is ingested once per crawl (its token); a result
that arrives twice, or one of a crawl this process no longer knows (it was restarted), is
still harmless, since ingesting a page whose text is stored already changes nothing. Every
request still outstanding is kept here too: when Redis comes back empty (restarted without
persistence), they are pushed again.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import scrapy
from scrapy.http import Response, TextResponse

from crawler.core.config import Config
from crawler.core.kinds import FailureKind, FinishReason
from crawler.core.settings import VIGIL_MAX_QUERY_VARIANTS, VIGIL_MAX_TRAP_RECORDS, VIGIL_MAX_URL_LENGTH
from crawler.core.terminal import one_line
from crawler.core.timeutil import now_iso, parse_iso
from crawler.ingest.context import CrawlContext
from crawler.ingest.crawl import crawl_settings, matcher_for
from crawler.ingest.extensions import RunRecorder
from crawler.ingest.frontier import plan_crawl
from crawler.ingest.items import CrawlFigures, FetchedPage, FetchFailure
from crawler.ingest.middlewares import TrapGuardMiddleware
from crawler.ingest.pipelines import ingest_item
from crawler.ingest.steps import Ingestor
from crawler.service import redisqueue as rq
from spiders import spider_class
from storage import health, runs, workers
from storage.db import StorageError
from storage.effective import effective_config

log = logging.getLogger("vigil.daemon")

READ_BATCH = 50          # results read from Redis at once
TURN_BUDGET = 0.5        # seconds of ingesting per turn of the daemon's loop, so it keeps its other duties
STATUS_EVERY = 5.0       # seconds between copies of the workers' heartbeats and the queue into the database
SILENT = "worker_silent"
FORGET_AFTER = 7 * 86_400   # seconds: a worker silent this long is forgotten (its problem closed), not reported for ever


@dataclass
class FleetCrawl:
    """One source's crawl on the workers: its spider, its run, and the requests it waits for."""

    name: str
    spider: object
    context: CrawlContext
    ingestor: Ingestor
    trap: TrapGuardMiddleware
    outstanding: dict[str, bytes] = field(default_factory=dict)    # token -> the request as pushed
    entries: dict[str, tuple[str, str]] = field(default_factory=dict)   # token -> (its stream, its entry)
    seq: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def run_id(self) -> int:
        return self.context.run_id


class Fleet:
    """The crawls running on the workers, and the store's end of the two streams."""

    def __init__(self, url: str, db, on_ended=None):
        self.url = url
        self.db = db
        self.on_ended = on_ended or (lambda name: None)
        self.client = rq.connect(url)
        self.crawls: dict[int, FleetCrawl] = {}       # run id -> crawl
        self.orphans: dict[tuple, object] = {}        # (source, run) -> (spider, ingestor) for results of past crawls
        self.epoch: str | None = None
        self.reread = True                            # read our own unacknowledged results first
        self.redis_down_since: float | None = None
        self.next_status = 0.0
        self.config: Config | None = None             # the daemon's, for results of past crawls
        self.unpushed = False                         # some requests did not reach Redis
        self.streams: set[str] = set()                # request streams whose group exists
        self.matchers: dict[tuple, object] = {}       # the current watchlists' matcher, compiled once

    # -- starting --------------------------------------------------------------------------------
    def open(self) -> None:
        """Groups and the epoch; a Redis that cannot be reached is one line, at once."""
        import redis

        try:
            self._ensure()
        except redis.RedisError as exc:
            from crawler.core.errors import VigilError

            raise VigilError(f"cannot reach Redis at {rq.redacted(self.url)}: {one_line(str(exc), 200)}") from None
        log.info("crawling on Redis workers through %s", rq.redacted(self.url))

    def _ensure(self) -> bool:
        """The streams' groups, and whether Redis lost its data since we last looked."""
        current = self.client.get(rq.EPOCH)
        current = current.decode() if isinstance(current, bytes) else current
        if current is not None and current == self.epoch:
            return False
        lost = self.epoch is not None
        rq.ensure_group(self.client, rq.ITEMS, rq.STORE_GROUP)
        self.streams.clear()
        if current is None:
            current = uuid.uuid4().hex
            self.client.set(rq.EPOCH, current)
        self.epoch = current
        return lost

    def _matcher(self, config: Config):
        key = tuple(sorted(map(repr, config.terms())))
        if key not in self.matchers:
            self.matchers = {key: matcher_for(config)}   # only the current watchlists are kept
        return self.matchers[key]

    def crawling(self, name: str) -> bool:
        return any(crawl.name == name for crawl in self.crawls.values())

    def start_crawl(self, config: Config, name: str) -> int:
        """Plan the crawl of `name` and push its first requests; returns its run id."""
        db = self.db
        config = effective_config(db, config)
        source = config.source(name)
        with db.atomic():
            run_id = runs.start_run(db, name, now_iso(), os.getpid())
        try:
            return self._plan(config, source, run_id)
        except StorageError:
            raise
        except Exception as exc:  # a crawl that cannot be planned fails alone, reported
            log.error("crawl of %s could not start: %s: %s", name, type(exc).__name__, exc)
            self.crawls.pop(run_id, None)
            with db.atomic():
                runs.finish_run(db, run_id, now_iso(), FinishReason.FAILED)
            return run_id

    def _plan(self, config: Config, source, run_id: int) -> int:
        db, name = self.db, source.name
        plan = plan_crawl(db, source, datetime.now(timezone.utc))
        spider = spider_class(source.spider)(source=source, plan=plan)
        spider.settings = crawl_settings(source)
        context = CrawlContext(config=config, source=source, db=db, matcher=self._matcher(config), run_id=run_id)
        trap = TrapGuardMiddleware(spider.settings.getint("VIGIL_MAX_URL_LENGTH", VIGIL_MAX_URL_LENGTH),
                                   spider.settings.getint("VIGIL_MAX_QUERY_VARIANTS", VIGIL_MAX_QUERY_VARIANTS),
                                   spider.settings.getint("VIGIL_MAX_TRAP_RECORDS", VIGIL_MAX_TRAP_RECORDS), name)
        crawl = FleetCrawl(name, spider, context, context.ingestor(), trap)
        self.crawls[run_id] = crawl
        log.info("crawl of %s started on the workers (run %d)", name, run_id)
        self._push(crawl, asyncio.run(_collect(spider.start())))
        self._next_phase(crawl)
        return run_id

    # -- each turn of the daemon -----------------------------------------------------------------
    def turn(self, config: Config) -> bool:
        """Ingest what the workers pushed, for up to TURN_BUDGET seconds; True when more is waiting.
        A Redis that does not answer is said once and waited for; StorageError goes to the daemon."""
        import redis

        self.config = config
        try:
            lost = self._ensure()
            if lost or self.unpushed:
                self._push_again(everything=lost)
            more = self._ingest_some()
            if time.monotonic() >= self.next_status:
                self.next_status = time.monotonic() + STATUS_EVERY
                self._record_status(config)
        except redis.RedisError as exc:
            if self.redis_down_since is None:
                self.redis_down_since = time.monotonic()
                log.warning("Redis at %s is not answering (%s); crawls on the workers wait for it",
                            rq.redacted(self.url), one_line(str(exc), 200))
            return False
        if self.redis_down_since is not None:
            log.info("Redis answers again after %.0fs", time.monotonic() - self.redis_down_since)
            self.redis_down_since = None
        return more

    def _ingest_some(self) -> bool:
        deadline = time.monotonic() + TURN_BUDGET
        while time.monotonic() < deadline:
            read = self.client.xreadgroup(rq.STORE_GROUP, rq.STORE_CONSUMER,
                                          {rq.ITEMS: "0" if self.reread else ">"}, count=READ_BATCH)
            entries = [entry for _, stream_entries in read or [] for entry in stream_entries]
            if not entries:
                if not self.reread:
                    return False
                self.reread = False
                continue
            for entry_id, fields in entries:
                if fields:
                    try:
                        self._take(rq.decode(fields[b"i"]))
                    except StorageError:
                        self.reread = True   # not acknowledged: read again once the database takes writes
                        raise
                    except (KeyError, ValueError) as exc:
                        log.error("unreadable result %s in Redis (%s): dropped", entry_id, exc)
                with self.client.pipeline(transaction=True) as pipe:
                    pipe.xack(rq.ITEMS, rq.STORE_GROUP, entry_id)
                    pipe.xdel(rq.ITEMS, entry_id)
                    pipe.execute()
        return True

    def _take(self, result: dict) -> None:
        """One result: handed to its crawl's spider, its item ingested, the next requests pushed."""
        crawl = self.crawls.get(result.get("run"))
        if crawl is None:
            self._orphan(result)
            return
        token = result["token"]
        if token not in crawl.outstanding:
            log.debug("result %s arrived again: already ingested", token)
            return
        try:
            outputs = self._replay(crawl.spider, crawl.trap, result)
        except Exception as exc:  # a result the spider cannot read is that page's error, never the store's end
            log.warning("result for %s could not be read: %s: %s", result.get("url"), type(exc).__name__, exc)
            outputs = [FetchFailure(source=crawl.name, url=result.get("url") or "?", kind=FailureKind.PROCESSING,
                                    reason=one_line(f"{type(exc).__name__}: {exc}", 300), at=now_iso())]
        self._push(crawl, [o for o in outputs if isinstance(o, scrapy.Request)])
        for item in outputs:
            if not isinstance(item, scrapy.Request):
                ingest_item(crawl.ingestor, item)
        del crawl.outstanding[token]
        crawl.entries.pop(token, None)
        self._next_phase(crawl)

    def _next_phase(self, crawl: FleetCrawl) -> None:
        while not crawl.outstanding:
            requests = crawl.spider.advance_phase()
            if not requests:
                self._finish(crawl)
                return
            self._push(crawl, requests)

    def _replay(self, spider, trap, result: dict) -> list:
        """What the source's spider makes of a worker's result: items and requests."""
        request = scrapy.Request(result.get("request_url") or result["url"], meta=dict(result.get("meta") or {}),
                                 dont_filter=True)
        if result["kind"] == "failure":
            return [spider.failure_of(request, FailureKind(result["failure"]), result["reason"], result.get("status"))]
        body = rq.unpack_bytes(result.get("body")) or b""
        headers = result.get("headers") or {}
        if result["kind"] in ("feed", "sitemap"):
            response = TextResponse(result["final_url"], status=result["status"], headers=headers, body=body,
                                    request=request, encoding="utf-8")
            parse = spider.parse_feed if result["kind"] == "feed" else spider.parse_sitemap
            return _screened(trap, list(parse(response)))
        response = Response(result["final_url"], status=result["status"], headers=headers, body=body, request=request)
        outputs = list(trap._links_cut(response) if trap else []) + list(spider.page_outcome(response, result.get("follow") or []))
        for item in outputs:
            if isinstance(item, FetchedPage):
                _fill(item, result)
        return _screened(trap, outputs)

    def _push(self, crawl: FleetCrawl, requests: list) -> None:
        """Requests into the stream, each remembered until its result is ingested."""
        if not requests:
            return
        payloads = []
        for request in requests:
            crawl.seq += 1
            token = f"{crawl.run_id}.{crawl.seq}"
            payload = rq.encode(self._payload(crawl, request, token))
            crawl.outstanding[token] = payload
            payloads.append((token, payload))
        self._add(crawl, payloads)

    def _add(self, crawl: FleetCrawl, payloads: list[tuple[str, bytes]]) -> None:
        import redis

        streams = [rq.REQUESTS.format(rq.host_of(rq.decode(payload)["url"])) for _, payload in payloads]
        try:
            for stream in set(streams) - self.streams:   # the group first, then the stream is listed
                rq.ensure_group(self.client, stream, rq.WORKER_GROUP)
                self.client.sadd(rq.HOSTS, stream)
                self.streams.add(stream)
            with self.client.pipeline(transaction=False) as pipe:
                for stream, (_, payload) in zip(streams, payloads):
                    pipe.xadd(stream, {b"r": payload})
                ids = pipe.execute()
        except redis.RedisError as exc:   # kept in `outstanding`: pushed again when Redis is back
            log.warning("Redis did not take %d requests of %s (%s); they are pushed again when it is back",
                        len(payloads), crawl.name, one_line(str(exc), 200))
            self.unpushed = True
            return
        for (token, _), stream, entry in zip(payloads, streams, ids):
            crawl.entries[token] = (stream, rq.text(entry))

    def _payload(self, crawl: FleetCrawl, request, token: str) -> dict:
        callback = getattr(request.callback, "__name__", "")
        kind = {"parse_feed": "feed", "parse_sitemap": "sitemap"}.get(callback, "page")
        meta = {key: value for key, value in request.meta.items()
                if key in ("vigil_depth", "vigil_key", "page_url", "body_hash", "etag", "last_modified",
                           "handle_httpstatus_list")}
        text_hash = workers.latest_text_hash(self.db, meta["page_url"]) if meta.get("page_url") else None
        return {"token": token, "run": crawl.run_id, "source": crawl.name, "kind": kind, "url": request.url,
                "priority": request.priority, "delay": crawl.context.source.delay, "meta": meta,
                "text_hash": text_hash}

    def _push_again(self, everything: bool) -> None:
        """Requests that did not reach Redis; every outstanding one when Redis lost its data (it was
        restarted without persistence)."""
        self.unpushed = False
        count = 0
        for crawl in self.crawls.values():
            if everything:
                crawl.entries.clear()
            payloads = [(token, payload) for token, payload in crawl.outstanding.items() if token not in crawl.entries]
            self._add(crawl, payloads)
            count += len(payloads)
        if everything:
            self.reread = True
            log.warning("Redis lost its queue (restarted without persistence?); %d requests pushed again", count)

    def _finish(self, crawl: FleetCrawl) -> None:
        """The crawl's end, recorded as a crawl process records it."""
        ingestor = crawl.ingestor
        ingestor.finish(crawl.name)
        RunRecorder(crawl.context).spider_closed(crawl.spider, FinishReason.FINISHED)
        del self.crawls[crawl.run_id]
        figures = crawl.context.figures
        log.info("crawl of %s ended (finished) on the workers in %.1fs: %d fetched, %d new, %d changed, %d errors",
                 crawl.name, time.monotonic() - crawl.started, figures.fetched, figures.new, figures.changed,
                 figures.errors)
        self.on_ended(crawl.name)

    def _orphan(self, result: dict) -> None:
        """A result of a crawl this process did not start (it was restarted): its page is ingested all
        the same, with no follow-up (the next crawl finds what it linked)."""
        if result["kind"] not in ("page", "failure"):
            return
        run_id = result.get("run")
        key = (result["source"], run_id)
        if key not in self.orphans:
            config = effective_config(self.db, self.config)
            source = config.source_or_none(result["source"])
            if source is None:
                return
            run = runs.get_run(self.db, run_id) if run_id is not None else None
            spider = spider_class(source.spider)(source=source)
            spider.settings = crawl_settings(source)
            ingestor = Ingestor(self.db, config, self._matcher(config), run["id"] if run else None, CrawlFigures())
            self.orphans = {key: (spider, ingestor)}   # results come in runs: one kept at a time
        spider, ingestor = self.orphans[key]
        for item in self._replay(spider, None, result):
            if not isinstance(item, scrapy.Request):
                ingest_item(ingestor, item)

    # -- what `vigil status` shows -------------------------------------------------------------
    def _record_status(self, config: Config) -> None:
        beats = []
        for name, data in self.client.hgetall(rq.WORKERS).items():
            try:
                beats.append(rq.decode(data))
            except ValueError:
                continue
        requests, taken = self.waiting()
        items = self.client.xlen(rq.ITEMS)
        now = now_iso()
        with self.db.atomic():
            workers.record_workers(self.db, beats, now)
            workers.record_queue(self.db, rq.redacted(self.url), requests, taken, items, len(self.crawls), now)
            self._judge_workers(config, now)

    def waiting(self) -> tuple[int, int]:
        """Requests in Redis, and how many of them a worker holds."""
        streams = [rq.text(stream) for stream in self.client.smembers(rq.HOSTS)]
        with self.client.pipeline(transaction=False) as pipe:
            for stream in streams:
                pipe.xlen(stream)
                pipe.xpending(stream, rq.WORKER_GROUP)
            answers = pipe.execute(raise_on_error=False)
        lengths = [a for a in answers[0::2] if isinstance(a, int)]
        pending = [a["pending"] for a in answers[1::2] if isinstance(a, dict)]
        return sum(lengths), sum(pending)

    def _judge_workers(self, config: Config, now: str) -> None:
        """A running worker not heard for `worker_silent_after` seconds is a health problem until it is heard."""
        for worker in workers.list_workers(self.db):
            where = f"worker:{worker['name']}"
            silent_for = (parse_iso(now) - parse_iso(worker["heard_at"])).total_seconds()
            if silent_for > FORGET_AFTER:
                self.client.hdel(rq.WORKERS, worker["name"])
                workers.forget_worker(self.db, worker["name"])
                for problem in health.open_problems(self.db, where).values():
                    health.close_problem(self.db, problem["id"], now)
                log.info("worker %s forgotten: not heard for %.0f days", worker["name"], silent_for / 86_400)
                continue
            silent = worker["state"] == "running" and silent_for > config.worker_silent_after
            problem = health.open_problems(self.db, where).get(SILENT)
            if silent and problem is None:
                health.open_problem(self.db, where, SILENT, now, {"last_heartbeat": worker["seen_at"]})
                log.warning("worker %s is silent: no heartbeat for %.0fs (last %s)", worker["name"], silent_for,
                            worker["seen_at"])
            elif not silent and problem is not None:
                health.close_problem(self.db, problem["id"], now)
                log.info("worker %s is heard again", worker["name"])

    # -- stopping ----------------------------------------------------------------------------------
    def stop(self) -> None:
        """Crawls in progress end as a shutdown; their requests not yet taken are withdrawn."""
        import redis

        now = now_iso()
        for crawl in list(self.crawls.values()):
            try:
                with self.client.pipeline(transaction=False) as pipe:
                    for stream, entry in crawl.entries.values():
                        pipe.xdel(stream, entry)
                    pipe.execute()
            except redis.RedisError:
                pass
            run = runs.get_run(self.db, crawl.run_id)
            if run is not None and run["finished_at"] is None:
                runs.save_figures(self.db, crawl.run_id, crawl.context.figures)
                runs.end_interrupted_run(self.db, run, now, FinishReason.SHUTDOWN)
        self.crawls.clear()
        self.client.close()


def _fill(item: FetchedPage, result: dict) -> None:
    """The worker's extraction onto the item the spider made of the page."""
    item.fetched_at = result.get("fetched_at") or item.fetched_at
    item.body_hash = result.get("body_hash") or ""
    item.skipped = result.get("skipped")
    item.signature = rq.unpack_bytes(result.get("signature"))
    problem = result.get("problem")
    if problem:
        item.problem = (FailureKind(problem[0]), problem[1])
    data = result.get("extraction")
    if data is not None:
        item.extraction = rq.unpack_extraction(data)


def _screened(trap: TrapGuardMiddleware | None, outputs: list) -> list:
    """The trap guard over the spider's output, as the spider middleware is in a crawl."""
    if trap is None:
        return outputs
    screened = []
    for output in outputs:
        screened.extend(trap._screen(output))
    return screened


async def _collect(requests) -> list:
    return [request async for request in requests]
