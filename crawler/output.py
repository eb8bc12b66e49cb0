"""Printing rows as an aligned table, JSON lines or CSV safe to open in a spreadsheet, every
field made inert for a terminal first."""
from __future__ import annotations

import csv
import json
import re
import sys

import click

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
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


def echo(text: str = "", err: bool = False) -> None:
    """Print one message whose parts may come from the web or the config, made inert."""
    click.echo(inert(text), err=err)


def json_line(row) -> str:
    """One JSON object on one line; every control character escaped, so it is inert in a terminal too."""
    text = json.dumps(row, ensure_ascii=False, default=str)
    return _LIVE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula, nor a terminal as a control sequence."""
    text = inert(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def print_json_lines(rows, out=None) -> None:
    out = out or sys.stdout
    for row in rows:
        out.write(json_line(row) + "\n")


def print_csv(rows: list[dict], fields: list[str], out=None) -> None:
    writer = csv.writer(out or sys.stdout)
    writer.writerow(fields)
    for row in rows:
        writer.writerow([safe_cell(", ".join(v) if isinstance(v, list) else v) for v in (row.get(f) for f in fields)])


def print_table(rows: list[dict], fields: list[str], out=None, max_width: int = 60) -> None:
    """Aligned columns; on a terminal a cell is cut at `max_width` characters, elsewhere (a file,
    a pipe to grep) every URL stays whole."""
    out = out or sys.stdout
    if not rows:
        out.write("(nothing)\n")
        return
    if not (hasattr(out, "isatty") and out.isatty()):
        max_width = None

    def cell(value) -> str:
        text = ", ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
        text = inert(" ".join(text.split()))
        return text if max_width is None or len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(row.get(f)) for f in fields] for row in rows]
    widths = [max(len(f), *(len(c[i]) for c in cells)) for i, f in enumerate(fields)]
    out.write("  ".join(f.ljust(w) for f, w in zip(fields, widths)).rstrip() + "\n")
    for line in cells:
        out.write("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() + "\n")


def emit(rows: list[dict], fields: list[str], fmt: str, out=None) -> None:
    if fmt == "json":
        print_json_lines(rows, out)
    elif fmt == "csv":
        print_csv(rows, fields, out)
    else:
        print_table(rows, fields, out)
