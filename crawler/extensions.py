"""Extensions: recording how each run ended when its spider closes."""
from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import NotConfigured

from storage import runs
from storage.db import now_iso


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
        with self.context.db.atomic():
            runs.save_figures(self.context.db, self.context.run_id, self.context.figures)
            runs.finish_run(self.context.db, self.context.run_id, now_iso(), reason)
