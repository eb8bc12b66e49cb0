"""Canonical URLs: every spelling of one page's address becomes one URL, and no two pages do."""
from __future__ import annotations

import pytest

from urllib.parse import urljoin

from crawler.core.urls import canonical_from_link, canonical_target, canonicalize, same_site, same_site_as

ONE_PAGE = {
    "https://ovdinfo.org/legal/kusp": [
        "https://ovdinfo.org/legal/kusp",
        "HTTPS://OVDINFO.ORG/legal/kusp",
        "https://ovdinfo.org:443/legal/kusp",
        "https://ovdinfo.org/legal/kusp/",
        "https://ovdinfo.org/legal/kusp/index.html",
        "https://ovdinfo.org/legal/kusp/index.htm",
        "https://ovdinfo.org/legal/kusp/index.php",
        "https://ovdinfo.org/legal/kusp/index.php/",
        "https://ovdinfo.org/legal/kusp#section-2",
        "https://ovdinfo.org/legal/kusp?utm_source=telegram&utm_medium=social&utm_campaign=x",
        "https://ovdinfo.org/legal/kusp?fbclid=IwAR0abc&gclid=Cj0KCQ&yclid=123&_ga=2.1.2.3",
        "https://ovdinfo.org/legal/kusp?mc_cid=1a&mc_eid=2b&igshid=xyz&ref_src=twsrc%5Etfw",
        "https://ovdinfo.org/legal/kusp/?UTM_Source=x#top",
        "https://ovdinfo.org./legal/kusp",
        "https://ovdinfo.org/legal/./other/../kusp",
        "  https://ovdinfo.org/legal/kusp  ",
    ],
    "http://example.org/": [
        "http://example.org",
        "http://example.org/",
        "http://EXAMPLE.org:80/",
        "http://example.org/index.html",
        "http://example.org/?utm_source=rss",
        "http://example.org/#",
    ],
    "https://example.org/news?id=7&page=2": [
        "https://example.org/news?page=2&id=7",
        "https://example.org/news/?id=7&page=2&utm_content=buffer",
        "https://example.org/news/index.php?page=2&gclid=x&id=7",
        "https://example.org/news?%69d=7&page=2",
    ],
    "https://xn--80aswg.xn--p1ai/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/~1": [
        "https://сайт.рф/новости/~1",
        "https://САЙТ.РФ/новости/%7e1/",
        "https://xn--80aswg.xn--p1ai/%d0%bd%d0%be%d0%b2%d0%be%d1%81%d1%82%d0%b8/~1",
    ],
    "https://example.org/search?q=a+b": [
        "https://example.org/search?q=a%20b",
        "https://example.org/search?q=a+b",
    ],
}

DIFFERENT_PAGES = [
    "https://example.org/a",
    "http://example.org/a",             # the scheme is kept: a site may serve both differently
    "https://www.example.org/a",        # so is the host as written
    "https://example.org:8443/a",
    "https://example.org/A",            # paths are case-sensitive
    "https://example.org/a?id=1",
    "https://example.org/a?id=2",
    "https://example.org/a?ref=twitter",  # a bare `ref` may select content: kept
    "https://example.org/a/b",
    "https://example.org/a%2Fb",        # an escaped slash is not a slash
    "https://example.org/index.html/x",
]


@pytest.mark.parametrize("canonical,spellings", ONE_PAGE.items())
def test_every_spelling_of_a_page_gives_one_url(canonical, spellings):
    assert {canonicalize(url) for url in spellings} == {canonical}


def test_different_pages_stay_different():
    canonical = [canonicalize(url) for url in DIFFERENT_PAGES]
    assert len(set(canonical)) == len(DIFFERENT_PAGES)


@pytest.mark.parametrize("url", [u for spellings in ONE_PAGE.values() for u in spellings] + DIFFERENT_PAGES)
def test_canonical_urls_are_fixed_points(url):
    once = canonicalize(url)
    assert canonicalize(once) == once


def test_only_tracking_parameters_go():
    url = canonicalize("https://example.org/p?utm_source=a&utm_anything=b&page=3&fbclid=c&sort=new&msclkid=d")
    assert url == "https://example.org/p?page=3&sort=new"


def test_userinfo_and_ipv6_hosts_survive():
    assert canonicalize("http://User:Pw@Example.org:80/x/") == "http://User:Pw@example.org/x"
    assert canonicalize("http://[::1]:8080/X/") == "http://[::1]:8080/X"
    assert canonicalize("http://127.0.0.1:80/") == "http://127.0.0.1/"


@pytest.mark.parametrize("odd", ["", "   ", "not a url", "mailto:desk@example.org", "javascript:void(0)",
                                 "ftp://example.org/file", "http://", "https://example.org:99999/", "http://[::1/"])
def test_what_is_not_a_web_address_comes_back_unchanged(odd):
    assert canonicalize(odd) == odd.strip()


@pytest.mark.parametrize("a,b,same", [
    ("https://www.ovdinfo.org/a", "https://ovdinfo.org/b", True),
    ("https://ovdinfo.org/", "https://data.ovdinfo.org/x", True),
    ("https://www.bbc.co.uk/news", "https://bbc.co.uk/", True),
    ("https://bbc.co.uk/", "https://itv.co.uk/", False),        # co.uk is a public suffix
    ("https://ovdinfo.github.io/x", "https://other.github.io/x", False),  # so is github.io
    ("https://ovdinfo.org/", "https://ovdinfo.net/", False),
    ("http://ovdinfo.org/", "https://OVDINFO.org:8443/", True),  # scheme and port do not make a site
    ("https://сайт.рф/", "https://www.xn--80aswg.xn--p1ai/x", True),
    ("http://127.0.0.1:8001/", "http://127.0.0.1:8002/", True),
    ("http://127.0.0.1/", "http://127.0.0.2/", False),
    ("http://localhost/", "http://www.localhost/", True),
    ("https://example.org/", "not a url", False),
    ("mailto:a@example.org", "https://example.org/", False),
])
def test_same_site(a, b, same):
    assert same_site(a, b) is same
    assert same_site(b, a) is same
    # for many links of one page, which are canonical by then
    assert same_site_as(a)(canonicalize(b)) is same
    assert same_site_as(b)(canonicalize(a)) is same


@pytest.mark.parametrize("page,href,expected", [
    # the canonical link wins when it is usable
    ("https://ovdinfo.org/legal/kusp?utm_source=tg", "https://ovdinfo.org/legal/kusp/",
     "https://ovdinfo.org/legal/kusp"),
    ("https://m.example.org/story/1", "https://www.example.org/story/1", "https://www.example.org/story/1"),
    ("http://example.org/print/42", "https://example.org/news/42", "https://example.org/news/42"),
    ("https://example.org/a/b/print", "../b", "https://example.org/a/b"),          # relative, resolved
    ("https://example.org/news/42", "//example.org/news/42#top", "https://example.org/news/42"),
    ("https://example.org/news/42", "  https://example.org/news/42\n", "https://example.org/news/42"),
    # otherwise the page's own URL
    ("https://mirror.example.net/news/42", "https://example.org/news/42", "https://mirror.example.net/news/42"),
    ("https://ovdinfo.github.io/x", "https://other.github.io/x", "https://ovdinfo.github.io/x"),
    ("https://example.org/news/42/", None, "https://example.org/news/42"),
    ("https://example.org/news/42", "", "https://example.org/news/42"),
    ("https://example.org/news/42", "javascript:void(0)", "https://example.org/news/42"),
    ("https://example.org/news/42", "mailto:desk@example.org", "https://example.org/news/42"),
    ("https://example.org/news/42", "ftp://example.org/news/42", "https://example.org/news/42"),
    ("https://example.org/news/42", "http://[::1", "https://example.org/news/42"),
    # a template that points every page at the front page would fold the whole site into one
    ("https://example.org/news/42", "https://example.org/", "https://example.org/news/42"),
    ("https://example.org/?utm_source=x", "https://example.org/index.html", "https://example.org/"),
])
def test_canonical_from_link(page, href, expected):
    assert canonical_from_link(page, href) == expected


@pytest.mark.parametrize("base", ["http://example.org/a/b.html", "https://www.example.org/x/", "https://ovdinfo.org"])
@pytest.mark.parametrize("href", [
    "https://ovdinfo.org/legal/kusp/?utm_source=x", "HTTP://Example.ORG:80/a/./b/../c", "http://example.org?",
    "http://example.org#", "https://a.org/p;x?y=1#z", "http://[::1]:8080/a", "https://сайт.рф/новости",
    "http:///x", "https://?q", "http://#top", "http:\\\\a.org/x", "//cdn.example.org/x", "/root", "rel/ative",
    "../up", "?page=2", "#frag", "mailto:a@example.org", "javascript:void(0)", "ftp://example.org/f",
    "https://a.org/x\ty", "https://user:pw@a.org/", "https://a.org:99999/",
])
def test_a_links_target_is_the_canonical_url_it_joins_to(base, href):
    assert canonical_target(base, href) == canonicalize(urljoin(base, href))
