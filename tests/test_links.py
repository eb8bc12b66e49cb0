"""The links a source follows: LinkReader gives the URLs Scrapy's LinkExtractor gives, page after page."""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy.http import HtmlResponse, XmlResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor

from crawler.ingest.links import LinkReader

PAGES = Path(__file__).parent / "pages"
DENY_EXTENSIONS = [e for e in IGNORED_EXTENSIONS if e not in ("pdf", "doc", "docx", "odt", "rtf")]

ODD_LINKS = """<html><head><title>t</title>{base}</head><body>
<a href="https://example.org/news/1">one</a> <a href=" https://example.org/news/1 ">again, spaced</a>
<a href="HTTP://Example.ORG:80/news/./2/../3?b=1&a=2#top">odd case</a> <a href="http://example.org?">empty query</a>
<a href="/news/4">root</a> <a href="/">root itself</a> <a href="//example.org/news/5">no scheme</a>
<a href="news/6">relative</a> <a href="../news/7">up</a> <a href="?page=2">query</a> <a href="#frag">fragment</a>
<a href="http:///news/8">no host</a> <a href="https://?q">empty host</a> <a href="/\\\\example.org/x">backslashes</a>
<a href="https://example.org/новости/9?q=имя">unicode</a> <a href="https://пример.рф/a">idn</a>
<a href="https://example.org/news/10 11">space</a> <a href="https://example.org/ne\tws/12">tab</a>
<a href="\x01https://example.org/news/13">control</a> <a href="https://[::1]:8080/x">ipv6</a> <a href="http://[::1/">bad</a>
<a href="mailto:a@example.org">mail</a> <a href="javascript:void(0)">js</a> <a href="ftp://example.org/f">ftp</a>
<a href="https://example.org/photo.JPG">picture</a> <a href="https://example.org/report.pdf">document</a>
<a href="https://example.org/news/print/14">denied</a> <a href="https://other.org/news/15">elsewhere</a>
<a>no href</a> <map><area href="/news/16" alt="area"></map> <link href="/news/17"> <img src="/news/18">
<svg><a href="/news/19">svg link</a></svg> <a href="https://user:pw@example.org:8443/news/20">userinfo</a>
</body></html>"""


def _expected(extractor: LinkExtractor, response, hosts) -> list[str]:
    return [link.url for link in extractor.extract_links(response) if urlsplit(link.url).hostname in hosts]


def _pages() -> list[tuple[str, bytes]]:
    index = json.loads((PAGES / "index.json").read_text(encoding="utf-8"))["pages"]
    return [(page["url"], gzip.decompress((PAGES / page["file"]).read_bytes())) for page in index if page["url"]]


def _variants(url: str) -> list[str]:
    """The page's address, under the other scheme, and deeper in the site: the same hrefs, other pages."""
    parts = urlsplit(url)
    other = "https" if parts.scheme == "http" else "http"
    return [url, f"{other}://{parts.netloc}{parts.path}", f"{parts.scheme}://{parts.netloc}/a/b/c/page.html?x=1"]


def test_the_links_of_real_pages_are_link_extractors_page_after_page():
    pages = _pages()
    hosts = {urlsplit(url).hostname for url, _ in pages}
    reader = LinkReader(allow=(), deny=(), deny_extensions=DENY_EXTENSIONS, hosts=hosts)
    extractor = LinkExtractor(unique=True, deny_extensions=DENY_EXTENSIONS)
    compared = 0
    for _ in range(2):   # the second time round, every answer comes from what the reader kept
        for url, body in pages:
            for address in _variants(url):
                response = HtmlResponse(address, body=body)
                expected = _expected(extractor, response, hosts)
                assert reader.urls(response) == expected, address
                compared += len(expected)
    assert compared > 5000


def test_odd_links_come_to_what_link_extractor_makes_of_them_from_page_to_page():
    """One reader for pages of both schemes, at several depths, with and without a <base>: what it keeps
    of one page's hrefs must hold on the next."""
    hosts = {"example.org", "www.example.org", "::1", "xn--e1afmkfd.xn--p1ai"}
    rules = dict(allow=(r"/news/", r"/$", r"example\.org/?\??$"), deny=(r"/print/",), deny_extensions=DENY_EXTENSIONS)
    reader = LinkReader(hosts=hosts, **rules)
    extractor = LinkExtractor(unique=True, **rules)
    compared = 0
    for _ in range(2):
        for page in ("https://example.org/section/page.html", "http://example.org/", "https://example.org",
                     "http://www.example.org/a/b/", "https://elsewhere.net/x"):
            for base in ("", '<base href="https://example.org/base/">', '<base href="http://example.org/b/">',
                         '<base href="/other/dir/">'):
                for encoding in ("utf-8", "cp1251"):
                    body = ODD_LINKS.format(base=base).encode(encoding, "replace")
                    response = HtmlResponse(page, body=body, encoding=encoding)
                    expected = _expected(extractor, response, hosts)
                    assert reader.urls(response) == expected, (page, base, encoding)
                    compared += len(expected)
    assert compared > 500


def test_xhtml_links_of_an_xml_response_are_found_too():
    body = (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
            b'<a href="/one">1</a><p><a href="https://example.org/two">2</a></p><area href="three"/></body></html>')
    response = XmlResponse("https://example.org/dir/page.xhtml", body=body)
    reader = LinkReader(allow=(), deny=(), deny_extensions=DENY_EXTENSIONS, hosts={"example.org"})
    expected = _expected(LinkExtractor(unique=True, deny_extensions=DENY_EXTENSIONS), response, {"example.org"})
    assert reader.urls(response) == expected == [
        "https://example.org/one", "https://example.org/two", "https://example.org/dir/three"]
