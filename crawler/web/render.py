"""Templates and the filters they use: everything a page or a reader wrote is escaped, links are
http(s) only, the matched form of a name is marked in its sentence."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

TEMPLATES = Path(__file__).parent / "templates"

# htmx reads its config from this tag: no inline script, nothing evaluated, no <script> in swapped HTML.
HTMX_CONFIG = ('{"includeIndicatorStyles": false, "allowEval": false, "allowScriptTags": false, '
               '"selfRequestsOnly": true, "historyCacheSize": 0}')


def is_http(url) -> bool:
    """Whether a URL may be a link: http or https only (never javascript:, data:, file:)."""
    try:
        parts = urlsplit(str(url))
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def highlight(snippet: str | None, matched: str | None) -> Markup:
    """The sentence, escaped, with each occurrence of the matched form in <mark>."""
    snippet = snippet or ""
    if not matched:
        return escape(snippet)
    # the snippet is on one line; the form as matched may hold a line break
    pattern = r"\s+".join(re.escape(word) for word in matched.split())
    pieces, position = [], 0
    for hit in re.finditer(pattern, snippet, re.IGNORECASE):
        pieces.append(escape(snippet[position:hit.start()]))
        pieces.append(Markup("<mark>%s</mark>") % hit.group(0))
        position = hit.end()
    pieces.append(escape(snippet[position:]))
    return Markup("").join(pieces)


def bracket_marks(snippet: str | None) -> Markup:
    """A search snippet, whose hits come [like this], escaped, with the hits in <mark>."""
    pieces, position = [], 0
    text = snippet or ""
    for hit in re.finditer(r"\[([^\[\]]+)\]", text):
        pieces.append(escape(text[position:hit.start()]))
        pieces.append(Markup("<mark>%s</mark>") % hit.group(1))
        position = hit.end()
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


def query(base: str, **params) -> str:
    """A URL with the given query parameters, the empty ones left out."""
    kept = {k: v for k, v in params.items() if v not in (None, "", False)}
    return base + ("?" + urlencode(kept) if kept else "")


def short_time(stamp: str | None) -> str:
    """2026-03-01T10:20:30.123Z as 2026-03-01 10:20 (UTC)."""
    return stamp[:16].replace("T", " ") if stamp else ""


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(highlight=highlight, bracket_marks=bracket_marks, short_time=short_time)
    env.globals.update(is_http=is_http, query=query, htmx_config=HTMX_CONFIG)
    return env
