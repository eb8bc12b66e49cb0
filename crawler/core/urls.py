"""Canonical URLs: one page, one URL, whatever case, port, tracking tag or index file a link used."""
from __future__ import annotations

import functools
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

try:  # the public-suffix list bundled with `tld` (a trafilatura dependency); it is read locally
    from tld import get_fld
except ImportError:  # pragma: no cover - without it, sites are compared host by host
    get_fld = None

WEB_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
INDEX_FILES = frozenset({"index.html", "index.htm", "index.php"})

# Query parameters that say how a visitor arrived, never which page they asked for.
TRACKING_PREFIXES = ("utm_", "hsa_")
TRACKING_PARAMETERS = frozenset({
    # ad and social click identifiers
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "ysclid", "twclid",
    "ttclid", "li_fat_id", "igshid", "igsh", "srsltid", "rb_clickid", "s_cid",
    # analytics and newsletters
    "_ga", "_gl", "_openstat", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "__hssc", "__hstc", "__hsfp",
    "hsctatracking", "mkt_tok", "vero_id", "vero_conv", "oly_anon_id", "oly_enc_id", "_kx",
    "pk_campaign", "pk_kwd", "pk_keyword", "pk_source", "pk_medium", "pk_content", "pk_cid",
    "mtm_campaign", "mtm_kwd", "mtm_keyword", "mtm_source", "mtm_medium", "mtm_content", "mtm_cid",
    "mtm_group", "mtm_placement", "xtor", "at_medium", "at_campaign", "wt_mc", "wt_zmc",
    # sharing widgets
    "ref_src", "ref_url", "fb_action_ids", "fb_action_types", "fb_ref", "fb_source", "action_object_map",
    "action_type_map", "action_ref_map", "share_source", "spm",
})


@functools.lru_cache(maxsize=8192)   # a crawl asks for most URLs two or three times (spider, ingestion)
def canonicalize(url: str) -> str:
    """The canonical form of an http(s) URL; anything else comes back stripped and otherwise unchanged.

    Scheme and host are lower-cased, the host IDNA-encoded, default ports, fragments and tracking
    parameters dropped, the query sorted, percent-escapes normalised, dot segments resolved, and
    `/a/`, `/a` and `/a/index.html` made one (`/a`). The result names a page; it is not always the
    address to fetch (a server may only answer `/a/`), so fetch the URL a link gave.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
            return url
        query = _without_tracking(parts.query)
        cleaned = canonicalize_url(urlunsplit((parts.scheme, parts.netloc, parts.path, query, "")))
        parts = urlsplit(cleaned)
        port = parts.port
    except (ValueError, UnicodeError):
        return url  # an unparsable host or port: nothing sound to normalise
    scheme = parts.scheme.lower()
    host = parts.hostname.rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if parts.username is not None or parts.password is not None:
        userinfo = parts.netloc.rpartition("@")[0]
        host = f"{userinfo}@{host}"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, _one_path(parts.path), parts.query, ""))


def canonical_target(base: str, href: str) -> str:
    """canonicalize(urljoin(base, href)), sooner for a link that already is an http(s) URL with a host,
    as most links of a page are: joining would only take it apart and put it together again, which
    canonicalize does anyway (the same URL on the links of the whole corpus, from three bases)."""
    scheme, separator, rest = href.partition("://")
    if separator and scheme.lower() in WEB_SCHEMES and rest[:1] not in ("", "/", "\\", "?", "#"):
        return canonicalize(href)
    return canonicalize(urljoin(base, href))


def same_site(a: str, b: str) -> bool:
    """Whether two URLs are on the same registrable domain (public-suffix list, no network).

    `www.example.org`, `example.org` and `m.example.org` are one site; `a.github.io` and
    `b.github.io` are two. Hosts the list does not know (IP addresses, `localhost`) must be
    equal but for a leading `www.`. Ports are ignored.
    """
    host_a, host_b = _host(a), _host(b)
    if not host_a or not host_b:
        return False
    return _site(host_a) == _site(host_b)


def same_site_as(base: str):
    """same_site(base, url) as a function of `url`, a canonical URL (see canonicalize), for testing many
    links of one page: the base's site is found once, and a link's host is read as it stands, not
    canonicalised a second time (w3lib's canonicalisation is most of what a link costs)."""
    base_host = _host(base)
    base_site = _site(base_host) if base_host else None

    def on_site(canonical_url: str) -> bool:
        try:
            host = urlsplit(canonical_url).hostname
        except ValueError:
            return False
        return bool(base_site and host) and _site(host) == base_site
    return on_site


def canonical_from_link(page_url: str, link_href: str | None) -> str:
    """A page's canonical URL: its `<link rel=canonical>` when that is usable, else the page URL.

    The link counts when it resolves against the page to an http(s) URL on the same site and
    does not send an inner page to the site's front page (a common template bug that would fold
    every page of a site into one). Both candidates are canonicalized.
    """
    page = canonicalize(page_url)
    if not link_href or not link_href.strip():
        return page
    try:
        target = canonical_target(page_url.strip(), link_href.strip())
        parts = urlsplit(target)
    except ValueError:
        return page
    if parts.scheme not in WEB_SCHEMES or not parts.hostname or not same_site(page, target):
        return page
    if _is_front_page(target) and not _is_front_page(page):
        return page
    return target


def _without_tracking(query: str) -> str:
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name = unquote(pair.partition("=")[0].replace("+", " ")).strip().lower()
        if name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES):
            continue
        kept.append(pair)
    return "&".join(kept)


def _one_path(path: str) -> str:
    """`/a/`, `/a`, `/a/index.html` and `/a/index.html/` become `/a`; the root stays `/`."""
    path = path.rstrip("/")
    head, _, last = path.rpartition("/")
    if last.lower() in INDEX_FILES:
        path = head.rstrip("/")
    return path or "/"


def _host(url: str) -> str | None:
    try:
        host = urlsplit(canonicalize(url)).hostname
    except ValueError:
        return None
    return host or None


@functools.lru_cache(maxsize=4096)   # a page's links are mostly on a few hosts; the lookup is costly
def _site(host: str) -> str:
    registrable = get_fld(host, fix_protocol=True, fail_silently=True) if get_fld else None
    if registrable:
        return registrable
    return host[4:] if host.startswith("www.") else host


def _is_front_page(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query



MAX_URL_LENGTH = 2048   # longer URLs are traps or typos; Scrapy drops them without a word


def start_url_problem(url: str) -> str | None:
    """Why a start, feed or sitemap URL of the config can never be fetched, or None."""
    if len(url) > MAX_URL_LENGTH:
        return f"longer than {MAX_URL_LENGTH} characters ({len(url)})"
    if any(char.isspace() or ord(char) < 0x20 or 0x7f <= ord(char) <= 0x9f for char in url):
        return "holds spaces or control characters (percent-encode them)"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:   # "http://[::1", ":99999", ":abc"
        return f"not a valid URL ({exc})"
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return "not an http(s) URL"
    if port == 0:
        return "port 0 cannot be connected to"
    if "@" in parts.netloc:
        # never fetched with them (Scrapy sends no userinfo), and printed in every report
        return "holds a user name or password; Vigil fetches public pages only, so remove them"
    try:
        parts.hostname.encode("idna")
    except UnicodeError:
        return "not a valid host name"
    return None
