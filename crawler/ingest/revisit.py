"""When to fetch a known page again: an adaptive revisit interval per page.

The rule is the adaptive fetch schedule of Apache Nutch (AdaptiveFetchSchedule), a
multiplicative version of the change-rate estimators search engines use: a page found
unchanged waits longer next time (the interval grows by half), a page found changed
comes back sooner (the interval halves), always between a floor and a ceiling. We chose
it over Cho and Garcia-Molina's maximum-likelihood estimator of a Poisson change rate
because that estimator needs a run of regular observations per page, and most pages here
have a short, irregular history (new pages, crawls skipped, budgets cut); the
multiplicative rule needs only the last interval, converges to the page's change period
within a few visits, and cannot drift past its bounds.

- The floor is the source's crawl interval: a page cannot be visited more often than its
  source is crawled. A page that changed at its last visit, and a page just found, are
  due at the very next crawl (new statements are corrected and taken down early).
- The ceiling bounds how stale any page may get, so edits and takedowns of old pages
  are still seen: a week by default, a day for a page that names a watched person.
- What sites say for free moves a visit: a sitemap `lastmod` or a feed date newer than
  the last visit makes the page due at once (decided by the spider), and `Cache-Control:
  max-age` or `Expires` delays the next visit to when the page goes stale (never past
  the ceiling). ETag and Last-Modified make the visit itself cheap (304 Not Modified).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

GROWTH = 1.5      # unchanged: the next interval is half as long again
SHRINK = 0.5      # changed: half as long
DUE_SLACK = 0.5   # a page due within half a crawl interval of a crawl is taken by that crawl

CHANGED = "changed"
UNCHANGED = "unchanged"
NEW = "new"


def next_interval(previous: float, outcome: str, floor: float, ceiling: float) -> float:
    """Seconds until the next visit of a page whose last visit came to `outcome`.

    0 means "at the next crawl". `floor` is the source's crawl interval, `ceiling` the
    longest a page may wait."""
    ceiling = max(ceiling, floor)
    if outcome == NEW:
        return 0.0
    if outcome == CHANGED:
        shorter = previous * SHRINK
        return 0.0 if shorter < floor else min(shorter, ceiling)
    return min(max(previous * GROWTH, floor), ceiling)


def fresh_for(headers: dict[str, str], fetched: datetime) -> float | None:
    """Seconds the server says the page stays fresh (Cache-Control max-age, else Expires)."""
    cache_control = headers.get("cache-control", "").lower()
    if "no-cache" in cache_control or "no-store" in cache_control:
        return None
    for directive in cache_control.split(","):
        name, _, value = directive.strip().partition("=")
        if name in ("s-maxage", "max-age") and value.strip().isdigit():
            return float(value)
    expires = headers.get("expires")
    if expires:
        try:
            moment = parsedate_to_datetime(expires)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return max(0.0, (moment - fetched).total_seconds())
    return None


def next_visit(fetched: datetime, interval: float, headers: dict[str, str], ceiling: float) -> datetime:
    """The moment a page fetched at `fetched` falls due again."""
    wait = interval
    fresh = fresh_for(headers, fetched)
    if fresh is not None and fresh > wait:
        wait = min(fresh, ceiling)
    return fetched + timedelta(seconds=wait)


def due_horizon(crawl_start: datetime, floor: float) -> datetime:
    """Pages due before this moment are revisited by a crawl starting at `crawl_start`:
    a page fetched a little after the start of the last crawl is still due at this one."""
    return crawl_start + timedelta(seconds=floor * DUE_SLACK)
