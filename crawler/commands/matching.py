"""`vigil match`: run the matcher on text from stdin and say what matched and why."""
from __future__ import annotations

import json
import sys

import click

from crawler.errors import UsageError
from crawler.output import json_line


@click.command()
@click.option("--watchlist", "watchlist_file", required=True, metavar="FILE",
              help="A TOML file with [[watchlists]] as in vigil.toml.")
@click.option("--jsonl", is_flag=True, help='Read JSON lines {"id", "text"} instead of one plain-text document.')
def match(watchlist_file, jsonl):
    """Match text from stdin; print one JSON line per mention: id, term, matched, start, end, rule."""
    from alerts.matcher import Matcher
    from crawler.config import load_watchlists

    matcher = Matcher(load_watchlists(watchlist_file))
    out = sys.stdout
    if not jsonl:
        _print(out, None, matcher.find(sys.stdin.read()))
        return
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            text = doc["text"]
            if not isinstance(text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise UsageError(f'stdin line {number}: expected a JSON object {{"id": ..., "text": "..."}}') from None
        _print(out, doc.get("id"), matcher.find(text))


def _print(out, doc_id, found) -> None:
    for m in found:
        out.write(json_line({"id": doc_id, "term": m.term, "matched": m.matched, "start": m.start, "end": m.end,
                             "rule": m.rule, "kind": m.kind, "watchlist": m.watchlist}) + "\n")
    out.flush()


commands = [match]
