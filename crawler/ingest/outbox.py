"""Writing alerts into the outbox: one per subscriber and story, never the same one twice."""
from __future__ import annotations

from bisect import bisect_right

from crawler.core.alert import Alert
from crawler.core.config import Config
from crawler.core.kinds import Event
from crawler.core.terms import Mention
from crawler.text.diff import paged_snippet
from storage import holds, outbox
from storage.mentions import terms_on_page
from storage.snapshots import latest_snapshot


def queue_mention_alerts(db, config: Config, page: dict, story_id: int, title: str | None,
                         found: list[Mention], text: str, now: str, page_starts: tuple[int, ...] = ()) -> int:
    """Queue one alert per subscriber for the new mentions of one snapshot; returns how many.
    Only watchlists a subscriber follows instantly count: the others wait for its digest."""
    queued = 0
    for subscriber in config.subscribers:
        if _mention_alert(db, subscriber, page, story_id, title, found, text, now, subscriber.channels, page_starts):
            queued += 1
    return queued


def hold_mention_alerts(db, config: Config, page: dict, story_id: int, title: str | None, text: str, now: str,
                        teased: list, source: str, snapshot_id: int, page_starts: tuple[int, ...] = ()) -> None:
    """Write the alerts for names found in a listing's teasers without queueing them on any channel:
    they wait until the articles the teasers link to are read (see settle_held_alert). `teased` holds
    (mention, teaser, covered): covered when the article is known to name the person already.
    Written with the mentions, so a crawl that dies leaves them to the next one to release."""
    found = [mention for mention, _, _ in teased]
    for subscriber in config.subscribers:
        alert_id = _mention_alert(db, subscriber, page, story_id, title, found, text, now, (), page_starts)
        if alert_id is None:
            continue
        waits = {(m.watchlist, m.term, teaser.url): (teaser.text, covered)
                 for m, teaser, covered in teased if _instant(subscriber, m.watchlist)}
        for (watchlist, term, url), (teaser_text, covered) in waits.items():
            holds.add_hold(db, alert_id=alert_id, source=source, snapshot_id=snapshot_id, watchlist=watchlist,
                           term=term, page_url=url, teaser=teaser_text, covered=True if covered else None)


def settle_held_alert(db, config: Config, alert_id: int, now: str) -> int:
    """Once every article a held alert waits for is decided, drop the terms those articles name
    themselves and queue the alert with the rest, or drop it; returns 1 when it was queued."""
    waits = holds.holds_of(db, alert_id)
    if not waits or any(wait["covered"] is None for wait in waits):
        return 0
    left = {wait["term"] for wait in waits if not wait["covered"]}
    holds.forget(db, alert_id)
    alert = outbox.get_alert(db, alert_id)
    subscriber = next((s for s in config.subscribers if alert and s.name == alert["subscriber"]), None)
    if not left or subscriber is None:
        outbox.delete_alert(db, alert_id)
        return 0
    payload = alert["payload"]
    payload["mentions"] = [m for m in payload["mentions"] if m["term"] in left]
    outbox.set_payload(db, alert_id, payload)
    outbox.add_deliveries(db, alert_id, subscriber.channels, now)
    return 1


def _mention_alert(db, subscriber, page: dict, story_id: int, title: str | None, found: list[Mention], text: str,
                   now: str, channels: tuple[str, ...], page_starts: tuple[int, ...] = ()) -> int | None:
    """The alert of one subscriber for new mentions of one snapshot, queued on `channels`; its id, or
    None when none of them is theirs to hear of now or the same alert exists. In a paged document
    (a PDF, `page_starts`) each mention says its page, in its snippet and as `page`."""
    theirs = [m for m in found if _instant(subscriber, m.watchlist)]
    if not theirs:
        return None
    first_by_term = {}
    for m in theirs:
        first_by_term.setdefault(m.term, m)
    terms = sorted(first_by_term)
    alert = Alert(
        subscriber=subscriber.name, event=Event.MENTION_ADDED, topic="mention", about=(story_id, *terms),
        url=page["url"], title=title or "", detected_at=now,
        mentions=[_mention(m, text, page_starts) for m in (first_by_term[t] for t in terms)],
    )
    return outbox.add_alert(db, alert, story_id=story_id, page_id=page["id"], channels=channels, now=now)


def _mention(m: Mention, text: str, page_starts: tuple[int, ...]) -> dict:
    found = {"term": m.term, "matched": m.matched, "snippet": paged_snippet(text, m.start, m.end, page_starts)}
    if page_starts:
        found["page"] = bisect_right(page_starts, m.start)
    return found


def queue_takedown_alerts(db, config: Config, page: dict, event: Event, now: str, term: str | None = None,
                          title: str | None = None) -> int:
    """Tell subscribers who asked for takedowns that a page naming their people went away
    (or came back), or that a name was removed from a page that stays up. Watchlists followed
    by digest are reported in the digest instead."""
    named = terms_on_page(db, page["id"], dismissed=False)
    queued = 0
    for subscriber in config.subscribers:
        if not subscriber.takedowns:
            continue
        theirs = sorted({t for w, t in named if _instant(subscriber, w)})
        if term is not None:
            theirs = [term] if term in theirs else []
        if not theirs:
            continue
        if title is None:
            last = latest_snapshot(db, page["id"])
            title = last["title"] if last else ""
        alert = Alert(subscriber=subscriber.name, event=event, topic=event, about=(page["id"], now, *theirs),
                      url=page["url"], title=title or "", detected_at=now,
                      mentions=[{"term": t, "matched": "", "snippet": ""} for t in theirs])
        if outbox.add_alert(db, alert, story_id=None, page_id=page["id"], channels=subscriber.channels, now=now):
            queued += 1
    return queued


def _instant(subscriber, watchlist: str) -> bool:
    return watchlist in subscriber.watchlists and subscriber.mode_for(watchlist) == "instant"
