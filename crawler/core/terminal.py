"""Text to show: on one line, cut to a length, and safe on a terminal (control characters as escapes)."""
from __future__ import annotations

import json
import re

# What a terminal would act on rather than show: C0 controls but tab and newline (ESC starts
# ANSI and OSC sequences, CR rewrites a line), DEL, the C1 controls (U+009B is a one-character
# CSI), and the bidirectional overrides and isolates that make text read backwards.
_LIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# json.dumps escapes C0 but leaves DEL, C1 and the bidi controls raw with ensure_ascii=False.
_LIVE_IN_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def inert(value) -> str:
    """`value` as text a terminal only shows: each control character written as an escape (\\x1b)."""
    text = "" if value is None else str(value)
    return _LIVE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                     text)


def json_line(row) -> str:
    """One JSON object on one line; every control character escaped, so it is inert in a terminal too."""
    text = json.dumps(row, ensure_ascii=False, default=str)
    return _LIVE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def one_line(value, limit: int) -> str:
    """`value` on one line, every run of whitespace a single space, cut to `limit` characters with "…"."""
    text = " ".join(("" if value is None else str(value)).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
