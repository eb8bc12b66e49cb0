"""Middlewares: the private-network guard, bounds against crawler traps, and conditional GET."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError

from crawler.core import netguard
from crawler.core.kinds import FailureKind
from crawler.core.timeutil import now_iso
from crawler.ingest.items import FetchFailure

WEB_SCHEMES = ("http", "https")


class PrivateNetworkRefused(IgnoreRequest):
    """A request to a private, loopback or reserved address that the config does not allow."""


class PrivateNetworkGuardMiddleware:
    """Refuses requests (redirects, retries and robots.txt included) to forbidden addresses.

    IP literals and names already refused are stopped here, before the downloader; every
    other name is checked by `netguard.GuardedResolver` after DNS resolution, which is
    what holds: the connection only ever goes to an address that resolver let through.

    It also sets each request's proxy: `[vigil] proxy` or none, so that Scrapy's
    HttpProxyMiddleware never takes one from the environment. Through a proxy the target
    is not resolved by the connection, so it is resolved and checked here first.
    """

    def __init__(self, allow, proxy: str | None = None):
        self.allow = allow
        self.proxy = proxy
        netguard.set_policy(allow)
        netguard.set_proxy(proxy)
        self.resolver_checked = False

    @classmethod
    def from_crawler(cls, crawler):
        context = getattr(crawler, "vigil", None)
        if context is None:
            raise NotConfigured("no Vigil context")
        return cls(context.config.allow_private_networks, context.config.proxy)

    async def process_request(self, request, spider=None):
        from twisted.internet import reactor

        if not self.resolver_checked:
            # Scrapy installs the resolver named in TWISTED_DNS_RESOLVER; a runner that
            # installs none (or another) must not leave the guard without its second half.
            netguard.install_resolver(reactor)
            self.resolver_checked = True
        reason = refusal_for(request.url, self.allow)
        if reason:
            raise PrivateNetworkRefused(reason)
        request.meta["proxy"] = self.proxy  # None: no proxy, whatever the environment says
        if self.proxy:
            host = urlsplit(request.url).hostname
            if netguard.parse_address(host) is None:
                addresses = await maybe_deferred_to_future(netguard.resolve(reactor, host))
                refused = netguard.recorded_refusal(host)
                if refused:
                    raise PrivateNetworkRefused(refused)
                if not addresses:
                    raise DNSLookupError(f"{host} does not resolve here, so it cannot be checked before the proxy")
        return None


class RobotsUnavailable(IgnoreRequest):
    """robots.txt could not be fetched; the site is crawled as if it had none."""


class RobotsFailureMiddleware:
    """Turns a failed robots.txt download into a quiet IgnoreRequest.

    Scrapy logs any other failure of robots.txt with a whole traceback, and a hostile
    site's robots.txt may reset, time out or drip like any other page.
    """

    def process_exception(self, request, exception, spider=None):
        if request.meta.get("dont_obey_robotstxt") and request.url.endswith("/robots.txt") \
                and not isinstance(exception, IgnoreRequest):
            raise RobotsUnavailable(f"robots.txt unavailable: {type(exception).__name__}")
        return None


def refusal_for(url: str, allow) -> str | None:
    """Why `url` must not be fetched, as far as can be told without DNS; None when it may go on."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "refused: not a valid URL"
    if parts.scheme.lower() not in WEB_SCHEMES:
        return f"refused: only http and https URLs are fetched, not {parts.scheme or 'this'}:"
    if not host:
        return "refused: the URL has no host"
    literal = netguard.parse_address(host)
    if literal is not None:
        return netguard.refusal_reason(host, literal, allow)
    return netguard.recorded_refusal(host)


class TrapGuardMiddleware:
    """Drops links that look like a crawler trap, recording why (once per trap, not once per link).

    Endless calendars and session or sort parameters make unbounded numbers of URLs for a
    few real pages; these bounds cut them while leaving real sites alone.
    """

    def __init__(self, max_url_length: int, max_query_variants: int, max_trap_records: int, source: str = "?"):
        self.source = source
        self.max_url_length = max_url_length
        self.max_query_variants = max_query_variants
        self.max_trap_records = max_trap_records
        self.variants: dict[tuple[str, str], set[str]] = {}
        self.reported_paths: set[tuple[str, str]] = set()
        self.records = 0

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        context = getattr(crawler, "vigil", None)
        if context is None:
            raise NotConfigured("no Vigil context")
        return cls(settings.getint("VIGIL_MAX_URL_LENGTH"), settings.getint("VIGIL_MAX_QUERY_VARIANTS"),
                   settings.getint("VIGIL_MAX_TRAP_RECORDS"), context.source.name)

    # Both forms (a "universal" middleware): the spider's callbacks are plain generators, and an
    # async-only middleware made Scrapy turn every page's output, and all after it, into async ones.
    def process_spider_output(self, response, result):
        yield from self._links_cut(response)
        for item in result:
            yield from self._screen(item)

    async def process_spider_output_async(self, response, result):
        for note in self._links_cut(response):
            yield note
        async for item in result:
            for screened in self._screen(item):
                yield screened

    def _links_cut(self, response):
        cut = response.meta.get("vigil_links_cut") if response is not None else None
        if cut:
            yield FetchFailure(source=self.source, url=response.url, kind=FailureKind.TRUNCATED, at=now_iso(),
                               reason=f"the page has {cut[0]:,} links; only the part holding the first {cut[1]:,} "
                                      "was read (a likely crawler trap)")

    def _screen(self, item):
        if not isinstance(item, Request):
            yield item
            return
        url = item.url
        reason = self._trap(url)
        if reason is None:
            yield item
        elif reason and self.records < self.max_trap_records:
            self.records += 1
            yield FetchFailure(source=self.source, url=url[:2000], kind=FailureKind.TRAP, reason=reason, at=now_iso())

    def _trap(self, url: str) -> str | None:
        """None to follow the link; a reason to record; "" to drop it silently (its trap is recorded)."""
        if len(url) > self.max_url_length:
            return (f"not followed: the URL is {len(url)} characters long, over the limit of "
                    f"{self.max_url_length} (a likely crawler trap)")
        parts = urlsplit(url)
        if not parts.query:
            return None
        key = (parts.netloc.lower(), parts.path)
        seen = self.variants.setdefault(key, set())
        if parts.query in seen or len(seen) < self.max_query_variants:
            seen.add(parts.query)
            return None
        if key in self.reported_paths:
            return ""
        self.reported_paths.add(key)
        return (f"not followed: more than {self.max_query_variants} query-string variants of "
                f"{parts.path or '/'} in one crawl (a likely crawler trap); the rest are skipped")


_LINK_START = re.compile(rb"<a[\s>]", re.IGNORECASE)


class LinkFloodMiddleware:
    """Cuts an HTML page with more links than VIGIL_MAX_LINKS_PER_PAGE just before the first link past it.

    Link extraction costs time per link in the crawl's one thread: a page with 100,000
    links would stall every other download of the crawl. The cut is flagged in the
    response's meta, and TrapGuardMiddleware records it. A page whose links are not followed
    (`vigil_leaf`, at the source's max_depth) is neither counted nor cut.
    """

    def __init__(self, max_links: int):
        self.max_links = max_links

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("VIGIL_MAX_LINKS_PER_PAGE"))

    def process_response(self, request, response, spider=None):
        content_type = response.headers.get(b"Content-Type", b"").lower()
        if response.status != 200 or (content_type and b"html" not in content_type) or request.meta.get("vigil_leaf"):
            return response
        body = response.body
        if body.count(b"<a") + body.count(b"<A") <= self.max_links:
            return response
        starts = _LINK_START.finditer(body)
        cut, total = None, 0
        for total, match in enumerate(starts, 1):
            if total == self.max_links + 1:
                cut = match.start()
        if cut is None:
            return response
        request.meta["vigil_links_cut"] = (total, self.max_links)
        return response.replace(body=body[:cut])


class ConditionalGetMiddleware:
    """Sends the stored ETag and Last-Modified of a known page, so an unchanged page costs a 304."""

    def process_request(self, request, spider=None):
        etag = request.meta.get("etag")
        last_modified = request.meta.get("last_modified")
        if etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = etag
        if last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = last_modified
        return None
