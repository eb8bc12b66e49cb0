"""Extractors by content type: a page's bytes to its main text, one module per format.

An extractor module subclasses `Extractor` with the media types it reads
(`content_types=(...)`); importing this package imports every module beside it, so a new
format is one new file. A body whose type no extractor claims goes to the fallback, the
HTML extractor, which sniffs the bytes itself: servers label HTML text/plain or
application/octet-stream, or send no type at all.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import ClassVar

from crawler.text.extract import Extraction


class Extractor:
    """Reads one format: `extract` is a pure function of the body, its URL and its content type.
    The Extraction it returns names its version in `extractor`, stored with each snapshot: a new
    version reads a page afresh, which is a new baseline of the page, not a change of it."""

    registry: ClassVar[dict[str, type["Extractor"]]] = {}
    fallback: ClassVar[type["Extractor"] | None] = None

    def __init_subclass__(cls, content_types: tuple[str, ...] = (), fallback: bool = False, **kwargs):
        super().__init_subclass__(**kwargs)
        for content_type in content_types:
            Extractor.registry[content_type.lower()] = cls
        if fallback:
            Extractor.fallback = cls

    def extract(self, body: bytes, url: str, content_type: str | None) -> Extraction | None:
        """The page's text and metadata, or None when the body is not of this format after all."""
        raise NotImplementedError


def _claimed(content_type: str | None) -> type[Extractor] | None:
    # A media type may come with parameters or odd spacing ("Text/HTML; charset=..."): the
    # registered type anywhere in the header counts, as the spider has always checked.
    lowered = (content_type or "").lower()
    return next((cls for claimed, cls in Extractor.registry.items() if claimed in lowered), None)


def reads(content_type: str | None) -> bool:
    """Whether an extractor claims this Content-Type (a page without one is tried as HTML)."""
    return not content_type or _claimed(content_type) is not None


def extract(body: bytes, url: str, content_type: str | None = None) -> Extraction | None:
    """The extraction of a body by the extractor of its content type, else by the fallback."""
    cls = _claimed(content_type) or Extractor.fallback
    return cls().extract(body, url, content_type) if cls is not None else None


def _load_extractor_modules() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_load_extractor_modules()
