"""Printing rows as an aligned table, JSON lines or CSV safe to open in a spreadsheet, every
field made inert for a terminal first."""
from __future__ import annotations

import csv
import sys

import click

from crawler.core.terminal import inert, json_line

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def echo(text: str = "", err: bool = False) -> None:
    """Print one message whose parts may come from the web or the config, made inert."""
    click.echo(inert(text), err=err)


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
