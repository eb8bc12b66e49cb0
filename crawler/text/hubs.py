"""Listing pages (hubs): their teasers, each leading to one article of the site, and whether a
teaser's mention of someone is the article's own.

A front page or a section listing repeats an article's headline and lead beside a link to it.
A name in such a teaser is the article's mention, not a story of the listing: crawler/ingest/steps.py
attaches it to the article's story, and alerts for it only when the article does not carry it.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

from crawler.core.urls import canonical_target, canonicalize, same_site_as
from crawler.text.dedupe import words

# A page is a hub when its content links to this many other pages of the site, each from a
# block of its own; an article with a link or two in its text is not one.
HUB_MIN_TEASERS = 3
# A headline, a lead, a date and "read more": longer blocks are sections, not teasers; a name
# alone is a link to a person's page, not a teaser, and too short to compare with an article.
TEASER_MAX_CHARS = 600
TEASER_MIN_WORDS = 3
# The spider follows no more links of a page than this; neither do we look at more.
MAX_LINKS = 2000
# A teaser repeats the article: at least this share of its word trigrams are in the article's
# text. A new paragraph that merely links to an older article on the same person is no teaser.
COPIED_SHARE = 0.5
_OUTSIDE_CONTENT = ("nav", "header", "footer", "aside", "menu", "form")
_CONTENT_LINKS = etree.XPath(f".//a[not({' or '.join(f'ancestor::{tag}' for tag in _OUTSIDE_CONTENT)})]")
_MANY = object()
_BULLETS = ("- ", "• ", "* ")


@dataclass(frozen=True)
class Teaser:
    """A block of a hub holding links to one page only: `url` (canonical) and its text."""

    url: str
    text: str


def find_teasers(tree: HtmlElement, url: str, clean=lambda text: " ".join(text.split())) -> tuple[Teaser, ...]:
    """The teasers of a page, or () when it is not a hub. A teaser is the largest block around a link
    that links nowhere else; `clean` turns its text into the form the page's extracted text takes."""
    body = tree.find("body")
    if body is None or not url:
        return ()
    page = canonicalize(url)
    anchors: list[tuple[HtmlElement, str]] = []
    below: dict[HtmlElement, object] = {}  # element -> the one target linked below it, or _MANY
    site = same_site_as(url)
    targets: dict[str, str | None] = {}   # by href: a listing links to an article from its headline, picture and "more"
    for anchor in _CONTENT_LINKS(body):   # navigation, header and footer links ruled out in lxml
        if len(anchors) >= MAX_LINKS:
            break
        href = (anchor.get("href") or "").strip()
        if href not in targets:
            targets[href] = _target(href, url, page, site)
        target = targets[href]
        if target is None:
            continue
        anchors.append((anchor, target))
        for node in anchor.iterancestors():
            seen = below.get(node, target)
            if seen is _MANY:
                break  # and so is every node above it
            below[node] = target if seen == target else _MANY
    if len({target for _, target in anchors}) < HUB_MIN_TEASERS:
        return ()
    teasers: dict[tuple[str, str], Teaser] = {}
    for anchor, target in anchors:
        block = anchor
        for node in anchor.iterancestors():
            if node is body or below.get(node) is _MANY:
                break
            block = node
        text = clean(" ".join(block.itertext()))  # a space between elements: "Orlov</h2><p>The"
        if len(words(text)) >= TEASER_MIN_WORDS and len(text) <= TEASER_MAX_CHARS:
            teasers.setdefault((target, text), Teaser(target, text))
    return tuple(teasers.values())


def _target(href: str, base: str, page: str, on_site) -> str | None:
    if not href or href.startswith("#"):
        return None
    try:
        target = canonical_target(base, href)
    except ValueError:
        return None
    if not target.startswith(("http://", "https://")) or target == page or not on_site(target):
        return None
    return target


def teaser_spans(text: str, teasers: tuple[Teaser, ...]) -> list[tuple[int, int, Teaser]]:
    """Where each teaser's whole text stands in the page's extracted text, whitespace aside: the teaser's
    text has a space between any two elements, the extracted text may put a line break or nothing."""
    if not teasers:
        return []
    kept = [index for index, char in enumerate(text) if not char.isspace()]
    squeezed = "".join(text[index] for index in kept)
    spans = []
    for teaser in teasers:
        needle = "".join(teaser.text.split())
        at = squeezed.find(needle)
        while at >= 0:
            spans.append((kept[at], kept[at + len(needle) - 1] + 1, teaser))
            at = squeezed.find(needle, at + 1)
    return spans


def teaser_at(text: str, start: int, end: int, teasers: tuple[Teaser, ...],
              spans: list[tuple[int, int, Teaser]]) -> Teaser | None:
    """The teaser text[start:end] stands in, when the teasers holding it all lead to one article: one
    whose text holds it (`spans`), else one that holds the whole line it is on (extraction may leave
    out a teaser's date or "read more")."""
    holding = [teaser for span_start, span_end, teaser in spans if span_start <= start and end <= span_end]
    if not holding:
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line = text[line_start:len(text) if line_end < 0 else line_end]
        for bullet in _BULLETS:  # how list items come out of extraction
            line = line.removeprefix(bullet)
        line = "".join(line.split())
        holding = [teaser for teaser in teasers if line in "".join(teaser.text.split())]
    if not holding or len({teaser.url for teaser in holding}) > 1:
        return None
    return holding[0]


def copied_from(teaser_text: str, article_text: str) -> bool:
    """Whether the teaser repeats the article (its headline, its lead): see COPIED_SHARE."""
    teaser = _trigrams(words(teaser_text))
    if not teaser:
        return False
    article = _trigrams(words(article_text))
    return len(teaser & article) >= COPIED_SHARE * len(teaser)


def _trigrams(tokens: list[str]) -> set[tuple[str, ...]]:
    if len(tokens) < 3:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[k:k + 3]) for k in range(len(tokens) - 2)}
