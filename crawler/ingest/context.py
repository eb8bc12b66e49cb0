"""What every component of one crawl shares: config, source, database, matcher, run, figures."""
from __future__ import annotations

from dataclasses import dataclass, field

from alerts.matching.matcher import Matcher
from crawler.core.config import Config, Source
from crawler.core.settings import VIGIL_WRITE_BATCH_SECONDS
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
    # How long quiet pages may wait in one write transaction (storage/db.py, `batched`). A batch
    # holds the database's write lock: where other processes write at once, 0.
    write_batch_seconds: float = VIGIL_WRITE_BATCH_SECONDS

    def ingestor(self) -> Ingestor:
        return Ingestor(self.db, self.config, self.matcher, self.run_id, self.figures, self.write_batch_seconds)
