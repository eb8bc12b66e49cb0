"""The plan of one crawl of a source: what it visits first, and how its budget is shared.

A crawl fetches at most `max_pages` pages (its budget), in this order:
1. discovery pages: the start URLs, the feeds and sitemaps (not counted: they are not
   pages), and listings, the pages whose links led to new pages lately;
2. new pages: links found earlier but not fetched yet, then those this crawl finds;
3. due revisits, the most overdue first (crawler/ingest/revisit.py says when a page is due).
New pages take the budget first, but when revisits are due a quarter of the budget is
kept for them, so that a site flooding the crawl with new links cannot hide a takedown.
Links that do not fit are kept in the frontier and are first in line at the next crawl.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crawler.core.config import Source
from crawler.core.timeutil import ISO_FORMAT
from crawler.core.urls import canonicalize
from crawler.ingest.revisit import due_horizon
from storage import frontier
from storage.pages import get_page

LISTING_MEMORY = timedelta(days=90)   # a page that led to new pages within this is a listing
LISTING_SHARE = 4                      # listings take at most a quarter of the budget
REVISIT_SHARE = 4                      # due revisits are kept a quarter of the budget
FAR_FUTURE = "9999-12-31T00:00:00.000000Z"


@dataclass
class CrawlPlan:
    """What the spider of one crawl is handed: the frontier of its source, read once."""

    budget: int
    known: dict[str, str | None]                        # canonical URL -> last visit (None: a link that failed)
    start_pages: dict[str, dict] = field(default_factory=dict)   # known pages among the start URLs
    listings: list[dict] = field(default_factory=list)
    pending: list[dict] = field(default_factory=list)   # links found earlier, not yet fetched
    due: list[dict] = field(default_factory=list)       # due revisits, most overdue first
    due_total: int = 0
    lookup: object = None                               # url -> known page row (for feed and sitemap hints)

    @property
    def new_limit(self) -> int:
        """Pages the discovery and new phase may fetch: all but the share kept for revisits."""
        return self.budget - min(self.due_total, self.budget // REVISIT_SHARE)


def plan_crawl(db, source: Source, now: datetime, revisit_all: bool = False) -> CrawlPlan:
    """Read the frontier of `source` for a crawl starting `now`."""
    floor = source.schedule.period()
    horizon = FAR_FUTURE if revisit_all else due_horizon(now, floor).strftime(ISO_FORMAT)
    budget = source.max_pages
    stamp = now.strftime(ISO_FORMAT)
    known = dict.fromkeys(frontier.resting_links(db, source.name, stamp))
    known.update(frontier.last_fetches(db, source.name))
    starts = [canonicalize(url) for url in source.start_urls]
    plan = CrawlPlan(
        budget=budget, known=known,
        start_pages=frontier.pages_by_url(db, source.name, starts),
        listings=frontier.listings(db, source.name, (now - LISTING_MEMORY).strftime(ISO_FORMAT),
                                   source.max_depth, max(1, budget // LISTING_SHARE)),
        pending=frontier.pending_links(db, source.name, budget, stamp),
        due=frontier.due_pages(db, source.name, horizon, budget),
        due_total=frontier.count_due(db, source.name, horizon),
        lookup=lambda url: get_page(db, url),
    )
    return plan
