"""Charset decoding of real Cyrillic feeds and pages, declared, undeclared and declared wrongly."""
from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

import pytest
from lxml import etree

from crawler.text.charset import codec_for_label, declared_codecs, decode_feed, decode_html
from crawler.text.extract import extract

PAGES = Path(__file__).parent / "pages"
CHARSETS = PAGES / "charsets"
# The folder names chardet gives its fixtures, and the codec each one really is in.
FOLDER_CODECS = {
    "KOI8-R": "koi8_r",
    "windows-1251-russian": "cp1251",
    "windows-1251-bulgarian": "cp1251",
    "IBM866": "cp866",
    "IBM855": "cp855",
    "MacCyrillic": "mac_cyrillic",
    "iso-8859-5-russian": "iso8859_5",
}
FIXTURES = sorted(path for path in CHARSETS.rglob("*") if path.is_file() and path.parent.name in FOLDER_CODECS)
DECLARATION = re.compile(rb"""(encoding|charset)\s*=\s*["']?[\w-]+["']?""")
WRONG_HEADERS = [None, "text/html; charset=utf-8", "text/html; charset=iso-8859-1",
                 "text/html; charset=windows-1251", "text/xml; charset=koi8-r"]
OVDINFO = ("ovdinfo/teper-ekstremisty-kak-mogut-presledovat-storonnikov-alekseya-navalnogo.html.gz",
           "https://ovdinfo.github.io/articles/2021/06/09/teper-ekstremisty")
# The five legacy encodings Russian sites use.
CYRILLIC_CODECS = ["cp1251", "koi8_r", "cp866", "mac_cyrillic", "iso8859_5"]


def _fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_every_encoding_has_fixtures():
    assert {path.parent.name for path in FIXTURES} == set(FOLDER_CODECS)


@pytest.mark.parametrize("path", FIXTURES, ids=_fixture_id)
def test_cyrillic_fixture_decodes_exactly(path):
    body = path.read_bytes()
    truth = body.decode(FOLDER_CODECS[path.parent.name])
    assert re.search("[а-яА-Я]{4}", truth)
    assert decode_html(body) == truth


@pytest.mark.parametrize("content_type", WRONG_HEADERS)
@pytest.mark.parametrize("path", FIXTURES, ids=_fixture_id)
def test_cyrillic_fixture_without_or_against_its_declaration(path, content_type):
    body = DECLARATION.sub(b"", path.read_bytes(), count=2)
    assert decode_html(body, content_type) == body.decode(FOLDER_CODECS[path.parent.name])


@lru_cache(maxsize=None)
def _russian_page() -> str:
    return gzip.decompress((PAGES / OVDINFO[0]).read_bytes()).decode("utf-8")


def _reencoded(codec: str, meta_charset: str | None) -> bytes:
    """The Russian page in another codec, with its two charset declarations replaced or removed."""
    declarations = re.compile(r"<meta[^>]*charset[^>]*>", re.IGNORECASE)
    assert len(declarations.findall(_russian_page())) == 2
    html = declarations.sub(f'<meta charset="{meta_charset}">' if meta_charset else "", _russian_page())
    return html.encode(codec, errors="xmlcharrefreplace")


@lru_cache(maxsize=None)
def _utf8_text() -> str:
    return extract(_russian_page().encode("utf-8"), OVDINFO[1]).text


def test_undeclared_windows_1251_page():
    body = _reencoded("cp1251", None)
    assert declared_codecs(body) == []
    assert decode_html(body) == body.decode("cp1251")
    assert extract(body, OVDINFO[1]).text == _utf8_text()


def test_page_declaring_utf8_that_is_windows_1251():
    body = _reencoded("cp1251", "utf-8")
    assert decode_html(body) == body.decode("cp1251")
    assert decode_html(body, "text/html; charset=UTF-8") == body.decode("cp1251")
    assert extract(body, OVDINFO[1], "text/html; charset=utf-8").text == _utf8_text()


def test_koi8r_page_declaring_windows_1251():
    body = _reencoded("koi8_r", "windows-1251")
    assert decode_html(body) == body.decode("koi8_r")
    assert decode_html(body, "text/html; charset=windows-1251") == body.decode("koi8_r")
    assert extract(body, OVDINFO[1]).text == _utf8_text()


@pytest.mark.parametrize("declared", ["right", "none", "windows-1252"])
@pytest.mark.parametrize("codec", CYRILLIC_CODECS)
def test_russian_page_in_every_legacy_encoding_extracts_the_same_text(codec, declared):
    label = {"right": codec.replace("_", "-"), "none": None}.get(declared, declared)
    body = _reencoded(codec, label)
    assert extract(body, OVDINFO[1]).text == _utf8_text()


def _sample_page(name: str) -> bytes:
    return gzip.decompress((PAGES / "trafilatura-eval" / f"{name}.html.gz").read_bytes())


def test_utf8_page_with_stray_latin1_bytes_keeps_both():
    body = _sample_page("maescot.de.schafskunde")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = decode_html(body, "text/html; charset=UTF-8")
    assert "\ufffd" not in text
    assert "M\u00e4scot Breit" in text  # the Latin-1 byte
    assert text.count("M\u00e4scot") > 1  # and the UTF-8 spellings around it


def test_utf8_page_with_a_windows_1251_include():
    paragraph = re.search(r"<p>([^<]{200,})</p>", _russian_page()).group(1)
    body = _russian_page().encode("utf-8").replace(b"</body>", f"<p>{paragraph}</p></body>".encode("cp1251"), 1)
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert decode_html(body, "text/html; charset=utf-8").count(paragraph) == 2


def test_western_pages_are_not_read_as_cyrillic():
    declared = _sample_page("auto-presse.de-minisuv")
    assert decode_html(declared) == declared.decode("cp1252")
    undeclared = DECLARATION.sub(b"", declared)
    assert declared_codecs(undeclared) == []
    assert decode_html(undeclared) == undeclared.decode("cp1252")
    assert decode_html(undeclared, "text/html; charset=windows-1251") == undeclared.decode("cp1252")


def test_gb2312_declared_after_a_utf8_declaration():
    body = _sample_page("archive.org.he.xinhuanet.com.25340717")
    title = re.search(r"<title>(.*?)</title>", decode_html(body), re.S).group(1)
    assert "\ufffd" not in title and re.search("[\u4e00-\u9fff]{8}", title)


def test_byte_order_marks():
    html = "<html><body><p>Правозащитник</p></body></html>"
    for codec, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-8", b"\xef\xbb\xbf")):
        assert decode_html(bom + html.encode(codec), "text/html; charset=windows-1251") == html


def test_feed_decodes_and_parses_as_text():
    body = (CHARSETS / "KOI8-R" / "aif.ru.health.xml").read_bytes()
    assert b'encoding="koi8-r"' in body.lower()
    feed = etree.fromstring(decode_feed(body, "application/rss+xml"))
    assert re.search("[а-яА-Я]{4}", feed.findtext("channel/item/title"))


def test_labels_map_to_what_browsers_use():
    assert codec_for_label("ISO-8859-1") == "cp1252"
    assert codec_for_label("x-mac-cyrillic") == "mac-cyrillic"
    assert codec_for_label(" GB2312 ") == "gb18030"
    assert codec_for_label("koi8-r") == "koi8-r"
    assert codec_for_label("no-such-charset") is None
    body = b'<?xml version="1.0" encoding="windows-1251"?><rss/>'
    assert declared_codecs(body, "text/xml; charset=KOI8-R") == ["koi8-r", "cp1251"]


@pytest.mark.parametrize("body", [bytes(range(256)) * 50, b"\xff" * 1000, b"", b"\x00\x01<html>\x80\x81"])
def test_any_bytes_decode_without_error(body):
    assert isinstance(decode_html(body, "text/html; charset=bogus"), str)
