"""The RTF extractor: striprtf, the text as its paragraphs. Runs isolated (striprtf is a regex loop)."""
from __future__ import annotations

import re

from crawler.text.documents import flat_extraction
from crawler.text.extract import Extraction
from crawler.text.extractors import Extractor

_TITLE = re.compile(r"\{\\info[^{}]*?\{\\title ([^{}]*)\}", re.DOTALL)
_CREATED = re.compile(r"\{\\creatim\\yr(\d{4})\\mo(\d{1,2})\\dy(\d{1,2})")


class RtfExtractor(Extractor, content_types=("application/rtf", "text/rtf"), extensions=("rtf",), isolated=True):
    def extract(self, body: bytes, url: str, content_type: str | None) -> Extraction | None:
        from striprtf.striprtf import rtf_to_text

        if not body.lstrip().startswith(b"{\\rtf"):
            return None
        # RTF is 7-bit: other characters are \'hh escapes (in the \ansicpg code page) or \uN
        markup = body.decode("latin-1")
        encoding = _code_page(markup)
        text = rtf_to_text(markup, encoding=encoding, errors="replace")
        title = _TITLE.search(markup)
        created = _CREATED.search(markup)
        published = f"{created[1]}-{int(created[2]):02d}-{int(created[3]):02d}" if created else None
        return flat_extraction(text.splitlines(), rtf_to_text(title[1], encoding=encoding) if title else None,
                               published, "striprtf-0.0.35+vigil-1")

    @staticmethod
    def recognises(body: bytes) -> bool:
        return body.lstrip()[:5] == b"{\\rtf"


def _code_page(markup: str) -> str:
    match = re.search(r"\\ansicpg(\d+)", markup[:4096])
    name = f"cp{match[1]}" if match else "cp1252"
    try:
        "".encode(name)
    except LookupError:
        return "cp1252"
    return name
