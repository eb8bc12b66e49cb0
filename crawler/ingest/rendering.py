"""Pages drawn by a headless browser, for sources with `render = true`: scrapy-playwright and Debian's Chromium.

Nothing here is imported by a crawl of a source without the setting; Scrapy loads the browser's
download handler by name, from the settings `browser_settings` gives one source's crawler.
Requests the spider does not mark for the browser (robots.txt, feeds, documents) go through
Scrapy's own HTTP handler, as for any source.

Every request the browser makes, for the page and for each script, style, image or fetch()
it triggers, passes `refuse_request` first (Playwright route interception): the private-network
guard's policy applies to it as to any request of the crawl. The browser resolves names itself,
so a name is resolved and checked here first, and refused whole when any of its addresses is
forbidden; a DNS answer that changes between the two lookups is outside this check. Service
workers are blocked, so no request escapes the page's routes.
"""
from __future__ import annotations

import asyncio
import logging
import os
import shutil
from urllib.parse import urlsplit

from crawler.core import netguard
from crawler.core.errors import UsageError

log = logging.getLogger(__name__)

HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
MAX_OPEN_PAGES = 4   # tabs open at once per source: each costs tens of MB
_decisions: dict[str, str | None] = {}   # host -> refusal reason (None: allowed), for the life of the crawl


def chromium() -> str:
    """The Chromium to drive: VIGIL_CHROMIUM, else the one on PATH (Debian's `chromium` package)."""
    path = os.environ.get("VIGIL_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path or not os.access(path, os.X_OK):
        raise UsageError("render = true needs Chromium: install Debian's `chromium` package "
                         "(or name the browser in VIGIL_CHROMIUM)")
    return path


def browser_settings(concurrency: int, timeout_seconds: float, proxy: str | None = None) -> dict:
    """The Scrapy settings that make one source's crawler fetch its marked pages in Chromium.
    `proxy`: `[vigil] proxy`, the browser's only proxy; without it, none, whatever the environment says."""
    args = ["--no-sandbox"] if os.geteuid() == 0 else []   # Chromium's sandbox cannot run as root
    launch = {"executable_path": chromium(), "headless": True, "args": [*args, "--disable-dev-shm-usage"]}
    if proxy:
        launch["proxy"] = {"server": proxy}
    else:
        launch["args"].append("--no-proxy-server")
    return {
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER, "file": None, "data": None, "ftp": None, "s3": None},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch,
        "PLAYWRIGHT_CONTEXTS": {"default": {"service_workers": "block", "accept_downloads": False}},
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": max(1, min(concurrency, MAX_OPEN_PAGES)),
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout_seconds * 1000,
        "PLAYWRIGHT_ABORT_REQUEST": "crawler.ingest.rendering.refuse_request",
    }


async def refuse_request(request) -> bool:
    """Whether the browser must not make `request`: not http(s), or to an address the guard refuses."""
    try:
        parts = urlsplit(request.url)
        host = parts.hostname or ""
    except ValueError:
        return True
    if parts.scheme in ("data", "blob"):
        return False   # no network
    if parts.scheme not in ("http", "https") or not host:
        return True
    if host not in _decisions:
        _decisions[host] = await asyncio.to_thread(netguard.target_refusal, host, netguard.policy())
    reason = _decisions[host]
    if reason:
        log.info("browser request to %s %s", request.url[:200], reason)
    return reason is not None
