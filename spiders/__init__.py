"""Spiders by name: the generic source spider, and a module per site that needs its own.

A site's spider is one new module here: a subclass of SourceSpider with its own `name`,
which sources choose with `spider = "NAME"`. Importing this package imports every
module beside it, so each spider is registered before a config names it.
"""
from __future__ import annotations

import importlib
import pkgutil

from spiders.source import SourceSpider


def spider_class(name: str) -> type[SourceSpider]:
    """The spider registered under `name`; KeyError when there is none (the config check says so first)."""
    return SourceSpider.registry[name]


def spider_names() -> list[str]:
    return sorted(SourceSpider.registry)


def _load_spider_modules() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_load_spider_modules()
