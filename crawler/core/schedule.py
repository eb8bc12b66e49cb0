"""Source schedules: "every 30m" / "every 6h" or a five-field cron line."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import timedelta

_EVERY = re.compile(r"^every\s+(\d+)\s*(s|m|h|d)$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
# A longer interval is a typo; a far longer one overflows the date of the next run.
MAX_INTERVAL = timedelta(days=366)


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: an interval, or a cron expression."""

    text: str
    interval: timedelta | None = None
    cron: str | None = None

    def trigger(self, timezone=None, jitter: float | None = None):
        """The APScheduler 3 trigger for this schedule; `jitter` seconds at most are added at
        random to each run time, never more than a quarter of an interval, so runs keep their order."""
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        if self.interval is not None:
            if jitter:
                jitter = min(jitter, self.interval.total_seconds() / 4)
            return IntervalTrigger(seconds=self.interval.total_seconds(), timezone=timezone, jitter=jitter or None)
        trigger = CronTrigger.from_crontab(self.cron, timezone=timezone)
        trigger.jitter = jitter or None
        return trigger

    def period(self) -> float:
        """Seconds between two runs: the interval, or a cron line's shortest gap over two weeks."""
        if self.interval is not None:
            return self.interval.total_seconds()
        return _cron_period(self)

    def next_after(self, moment, timezone=None):
        """The first run time after `moment` (an aware datetime), without jitter."""
        if self.interval is not None:
            return moment + self.interval
        return self.trigger(timezone).get_next_fire_time(None, moment + timedelta(seconds=1))


@functools.lru_cache(maxsize=256)
def _cron_period(schedule: Schedule) -> float:
    """A cron line's shortest gap between two runs over two weeks (cached: read for every page)."""
    from datetime import datetime, timezone as tz

    moment = schedule.next_after(datetime(2026, 1, 5, tzinfo=tz.utc))
    end = moment + timedelta(days=14)
    shortest = None
    for _ in range(500):  # a run every minute needs no two weeks of looking
        if moment is None or moment >= end:
            break
        following = schedule.next_after(moment)
        if following is None:
            break
        gap = (following - moment).total_seconds()
        shortest = gap if shortest is None else min(shortest, gap)
        moment = following
    return shortest or 86400.0


def parse_schedule(text: str) -> Schedule:
    """Parse a schedule or raise ValueError with a reason a user understands."""
    text = text.strip()
    match = _EVERY.match(text)
    if match:
        amount = int(match.group(1))
        if amount <= 0:
            raise ValueError("an interval must be positive")
        unit = _UNITS[match.group(2).lower()]
        if amount > MAX_INTERVAL / timedelta(**{unit: 1}):
            raise ValueError(f"an interval must be at most {MAX_INTERVAL.days} days, got {text!r}")
        return Schedule(text, interval=timedelta(**{unit: amount}))
    if len(text.split()) == 5:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(text)
        except ValueError as exc:
            raise ValueError(f"not a valid cron line ({exc})") from None
        return Schedule(text, cron=text)
    raise ValueError('expected "every N(s|m|h|d)" or a five-field cron line such as "0 */6 * * *"')
