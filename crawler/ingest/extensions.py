"""Extensions: recording how each run ended, and what it left for the next, when its spider closes."""
from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.core.timeutil import ISO_FORMAT, parse_iso
from crawler.core.timeutil import now_iso
from storage import frontier, runs


class RunRecorder:
    """Stores the finish time and reason of the run this crawl belongs to."""

    def __init__(self, context):
        self.context = context

    @classmethod
    def from_crawler(cls, crawler):
        context = getattr(crawler, "vigil", None)
        if context is None:
            raise NotConfigured("no Vigil context")
        recorder = cls(context)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_closed(self, spider, reason):
        db, source, now = self.context.db, self.context.source.name, now_iso()
        deferred = getattr(spider, "deferred", {})
        failed = getattr(spider, "failed_links", {})
        retry_at = (parse_iso(now) + self.context.source.revisit_ceiling).strftime(ISO_FORMAT)
        with db.atomic():
            frontier.forget_links(db, source, getattr(spider, "from_frontier", []))
            frontier.defer_links(db, source, [(url, fetch_url, depth) for url, (fetch_url, depth) in deferred.items()],
                                 now)
            for lasting in (False, True):
                frontier.defer_links(db, source, [(url, fetch_url, depth) for url, (fetch_url, depth, last)
                                                  in failed.items() if last == lasting],
                                     now, retry_at if lasting else None)
            runs.save_figures(db, self.context.run_id, self.context.figures)
            runs.record_plan(db, self.context.run_id, planned=len(getattr(spider, "scheduled", ())),
                             due_left=getattr(spider, "due_left", 0), new_left=frontier.count_pending(db, source))
            runs.finish_run(db, self.context.run_id, now, reason)
