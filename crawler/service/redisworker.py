"""`vigil worker --redis URL`: a crawl process on any machine, fetching and extracting what the store asks for.

The worker is a scrapy-redis spider (RedisSpider): scrapy-redis gives it the connection
from `REDIS_URL` and the idle loop that takes a batch of requests from Redis whenever
the crawl runs dry. We read our own stream with a consumer group instead of scrapy-redis's
lists, so that a request is never lost with a worker (crawler/service/redisqueue.py).

For each request it fetches the page (the private-network guard, robots.txt, retries,
size and time bounds: the same middlewares as `vigil crawl`), takes the host's gate in
Redis first, extracts the text, reads the links the source follows, and pushes the
result to the store. It decides nothing about the crawl (budget, what is new, what to
fetch next): `vigil run --redis` decides that with the frontier, as the single writer.
Workers never open the database; they read the same config file for the sources' link
rules and the guard, and take no secret from Redis.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections import Counter, deque
from dataclasses import dataclass
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.reactor import install_reactor
from scrapy_redis.spiders import RedisSpider

from crawler.core.kinds import FailureKind
from crawler.core.logs import remember_secrets
from crawler.core.timeutil import now_iso
from crawler.ingest.crawl import crawl_settings, crawler_process
from crawler.ingest.items import FetchedPage
from crawler.service import redisqueue as rq
from crawler.service.configload import load_config
from crawler.text.extractors import reads
from spiders import spider_class
from spiders.source import describe_failure

log = logging.getLogger("vigil.worker")

HEARTBEAT = 5.0          # seconds between a worker's heartbeats (and refreshes of the entries it holds)
POLL = 0.25              # seconds between looks for more requests while the worker has room
RETRY_PUSH = 1.0         # seconds between attempts to push results while Redis is away
RECLAIM_SHARE = 4        # requests a silent worker left are looked for every quarter of the claim time
PER_HOST = 2             # requests of one host a worker holds at once: the rest wait for the host's delay anyway
# A host's gate is held this much longer than its delay: the time between taking the gate and the
# request leaving (a busy reactor) varies by some milliseconds, and must not eat into the delay.
GATE_MARGIN = 0.05
SHIP_META = ("vigil_depth", "vigil_key", "page_url", "body_hash", "etag", "last_modified", "redirect_urls",
             "handle_httpstatus_list", "vigil_links_cut", "vigil_leaf")


@dataclass
class WorkerContext:
    """What the crawl's middlewares read from `crawler.vigil`: the config (the guard's policy, the proxy)."""

    config: object
    source: object = None


@dataclass
class Result:
    """What a worker pushes for one request: a page, a feed or sitemap body, or a failure."""

    envelope: dict
    entry: tuple[str, str]   # (request stream, entry id)


class FleetSpider(RedisSpider):
    """Takes requests from the `vigil:requests` stream and answers each with one result."""

    name = "vigil-worker"
    redis_key = rq.HOSTS   # what scrapy-redis reports reading; we read the hosts' streams listed there
    max_idle_time = 0      # never closes when idle: a worker waits for work

    def __init__(self, config_path: str, worker: str, claim_after: float, capacity: int, **kwargs):
        super().__init__(**kwargs)
        self.config_path = config_path
        self.worker = worker
        self.claim_after_ms = int(claim_after * 1000)
        self.capacity = capacity
        self.config = load_config(config_path)
        self.config_mtime = os.stat(config_path).st_mtime
        remember_secrets(self.config)
        self.helpers: dict[str, object] = {}        # source -> its spider, for its link rules
        self.host_delays: dict[str, float] = {}     # host -> the delay of the last request for it
        self.in_flight: dict[str, tuple[str, str]] = {}   # token -> (stream, entry), read and not yet answered
        self.unsent: list[Result] = []              # results waiting for Redis to come back
        self.done_times: deque[float] = deque()     # monotonic times of the last minute's results
        self.pages = self.errors = 0
        self.started_at = now_iso()
        self.redis_down_since: float | None = None
        self.epoch = ""
        self.rotation = 0                           # which host's stream is read first, in turn
        self.poll_due = False
        self.next_reclaim = 0.0

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.closed_down, signal=signals.spider_closed)
        return spider

    # -- taking requests (scrapy-redis calls fetch_data and make_request_from_data) --------------
    def setup_redis(self, crawler=None):
        super().setup_redis(crawler)
        self.fetch_data = self._take
        self.count_size = lambda key: len(self.in_flight)

    async def start(self):
        for request in self.next_requests():
            yield request

    def opened(self, spider=None):
        from twisted.internet import task

        self._ensure_groups()
        self.epoch = (self.server.get(rq.EPOCH) or b"").decode()   # the store's; see HostGateMiddleware
        self._beat()
        self.loops = [task.LoopingCall(self._poll), task.LoopingCall(self._beat), task.LoopingCall(self._resend)]
        for loop, every in zip(self.loops, (POLL, HEARTBEAT, RETRY_PUSH)):
            loop.start(every, now=False)

    def _ensure_groups(self) -> None:
        rq.ensure_group(self.server, rq.ITEMS, rq.STORE_GROUP)   # the request streams' groups are the store's

    def _poll(self) -> None:
        if self.crawler.engine is not None and self.crawler.engine.running and len(self.in_flight) < self.capacity:
            self.schedule_next_requests()

    def _poll_soon(self) -> None:
        from twisted.internet import reactor

        if not self.poll_due:
            self.poll_due = True
            reactor.callLater(0.01, self._poll_now)

    def _poll_now(self) -> None:
        self.poll_due = False
        self._poll()

    def _take(self, key, batch_size) -> list:
        """(stream, entry, fields) to fetch, up to the room left and PER_HOST of each host: first those a
        silent worker left (idle past the claim time), then new ones, one per host, hosts in turn."""
        import redis

        room = self.capacity - len(self.in_flight)
        if room <= 0:
            return []
        try:
            held = Counter(stream for stream, _ in self.in_flight.values())
            streams = sorted(rq.text(stream) for stream in self.server.smembers(rq.HOSTS))
            open_ = [stream for stream in streams if held[stream] < PER_HOST]
            if not open_:
                return []
            self.rotation = (self.rotation + 1) % len(open_)
            open_ = open_[self.rotation:] + open_[:self.rotation]
            taken = []
            if time.monotonic() >= self.next_reclaim:
                self.next_reclaim = time.monotonic() + max(1.0, self.claim_after_ms / 1000 / RECLAIM_SHARE)
                with self.server.pipeline(transaction=False) as pipe:
                    for stream in open_:
                        pipe.xautoclaim(stream, rq.WORKER_GROUP, self.worker, self.claim_after_ms, start_id="0-0",
                                        count=PER_HOST - held[stream])
                    claimed = pipe.execute(raise_on_error=False)
                for stream, answer in zip(open_, claimed):
                    if isinstance(answer, (list, tuple)) and len(answer) > 1:
                        taken += [(stream, entry, fields) for entry, fields in answer[1] if fields]
                if taken:
                    log.info("took over %d requests a silent worker had left", len(taken))
            wanted = [stream for stream in open_ if stream not in {t[0] for t in taken}][:max(0, room - len(taken))]
            if wanted:
                read = self.server.xreadgroup(rq.WORKER_GROUP, self.worker, dict.fromkeys(wanted, ">"), count=1)
                for stream, entries in read or []:
                    taken += [(rq.text(stream), entry, fields) for entry, fields in entries]
        except redis.ResponseError as exc:
            if "NOGROUP" in str(exc):   # Redis lost its data: the store pushes its requests again
                return []
            raise
        except redis.RedisError as exc:
            self._redis_away(exc)
            return []
        self._redis_back()
        return taken

    def make_request_from_data(self, data):
        stream, entry_id, fields = data
        entry = rq.text(entry_id)
        try:
            payload = rq.decode(fields[b"r"])
        except (KeyError, ValueError) as exc:
            log.error("unreadable request %s in Redis (%s): dropped", entry, exc)
            self.server.xack(stream, rq.WORKER_GROUP, entry)
            return None
        host = urlsplit(payload["url"]).hostname or ""
        self.host_delays[host] = float(payload.get("delay") or 0)
        self.in_flight[payload["token"]] = (stream, entry)
        meta = {**payload.get("meta", {}), "vigil_token": payload["token"], "vigil_entry": (stream, entry),
                "vigil_run": payload["run"], "vigil_source": payload["source"], "vigil_kind": payload["kind"],
                "vigil_delay": float(payload.get("delay") or 0), "vigil_text_hash": payload.get("text_hash")}
        return scrapy.Request(payload["url"], callback=self.parse, errback=self.failed, meta=meta, dont_filter=True,
                              priority=int(payload.get("priority", 0)))

    # -- answering -------------------------------------------------------------------------------
    def parse(self, response):
        try:
            return self._parse(response)
        except Exception as exc:  # a result must go back for every request, or its crawl waits for ever
            log.warning("reading %s failed: %s: %s", response.url, type(exc).__name__, exc)
            envelope = self._envelope(response.request, response.meta)
            envelope.update(kind="failure", failure=str(FailureKind.PROCESSING), status=None,
                            reason=f"{type(exc).__name__}: {exc}"[:300], request_url=response.request.url,
                            meta={k: response.meta[k] for k in SHIP_META if k in response.meta})
            return [Result(envelope, response.meta["vigil_entry"])]

    def _parse(self, response):
        meta = response.meta
        envelope = self._envelope(response.request, meta)
        envelope.update(status=response.status, final_url=response.url, request_url=response.request.url,
                        headers={k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
                                 for k, v in response.headers.items()},
                        meta={k: meta[k] for k in SHIP_META if k in meta})
        if meta["vigil_kind"] != "page":   # a feed or a sitemap: the store reads it with the source's spider
            envelope["body"] = rq.pack_bytes(response.body)
            return [Result(envelope, meta["vigil_entry"])]
        helper = self._helper(meta["vigil_source"])
        if helper is None:
            return [self._no_source(envelope, meta)]
        envelope["follow"] = helper.links_on(response)
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        page = FetchedPage(source=meta["vigil_source"], page_url=meta.get("page_url"), url=response.request.url,
                           final_url=response.url, status=response.status, headers=envelope["headers"],
                           body=response.body, fetched_at=envelope["fetched_at"],
                           known_body_hash=meta.get("body_hash"))
        # What the pipelines need beside the page, carried on it: PushPipeline sends the envelope.
        page.fleet = envelope
        page.fleet_entry = meta["vigil_entry"]
        page.fleet_extract = response.status == 200 and reads(content_type)
        page.fleet_text_hash = meta.get("vigil_text_hash")
        return [page]

    def failed(self, failure):
        request = failure.request
        kind, reason = describe_failure(failure.value, request, self.settings)
        status = getattr(getattr(failure.value, "response", None), "status", None)
        envelope = self._envelope(request, request.meta)
        envelope.update(kind="failure", failure=str(kind), reason=reason, status=status, request_url=request.url,
                        meta={k: request.meta[k] for k in SHIP_META if k in request.meta})
        return [Result(envelope, request.meta["vigil_entry"])]

    def _envelope(self, request, meta) -> dict:
        return {"token": meta["vigil_token"], "run": meta["vigil_run"], "source": meta["vigil_source"],
                "kind": meta["vigil_kind"], "url": request.url, "fetched_at": now_iso(), "worker": self.worker}

    def _no_source(self, envelope: dict, meta: dict) -> Result:
        envelope.update(kind="failure", failure=str(FailureKind.PROCESSING), status=None,
                        reason=f"worker {self.worker}: its config ({self.config_path}) has no source named "
                               f"{meta['vigil_source']!r}; give every machine the same config")
        return Result(envelope, meta["vigil_entry"])

    def _helper(self, name: str):
        """The source's own spider, for its link rules; None when this worker's config lacks it."""
        source = self.config.source_or_none(name)
        if source is None:
            return None
        helper = self.helpers.get(name)
        if helper is None or helper.source != source:
            helper = spider_class(source.spider)(source=source)
            self.helpers[name] = helper
        return helper

    # -- pushing results -------------------------------------------------------------------------
    def push(self, result: Result) -> None:
        """The result into `vigil:items` and the request out of `vigil:requests`, in one MULTI; kept and
        tried again while Redis is away."""
        if not self._send(result):
            self.unsent.append(result)
        self.in_flight.pop(result.envelope["token"], None)
        self._poll_soon()   # room for the next request of this host now, not at the next poll
        self.done_times.append(time.monotonic())
        if result.envelope["kind"] == "failure":
            self.errors += 1
        else:
            self.pages += 1

    def _send(self, result: Result) -> bool:
        import redis

        try:
            with self.server.pipeline(transaction=True) as pipe:
                pipe.xadd(rq.ITEMS, {b"i": rq.encode(result.envelope)})
                pipe.xack(result.entry[0], rq.WORKER_GROUP, result.entry[1])
                pipe.xdel(result.entry[0], result.entry[1])
                # The acknowledgement fails (NOGROUP) when Redis lost its data meanwhile: the result counts.
                added = pipe.execute(raise_on_error=False)[0]
        except redis.RedisError as exc:
            self._redis_away(exc)
            return False
        if isinstance(added, Exception):
            self._redis_away(added)
            return False
        self._redis_back()
        return True

    def _resend(self) -> None:
        while self.unsent and self._send(self.unsent[0]):
            self.unsent.pop(0)

    # -- health ------------------------------------------------------------------------------------
    def _beat(self, state: str = "running") -> None:
        """The heartbeat `vigil status` shows; the entries in hand kept ours (their idle time reset)."""
        import redis

        self._reload_config()
        now = time.monotonic()
        while self.done_times and now - self.done_times[0] > 60:
            self.done_times.popleft()
        beat = {"name": self.worker, "host": socket.gethostname(), "pid": os.getpid(), "started_at": self.started_at,
                "seen_at": now_iso(), "pages": self.pages, "errors": self.errors,
                "pages_per_min": len(self.done_times), "in_flight": len(self.in_flight), "state": state,
                "unsent": len(self.unsent)}
        try:
            self.server.hset(rq.WORKERS, self.worker, rq.encode(beat))
            by_stream: dict[str, list[str]] = {}
            for stream, entry in self.in_flight.values():
                by_stream.setdefault(stream, []).append(entry)
            with self.server.pipeline(transaction=False) as pipe:
                for stream, entries in by_stream.items():
                    pipe.xclaim(stream, rq.WORKER_GROUP, self.worker, 0, entries, justid=True)
                pipe.execute(raise_on_error=False)
        except redis.RedisError as exc:
            self._redis_away(exc)

    def _reload_config(self) -> None:
        try:
            mtime = os.stat(self.config_path).st_mtime
            if mtime != self.config_mtime:
                self.config, self.config_mtime = load_config(self.config_path), mtime
                remember_secrets(self.config)
                log.info("config reloaded from %s", self.config_path)
        except Exception as exc:  # a broken config: keep the one we have, say so
            log.error("config not reloaded, the running one is kept: %s", exc)
            self.config_mtime = os.stat(self.config_path).st_mtime if os.path.exists(self.config_path) else 0

    def _redis_away(self, exc: Exception) -> None:
        if self.redis_down_since is None:
            self.redis_down_since = time.monotonic()
            log.warning("Redis is not answering (%s); results are kept and sent when it is back", exc)

    def _redis_back(self) -> None:
        if self.redis_down_since is not None:
            log.info("Redis answers again after %.0fs", time.monotonic() - self.redis_down_since)
            self.redis_down_since = None
            self._ensure_groups()

    def closed_down(self, spider=None, reason=None):
        """Requests in hand go back to the stream for other workers at once; the heartbeat says stopped."""
        import redis

        for loop in getattr(self, "loops", []):
            if loop.running:
                loop.stop()
        self._resend()
        try:
            with self.server.pipeline(transaction=True) as pipe:
                for stream, entry in self.in_flight.values():
                    for _, fields in self.server.xrange(stream, min=entry, max=entry):
                        pipe.xadd(stream, fields)
                    pipe.xack(stream, rq.WORKER_GROUP, entry)
                    pipe.xdel(stream, entry)
                pipe.execute(raise_on_error=False)
            if self.in_flight:
                log.info("%d requests in hand handed back for other workers", len(self.in_flight))
            self._beat("stopped")
        except redis.RedisError as exc:
            log.warning("could not hand back the requests in hand (%s); others take them after the claim time", exc)
        if self.unsent:
            log.error("%d results could not be sent (Redis away); their requests are fetched again", len(self.unsent))


class HostGateMiddleware:
    """Politeness across workers: a request goes out only once its host's gate in Redis is ours."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.script = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request, spider=None):
        import redis

        spider = spider or self.crawler.spider
        host = urlsplit(request.url).hostname or ""
        delay = request.meta.get("vigil_delay", spider.host_delays.get(host, 0))
        if not delay or delay <= 0:
            return None
        if self.script is None:
            self.script = spider.server.register_script(rq.GATE_SCRIPT)
        while True:
            try:
                left = self.script(keys=[rq.HOST_GATE.format(host), rq.EPOCH],
                                   args=[spider.worker, int((delay + GATE_MARGIN) * 1000), spider.epoch])
                if left == -1:   # Redis lost the gates: a whole delay first (see redisqueue.py)
                    spider.epoch = (spider.server.get(rq.EPOCH) or b"").decode()
                    left = int(delay * 1000)
            except redis.RedisError as exc:  # no gate, no request: politeness before progress
                spider._redis_away(exc)
                left = 1000
            if left == 0:
                return None
            await asyncio.sleep(left / 1000)


class PushPipeline:
    """The last pipeline: each result goes to the store through Redis (after ExtractPipeline)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item, spider=None):
        spider = spider or self.crawler.spider
        if isinstance(item, Result):
            spider.push(item)
        elif isinstance(item, FetchedPage):
            spider.push(Result(page_envelope(item), item.fleet_entry))
        return item


def page_envelope(page: FetchedPage) -> dict:
    """A fetched page as pushed: its extracted text and figures, and its raw body only when its
    text is new or changed (the store keeps it as evidence if it names someone)."""
    envelope = page.fleet
    extraction = page.extraction
    envelope["body_hash"] = page.body_hash or None
    envelope["skipped"] = page.skipped
    problem = getattr(page, "problem", None)
    envelope["problem"] = [str(problem[0]), problem[1]] if problem else None
    envelope["signature"] = rq.pack_bytes(page.signature) if page.signature else None
    envelope["extraction"] = None
    if extraction is not None:
        envelope["extraction"] = rq.pack_extraction(extraction)
    from crawler.text.diff import text_hash

    new_text = extraction is not None and extraction.text.strip() and text_hash(extraction.text) != page.fleet_text_hash
    envelope["body"] = rq.pack_bytes(page.body) if new_text else None
    return envelope


class GatedExtractPipeline:
    """ExtractPipeline for the pages that the store would have extracted (HTML, HTTP 200)."""

    def __init__(self, crawler):
        from crawler.ingest.pipelines import ExtractPipeline

        self.inner = ExtractPipeline.from_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        self.inner.open_spider(spider)

    def close_spider(self, spider=None):
        self.inner.close_spider(spider)

    def process_item(self, item, spider=None):
        if isinstance(item, FetchedPage) and (item.fleet_extract or item.status == 304):
            return self.inner.process_item(item, spider)
        return item


def worker_settings(redis_url: str, capacity: int) -> dict:
    """Scrapy settings of a worker: the crawl's, with politeness held by the host gate instead of
    Scrapy's per-process delay, and results pushed instead of stored."""
    return {
        "REDIS_URL": redis_url,
        "REDIS_PARAMS": {"socket_timeout": 10, "socket_connect_timeout": 3, "retry_on_timeout": True},
        "DOWNLOAD_DELAY": 0, "RANDOMIZE_DOWNLOAD_DELAY": False,
        "CONCURRENT_REQUESTS": capacity, "CONCURRENT_REQUESTS_PER_DOMAIN": capacity,
        "ITEM_PIPELINES": {"crawler.service.redisworker.GatedExtractPipeline": 100,
                           "crawler.service.redisworker.PushPipeline": 500},
        "EXTENSIONS": {},
        "SPIDER_MIDDLEWARES": {},   # the trap guard runs in the store, which decides what to follow
        "DOWNLOADER_MIDDLEWARES": {**crawl_settings(None).getdict("DOWNLOADER_MIDDLEWARES"),
                                   # last before the download (after robots.txt, 100): the gate is taken
                                   # as near the send as a middleware can be
                                   "crawler.service.redisworker.HostGateMiddleware": 990},
    }


def run_worker(config_path: str, redis_url: str, name: str | None = None, claim_after: float = 60.0,
               capacity: int = 64) -> int:
    """Fetch and extract for the store until SIGTERM or SIGINT (Scrapy's shutdown: a second one stops at once)."""
    worker = name or f"{socket.gethostname()}-{os.getpid()}"
    settings = crawl_settings(None, worker_settings(redis_url, capacity))
    install_reactor(settings["TWISTED_REACTOR"])
    process = crawler_process(settings)
    crawler = Crawler(FleetSpider, settings, init_reactor=False)
    crawler.vigil = WorkerContext(load_config(config_path))
    process.crawl(crawler, config_path=str(config_path), worker=worker, claim_after=claim_after, capacity=capacity)
    log.info("vigil worker %s started (pid %d): Redis %s", worker, os.getpid(), rq.redacted(redis_url))
    process.start()
    log.info("vigil worker %s stopped", worker)
    return 0
