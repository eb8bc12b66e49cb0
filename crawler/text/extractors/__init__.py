"""Extractors by content type: a page's bytes to its main text, one module per format.

An extractor module subclasses `Extractor` with the media types it reads
(`content_types=(...)`) and the file extensions that name them (`extensions=(...)`, for
servers that send a document as application/octet-stream or with no type); importing this
package imports every module beside it, so a new format (OCR of scans, say) is one new
file. A body whose type no extractor claims goes to the fallback, the HTML extractor,
which sniffs the bytes itself: servers label HTML text/plain or application/octet-stream,
or send no type at all.

An extractor that reads files built elsewhere (PDF, office documents) says `isolated=True`:
it runs in a child process with hard limits on time and memory (crawler/text/sandbox.py),
so that a PDF bomb or a looping document costs one error record, not the crawl.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import ClassVar
from urllib.parse import urlsplit

from crawler.core.kinds import FailureKind
from crawler.text.extract import Extraction

# Content types that say nothing about the format: the URL's extension decides then.
GENERIC_TYPES = ("application/octet-stream", "binary/octet-stream", "application/download",
                 "application/force-download", "application/x-download", "application/unknown")


class UnreadableDocument(Exception):
    """A document that cannot be read, with the plain reason `vigil errors` shows and its kind."""

    def __init__(self, reason: str, kind: FailureKind = FailureKind.PROCESSING):
        super().__init__(reason, kind)   # both in args: the exception crosses processes pickled
        self.reason = reason
        self.kind = FailureKind(kind)

    def __str__(self) -> str:
        return self.reason


class Extractor:
    """Reads one format: `extract` is a pure function of the body, its URL and its content type.
    The Extraction it returns names its version in `extractor`, stored with each snapshot: a new
    version reads a page afresh, which is a new baseline of the page, not a change of it.
    It raises UnreadableDocument for a body of its format that it cannot read."""

    registry: ClassVar[dict[str, type["Extractor"]]] = {}
    by_extension: ClassVar[dict[str, type["Extractor"]]] = {}
    fallback: ClassVar[type["Extractor"] | None] = None
    isolated: ClassVar[bool] = False

    def __init_subclass__(cls, content_types: tuple[str, ...] = (), extensions: tuple[str, ...] = (),
                          fallback: bool = False, isolated: bool = False, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.isolated = isolated
        for content_type in content_types:
            Extractor.registry[content_type.lower()] = cls
        for extension in extensions:
            Extractor.by_extension[extension.lower()] = cls
        if fallback:
            Extractor.fallback = cls

    def extract(self, body: bytes, url: str, content_type: str | None) -> Extraction | None:
        """The page's text and metadata, or None when the body is not of this format after all."""
        raise NotImplementedError

    @staticmethod
    def recognises(body: bytes) -> bool:
        """Whether the bytes are of this format by their signature, for a body sent with a generic
        type and a URL that names no format (a download link: /download?id=5)."""
        return False


def url_extension(url: str | None) -> str:
    """The extension of the URL's last path segment, lowercased ("" when it has none)."""
    try:
        name = urlsplit(url or "").path.rsplit("/", 1)[-1]
    except ValueError:
        return ""
    return name.rpartition(".")[2].lower() if "." in name else ""


def claimed(content_type: str | None, url: str | None = None, body: bytes | None = None) -> type[Extractor] | None:
    """The extractor for a body: by its Content-Type, else (a generic type or none) by its URL's
    extension, else by the signature of its bytes when they are given."""
    # A media type may come with parameters or odd spacing ("Text/HTML; charset=..."): the
    # registered type anywhere in the header counts, as the spider has always checked.
    lowered = (content_type or "").lower()
    by_type = next((cls for name, cls in Extractor.registry.items() if name in lowered), None)
    if by_type is not None:
        return by_type
    if not lowered.split(";")[0].strip() or any(generic in lowered for generic in GENERIC_TYPES):
        by_extension = Extractor.by_extension.get(url_extension(url))
        if by_extension is not None or body is None:
            return by_extension
        return next((cls for cls in set(Extractor.registry.values()) if cls.recognises(body)), None)
    return None


def reads(content_type: str | None, url: str | None = None, body: bytes | None = None) -> bool:
    """Whether an extractor claims this body (a page without a Content-Type is tried as HTML)."""
    return not content_type or claimed(content_type, url, body) is not None


def reads_extension(extension: str) -> bool:
    """Whether a link ending in `.extension` leads to a format an extractor reads."""
    return extension.lower() in Extractor.by_extension


def isolated(content_type: str | None, url: str | None = None, body: bytes | None = None) -> bool:
    """Whether the body goes to an isolated extractor: read whole, in a bounded child process."""
    cls = claimed(content_type, url, body)
    return cls is not None and cls.isolated


def extract(body: bytes, url: str, content_type: str | None = None) -> Extraction | None:
    """The extraction of a body by the extractor of its content type, else by the fallback.
    Raises UnreadableDocument for a document that cannot be read."""
    cls = claimed(content_type, url, body) or Extractor.fallback
    if cls is None:
        return None
    if cls.isolated:
        from crawler.text import sandbox

        return sandbox.run(cls, body, url, content_type)
    return cls().extract(body, url, content_type)


def _load_extractor_modules() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_load_extractor_modules()
