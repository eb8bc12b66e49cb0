"""The DOCX extractor: python-docx, paragraphs and table cells in document order. Runs isolated."""
from __future__ import annotations

import io

from crawler.text.documents import flat_extraction
from crawler.text.extract import Extraction
from crawler.text.extractors import Extractor, UnreadableDocument
from crawler.text.ziplimits import check_zip

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class DocxExtractor(Extractor, content_types=(DOCX_TYPE,), extensions=("docx",), isolated=True):
    def extract(self, body: bytes, url: str, content_type: str | None) -> Extraction | None:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        if not body.startswith(b"PK"):
            return None
        check_zip(body, "DOCX")
        try:
            document = docx.Document(io.BytesIO(body))
        except (PackageNotFoundError, KeyError, ValueError) as error:
            raise UnreadableDocument(f"not a readable DOCX file ({type(error).__name__}: {error})"[:300]) from None
        paragraphs = [paragraph.text for paragraph in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                paragraphs.append(" | ".join(dict.fromkeys(cell.text for cell in row.cells)))
        properties = document.core_properties
        return flat_extraction(paragraphs, properties.title, properties.created or properties.modified,
                               f"python-docx-{docx.__version__}+vigil-1")

    @staticmethod
    def recognises(body: bytes) -> bool:
        # a zip whose index (at its end) or first entries name the Word document part
        return body.startswith(b"PK\x03\x04") and (b"word/document.xml" in body[-65536:]
                                                    or b"word/document.xml" in body[:65536])
