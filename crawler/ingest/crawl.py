"""One crawl of some sources in this process: Scrapy runs every source at once, then it ends."""
from __future__ import annotations

import logging
import os
from datetime import datetime, timezone

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from alerts.matching.matcher import Matcher
from alerts.matching.matchercache import cached_matcher
from crawler.core import settings as default_settings
from crawler.core.config import Config, Source
from crawler.core.processes import tune_garbage_collector
from crawler.core.timeutil import now_iso
from crawler.ingest.context import CrawlContext
from crawler.ingest.frontier import plan_crawl
from spiders import spider_class
from storage import runs
from storage.db import open_database
from storage.effective import effective_config


def crawl_settings(source: Source | None, overrides: dict | None = None, proxy: str | None = None) -> Settings:
    """Scrapy settings for one source: the defaults, then the source's own politeness.

    `proxy` is `[vigil] proxy`, for the browser of a source with `render = true`.
    Without a source: the process's settings. They must not hold a source's politeness:
    Scrapy merges them into every crawler of the process at the same priority, and every
    source would then crawl at the first one's delay."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    if source is not None:
        settings.set("CONCURRENT_REQUESTS", max(source.concurrency, 1), priority="spider")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", max(source.concurrency, 1), priority="spider")
        settings.set("DOWNLOAD_DELAY", source.delay, priority="spider")
        if source.render:
            from crawler.ingest.rendering import browser_settings

            for key, value in browser_settings(source.concurrency, settings.getfloat("DOWNLOAD_TIMEOUT"),
                                               proxy).items():
                settings.set(key, value, priority="spider")
    if os.environ.get("VIGIL_EXTRACT_WORKERS", "").strip().isdigit():
        settings.set("VIGIL_EXTRACT_WORKERS", int(os.environ["VIGIL_EXTRACT_WORKERS"]), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def crawler_process(settings: Settings) -> CrawlerProcess:
    """Scrapy's process, for `vigil crawl`, a crawl worker of `vigil run` or `vigil worker`.

    Its loggers are left at the level Vigil's logging chose: Scrapy sets them to DEBUG, and every
    page then built two log records (crawled, scraped) that no handler showed. The garbage
    collector runs far less often (crawler/core/processes.py)."""
    process = CrawlerProcess(settings)
    logging.getLogger("scrapy").setLevel(logging.NOTSET)
    tune_garbage_collector()
    return process


def matcher_for(config: Config) -> Matcher:
    """The compiled matcher for the config's watchlists, cached beside the database."""
    cache_dir = config.database.parent / ".vigil-cache"
    # The compiled watchlist is unpickled from here: only its owner may write to it.
    cache_dir.mkdir(mode=0o700, exist_ok=True)
    os.chmod(cache_dir, 0o700)
    return cached_matcher(config.terms(), cache_dir)


def run_crawl(config: Config, sources: list[Source], settings_overrides: dict | None = None,
              progress=None, revisit_all: bool = False) -> list[CrawlContext]:
    """Crawl `sources` concurrently until every one finishes; returns each crawl's context.
    `progress(contexts)` is called twice a second while the crawl runs. Each source visits
    what its frontier says (crawler/ingest/frontier.py); `revisit_all` makes every known page due."""
    db = open_database(config.database)
    config = effective_config(db, config)  # terms and subscriptions added with `vigil watch` / `vigil subscribe`
    matcher = matcher_for(config)
    if "VIGIL_EXTRACT_WORKERS" not in os.environ:   # alone on the machine: crawler/core/settings.py
        settings_overrides = {"VIGIL_EXTRACT_WORKERS": default_settings.VIGIL_EXTRACT_WORKERS_ALONE,
                              **(settings_overrides or {})}
    process = crawler_process(crawl_settings(None, settings_overrides))
    contexts = []
    for index, source in enumerate(sources):
        with db.atomic():
            run_id = runs.start_run(db, source.name, now_iso(), os.getpid())
        context = CrawlContext(config=config, source=source, db=db, matcher=matcher, run_id=run_id)
        # The first crawler installs the reactor (the asyncio one, Scrapy's default).
        crawler = Crawler(spider_class(source.spider), crawl_settings(source, settings_overrides, config.proxy),
                          init_reactor=index == 0)
        crawler.vigil = context
        plan = plan_crawl(db, source, datetime.now(timezone.utc), revisit_all=revisit_all)
        process.crawl(crawler, source=source, plan=plan)
        contexts.append(context)
    if progress is not None:
        from twisted.internet import task

        task.LoopingCall(progress, contexts).start(0.5, now=False)
    process.start()
    return contexts
