"""Scrapy's own log lines in a Vigil crawl: a request that failed is news for `vigil errors`
(where Vigil records it with its reason), not an ERROR line across the terminal."""
from __future__ import annotations

import logging

from scrapy.logformatter import LogFormatter


class FailedRequestsAtInfo(LogFormatter):
    """"Error downloading <GET ...>" at INFO: shown with --log-level debug, recorded always."""

    def download_error(self, failure, request, spider, errmsg=None):
        entry = super().download_error(failure, request, spider, errmsg)
        entry["level"] = logging.INFO
        return entry
