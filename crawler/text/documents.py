"""What every document extractor shares: lines made paragraphs, a title, a date, and the Extraction."""
from __future__ import annotations

import re
from datetime import date, datetime

from crawler.text.extract import Extraction, normalise_line, normalise_text
from crawler.text.language import detect_language

TITLE_CHARS = 200
# A line that ends a paragraph: it ends a sentence, or it is short beside the page's lines.
_SENTENCE_END = re.compile(r"[.!?:;»”\"')\]؟。]$")
# A right-to-left line as some PDFs store it: the full stop that ends it comes first.
_RIGHT_TO_LEFT_END = re.compile("[.!?؟]+[\u0590-\u07ff]")


def reflow(lines: list[str]) -> list[str]:
    """A page's printed lines joined into paragraphs, so that a name broken over two lines is one
    name again: a line joins the next unless it ends a sentence and the next begins a new one, or
    a blank line parts them. A word hyphenated at a line's end keeps its hyphen ("Ter-" "Petrosyan")."""
    paragraphs: list[str] = []
    current = last = ""
    for raw in lines:
        line = " ".join(raw.split())
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
            continue
        ended = _SENTENCE_END.search(current) or _RIGHT_TO_LEFT_END.match(last)
        last = line
        if not current:
            current = line
        elif ended and not line[0].islower():
            paragraphs.append(current)
            current = line
        elif current.endswith("-") and len(current) > 1 and current[-2].isalpha():
            current += line
        else:
            current = f"{current} {line}"
    if current:
        paragraphs.append(current)
    return paragraphs


def iso_date(value) -> str | None:
    """A metadata date (datetime, date, or ISO text) as yyyy-mm-dd, or None."""
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    match = re.match(r"\s*(?:D:)?(\d{4})-?(\d{2})-?(\d{2})", str(value or ""))
    return f"{match[1]}-{match[2]}-{match[3]}" if match and 1900 <= int(match[1]) <= 2099 else None


def paged_extraction(pages: list[list[str]], title: str | None, published, extractor: str) -> Extraction:
    """The Extraction of a document read as pages of paragraphs, with where each page begins in the text."""
    texts: list[str] = []
    starts: list[int] = []
    offset = 0
    for paragraphs in pages:
        page_text = normalise_text("\n".join(paragraphs))
        if offset and page_text:
            offset += 1   # the newline between the last page with text and this one
        starts.append(offset)
        texts.append(page_text)
        offset += len(page_text)
    text = "\n".join(t for t in texts if t)
    return _extraction(text, title, published, extractor, tuple(starts))


def flat_extraction(paragraphs: list[str], title: str | None, published, extractor: str) -> Extraction:
    """The Extraction of a document with no pages of its own (DOCX, ODT, RTF, plain text)."""
    return _extraction(normalise_text("\n".join(paragraphs)), title, published, extractor, ())


def _extraction(text: str, title: str | None, published, extractor: str, starts: tuple[int, ...]) -> Extraction:
    title = normalise_line(title or "")
    if not title:   # untitled: its first line, as a reader would name it
        title = normalise_line(text.split("\n", 1)[0])[:TITLE_CHARS]
    return Extraction(title=title[:TITLE_CHARS], date=iso_date(published), lang=detect_language(text), text=text,
                      canonical_url=None, extractor=extractor, page_starts=starts)
