"""Pages fed straight through the extraction and ingestion code, at chosen times, without a crawl."""
from __future__ import annotations

from pathlib import Path

from alerts.matching.matcher import Matcher
from crawler.core.config import load_config
from crawler.ingest.items import CrawlFigures, FetchedPage
from crawler.ingest.pipelines import ExtractPipeline
from crawler.ingest.steps import Ingestor
from storage import backlog
from storage.effective import effective_config

HTML = {"content-type": "text/html; charset=utf-8"}


class Feeder:
    """Ingests pages into the database of `config_path` as a crawl of source `source` would."""

    def __init__(self, db, config_path: Path, source: str = "ngo"):
        self.db = db
        self.config = load_config(config_path)
        self.source = source
        self._matchers = {}

    def page(self, url: str, html: str, at: str, status: int = 200) -> str:
        """Ingest one fetch of `url` at `at` (ISO UTC); returns what the page came to."""
        config = effective_config(self.db, self.config)
        key = tuple(config.terms())
        if key not in self._matchers:
            self._matchers[key] = Matcher(config.terms())
        body = html.encode("utf-8")
        item = FetchedPage(source=self.source, page_url=None, url=url, final_url=url, status=status,
                           headers=dict(HTML), body=body, fetched_at=at)
        item = ExtractPipeline().extract_item(item)  # the synchronous part of the pipeline
        ingestor = Ingestor(self.db, config, self._matchers[key], None, CrawlFigures())
        outcome = ingestor.page(item)
        ingestor.commit()   # as a crawl does for quiet pages, now and then and at its end
        with self.db.atomic():   # and the index rows that wait, as at a crawl's end: searchable now
            backlog.write(self.db, everything=True)
        return outcome.page
