"""Time as Vigil stores it (ISO 8601 in UTC, to the microsecond, with a Z) and as a user types it
("--since 7d", "12h", "30m", "2w" or an ISO date): the one place that formats and parses both."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_AGO = re.compile(r"^(\d+)\s*(m|h|d|w)$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
ISO_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
EARLIEST = datetime(1000, 1, 1, tzinfo=timezone.utc)


def now_iso() -> str:
    """The current UTC time as stored everywhere: 2026-11-29T06:40:00.123456Z."""
    return format_iso(datetime.now(timezone.utc))


def format_iso(moment: datetime) -> str:
    """`moment` as a stored timestamp; a moment without a zone is taken to be UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime(ISO_FORMAT)


def parse_duration(text: str) -> timedelta:
    """A length of time written 30m, 12h, 7d or 2w; ValueError with a readable reason."""
    match = _AGO.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration (30m, 12h, 7d, 2w)")
    amount = int(match.group(1))
    if not 0 < amount <= 100_000:
        raise ValueError(f"{text!r}: expected a positive duration of at most 100000 units")
    return timedelta(**{_UNITS[match.group(2)]: amount})


def parse_since(text: str, now: datetime | None = None) -> str:
    """An ISO UTC timestamp for a relative age or a date; ValueError with a readable reason."""
    now = now or datetime.now(timezone.utc)
    text = text.strip()
    match = _AGO.match(text)
    try:
        if match:
            moment = now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
        else:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            moment = moment.astimezone(timezone.utc)
    except ValueError:
        raise ValueError(f"{text!r} is not an age (30m, 12h, 7d, 2w) or a date (2026-11-01)") from None
    except OverflowError:   # 5000000d ago, or a zone that moves year 1 before year 1
        raise ValueError(f"{text!r} is out of range (dates from the year 1000 on)") from None
    if moment < EARLIEST:   # four-digit years keep stored ISO times in order as text
        raise ValueError(f"{text!r} is out of range (dates from the year 1000 on)")
    return moment.strftime(ISO_FORMAT)


def parse_iso(stamp: str) -> datetime:
    """A stored timestamp (ISO, UTC when no zone is given) as an aware datetime."""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
