"""Item pipelines, thin: extraction, then ingestion (snapshot, diff, dedupe, match, outbox)."""
from __future__ import annotations

import hashlib
import logging

from scrapy.exceptions import DropItem, NotConfigured

from crawler.extract import extract
from crawler.items import FetchedPage, FetchFailure

log = logging.getLogger(__name__)


class ExtractPipeline:
    """Extracts the main text, unless the page answered 304 or its raw body is unchanged."""

    def process_item(self, item, spider=None):
        if not isinstance(item, FetchedPage) or item.status != 200 and item.status != 304:
            return item
        if item.status == 304:
            item.skipped = "not_modified"
            return item
        item.body_hash = hashlib.sha256(item.body).hexdigest()
        if item.body_hash == item.known_body_hash:
            item.skipped = "same_body"
            return item
        content_type = item.headers.get("content-type")
        item.extraction = extract(item.body, item.final_url, content_type)
        if item.extraction is None:
            item.skipped = "not_html"
        return item


class IngestPipeline:
    """Writes each page's outcome in one transaction, through the crawl's Ingestor."""

    def __init__(self, context):
        self.ingestor = context.ingestor()

    @classmethod
    def from_crawler(cls, crawler):
        context = getattr(crawler, "vigil", None)
        if context is None:
            raise NotConfigured("no Vigil context")
        return cls(context)

    def process_item(self, item, spider=None):
        try:
            if isinstance(item, FetchFailure):
                self.ingestor.failure(item)
            elif isinstance(item, FetchedPage):
                self.ingestor.page(item)
        except Exception as exc:
            # One page that cannot be processed must not stop the crawl; it is recorded.
            log.exception("processing %s failed", getattr(item, "url", "?"))
            self.ingestor.failure(FetchFailure(
                source=item.source, url=item.url, kind="processing",
                reason=f"{type(exc).__name__}: {exc}"[:300], at=item.fetched_at if hasattr(item, "fetched_at") else item.at,
            ))
            raise DropItem(str(exc)) from exc
        return item
