"""What the spider hands to the pipelines: a fetched page, or a URL that could not be fetched."""
from __future__ import annotations

from dataclasses import dataclass, field

from crawler.core.kinds import FailureKind


@dataclass
class FetchedPage:
    source: str
    page_url: str | None        # canonical URL of a page already known, else None
    url: str                    # URL as requested
    final_url: str              # after redirects
    status: int
    headers: dict[str, str]      # names in lower case
    body: bytes
    fetched_at: str
    known_body_hash: str | None = None
    redirected: bool = False
    depth: int = 0
    led_to_new: bool = False    # its links led to pages not known before: a listing
    # Filled in by ExtractPipeline.
    body_hash: str = ""
    extraction: object | None = None
    signature: bytes | None = None    # near-duplicate fingerprint, computed beside extraction
    skipped: str | None = None  # "not_modified" | "same_body" | "not_html"
    found: list | None = None   # the crawl matcher's mentions in the extracted text, when a worker found them


@dataclass
class FetchFailure:
    source: str
    url: str
    kind: FailureKind           # every kind, and when each is passing, in crawler/core/kinds.py
    reason: str
    at: str
    known: bool = False         # the URL is a page already known


@dataclass
class CrawlFigures:
    """The counters a crawl prints and a run stores."""

    fetched: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    errors: int = 0
    mentions: int = 0
    alerts: int = 0
    restored: int = 0
    extra: dict = field(default_factory=dict)
