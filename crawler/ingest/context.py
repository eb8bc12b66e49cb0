"""What every component of one crawl shares: config, source, database, matcher, run, figures."""
from __future__ import annotations

from dataclasses import dataclass, field

from alerts.matching.matcher import Matcher
from crawler.core.config import Config, Source
from crawler.ingest.items import CrawlFigures
from crawler.ingest.steps import Ingestor


@dataclass
class CrawlContext:
    config: Config
    source: Source
    db: object
    matcher: Matcher
    run_id: int
    figures: CrawlFigures = field(default_factory=CrawlFigures)

    def ingestor(self) -> Ingestor:
        return Ingestor(self.db, self.config, self.matcher, self.run_id, self.figures)
