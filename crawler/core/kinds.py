"""The words Vigil's records use, one StrEnum each: events, kinds of failure, how a run ended.

They are strings (stored, printed and compared as their values), so a new member is also a
new value in the database and in `--format json`: add, never rename."""
from __future__ import annotations

from enum import StrEnum


class Event(StrEnum):
    """What happened to a page or a name on it (the events table, `vigil events`, alerts)."""

    NEW = "new"
    CHANGED = "changed"
    REMOVED = "removed"
    RESTORED = "restored"
    MENTION_ADDED = "mention_added"
    MENTION_REMOVED = "mention_removed"


PAGE_EVENTS = (Event.NEW, Event.CHANGED, Event.REMOVED, Event.RESTORED)
MENTION_EVENTS = (Event.MENTION_ADDED, Event.MENTION_REMOVED)


class FailureKind(StrEnum):
    """Why a URL gave no page (FetchFailure.kind, `vigil errors`)."""

    NETWORK = "network"          # DNS, a refused or broken connection: passing, tried again at the next crawl
    TIMEOUT = "timeout"          # no complete answer within DOWNLOAD_TIMEOUT: passing
    HTTP = "http"                # an HTTP error status: passing for 5xx, 408 and 429
    REFUSED = "refused"          # a private address the config does not allow
    ROBOTS = "robots"            # forbidden by the site's robots.txt
    REDIRECT = "redirect"        # a redirect loop, or more redirects than REDIRECT_MAX_TIMES
    TOO_LARGE = "too_large"      # a body past DOWNLOAD_MAXSIZE, or a compression bomb
    TRUNCATED = "truncated"      # read only in part: too big to read whole, or too many links
    TRAP = "trap"                # links past the crawler-trap bounds (length, query variants)
    SKIPPED = "skipped"          # not fetched or not read: a document, a type no extractor reads
    PROCESSING = "processing"    # fetched, but unreadable: empty, binary, a feed or sitemap that does not parse
    EMPTY_TEXT = "empty_text"    # parsed, and no text came out of it
    NO_TEXT = "no_text"          # nothing to read: a scanned PDF, a page whose scripts draw its text


class FinishReason(StrEnum):
    """How a run ended (runs.finish_reason): Scrapy's own reasons, and Vigil's for runs it ended."""

    FINISHED = "finished"        # the crawl ran to its end
    SHUTDOWN = "shutdown"        # stopped by the operator (SIGTERM, Ctrl-C): neither good nor bad news
    KILLED = "killed"            # its process died without recording the end
    FAILED = "failed"            # its process exited with an error
