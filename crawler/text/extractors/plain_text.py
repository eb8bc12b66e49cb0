"""The plain-text extractor: a .txt statement, decoded like a page; HTML sent as text/plain still goes to HTML."""
from __future__ import annotations

from crawler.text import extract as html
from crawler.text.charset import decode_html
from crawler.text.documents import flat_extraction
from crawler.text.extract import Extraction
from crawler.text.extractors import Extractor

MAX_CHARS = 5_000_000


class PlainTextExtractor(Extractor, content_types=("text/plain",), extensions=("txt",)):
    def extract(self, body: bytes, url: str, content_type: str | None) -> Extraction | None:
        if not html._may_be_html(body, None):   # the same checks for binary bytes as for a page
            return None
        text = decode_html(body, content_type)
        if html._looks_like_html(text):   # servers label HTML text/plain
            return html.extract(body, url, content_type)
        return flat_extraction(text[:MAX_CHARS].splitlines(), None, None, "plain-text+vigil-1")
