"""Digests: a subscriber's mentions since the last one, grouped by person, with the pages taken
down and the sources that failed; rendered as text, Markdown and HTML; sent at their time of day.

Every value shown comes from a crawled page: it is folded to one line, escaped for HTML or
Markdown, and only http(s) URLs become links (the helpers of alerts.delivery.render).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from alerts.delivery.dispatch import deliver_due
from alerts.delivery.health import outcome
from alerts.delivery.render import (html_link, html_snippet, is_web_url, markdown_line, markdown_link, markdown_text,
                                    one_line)
from crawler.core.alert import Alert
from crawler.core.config import WEEKDAYS, Config, Subscriber, time_of_day
from crawler.core.timeutil import ISO_FORMAT, parse_iso
from storage import outbox
from storage import subscriptions as stored
from storage.effective import effective_config
from storage.events import list_events
from storage.mentions import list_mentions, terms_on_page
from storage.pages import get_page
from storage.snapshots import latest_snapshot, story_urls

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
# A mention is stamped when its page was fetched and stored a moment later: a digest ends this
# long before it is made, so nothing stored late falls between two digests.
SETTLE = timedelta(minutes=2)
DIGEST = "digest"   # the event of a digest alert


@dataclass
class DigestItem:
    """One story naming a term: where it was first seen, and where else it appeared."""

    term: str
    kind: str
    title: str
    url: str
    source: str
    first_seen: str
    matched: str
    snippet: str
    also_at: list[str] = field(default_factory=list)


@dataclass
class Takedown:
    event: str               # removed | mention_removed | restored (back online, taken down before the period)
    url: str
    source: str
    at: str
    title: str
    terms: list[str]
    reason: str = ""
    restored_at: str = ""    # a page removed in the period and back online since


@dataclass
class FailedSource:
    source: str
    failed_runs: int
    runs: int
    reason: str
    at: str


@dataclass
class Digest:
    heading: str             # "daily digest", "digest"
    subscriber: str | None
    since: str | None
    until: str
    zone: tzinfo
    people: dict[str, list[DigestItem]]
    takedowns: list[Takedown]
    failures: list[FailedSource]

    @property
    def mentions(self) -> int:
        return sum(len(items) for items in self.people.values())

    @property
    def items(self) -> int:
        return self.mentions + len(self.takedowns) + len(self.failures)


def build_digest(db, *, since: str | None, until: str, watchlists: set[str] | None = None, heading: str = "digest",
                 subscriber: str | None = None, zone: tzinfo = timezone.utc, sources: set[str] | None = None) -> Digest:
    """What happened between `since` and `until` for `watchlists` (None: every watchlist); failed
    crawls of `sources` only (None: every source; a source gone from the config is no news)."""
    chosen = tuple(sorted(watchlists)) if watchlists is not None else ()
    # a mention a reader dismissed (not this person) is no news
    rows = [] if watchlists is not None and not watchlists else list_mentions(db, since, until, watchlists=chosen,
                                                                              dismissed=False)
    people: dict[str, list[DigestItem]] = {}
    kinds: dict[str, str] = {}
    seen, urls_of_story = set(), {}
    for row in rows:
        if (row["term"], row["story_id"]) in seen:
            continue  # the same statement republished: one item, its other places listed
        seen.add((row["term"], row["story_id"]))
        if row["story_id"] not in urls_of_story:
            urls_of_story[row["story_id"]] = story_urls(db, row["story_id"])
        kinds[row["term"]] = row["kind"]
        people.setdefault(row["term"], []).append(DigestItem(
            term=row["term"], kind=row["kind"], title=row["title"] or "", url=row["url"], source=row["source"],
            first_seen=row["first_seen"], matched=row["matched"], snippet=row["snippet"],
            also_at=[url for url in urls_of_story[row["story_id"]] if url != row["url"]],
        ))
    # people first, then keywords; each alphabetically
    ordered = dict(sorted(people.items(), key=lambda pair: (kinds[pair[0]] != "person", pair[0].casefold())))
    return Digest(heading, subscriber, since, until, zone, ordered, _takedowns(db, since, until, watchlists),
                  _failures(db, since, until, sources))


def _takedowns(db, since, until, watchlists: set[str] | None) -> list[Takedown]:
    def followed(pairs) -> list[str]:
        return sorted({term for watchlist, term in pairs if watchlists is None or watchlist in watchlists})

    found = []
    removed: dict[str, Takedown] = {}   # url -> its takedown in this period, not yet back online
    for event in list_events(db, since=since, until=until, kinds=("removed", "mention_removed", "restored")):
        if event["event"] == "restored" and event["url"] in removed:
            removed.pop(event["url"]).restored_at = event["at"]   # said on the takedown's own line
            continue
        page = get_page(db, event["url"])
        named = terms_on_page(db, page["id"], dismissed=False)
        detail = event["detail"] or {}
        if event["event"] == "mention_removed":
            terms = [term for term in followed(named) if term == detail.get("term")]
        else:
            terms = followed(named)
        if not terms:
            continue
        last = latest_snapshot(db, page["id"])
        found.append(Takedown(event["event"], event["url"], event["source"], event["at"],
                              (last or {}).get("title") or "", terms, detail.get("reason", "")))
        if event["event"] == "removed":
            removed[event["url"]] = found[-1]
    return found


def _failures(db, since, until, sources: set[str] | None) -> list[FailedSource]:
    by_source: dict[str, FailedSource] = {}
    for run in stored.runs_between(db, since, until):
        if sources is not None and run["source"] not in sources:
            continue
        entry = by_source.setdefault(run["source"], FailedSource(run["source"], 0, 0, "", ""))
        entry.runs += 1
        if outcome(run) == "failed":
            entry.failed_runs += 1
            entry.at = run["started_at"]
            entry.reason = run["error"] or run["finish_reason"] or "no page could be fetched"
    return [entry for entry in by_source.values() if entry.failed_runs]


# ---- rendering -------------------------------------------------------------------------------

def digest_subject(digest: Digest) -> str:
    names = list(digest.people)
    shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    parts = [f"{digest.mentions} new mention{'s' * (digest.mentions != 1)}" + (f" of {shown}" if names else "")]
    down = sum(1 for t in digest.takedowns if t.event != "restored" and not t.restored_at)
    if down:
        parts.append(f"{down} taken down")
    if len(digest.takedowns) > down:
        parts.append(f"{len(digest.takedowns) - down} back online")
    if digest.failures:
        parts.append(f"{len(digest.failures)} source{'s' * (len(digest.failures) != 1)} failing")
    for_whom = f" for {digest.subscriber}" if digest.subscriber else ""
    return one_line(f"[Vigil] {digest.heading.capitalize()}{for_whom}: {'; '.join(parts)}", 250)


def _title(digest: Digest) -> str:
    return f"Vigil {digest.heading}" + (f" for {digest.subscriber}" if digest.subscriber else "")


def _when(stamp: str | None, zone: tzinfo) -> str:
    if not stamp:
        return "the beginning"
    moment = parse_iso(stamp).astimezone(zone)
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip()


def _period(digest: Digest) -> str:
    return f"{_when(digest.since, digest.zone)} to {_when(digest.until, digest.zone)}"


def _marked(snippet: str, matched: str, mark) -> str:
    """The snippet on one line, each piece passed through `mark(piece, is_match)` to be escaped
    and, where it is the matched name, highlighted."""
    text, found = one_line(snippet), one_line(matched, 200)
    if not found:
        return mark(text, False)
    pieces = re.split(f"({re.escape(found)})", text, flags=re.IGNORECASE)
    return "".join(mark(piece, index % 2 == 1) for index, piece in enumerate(pieces) if piece)


def _takedown_line(takedown: Takedown, zone: tzinfo) -> str:
    names = ", ".join(takedown.terms)
    if takedown.event == "mention_removed":
        return f"{names} no longer named on this page"
    if takedown.event == "restored":
        return f"page back online; it names {names}"
    line = f"page taken down ({one_line(takedown.reason, 200) or 'gone'}); it named {names}"
    return line + (f"; back online since {_when(takedown.restored_at, zone)}" if takedown.restored_at else "")


def digest_text(digest: Digest) -> str:
    lines = [one_line(_title(digest)), _period(digest), ""]
    if not digest.items:
        lines.append("Nothing new in this period.")
    for term, items in digest.people.items():
        lines += [f"== {one_line(term, 200)} ({len(items)}) ==", ""]
        for item in items:
            lines.append(f"* {one_line(item.title) or '(untitled page)'}")
            lines.append(f"  {one_line(item.source, 100)}, {_when(item.first_seen, digest.zone)}")
            lines.append("  " + _marked(item.snippet, item.matched, lambda p, hit: f"*{p}*" if hit else p))
            lines.append(f"  {one_line(item.url)}")
            if item.also_at:
                lines.append("  Also at: " + ", ".join(one_line(url) for url in item.also_at))
            lines.append("")
    if digest.takedowns:
        lines += ["== Pages taken down ==", ""]
        for takedown in digest.takedowns:
            lines.append(f"* {one_line(takedown.title) or '(untitled page)'}: {_takedown_line(takedown, digest.zone)}")
            lines.append(f"  {one_line(takedown.url)}, {_when(takedown.at, digest.zone)}")
        lines.append("")
    if digest.failures:
        lines += ["== Sources that failed ==", ""]
        for failure in digest.failures:
            lines.append(f"* {one_line(failure.source, 100)}: {failure.failed_runs} of {failure.runs} crawls failed; "
                         f"last: {one_line(failure.reason, 300)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def digest_markdown(digest: Digest) -> str:
    lines = [f"# {markdown_line(_title(digest))}", "", f"_{_period(digest)}_", ""]
    if not digest.items:
        lines += ["Nothing new in this period.", ""]
    for term, items in digest.people.items():
        lines += [f"## {markdown_line(term, 200)} ({len(items)})", ""]
        for item in items:
            lines.append(f"### {markdown_line(item.title) or 'untitled page'}")
            lines.append("")
            lines.append(f"{markdown_line(item.source, 100)}, {_when(item.first_seen, digest.zone)}  ")
            lines.append(markdown_link(item.url))
            lines.append("")
            lines.append("> " + _marked(item.snippet, item.matched,
                                        lambda p, hit: f"**{markdown_text(p)}**" if hit else markdown_text(p)))
            if item.also_at:
                lines += ["", "Also at: " + ", ".join(markdown_link(url) for url in item.also_at)]
            lines.append("")
    if digest.takedowns:
        lines += ["## Pages taken down", ""]
        for takedown in digest.takedowns:
            lines.append(f"- **{markdown_line(takedown.title) or 'untitled page'}**: "
                         f"{markdown_line(_takedown_line(takedown, digest.zone))}, {_when(takedown.at, digest.zone)}"
                         f" {markdown_link(takedown.url)}")
        lines.append("")
    if digest.failures:
        lines += ["## Sources that failed", ""]
        for failure in digest.failures:
            lines.append(f"- **{markdown_line(failure.source, 100)}**: {failure.failed_runs} of {failure.runs} "
                         f"crawls failed; last: {markdown_line(failure.reason, 300)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


_SMALL = "color:#666666;font-size:13px;margin:2px 0"


def digest_html(digest: Digest) -> str:
    """A whole HTML document with inline styles only, as mail clients want it."""
    e = html.escape
    parts = [f'<h1 style="font-size:20px;margin:0 0 4px 0">{e(one_line(_title(digest)))}</h1>',
             f'<p style="{_SMALL}">{e(_period(digest))}</p>']
    if not digest.items:
        parts.append("<p>Nothing new in this period.</p>")
    for term, items in digest.people.items():
        parts.append('<h2 style="font-size:18px;margin:24px 0 8px 0;border-bottom:1px solid #dddddd">'
                     f'{e(one_line(term, 200))} <span style="color:#777777;font-weight:normal">'
                     f"({len(items)})</span></h2>")
        for item in items:
            title = e(one_line(item.title) or "(untitled page)")
            if is_web_url(one_line(item.url)):
                title = f'<a href="{e(one_line(item.url), quote=True)}" style="color:#1a4f8b">{title}</a>'
            parts.append('<div style="margin:0 0 18px 0">')
            parts.append(f'<p style="margin:0;font-weight:bold">{title}</p>')
            parts.append(f'<p style="{_SMALL}">{e(one_line(item.source, 100))}, '
                         f"{e(_when(item.first_seen, digest.zone))}"
                         f" &middot; {html_link(item.url)}</p>")
            parts.append('<blockquote style="margin:6px 0;padding:0 0 0 10px;border-left:3px solid #cccccc">'
                         f"{html_snippet(item.snippet, item.matched)}</blockquote>")
            if item.also_at:
                others = ", ".join(html_link(url) for url in item.also_at)
                parts.append(f'<p style="{_SMALL}">Also at: {others}</p>')
            parts.append("</div>")
    if digest.takedowns:
        parts.append('<h2 style="font-size:18px;margin:24px 0 8px 0">Pages taken down</h2><ul>')
        for takedown in digest.takedowns:
            parts.append(f"<li><strong>{e(one_line(takedown.title) or '(untitled page)')}</strong>: "
                         f"{e(_takedown_line(takedown, digest.zone))}, {e(_when(takedown.at, digest.zone))}<br>"
                         f"{html_link(takedown.url)}</li>")
        parts.append("</ul>")
    if digest.failures:
        parts.append('<h2 style="font-size:18px;margin:24px 0 8px 0">Sources that failed</h2><ul>')
        for failure in digest.failures:
            parts.append(f"<li><strong>{e(one_line(failure.source, 100))}</strong>: {failure.failed_runs} of "
                         f"{failure.runs} crawls failed; last: {e(one_line(failure.reason, 300))}</li>")
        parts.append("</ul>")
    body = "\n".join(parts)
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width"><title>{e(digest_subject(digest))}</title></head>\n'
            '<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:15px;'
            'line-height:1.45;color:#222222">\n<div style="max-width:680px;margin:0 auto">\n'
            f"{body}\n</div>\n</body></html>\n")


RENDERERS = {"text": digest_text, "md": digest_markdown, "html": digest_html}


# ---- sending at the time of day --------------------------------------------------------------

def default_zone(config: Config) -> tzinfo:
    """[vigil] timezone, else the machine's."""
    if config.timezone:
        return ZoneInfo(config.timezone)
    import tzlocal

    return tzlocal.get_localzone()


def subscriber_zone(subscriber: Subscriber, config: Config) -> tzinfo:
    """The subscriber's time zone, else the config's, else the machine's."""
    return ZoneInfo(subscriber.timezone) if subscriber.timezone else default_zone(config)


def due_moment(subscriber: Subscriber, period: str, now: datetime, zone: tzinfo) -> datetime:
    """The latest moment at or before `now` when this subscriber's `period` digest was due."""
    local = now.astimezone(zone)
    hour, minute = time_of_day(subscriber.digest_time)
    due = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if period == "weekly":
        due -= timedelta(days=(local.weekday() - WEEKDAYS.index(subscriber.weekly_day)) % 7)
    if due > local:
        due -= PERIODS[period]  # wall-clock arithmetic: 08:00 stays 08:00 across a change to summer time
    return due.astimezone(timezone.utc)


def send_due_digests(db, config: Config, now: datetime | None = None) -> int:
    """Make every digest that is due and not yet made, then deliver the digests waiting in the
    outbox; returns how many digest messages went out. The daemon calls this every minute."""
    now = now or datetime.now(timezone.utc)
    config = effective_config(db, config)
    sources = {source.name for source in config.sources}
    made = now.astimezone(timezone.utc).strftime(ISO_FORMAT)
    until = (now.astimezone(timezone.utc) - SETTLE).strftime(ISO_FORMAT)
    for subscriber in config.subscribers:
        for period in PERIODS:
            watchlists = {w for w in subscriber.watchlists if subscriber.mode_for(w) == period}
            if not watchlists or not subscriber.channels:
                continue
            zone = subscriber_zone(subscriber, config)
            due = due_moment(subscriber, period, now, zone)
            due_at = due.strftime(ISO_FORMAT)
            last = stored.last_digest(db, subscriber.name, period)
            if last and last["due_at"] >= due_at:
                continue
            if last is None:
                # The first look at this digest (a new subscriber, a first `vigil run`): the moment
                # that fell due before now is no missed digest to catch up on, which would go out
                # minutes before the next one is due and leave that one empty. It is recorded as
                # made and empty, and the next digest covers its period too: nothing is skipped.
                start = (due - PERIODS[period]).strftime(ISO_FORMAT)
                with db.atomic():
                    stored.add_digest(db, subscriber=subscriber.name, period=period, due_at=due_at, since=start,
                                      until=start, items=0, alert_id=None, now=made)
                continue
            since = last["until"]
            digest = build_digest(db, since=since, until=until, watchlists=watchlists, zone=zone,
                                  heading=f"{period} digest", subscriber=subscriber.name, sources=sources)
            with db.atomic():
                alert_id = None
                if digest.items:
                    alert = Alert(subscriber=subscriber.name, event=DIGEST, topic=DIGEST, about=(period, due_at),
                                  title=digest_subject(digest), detected_at=made,
                                  extra={"since": since, "until": until, "text": digest_text(digest),
                                         "html": digest_html(digest)})
                    alert_id = outbox.add_alert(db, alert, story_id=None, page_id=None,
                                                channels=subscriber.channels, now=made)
                stored.add_digest(db, subscriber=subscriber.name, period=period, due_at=due_at, since=since,
                                  until=until, items=digest.items, alert_id=alert_id, now=made)
    return deliver_due(db, config, events=(DIGEST,)).sent
