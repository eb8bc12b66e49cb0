"""Which parts of a URL are credentials, and the URL or text with them masked: one rule for every output."""
from __future__ import annotations

import ipaddress
import os
import re
from urllib.parse import quote, unquote

MASK = "***"
# Web pages and Vigil's own channels: their host, port and path are addresses, not tokens.
# Any other scheme is an Apprise service, which may carry tokens there (tgram://ID:TOKEN/CHAT).
PLAIN_SCHEMES = frozenset({"http", "https", "smtp", "smtps", "file"})
MIN_SECRET_LENGTH = 4   # a shorter ${VAR} value is not looked for: it would match all over a message
SECRET_KEY = re.compile(r"token|key|secret|pass|pwd|auth|sig|session|credential", re.IGNORECASE)

# Parsed by hand, not with urlsplit: a URL too broken to parse (bad port, lone bracket) is still masked.
_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<netloc>[^/?#]*)(?P<path>[^?#]*)"
                  r"(?P<query>\?[^#]*)?(?P<fragment>#.*)?", re.DOTALL)
_URL_IN_TEXT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>`]+")
_TRAILING = ".,;:!?)]}"
_BARE_USERINFO = re.compile(r"(?<![\w/:@])(?P<user>[\w.%~+-]+):(?P<password>[^\s@/:'\"]+)@(?=[\w\[])")
_HOSTNAME = re.compile(r"^(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,63}\.?$")
ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def mask_url(url: str) -> str:
    """`url` with its password, token-like user, secret query values and (for Apprise services)
    token-like host and path pieces replaced by ***; `${VAR}` references are left to show."""
    masked, last = [], 0
    for start, end in _secret_spans(url):
        masked += [url[last:start], MASK]
        last = end
    return "".join(masked) + url[last:]


def mask_text(text: str) -> str:
    """`text` with every URL in it masked as by `mask_url`, and any `user:password@host` without a scheme
    (as libraries quote a URL's network location) masked too."""
    masked, last = [], 0
    for match in _URL_IN_TEXT.finditer(text):
        url = match.group(0)
        kept = len(url.rstrip(_TRAILING))  # a full stop or bracket after a URL is the sentence's
        masked += [_BARE_USERINFO.sub(_mask_bare_password, text[last:match.start()]), mask_url(url[:kept]), url[kept:]]
        last = match.end()
    return "".join(masked) + _BARE_USERINFO.sub(_mask_bare_password, text[last:])


def _mask_bare_password(match: re.Match) -> str:
    return match.group(0) if "${" in match["password"] else f"{match['user']}:{MASK}@"


def unexpand(text: str, *templates: str | None) -> str:
    """`text` with the value of each `${VAR}` used in `templates` put back as `${VAR}`.

    A channel works with its URL expanded, so its errors may quote a value from the
    environment; what is stored and shown names the variable instead.
    """
    for template in templates:
        for name in ENV_REF.findall(template or ""):
            value = os.environ.get(name, "")
            if len(value) >= MIN_SECRET_LENGTH:
                for form in {value, quote(value, safe=""), quote(value)}:
                    text = text.replace(form, f"${{{name}}}")
    return text


def secret_parts(url: str) -> list[str]:
    """The pieces of `url` that `mask_url` hides, as written."""
    return [url[start:end] for start, end in _secret_spans(url)]


def _secret_spans(url: str) -> list[tuple[int, int]]:
    match = _URL.fullmatch(url)
    if not match:
        return []
    spans = []
    netloc, start = match["netloc"], match.start("netloc")
    at = netloc.rfind("@")
    if at >= 0:
        user, colon, password = netloc[:at].partition(":")
        if _token_like(user):
            spans.append((start, start + len(user)))
        if colon and _literal(password):
            spans.append((start + len(user) + 1, start + at))
    if match["scheme"].lower() not in PLAIN_SCHEMES:
        spans += _token_pieces(netloc[at + 1:], ":", start + at + 1)
        spans += _token_pieces(match["path"], "/", match.start("path"))
    if match["query"]:
        position = match.start("query") + 1
        for field in match["query"][1:].split("&"):
            key, equals, value = field.partition("=")
            if equals and _literal(value) and SECRET_KEY.search(unquote(key)):
                spans.append((position + len(key) + 1, position + len(field)))
            position += len(field) + 1
    return spans


def _token_pieces(text: str, separator: str, offset: int) -> list[tuple[int, int]]:
    spans, position = [], offset
    for piece in text.split(separator):
        if _token_like(piece):
            spans.append((position, position + len(piece)))
        position += len(piece) + 1
    return spans


def _literal(value: str) -> bool:
    """A value written out in the URL, not empty and not a `${VAR}` reference."""
    return bool(value) and "${" not in value


def _token_like(piece: str) -> bool:
    """Whether a user name, host or path piece looks like a key rather than a name or an address.

    Names, numeric ids, host names and mail addresses stay readable; what is long, or mixes
    letters and digits, is treated as a key.
    """
    if len(piece) < 8 or not _literal(piece) or "@" in piece or _HOSTNAME.match(piece):
        return False
    try:
        ipaddress.ip_address(piece.strip("[]"))
        return False
    except ValueError:
        pass
    has_digit = any(char.isdigit() for char in piece)
    has_letter = any(char.isalpha() for char in piece)
    return len(piece) >= 16 and has_letter or (has_digit and has_letter)
