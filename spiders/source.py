"""The generic source spider: start URLs, link rules, feeds, sitemaps and known pages."""
from __future__ import annotations

import email.utils
from datetime import datetime
from typing import ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from lxml import etree
from scrapy.exceptions import (CannotResolveHostError, DontCloseSpider, DownloadCancelledError,
                               DownloadConnectionRefusedError, DownloadTimeoutError, IgnoreRequest,
                               ResponseDataLossError)
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError

from crawler.core import netguard
from crawler.core.config import DEFAULT_SPIDER, Source
from crawler.core.kinds import FailureKind
from crawler.core.terminal import one_line
from crawler.core.timeutil import format_iso, now_iso
from crawler.core.urls import canonicalize
from crawler.ingest.frontier import CrawlPlan
from crawler.ingest.items import FetchedPage, FetchFailure
from crawler.ingest.links import LinkReader
from crawler.ingest.middlewares import PrivateNetworkRefused
from crawler.text.extractors import reads, reads_extension

# Answers that are pages' news, not errors: unchanged, gone.
PAGE_STATUSES = [304, 404, 410]
FEED_TYPES = ("xml", "rss", "atom")
# Documents a page links to: followed like pages when an extractor reads their format (PDF, DOCX,
# ODT, RTF, plain text: crawler/text/extractors/); the others are named in `vigil errors`, never fetched.
DOCUMENT_EXTENSIONS = frozenset("pdf doc docx odt rtf txt xls xlsx ods ppt pptx odp epub".split())


REASON_LIMIT = 300   # characters of an error's reason

# Request priorities: Scrapy fetches higher ones first.
DISCOVERY, NEW, REVISIT = 20, 10, 0
# The phases of a crawl, each begun when the one before is done.
DISCOVERY_PHASE, PENDING, REVISITS = 0, 1, 2


class SourceSpider(scrapy.Spider):
    """Crawls one configured source within its budget; every page it fetches becomes a FetchedPage item.

    Discovery pages (start URLs, feeds, sitemaps, listings) and the new links they hold come
    first; then the links earlier crawls had no budget for; then the due revisits
    (see crawler/ingest/frontier.py).

    A site that needs its own spider subclasses this one with its own `name`, the value of
    the `spider` key of its sources; defining the class registers it."""

    name = DEFAULT_SPIDER
    registry: ClassVar[dict[str, type["SourceSpider"]]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            raise TypeError(f"{cls.__name__} needs a `name` of its own: the `spider` key that chooses it")
        SourceSpider.registry[cls.name] = cls

    def __init__(self, source: Source, plan: CrawlPlan | None = None, **kwargs):
        super().__init__(name=f"source:{source.name}", **kwargs)
        self.source = source
        self.plan = plan or CrawlPlan(budget=source.max_pages, known={})
        self.hosts = {urlsplit(u).hostname for u in (*source.start_urls, *source.feeds, *source.sitemaps)}
        self.links = LinkReader(allow=source.follow, deny=source.deny, hosts=self.hosts,
                                deny_extensions=[e for e in IGNORED_EXTENSIONS if e not in DOCUMENT_EXTENSIONS])
        self.scheduled: set[str] = set()
        self.documents: set[str] = set()
        self.deferred: dict[str, tuple[str, int]] = {}   # new links beyond the budget: url -> (as linked, depth)
        self.answered: set[str] = set()                  # canonical URLs of page requests answered or failed
        self.failed_links: dict[str, tuple[str, int, bool]] = {}   # new links that failed: (as linked, depth, lasting)
        self.phase = DISCOVERY_PHASE
        self.due_left = 0

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.next_phase, signal=signals.spider_idle)
        return spider

    async def start(self):
        starts = {canonicalize(url): url for url in self.source.start_urls}
        for key, url in starts.items():
            request = self._page_request(url, 0, DISCOVERY, known=self.plan.start_pages.get(key))
            if request is not None:
                yield request
        for url in self.source.feeds:
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.failed, dont_filter=True,
                                 priority=DISCOVERY)
        for url in self.source.sitemaps:
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.failed, dont_filter=True,
                                 priority=DISCOVERY)
        for page in self.plan.listings:
            request = self._page_request(page["url"], min(page["depth"], self.source.max_depth), DISCOVERY, known=page)
            if request is not None:
                yield request

    def next_phase(self, spider=None):
        """When the pages asked for so far are done: the links earlier crawls left in the frontier,
        then the due revisits, most overdue first, in what is left of the budget."""
        requests = self.advance_phase()
        for request in requests:
            self.crawler.engine.crawl(request)
        if requests:
            raise DontCloseSpider

    def advance_phase(self) -> list:
        """The requests of the next phase that has any; [] when the crawl is done."""
        while self.phase < REVISITS:
            self.phase += 1
            requests = list(self._pending_requests() if self.phase == PENDING else self._revisit_requests())
            if requests:
                return requests
        return []

    def _pending_requests(self):
        for link in self.plan.pending:
            request = self._page_request(link["fetch_url"], min(link["depth"], self.source.max_depth), NEW)
            if request is not None:
                yield request

    @property
    def from_frontier(self) -> list[str]:
        """Links of earlier crawls that this one fetched (or found known meanwhile): done with."""
        return sorted(link["url"] for link in self.plan.pending
                      if link["url"] in self.answered or link["url"] in self.plan.known)

    def _revisit_requests(self):
        for page in self.plan.due:
            if page["url"] not in self.scheduled:
                request = self._page_request(page["url"], min(page["depth"], self.source.max_depth), REVISIT,
                                             known=page)
                if request is not None:
                    yield request
        visited = sum(1 for page in self.plan.due if page["url"] in self.scheduled)
        self.due_left = max(0, self.plan.due_total - visited)

    @property
    def spent(self) -> int:
        return len(self.scheduled)

    def _page_request(self, url: str, depth: int, priority: int, known: dict | None = None):
        """A request for a page, once per canonical URL, within the budget; the URL is fetched as
        the site wrote it. A new link with no budget left is deferred to the next crawl."""
        key = canonicalize(url)
        if key in self.scheduled:
            return None
        if known is None and key in self.plan.known and priority != DISCOVERY:
            return None  # a known page, visited when it is due, or a dead link resting
        limit = self.plan.budget if known is not None or self.phase == REVISITS else self.plan.new_limit
        if self.spent >= limit:
            if known is None and priority == NEW:
                self.deferred.setdefault(key, (url, depth))
            return None
        self.scheduled.add(key)
        self.deferred.pop(key, None)
        meta = {"vigil_depth": depth, "vigil_key": key, "handle_httpstatus_list": PAGE_STATUSES}
        if depth >= self.source.max_depth:
            meta["vigil_leaf"] = True   # its links are not followed: no need to count them
        if known is not None:
            meta.update(page_url=key, body_hash=known.get("body_hash"))
            if depth >= self.source.max_depth:
                # Only pages whose links are not followed may answer 304: a listing must
                # always be read again, or a link it still holds could never be retried.
                meta.update(etag=known.get("etag"), last_modified=known.get("last_modified"))
            url = known.get("fetch_url") or url
        if self.source.render and not reads_extension(_extension(url)):
            meta["playwright"] = True   # drawn by a headless browser (crawler/ingest/rendering.py)
        # We dedupe by canonical URL ourselves; Scrapy's filter would also drop a redirect to a
        # page already fetched, and a takedown by redirect would go unseen.
        return scrapy.Request(url, callback=self.parse_page, errback=self.failed, meta=meta, dont_filter=True,
                              priority=priority)

    def parse_page(self, response):
        yield from self.page_outcome(response, self.links_on(response))

    def links_on(self, response) -> list[str]:
        """The links of a page this source follows (same hosts, above `max_depth`)."""
        if response.status == 200 and response.meta.get("vigil_depth", 0) < self.source.max_depth \
                and hasattr(response, "text"):
            return self.links.urls(response)
        return []

    def page_outcome(self, response, follow: list[str]):
        """The page's item and the requests for the links it holds (`follow`, from links_on). Split
        from parse_page so that a crawl on Redis workers (crawler/service/redisingest.py) can read
        the links on the worker and decide here what to fetch."""
        meta = response.meta
        if "vigil_key" in meta:
            self.answered.add(meta["vigil_key"])
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        is_html = response.status != 200 or reads(content_type, response.url, response.body)   # an extractor reads it
        if response.status in (404, 410) and not meta.get("page_url"):
            self._link_failed(response.request, lasting=True)
            yield self._failure(response.url, FailureKind.HTTP, f"HTTP {response.status}")
            return
        if not is_html:
            self._link_failed(response.request, lasting=True)
            yield self._failure(response.url, FailureKind.SKIPPED, f"not a format Vigil reads ({content_type.split(';')[0]})",
                                known=bool(meta.get("page_url")))
            return
        led_to_new = any(canonicalize(url) not in self.plan.known for url in follow if not _unread_document(url))
        yield FetchedPage(
            source=self.source.name,
            page_url=meta.get("page_url"),
            url=response.request.url if response.request else response.url,
            final_url=response.url,
            status=response.status,
            headers={k.decode("latin-1").lower(): b", ".join(v).decode("latin-1") for k, v in response.headers.items()},
            body=response.body,
            fetched_at=now_iso(),
            known_body_hash=meta.get("body_hash"),
            redirected=bool(meta.get("redirect_urls")),
            depth=meta.get("vigil_depth", 0),
            led_to_new=led_to_new,
        )
        depth = meta.get("vigil_depth", 0) + 1
        for url in follow:
            if _unread_document(url):
                yield from self._document(url)
                continue
            request = self._page_request(url, depth, NEW)
            if request is not None:
                yield request

    def _hinted(self, url: str, changed_at: str | None):
        """A page a feed or sitemap lists: new, or known and changed since its last visit by the
        date given there (then it is visited now, whether due or not)."""
        key = canonicalize(url)
        if key not in self.plan.known:
            return self._page_request(url, self.source.max_depth, NEW)
        last_visit = self.plan.known[key]
        if changed_at and (last_visit is None or changed_at > last_visit) and self.plan.lookup is not None:
            page = self.plan.lookup(key)
            if page is not None:
                return self._page_request(url, min(page["depth"], self.source.max_depth), DISCOVERY, known=page)
        return None

    def parse_feed(self, response):
        """RSS and Atom: every item's link is a page to watch (not followed further)."""
        try:
            root = etree.fromstring(response.body, parser=etree.XMLParser(recover=True, resolve_entities=False,
                                                                          no_network=True, huge_tree=False))
        except etree.XMLSyntaxError as exc:
            yield self._failure(response.url, FailureKind.PROCESSING, f"not an RSS/Atom feed: {exc}")
            return
        if root is None:
            yield self._failure(response.url, FailureKind.PROCESSING, "not an RSS/Atom feed: empty document")
            return
        for link, date in _feed_entries(root):
            url = response.urljoin(link.strip())
            if url.startswith(("http://", "https://")):
                request = self._hinted(url, date)
                if request is not None:
                    yield request

    def parse_sitemap(self, response):
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except Exception as exc:  # a bad gzip is a bad sitemap, not a crash
                yield self._failure(response.url, FailureKind.PROCESSING, f"cannot unpack the sitemap: {exc}")
                return
        try:
            sitemap = Sitemap(body)
        except Exception as exc:  # lxml raises several kinds on hostile XML
            yield self._failure(response.url, FailureKind.PROCESSING, f"not a sitemap: {exc}")
            return
        for entry in sitemap:
            url = entry.get("loc", "").strip()
            if not url.startswith(("http://", "https://")):
                continue
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.failed)
            else:
                request = self._hinted(url, _iso_date(entry.get("lastmod")))
                if request is not None:
                    yield request

    def failed(self, failure):
        request = failure.request
        kind, reason = describe_failure(failure.value, request, self.settings)
        status = getattr(getattr(failure.value, "response", None), "status", None)
        return self.failure_of(request, kind, reason, status)

    def failure_of(self, request, kind: FailureKind, reason: str, status: int | None) -> FetchFailure:
        """The failure record of a request that failed, its link kept in the frontier if new."""
        if "vigil_key" in request.meta:
            self.answered.add(request.meta["vigil_key"])
        self._link_failed(request, lasting=kind not in (FailureKind.TIMEOUT, FailureKind.NETWORK, FailureKind.HTTP)
                          or (status is not None and 400 <= status < 500 and status not in (408, 429)))
        # Recorded under the URL that was linked or configured; where it led is in the reason.
        first_url = (request.meta.get("redirect_urls") or [request.url])[0]
        if first_url != request.url and kind != FailureKind.REDIRECT:
            reason = f"redirected to {one_line(request.url, 200)}: {reason}"
        return self._failure(first_url, kind, reason, known=bool(request.meta.get("page_url")))

    def _document(self, url: str):
        """A linked document of a format no extractor reads: named once per crawl in `vigil errors`, never fetched."""
        if url not in self.documents and len(self.documents) < self.source.max_pages:
            self.documents.add(url)
            reason = f"not read: a .{_extension(url)} document (Vigil reads web pages, PDF, DOCX, ODT, RTF and text)"
            yield self._failure(url, FailureKind.SKIPPED, reason)

    def _link_failed(self, request, lasting: bool) -> None:
        """A new link that failed is kept in the frontier: tried at the next crawl after a passing
        fault (a timeout, a 503), after the revisit ceiling after a lasting one (a 404, not HTML), and
        meanwhile not counted as new, so the pages that link it are not taken for listings."""
        meta = request.meta if request is not None else {}
        if "vigil_key" in meta and not meta.get("page_url") and meta.get("vigil_depth", 0) > 0:
            first = (meta.get("redirect_urls") or [request.url])[0]
            self.failed_links[meta["vigil_key"]] = (first, meta.get("vigil_depth", 0), lasting)

    def _failure(self, url: str, kind: FailureKind, reason: str, known: bool = False) -> FetchFailure:
        return FetchFailure(source=self.source.name, url=url, kind=kind, reason=reason, at=now_iso(), known=known)


def _feed_entries(root) -> list[tuple[str, str | None]]:
    """(link, date of the entry's last change as stored ISO UTC, or None) of RSS items and Atom entries."""
    entries = []
    for item in root.xpath("//*[local-name()='item']"):
        links = item.xpath("*[local-name()='link']/text()")
        dates = item.xpath("*[local-name()='pubDate' or local-name()='date' or local-name()='updated']/text()")
        if links:
            entries.append((links[0], _iso_date(dates[0]) if dates else None))
    for entry in root.xpath("//*[local-name()='entry']"):
        links = entry.xpath("*[local-name()='link'][not(@rel) or @rel='alternate']/@href")
        dates = entry.xpath("*[local-name()='updated' or local-name()='published']/text()")
        if links:
            entries.append((links[0], _iso_date(dates[0]) if dates else None))
    return entries


def _iso_date(text: str | None) -> str | None:
    """An RFC 822 or ISO 8601 date as stored (ISO UTC), or None when it cannot be read."""
    if not text:
        return None
    text = text.strip()
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    return format_iso(moment)   # a date without a zone is taken to be UTC


def _unread_document(url: str) -> bool:
    extension = _extension(url)
    return extension in DOCUMENT_EXTENSIONS and not reads_extension(extension)


def _extension(url: str) -> str:
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return name.rpartition(".")[2].lower() if "." in name else ""


def describe_failure(exc: BaseException, request, settings) -> tuple[FailureKind, str]:
    """The kind and the plain reason of a failed request, as `vigil errors` shows them."""
    host = urlsplit(request.url).hostname
    limit_mb = settings.getint("DOWNLOAD_MAXSIZE") / (1024 * 1024)
    if isinstance(exc, PrivateNetworkRefused):
        return FailureKind.REFUSED, str(exc)
    if isinstance(exc, (CannotResolveHostError, DNSLookupError)):
        refused = netguard.recorded_refusal(host)
        return (FailureKind.REFUSED, refused) if refused else (FailureKind.NETWORK, f"DNS lookup failed for {host}")
    if isinstance(exc, HttpError):
        response = exc.response
        retry_after = response.headers.get(b"Retry-After")
        later = f" (Retry-After: {one_line(retry_after.decode('latin-1'), 40)})" if retry_after else ""
        return FailureKind.HTTP, f"HTTP {response.status}{later}"
    if isinstance(exc, (DownloadTimeoutError, TimeoutError, TCPTimedOutError)):
        return FailureKind.TIMEOUT, f"no complete answer within {settings.getfloat('DOWNLOAD_TIMEOUT'):g} s"
    if isinstance(exc, DownloadCancelledError):
        # timeouts arrive as DownloadTimeoutError: a cancelled download is one past DOWNLOAD_MAXSIZE
        return FailureKind.TOO_LARGE, f"the body is larger than the download limit of {limit_mb:g} MB"
    if isinstance(exc, ResponseDataLossError):
        return FailureKind.NETWORK, "the connection broke before the whole body arrived"
    if isinstance(exc, DownloadConnectionRefusedError):
        return FailureKind.NETWORK, f"connection refused by {host}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "DOWNLOAD_MAXSIZE" in text:
            return (FailureKind.TOO_LARGE,
                    f"the body decompresses to more than the limit of {limit_mb:g} MB (a compression bomb?)")
        if "redirect" in text.lower():
            limit = settings.getint("REDIRECT_MAX_TIMES")
            return FailureKind.REDIRECT, f"more than {limit} redirects (a redirect loop?)"
        if "robots.txt" in text:
            return FailureKind.ROBOTS, "forbidden by the site's robots.txt"
        return FailureKind.SKIPPED, one_line(text, REASON_LIMIT) or "request dropped"
    return FailureKind.NETWORK, one_line(f"{type(exc).__name__}: {exc}", REASON_LIMIT)


SourceSpider.registry[SourceSpider.name] = SourceSpider
