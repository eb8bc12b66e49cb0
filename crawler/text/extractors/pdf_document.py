"""The PDF extractor: pypdfium2 (PDFium, Chrome's PDF engine) page by page, pages in right-to-left
scripts again with pypdf, so that an alert can say which page names a person.

Why both (bench/documents.py, docs/benchmarks.md): PDFium reads 10 to 40 times faster than pypdf,
whose pure-Python parser takes seconds for a long report with positioned glyphs, too close to
the reader's time limit; but on Arabic text PDFium returns the lam-alef ligature reversed
("عالء" for "علاء") and breaks lines at diacritics, so an Arabic name is missed, and pypdf
reads those pages right. Both are permissively licensed (Apache/BSD) and maintained. A page
pypdf cannot read keeps PDFium's text. Runs isolated (crawler/text/sandbox.py).
"""
from __future__ import annotations

import io
import logging
import re

from crawler.core.kinds import FailureKind
from crawler.text.documents import paged_extraction, reflow
from crawler.text.extract import Extraction
from crawler.text.extractors import Extractor, UnreadableDocument

MAX_PAGES = 3000          # pages read of one PDF; a report longer than this is read in part
MAX_CHARS = 5_000_000     # characters of text kept, whatever the page count
# Arabic, Syriac, Thaana, N'Ko and their presentation forms; Hebrew: scripts written right to left
_RIGHT_TO_LEFT = re.compile("[\u0590-\u07ff\ufb1d-\ufdff\ufe70-\ufeff]")


class PdfExtractor(Extractor, content_types=("application/pdf", "application/x-pdf"), extensions=("pdf",),
                   isolated=True):
    def extract(self, body: bytes, url: str, content_type: str | None) -> Extraction | None:
        import pypdfium2

        if b"%PDF" not in body[:1024]:
            return None
        try:
            document = pypdfium2.PdfDocument(body)
        except pypdfium2.PdfiumError as error:
            if "password" in str(error).lower():
                raise UnreadableDocument("the PDF is encrypted with a password, so its text cannot be read") from None
            raise UnreadableDocument(f"not a readable PDF ({_plain(error)})") from None
        try:
            count = len(document)
            pages, broken, chars, second_reader = [], 0, 0, _SecondReader(body)
            for index in range(min(count, MAX_PAGES)):
                try:
                    text = _page_text(document, index)
                except pypdfium2.PdfiumError:
                    broken += 1
                    text = ""
                if _RIGHT_TO_LEFT.search(text):
                    text = second_reader.page_text(index) or text
                chars += len(text)
                pages.append(reflow(text.splitlines()))
                if chars > MAX_CHARS:
                    break
            metadata = document.get_metadata_dict(skip_empty=True)
        finally:
            document.close()
        if not any(pages):
            if broken:
                raise UnreadableDocument(f"not a readable PDF ({broken} of its {count} page(s) cannot be loaded: "
                                         "a broken or looping page tree?)")
            raise UnreadableDocument(f"the PDF has no text layer on any of its {count} page(s): a scan? "
                                     "(Vigil does not read images yet)", FailureKind.NO_TEXT)
        published = metadata.get("CreationDate") or metadata.get("ModDate")
        return paged_extraction(pages, metadata.get("Title"), (published or "").removeprefix("D:") or None,
                                f"pdfium-{pypdfium2.version.PYPDFIUM_INFO}+{second_reader.version}+vigil-1")

    @staticmethod
    def recognises(body: bytes) -> bool:
        return b"%PDF-" in body[:1024]



def _page_text(document, index: int) -> str:
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            return textpage.get_text_bounded()
        finally:
            textpage.close()
    finally:
        page.close()


class _SecondReader:
    """pypdf, opened only when a page needs it."""

    def __init__(self, body: bytes):
        import pypdf

        self.body = body
        self.version = f"pypdf-{pypdf.__version__}"
        self.reader = None
        self.failed = False

    def page_text(self, index: int) -> str | None:
        import pypdf

        logging.getLogger("pypdf").setLevel(logging.ERROR)   # its notes on sloppy files are not errors
        if self.failed:
            return None
        try:
            if self.reader is None:
                self.reader = pypdf.PdfReader(io.BytesIO(self.body), strict=False)
                if self.reader.is_encrypted:
                    self.reader.decrypt("")
            return self.reader.pages[index].extract_text()
        except Exception:  # noqa: BLE001 -- PDFium read the page; its text stands
            self.failed = True
            return None


def _plain(error: Exception) -> str:
    return " ".join(str(error).split())[:200]
