"""One alert rendered as a subject line, plain text, Markdown and escaped HTML.

Every value in an alert comes from a crawled page and is hostile until shown
otherwise: it is folded to one line with control characters removed, escaped for
HTML or Markdown, and only http(s) URLs ever become links.
"""
from __future__ import annotations

import html
import re
import string
import unicodedata
from urllib.parse import quote, urlsplit

from crawler.core import terminal

EVENT_HEADINGS = {
    "mention_added": "New mention",
    "mention_removed": "Name no longer on the page",
    "removed": "Page taken down",
    "restored": "Page back online",
}

SUBJECT_TITLE_LIMIT = 120
TEXT_LIMIT = 2000

# Bidirectional embeddings, overrides and isolates can make a subject read backwards.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), None)
_MARKDOWN_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
# For a document read as often raw as rendered (the Markdown digest): only what CommonMark acts
# on anywhere in a line (emphasis, code, links, raw HTML, entities, tables, strike-through), and
# what opens a block where a line begins (a heading, a list item "-", "+", "1." or "1)", a setext
# underline). Commas and full stops elsewhere stay as written.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>&|~])")
_MARKDOWN_BLOCK_START = re.compile(r"^(?:([#+=-])|(\d{1,9})([.)]))")


def one_line(value, limit: int = TEXT_LIMIT) -> str:
    """`value` as a single line without control or line-break characters (terminal.one_line's rule)."""
    text = "" if value is None else str(value)
    text = text.translate(_BIDI_CONTROLS)
    return terminal.one_line("".join(" " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char
                                     for char in text), limit)


def is_web_url(url) -> bool:
    try:
        parts = urlsplit(str(url))
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def people(alert: dict) -> list[str]:
    """The watched terms an alert is about, each once, in order."""
    terms = [one_line(mention.get("term"), 200) for mention in alert.get("mentions") or []]
    return list(dict.fromkeys(term for term in terms if term))


def _title(alert: dict, limit: int = TEXT_LIMIT) -> str:
    return one_line(alert.get("title"), limit) or one_line(alert.get("url"), limit) or "(untitled page)"


def _heading(alert: dict) -> str:
    event = one_line(alert.get("event"), 60)
    return EVENT_HEADINGS.get(event, event.replace("_", " ").capitalize() or "Alert")


def alert_subject(alert: dict) -> str:
    """A one-line subject naming the people and the page title."""
    names = ", ".join(people(alert))
    title = _title(alert, SUBJECT_TITLE_LIMIT)
    event = alert.get("event")
    if event == "mention_added" and names:
        summary = f"{names} mentioned"
    elif event == "mention_removed" and names:
        summary = f"{names} no longer named"
    else:
        summary = f"{_heading(alert)} ({names})" if names else _heading(alert)
    return one_line(f"[Vigil] {summary}: {title}", 250)


def _also_at(alert: dict) -> list[str]:
    return [one_line(url) for url in alert.get("also_at") or [] if one_line(url)]


def alert_text(alert: dict) -> str:
    """The alert as plain text."""
    names = ", ".join(people(alert))
    lines = [_heading(alert) + (f": {names}" if names else ""), "", f"Title: {_title(alert)}"]
    lines.append(f"Link: {one_line(alert.get('url'))}")
    also_at = _also_at(alert)
    if also_at:
        lines.append("Also at: " + also_at[0])
        lines.extend("         " + url for url in also_at[1:])
    if alert.get("detected_at"):
        lines.append(f"Detected: {one_line(alert.get('detected_at'))}")
    for mention in alert.get("mentions") or []:
        term, matched = one_line(mention.get("term"), 200), one_line(mention.get("matched"), 200)
        lines.append("")
        lines.append(term + (f' (found as "{matched}")' if matched and matched != term else ""))
        snippet = one_line(mention.get("snippet"))
        if snippet:
            lines.append(f"  {snippet}")
    return "\n".join(lines) + "\n"


def _split_on(text: str, found: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_match) around every case-insensitive occurrence of `found`."""
    if not found:
        return [(text, False)]
    pieces, position = [], 0
    for hit in re.finditer(re.escape(found), text, flags=re.IGNORECASE):
        pieces.append((text[position:hit.start()], False))
        pieces.append((hit.group(0), True))
        position = hit.end()
    pieces.append((text[position:], False))
    return [(piece, is_match) for piece, is_match in pieces if piece]


def html_link(url) -> str:
    """An escaped link for an http(s) URL; any other value is shown as escaped text."""
    text = one_line(url)
    if not is_web_url(text):
        return html.escape(text)
    return f'<a href="{html.escape(text, quote=True)}">{html.escape(text)}</a>'


def html_snippet(snippet, matched) -> str:
    """The escaped snippet with the matched name in <mark>."""
    pieces = _split_on(one_line(snippet), one_line(matched, 200))
    return "".join(f"<mark>{html.escape(piece)}</mark>" if hit else html.escape(piece) for piece, hit in pieces)


def alert_html_fragment(alert: dict) -> str:
    """The alert as an HTML fragment (every page value escaped)."""
    names = html.escape(", ".join(people(alert)))
    parts = [f"<h2>{html.escape(_heading(alert))}{': ' + names if names else ''}</h2>"]
    title = html.escape(_title(alert))
    url = one_line(alert.get("url"))
    if is_web_url(url):
        title = f'<a href="{html.escape(url, quote=True)}">{title}</a>'
    parts.append(f"<p><strong>{title}</strong><br>{html_link(url)}</p>")
    also_at = _also_at(alert)
    if also_at:
        items = "".join(f"<li>{html_link(other)}</li>" for other in also_at)
        parts.append(f"<p>Also at:</p><ul>{items}</ul>")
    if alert.get("detected_at"):
        parts.append(f"<p>Detected: {html.escape(one_line(alert.get('detected_at')))}</p>")
    for mention in alert.get("mentions") or []:
        term, matched = one_line(mention.get("term"), 200), one_line(mention.get("matched"), 200)
        found_as = f" (found as &quot;{html.escape(matched)}&quot;)" if matched and matched != term else ""
        parts.append(f"<h3>{html.escape(term)}{found_as}</h3>")
        if mention.get("snippet"):
            parts.append(f"<blockquote>{html_snippet(mention.get('snippet'), matched or term)}</blockquote>")
    return "\n".join(parts)


def alert_html(alert: dict) -> str:
    """The alert as a whole HTML document, for the HTML part of a mail."""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(alert_subject(alert))}</title></head>\n"
        '<body style="font-family: sans-serif; line-height: 1.4">\n'
        f"{alert_html_fragment(alert)}\n</body></html>\n"
    )


def _escape_punctuation(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_escape(value, limit: int = TEXT_LIMIT) -> str:
    """One line of page text that Markdown shows literally (every ASCII punctuation mark escaped)."""
    return _escape_punctuation(one_line(value, limit))


def markdown_text(text: str) -> str:
    """Text that Markdown shows as written wherever in a line it is put, with only the characters
    Markdown would act on escaped: "1. Appeal, lawyers say." becomes "1\\. Appeal, lawyers say."."""
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    return _MARKDOWN_BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)


def markdown_line(value, limit: int = TEXT_LIMIT) -> str:
    """One line of page text for the Markdown digest: folded, then escaped by markdown_text."""
    return markdown_text(one_line(value, limit))


def markdown_link(url) -> str:
    """An autolink for an http(s) URL; any other value is escaped text."""
    text = one_line(url)
    if not is_web_url(text):
        return markdown_escape(text)
    # an autolink ends at the first space or angle bracket, so those are percent-encoded
    return "<" + quote(text, safe=string.punctuation.replace("<", "").replace(">", "")) + ">"


def alert_markdown(alert: dict) -> str:
    """The alert as CommonMark, for chat services that render it."""
    names = markdown_escape(", ".join(people(alert)))
    lines = [f"**{markdown_escape(_heading(alert))}{': ' + names if names else ''}**", ""]
    lines.append(f"**{markdown_escape(_title(alert))}**  ")
    lines.append(markdown_link(alert.get("url")))
    also_at = _also_at(alert)
    if also_at:
        lines.append("")
        lines.append("Also at:")
        lines.extend(f"- {markdown_link(other)}" for other in also_at)
    if alert.get("detected_at"):
        lines.append("")
        lines.append(f"Detected: {markdown_escape(alert.get('detected_at'))}")
    for mention in alert.get("mentions") or []:
        term, matched = one_line(mention.get("term"), 200), one_line(mention.get("matched"), 200)
        lines.append("")
        found_as = f" (found as “{markdown_escape(matched)}”)" if matched and matched != term else ""
        lines.append(f"**{markdown_escape(term)}**{found_as}")
        pieces = _split_on(one_line(mention.get("snippet")), matched or term)
        snippet = "".join(
            f"**{_escape_punctuation(piece)}**" if hit else _escape_punctuation(piece) for piece, hit in pieces
        )
        if snippet:
            lines.append(f"> {snippet}")
    return "\n".join(lines) + "\n"
