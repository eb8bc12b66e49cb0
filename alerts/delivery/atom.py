"""Atom feeds of mentions: one entry per story, with ids that stay the same from run to run."""
from __future__ import annotations

import html
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from alerts.delivery.render import html_link, html_snippet, is_web_url, one_line
from storage.mentions import list_mentions
from storage.snapshots import story_first_seen, story_urls

ATOM_NS = "http://www.w3.org/2005/Atom"
# uuid5 names: the same story or feed always gets the same id.
_ID_SPACE = uuid.UUID("3f0b7a52-6c1e-4f6e-9a39-6d0c2f1b8e41")
# Characters XML 1.0 cannot carry at all (one_line already removed the other controls).
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")

ET.register_namespace("", ATOM_NS)


@dataclass
class FeedEntry:
    story_id: int
    url: str
    title: str
    source: str
    published: str
    updated: str
    story_first_url: str
    story_first_seen: str
    terms: dict[str, tuple[str, str]] = field(default_factory=dict)  # term -> (matched, snippet)
    also_at: list[str] = field(default_factory=list)


def stable_id(*parts: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(_ID_SPACE, "\n".join(parts)))


def feed_entries(db, since: str | None = None, watchlists: tuple[str, ...] = (), limit: int = 200) -> list[FeedEntry]:
    """The newest stories naming a term of `watchlists` (all when empty), newest first."""
    entries: dict[int, FeedEntry] = {}
    for row in list_mentions(db, since=since, watchlists=watchlists, dismissed=False):  # not this person: gone
        entry = entries.get(row["story_id"])
        if entry is None:
            urls = story_urls(db, row["story_id"])
            first_seen = story_first_seen(db, row["story_id"])
            entry = entries[row["story_id"]] = FeedEntry(
                story_id=row["story_id"], url=row["url"], title=row["title"] or "", source=row["source"],
                published=row["first_seen"], updated=row["first_seen"],
                story_first_url=urls[0] if urls else row["url"], story_first_seen=first_seen,
                also_at=[url for url in urls if url != row["url"]],
            )
        entry.updated = max(entry.updated, row["first_seen"])
        entry.terms.setdefault(row["term"], (row["matched"], row["snippet"]))
    newest = sorted(entries.values(), key=lambda e: (e.updated, e.story_id), reverse=True)
    return newest[:limit]


def _text(value, limit: int = 2000) -> str:
    return _NOT_XML.sub("", one_line(value, limit))


def _rfc3339(stamp: str) -> str:
    # stored as 2026-11-29T06:40:00.123456Z; Atom readers want seconds
    return stamp[:19] + "Z"


def atom_feed(entries: list[FeedEntry], *, title: str, feed_name: str, now: str, self_url: str | None = None) -> bytes:
    """A complete Atom document (UTF-8). `feed_name` makes its id; page text is only ever text
    or escaped HTML, never markup of the feed."""
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", stable_id("feed", feed_name))
    _sub(feed, "title", _text(title, 250))
    _sub(feed, "updated", _rfc3339(max((e.updated for e in entries), default=now)))
    author = _sub(feed, "author")
    _sub(author, "name", "Vigil")
    _sub(feed, "generator", "Vigil")
    if self_url and is_web_url(self_url):
        _sub(feed, "link", rel="self", href=self_url)
    for entry in entries:
        feed.append(_entry(entry))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _entry(entry: FeedEntry) -> ET.Element:
    element = ET.Element(f"{{{ATOM_NS}}}entry")
    _sub(element, "id", stable_id("story", entry.story_first_url, entry.story_first_seen))
    names = ", ".join(_text(term, 200) for term in entry.terms)
    _sub(element, "title", f"{names}: {_text(entry.title, 300) or _text(entry.url)}", type="text")
    _sub(element, "updated", _rfc3339(entry.updated))
    _sub(element, "published", _rfc3339(entry.published))
    url = _text(entry.url)
    if is_web_url(url):
        _sub(element, "link", rel="alternate", type="text/html", href=url)
    for other in entry.also_at:
        if is_web_url(_text(other)):
            _sub(element, "link", rel="related", type="text/html", href=_text(other))
    for term in entry.terms:
        _sub(element, "category", term=_text(term, 200))
    _sub(element, "content", _NOT_XML.sub("", _content_html(entry)), type="html")
    return element


def _content_html(entry: FeedEntry) -> str:
    """The entry's body as escaped HTML, which the feed then carries as text."""
    parts = [f"<p>{html_link(entry.url)} ({_escape(entry.source)})</p>"]
    for term, (matched, snippet) in entry.terms.items():
        parts.append(f"<p><strong>{_escape(term)}</strong><br>{html_snippet(snippet, matched or term)}</p>")
    if entry.also_at:
        parts.append("<p>Also at: " + ", ".join(html_link(url) for url in entry.also_at) + "</p>")
    return "\n".join(parts)


def _escape(value) -> str:
    return html.escape(one_line(value, 200))


def _sub(parent: ET.Element, name: str, text: str | None = None, **attributes) -> ET.Element:
    child = ET.SubElement(parent, f"{{{ATOM_NS}}}{name}", attributes)
    if text is not None:
        child.text = text
    return child
