"""The HTML extractor: trafilatura with Vigil's rules (crawler/text/extract.py); the fallback for any body."""
from __future__ import annotations

from crawler.text import extract as html
from crawler.text.extract import Extraction
from crawler.text.extractors import Extractor


class HtmlExtractor(Extractor, content_types=("text/html", "application/xhtml+xml"), fallback=True):
    def extract(self, body: bytes, url: str, content_type: str | None) -> Extraction | None:
        return html.extract(body, url, content_type)
