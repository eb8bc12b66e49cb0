"""`vigil match`: run the matcher on text from stdin and say what matched and why."""
from __future__ import annotations

import json
import sys

import click

from crawler.core.errors import UsageError
from crawler.output import json_line


@click.command()
@click.option("--watchlist", "watchlist_file", required=True, metavar="FILE",
              help="A TOML file with [[watchlists]] as in vigil.toml.")
@click.option("--jsonl", is_flag=True, help='Read JSON lines {"id", "text"} instead of one plain-text document.')
@click.option("--explain", is_flag=True,
              help="Print every form of a watched term found, with mention true or false and why it is no mention.")
def match(watchlist_file, jsonl, explain):
    """Match text from stdin; print one JSON line per mention: id, term, matched, start, end, rule,
    kind, watchlist."""
    from alerts.matching.matcher import Matcher
    from crawler.service.configload import load_watchlists

    matcher = Matcher(load_watchlists(watchlist_file))
    out = sys.stdout
    find = (lambda text: matcher.explain(text)) if explain else matcher.find
    # Bytes decoded here: UTF-8 whatever the locale, and one clear line (not a traceback) when not.
    if not jsonl:
        try:
            text = sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UsageError(f"stdin: not UTF-8 text (byte {exc.start})") from None
        # offsets as text mode would count them, with universal newlines
        _print(out, None, find(text.replace("\r\n", "\n").replace("\r", "\n")))
        return
    for number, line in _lines(sys.stdin.buffer):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            text = doc["text"]
            if not isinstance(text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise UsageError(f'stdin line {number}: expected a JSON object {{"id": ..., "text": "..."}}') from None
        _print(out, doc.get("id"), find(text))


def _lines(stdin):
    """(number, line) of binary stdin; a line that is not UTF-8 ends it with a UsageError."""
    for number, raw in enumerate(stdin, 1):
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"stdin line {number}: not UTF-8 text") from None


def _print(out, doc_id, found) -> None:
    for m in found:
        if isinstance(m, dict):  # --explain: every form found, a mention or not
            row = {"id": doc_id, **{k: m[k] for k in ("term", "matched", "start", "end", "mention", "rule", "why",
                                                        "kind", "watchlist")}}
        else:
            row = {"id": doc_id, "term": m.term, "matched": m.matched, "start": m.start, "end": m.end,
                   "rule": m.rule, "kind": m.kind, "watchlist": m.watchlist}
        out.write(json_line(row) + "\n")
    out.flush()


commands = [match]
