"""The ODT extractor: odfpy, every paragraph and heading in document order. Runs isolated."""
from __future__ import annotations

import io

from crawler.text.documents import flat_extraction
from crawler.text.extract import Extraction
from crawler.text.extractors import Extractor, UnreadableDocument
from crawler.text.ziplimits import check_zip

ODT_TYPE = "application/vnd.oasis.opendocument.text"


class OdtExtractor(Extractor, content_types=(ODT_TYPE,), extensions=("odt",), isolated=True):
    def extract(self, body: bytes, url: str, content_type: str | None) -> Extraction | None:
        from odf import dc, meta, teletype, text
        from odf.opendocument import load

        if not body.startswith(b"PK"):
            return None
        check_zip(body, "ODT")
        try:
            document = load(io.BytesIO(body))
        except Exception as error:  # noqa: BLE001 -- odfpy raises whatever its XML and zip layers raise
            raise UnreadableDocument(f"not a readable ODT file ({type(error).__name__}: {error})"[:300]) from None
        # getElementsByType groups by type; document order comes from each element's place in the tree
        order = {id(element): index for index, element in enumerate(_walk(document.text))}
        elements = sorted(document.text.getElementsByType(text.P) + document.text.getElementsByType(text.H),
                          key=lambda element: order.get(id(element), 0))
        paragraphs = [teletype.extractText(element) for element in elements]
        title = _first_text(document.meta.getElementsByType(dc.Title))
        published = _first_text(document.meta.getElementsByType(meta.CreationDate)) or \
            _first_text(document.meta.getElementsByType(dc.Date))
        return flat_extraction(paragraphs, title, published, "odfpy-1.4.1+vigil-1")

    @staticmethod
    def recognises(body: bytes) -> bool:
        # an OpenDocument zip stores its media type first, uncompressed
        return body.startswith(b"PK\x03\x04") and b"mimetype" + ODT_TYPE.encode() in body[:200]


def _walk(node):
    yield node
    for child in node.childNodes:
        yield from _walk(child)


def _first_text(elements) -> str | None:
    for element in elements:
        value = "".join(str(child) for child in element.childNodes)
        if value.strip():
            return value
    return None
