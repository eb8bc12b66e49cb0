"""Recognising a page that was taken down without saying 404: redirects away and soft 404s."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.core.urls import canonicalize

# Titles and short texts of "not found" pages in the languages Vigil watches.
_NOT_FOUND = re.compile(
    r"\b(404|page not found|not found|page (?:does not|doesn't) exist|no longer available|has been removed"
    r"|страница не найдена|не найдено|страница удалена|материал удал[её]н|сторінку не знайдено"
    r"|seite nicht gefunden|nicht gefunden|page introuvable|page non trouvée|página no encontrada"
    r"|pagina non trovata)\b",
    re.IGNORECASE,
)
# A not-found page says little; a news brief that says "not found" says more.
SOFT_404_MAX_CHARS = 300
# Text that shrank to this share of what the page said before is boilerplate left behind.
COLLAPSE_RATIO = 0.15
COLLAPSE_MIN_BEFORE = 400


def redirect_takedown(page_url: str, final_url: str) -> str | None:
    """Why a redirect of a known page means it is gone: to the front page, to a page above it
    (its section's listing), or into another section of the site. A move within its own
    section or to https is not a takedown."""
    before, after = urlsplit(canonicalize(page_url)), urlsplit(canonicalize(final_url))
    if (before.hostname, before.path, before.query) == (after.hostname, after.path, after.query):
        return None
    old_parts = [p for p in before.path.split("/") if p]
    new_parts = [p for p in after.path.split("/") if p]
    if not new_parts:
        return f"redirected to the front page ({final_url})"
    if new_parts == old_parts[: len(new_parts)]:
        return f"redirected to {final_url}, a listing above the page"
    if old_parts and new_parts[0] != old_parts[0]:
        return f"redirected to another section ({final_url})"
    return None


def soft_404(title: str | None, text: str, previous_chars: int | None) -> str | None:
    """Why a 200 answer is really a missing page, or None."""
    if _NOT_FOUND.search(title or "") or (len(text) <= SOFT_404_MAX_CHARS and _NOT_FOUND.search(text)):
        return "the page now says it was not found"
    if previous_chars and previous_chars >= COLLAPSE_MIN_BEFORE and len(text) < previous_chars * COLLAPSE_RATIO:
        return f"the text collapsed from {previous_chars} to {len(text)} characters"
    return None
