"""The links of a page that a source follows: the URLs Scrapy's LinkExtractor gives, each href worked out once.

LinkExtractor turns every `<a href>` and `<area href>` of a page into an absolute, safe URL (two
`urljoin`s and w3lib's `safe_url_string`), builds a Link with the anchor's text, and tests the URL
against the source's rules: 40-50 us a link (2.4 ms a page of the crawl benchmark's site, 4.9 ms a
page of the corpus, bench/links.py), on every page above `max_depth`, in the crawl process. Most of those links are the site's navigation, the
same on every page. `LinkReader` gives the same URLs in the same order (tests/test_links.py compares
the two on sample pages), and works out once per crawl what an href comes to wherever the answer
does not depend on the page: for an `http(s)://host...` href, `urljoin` keeps it whatever the page's
path (it only parses and reassembles it, and only when the page's scheme is the href's); for a
`/root-relative` one, only the page's scheme and host count. A page-relative href is worked out on
every page, as LinkExtractor does.
"""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from scrapy.link import Link
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.response import get_base_url
from w3lib.html import strip_html5_whitespace
from w3lib.url import safe_url_string

_XHTML = "{http://www.w3.org/1999/xhtml}"
_LINK_TAGS = ("a", "area", _XHTML + "a", _XHTML + "area")   # LinkExtractor's tags, with or without the namespace
_WEB_SCHEMES = ("http", "https")
_CACHE_LIMIT = 20_000   # hrefs and URLs kept per source (a few MB): a crawl of a large site starts again when reached


class LinkReader:
    """LinkExtractor(allow, deny, deny_extensions, unique=True) of a source, the URLs on `hosts` only."""

    def __init__(self, allow, deny, deny_extensions, hosts: set[str | None]):
        self._extractor = LinkExtractor(allow=allow, deny=deny, unique=True, deny_extensions=deny_extensions)
        self._hosts = hosts
        self._targets: dict[tuple, str | None] = {}   # (href, what of the page it depends on) -> URL or None
        self._kept: dict[str, bool] = {}              # URL -> allowed by the rules, and on one of the hosts

    def urls(self, response) -> list[str]:
        """The URLs of the links on `response` (a TextResponse) that the source follows, each once, in
        the order of the page."""
        base_url, page_url, encoding = get_base_url(response), response.url, response.encoding
        base, page = urlsplit(base_url), urlsplit(page_url)
        for cache in (self._targets, self._kept):
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
        urls, seen = [], set()
        for element in response.selector.root.iter(*_LINK_TAGS):
            href = element.get("href")
            if href is None:
                continue
            href = strip_html5_whitespace(href)
            key = _key(href, base, page, encoding)
            if key is None:
                url = _target(href, base_url, page_url, encoding)
            elif key in self._targets:
                url = self._targets[key]
            else:
                url = self._targets[key] = _target(href, base_url, page_url, encoding)
            if url is None or url in seen:
                continue
            seen.add(url)
            kept = self._kept.get(url)
            if kept is None:
                kept = self._kept[url] = self._extractor._link_allowed(Link(url)) and urlsplit(url).hostname in self._hosts
            if kept:
                urls.append(url)
        return urls


def _key(href: str, base, page, encoding: str) -> tuple | None:
    """What `href`'s URL depends on besides itself, or None when that is the page's whole address."""
    scheme, separator, rest = href.partition("://")
    if separator and scheme.lower() in _WEB_SCHEMES and (rest[:1].isalnum() or rest[:1] == "["):
        # urljoin(base, href) is href reassembled when the schemes agree, href as it is otherwise
        return href, base.scheme == scheme.lower(), page.scheme, encoding
    if href[:1] == "/" and href[1:2] not in ("/", "\\"):
        # the page's path gives way to href's: only its scheme and host remain
        return href, base.scheme, base.netloc, page.scheme, encoding
    return None


def _target(href: str, base_url: str, page_url: str, encoding: str) -> str | None:
    """The URL LinkExtractor makes of an href (stripped), or None when it skips it as bogus."""
    try:
        return urljoin(page_url, safe_url_string(urljoin(base_url, href), encoding=encoding))
    except ValueError:
        return None
