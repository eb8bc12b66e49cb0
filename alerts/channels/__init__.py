"""Delivery channels, one module each, registered by the URL schemes they serve.

A channel module subclasses `Channel` with `schemes=(...)`; importing this package
imports every module beside it, so a new channel is one new file.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import ClassVar
from urllib.parse import urlsplit


class DeliveryError(Exception):
    """A channel could not deliver an alert; the dispatcher retries later."""


class Channel:
    """Delivers alert dicts (the design's JSON object) to one destination URL."""

    registry: ClassVar[dict[str, type["Channel"]]] = {}
    fallback: ClassVar[type["Channel"] | None] = None
    description: ClassVar[str] = ""

    def __init_subclass__(cls, schemes: tuple[str, ...] = (), fallback: bool = False, **kwargs):
        super().__init_subclass__(**kwargs)
        for scheme in schemes:
            Channel.registry[scheme] = cls
        if fallback:
            Channel.fallback = cls

    def __init__(self, url: str, secret: str | None = None, base_dir: str | None = None):
        self.url = url
        self.secret = secret
        self.base_dir = base_dir  # where relative paths in URLs start: the config's folder

    def send(self, alert: dict) -> None:
        """Deliver one alert or raise DeliveryError."""
        raise NotImplementedError

    def send_digest(self, subject: str, text: str, html: str) -> None:
        """Deliver a rendered digest; channels without a better form send the text."""
        self.send({"event": "digest", "title": subject, "text": text})


def _load_channel_modules() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def channel_for(url: str, secret: str | None = None, base_dir: str | None = None) -> Channel:
    """The channel that serves `url`, by its scheme."""
    scheme = urlsplit(url).scheme.lower()
    cls = Channel.registry.get(scheme) or Channel.fallback
    if cls is None:
        raise DeliveryError(f"no channel serves {scheme}:// URLs")
    return cls(url, secret, base_dir)


def known_scheme(url: str) -> bool:
    scheme = urlsplit(url).scheme.lower()
    return bool(scheme) and (scheme in Channel.registry or Channel.fallback is not None)


_load_channel_modules()
