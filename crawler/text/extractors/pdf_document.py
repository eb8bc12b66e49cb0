"""The PDF extractor: pypdf, page by page, so that an alert can say which page names a person.

pypdf, not pypdfium2, although pdfium reads about three times faster: on PDFs with Arabic
text, pdfium returns the lam-alef ligature in the wrong order ("عالء" for "علاء") and breaks
a line's words at diacritics, so an Arabic name is missed; pypdf reads them right, and its
extra spaces in Cyrillic text are collapsed like any page's. Both are permissively licensed
and maintained; a few milliseconds a page matter little beside the download. Figures:
docs/benchmarks.md (bench/documents.py). Runs isolated (crawler/text/sandbox.py).
"""
from __future__ import annotations

import io
import logging

from crawler.core.kinds import FailureKind
from crawler.text.documents import paged_extraction, reflow
from crawler.text.extract import Extraction
from crawler.text.extractors import Extractor, UnreadableDocument

MAX_PAGES = 3000          # pages read of one PDF; a report longer than this is read in part
MAX_CHARS = 5_000_000     # characters of text kept, whatever the page count


class PdfExtractor(Extractor, content_types=("application/pdf", "application/x-pdf"), extensions=("pdf",),
                   isolated=True):
    def extract(self, body: bytes, url: str, content_type: str | None) -> Extraction | None:
        import pypdf
        from pypdf.errors import FileNotDecryptedError, LimitReachedError, PdfReadError

        logging.getLogger("pypdf").setLevel(logging.ERROR)   # its notes on sloppy files are not errors
        if b"%PDF" not in body[:1024]:
            return None
        try:
            reader = pypdf.PdfReader(io.BytesIO(body), strict=False)
            if reader.is_encrypted and not _decrypted(reader):
                raise UnreadableDocument("the PDF is encrypted with a password, so its text cannot be read")
            count = len(reader.pages)
            pages, chars = [], 0
            for page in reader.pages[:MAX_PAGES]:
                text = page.extract_text() or ""
                chars += len(text)
                pages.append(reflow(text.splitlines()))
                if chars > MAX_CHARS:
                    break
        except LimitReachedError:
            raise UnreadableDocument("the PDF inflates past the reader's limit on a stream (a PDF bomb?)") from None
        except FileNotDecryptedError:
            raise UnreadableDocument("the PDF is encrypted with a password, so its text cannot be read") from None
        except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
            reason = " ".join(f"{type(error).__name__}: {error}".split())[:200]
            raise UnreadableDocument(f"not a readable PDF ({reason})") from None
        if not any(pages):
            raise UnreadableDocument(f"the PDF has no text layer on any of its {count} page(s): a scan? "
                                     "(Vigil does not read images yet)", FailureKind.NO_TEXT)
        title, published = _metadata(reader)
        return paged_extraction(pages, title, published, f"pypdf-{pypdf.__version__}+vigil-1")


def _decrypted(reader) -> bool:
    """Whether the PDF opens with the empty password: many are encrypted only against printing or copying."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # noqa: BLE001 -- a missing cipher or a broken key is a locked file
        return False


def _metadata(reader) -> tuple[str | None, object]:
    try:
        info = reader.metadata
        if info is None:
            return None, None
        title = info.title if isinstance(info.title, str) else None
        try:
            published = info.creation_date or info.modification_date
        except (ValueError, TypeError):
            published = None
        return title, published
    except Exception:  # noqa: BLE001 -- broken metadata must not cost the text
        return None, None
