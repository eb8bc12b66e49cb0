"""Writing alerts into the outbox: one per subscriber and story, never the same one twice."""
from __future__ import annotations

from alerts.terms import Mention
from crawler.config import Config
from storage import outbox
from storage.mentions import terms_on_page
from storage.snapshots import latest_snapshot


def queue_mention_alerts(db, config: Config, page: dict, story_id: int, title: str | None,
                         found: list[Mention], text: str, now: str) -> int:
    """Queue one alert per subscriber for the new mentions of one snapshot; returns how many.
    Only watchlists a subscriber follows instantly count: the others wait for its digest."""
    from crawler.diff import snippet

    queued = 0
    for subscriber in config.subscribers:
        theirs = [m for m in found if _instant(subscriber, m.watchlist)]
        if not theirs:
            continue
        first_by_term = {}
        for m in theirs:
            first_by_term.setdefault(m.term, m)
        terms = sorted(first_by_term)
        payload = {
            "id": None,
            "subscriber": subscriber.name,
            "event": "mention_added",
            "url": page["url"],
            "also_at": [],
            "title": title or "",
            "detected_at": now,
            "mentions": [
                {"term": m.term, "matched": m.matched, "snippet": snippet(text, m.start, m.end)}
                for m in (first_by_term[t] for t in terms)
            ],
        }
        key = f"mention|{subscriber.name}|{story_id}|{'|'.join(terms)}"
        if outbox.add_alert(db, key=key, subscriber=subscriber.name, story_id=story_id, page_id=page["id"],
                            event="mention_added", payload=payload, channels=subscriber.channels, now=now):
            queued += 1
    return queued


def queue_takedown_alerts(db, config: Config, page: dict, event: str, now: str, term: str | None = None,
                          title: str | None = None) -> int:
    """Tell subscribers who asked for takedowns that a page naming their people went away
    (or came back), or that a name was removed from a page that stays up. Watchlists followed
    by digest are reported in the digest instead."""
    named = terms_on_page(db, page["id"])
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
        payload = {
            "id": None, "subscriber": subscriber.name, "event": event, "url": page["url"], "also_at": [],
            "title": title or "", "detected_at": now,
            "mentions": [{"term": t, "matched": "", "snippet": ""} for t in theirs],
        }
        key = f"{event}|{subscriber.name}|{page['id']}|{now}|{'|'.join(theirs)}"
        if outbox.add_alert(db, key=key, subscriber=subscriber.name, story_id=None, page_id=page["id"],
                            event=event, payload=payload, channels=subscriber.channels, now=now):
            queued += 1
    return queued


def _instant(subscriber, watchlist: str) -> bool:
    return watchlist in subscriber.watchlists and subscriber.mode_for(watchlist) == "instant"
