"""Delivery channels, one module each, registered by the URL schemes they serve.

A channel module subclasses `Channel` with `schemes=(...)`; importing this package
imports every module beside it, so a new channel is one new file.
"""
from __future__ import annotations

import importlib
import os
import pkgutil
import re
from typing import ClassVar
from urllib.parse import urlsplit

from crawler.core.masking import ENV_REF, mask_text, unexpand

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


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

    @classmethod
    def validate(cls, url: str) -> None:
        """Raise DeliveryError naming what makes `url` unable ever to deliver (the fault, not the URL).

        Called when the config loads, so a broken channel is refused then rather than failing at
        every delivery. `${VAR}`s whose variable is not set here are left in `url` as written.
        """

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


def channel_problem(url: str) -> str | None:
    """Why `url` can never deliver an alert, in a phrase free of secrets; None when it may."""
    scheme = _SCHEME.match(url)
    if not scheme:
        return "not a channel URL (expected scheme://..., e.g. smtp://, https://, file://, tgram://)"
    cls = Channel.registry.get(scheme.group(1).lower()) or Channel.fallback
    if cls is None:
        return f"no channel serves {scheme.group(1)}:// URLs"
    try:
        cls.validate(ENV_REF.sub(lambda m: os.environ.get(m.group(1), m.group(0)), url))
    except DeliveryError as exc:
        return mask_text(unexpand(str(exc), url))
    return None


def server_url(url: str, missing_host: str = "no host"):
    """The parts of a channel URL that names a server; DeliveryError when it cannot be read, has no
    host (`missing_host` says so) or a port that is not a number from 1 to 65535. The fault is
    named, never the URL, which may hold a password."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise DeliveryError(f"not a valid URL ({exc})") from None
    written = re.search(r":([^:\]@]*)$", parts.netloc.rpartition("@")[2])
    if written and written.group(1) and not (written.group(1).isdigit() and 1 <= int(written.group(1)) <= 65535):
        raise DeliveryError(f"port {written.group(1)!r} is not a number from 1 to 65535")
    if not parts.hostname:
        raise DeliveryError(missing_host)
    return parts


_load_channel_modules()
