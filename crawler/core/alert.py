"""An alert as a subscriber receives it, and the one rule for its idempotency key."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Alert:
    """One alert: the JSON object the file channel writes and the webhook posts (`payload()`).

    `topic` and `about` make its key: the same topic for the same subscriber about the same
    thing is written into the outbox once, however often a crawl or a digest run meets it.
    Keys already stored keep their meaning, so these parts are never reordered."""

    subscriber: str
    event: str
    topic: str                       # mention | removed | restored | mention_removed | health | digest
    about: tuple = ()                # what this topic is about: a story and terms, a page and a time, ...
    url: str = ""
    title: str = ""
    detected_at: str = ""
    mentions: list[dict] = field(default_factory=list)   # {"term", "matched", "snippet"}, "page" in a PDF
    also_at: list[str] = field(default_factory=list)     # the story's other URLs, filled in when sent
    extra: dict = field(default_factory=dict)            # fields of one event: a digest's text, a problem's source
    id: int | None = None            # the outbox row, once written

    @property
    def key(self) -> str:
        return "|".join([self.topic, self.subscriber, *map(str, self.about)])

    def payload(self) -> dict:
        return {"id": self.id, "subscriber": self.subscriber, "event": self.event, "url": self.url,
                "also_at": self.also_at, "title": self.title, "detected_at": self.detected_at,
                "mentions": self.mentions, **self.extra}
