"""Downloader middlewares: the private-network guard and conditional GET."""
from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler import netguard


class PrivateNetworkRefused(IgnoreRequest):
    """A request to a private, loopback or reserved address that the config does not allow."""


class PrivateNetworkGuardMiddleware:
    """Refuses every request (redirects and robots.txt included) whose host is private."""

    def __init__(self, allow):
        self.allow = allow

    @classmethod
    def from_crawler(cls, crawler):
        context = getattr(crawler, "vigil", None)
        if context is None:
            raise NotConfigured("no Vigil context")
        return cls(context.config.allow_private_networks)

    def process_request(self, request, spider=None):
        host = urlsplit(request.url).hostname or ""
        reason = netguard.refusal(host, self.allow)
        if reason:
            raise PrivateNetworkRefused(reason)
        return None


class ConditionalGetMiddleware:
    """Sends the stored ETag and Last-Modified of a known page, so an unchanged page costs a 304."""

    def process_request(self, request, spider=None):
        etag = request.meta.get("etag")
        last_modified = request.meta.get("last_modified")
        if etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = etag
        if last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = last_modified
        return None
