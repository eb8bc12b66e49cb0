"""`vigil history` and `vigil evidence`: a page's versions, and the bytes that prove them."""
from __future__ import annotations

import hashlib
import os
import stat

import click

from crawler.cli import format_option
from crawler.core.errors import UsageError, VigilError
from crawler.output import echo, print_json_lines


@click.command()
@click.argument("url")
@format_option()
@click.pass_obj
def history(state, url, fmt):
    """A page's snapshots and what changed between them (URL as found on the site)."""
    from crawler.core.urls import canonicalize
    from storage.events import list_events
    from storage.pages import get_page
    from storage.snapshots import get_change, has_evidence, page_snapshots, unpack

    db = state.db()
    page = get_page(db, canonicalize(url))
    if page is None:
        raise UsageError(f"no page {url} in {state.config().database}")
    rows = []
    for snap in page_snapshots(db, page["id"]):
        change = get_change(db, snap["id"]) or {"added": [], "removed": []}
        evidence = has_evidence(db, snap["id"])
        rows.append({
            "snapshot": snap["id"], "at": snap["fetched_at"], "title": snap["title"], "lang": snap["lang"],
            "chars": len(unpack(snap["text"])), "text_sha256": snap["text_hash"], "story": snap["story_id"],
            "evidence": evidence, "added": change["added"], "removed": change["removed"],
        })
    page_events = [e for e in list_events(db) if e["url"] == page["url"] and e["event"] in ("removed", "restored")]
    if fmt == "json":
        print_json_lines(rows)
        print_json_lines({"event": e["event"], "at": e["at"], **(e["detail"] or {})} for e in page_events)
        return
    echo(f"{page['url']} ({page['source']}, {page['state']}, first seen {page['first_seen']})")
    timeline = [(r["at"], "snapshot", r) for r in rows] + [(e["at"], "event", e) for e in page_events]
    for at, kind, item in sorted(timeline, key=lambda t: t[0]):
        if kind == "event":
            reason = (item["detail"] or {}).get("reason", "")
            echo(f"\n{at}  page {item['event']}" + (f": {reason}" if reason else ""))
            continue
        proof = ", evidence kept" if item["evidence"] else ""
        echo(f"\n{at}  snapshot {item['snapshot']}: {item['title']!r}, {item['chars']} chars{proof}")
        for line in item["added"]:
            echo(f"  + {line}")
        for line in item["removed"]:
            echo(f"  - {line}")


@click.command()
@click.argument("snapshot_id", type=click.IntRange(1, 2**63 - 1))   # an SQLite integer
@click.option("--out", "out", required=True, metavar="FILE", help="Write the original bytes here.")
@click.pass_obj
def evidence(state, snapshot_id, out):
    """Write a snapshot's original bytes to FILE and print their SHA-256, URL, status and time."""
    from storage.snapshots import get_evidence, get_snapshot

    db = state.db()
    snap = get_snapshot(db, snapshot_id)
    if snap is None:
        raise UsageError(f"no snapshot {snapshot_id}")
    proof = get_evidence(db, snapshot_id)
    if proof is None:
        raise VigilError(f"snapshot {snapshot_id} has no evidence: raw bytes are kept for snapshots that named "
                         "a watched term")
    digest = hashlib.sha256(proof["body"]).hexdigest()
    if digest != proof["sha256"]:
        raise VigilError(f"snapshot {snapshot_id}: stored bytes do not match their recorded SHA-256")
    try:
        # owner-only like the database it comes from: it shows what the user is watching
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                os.fchmod(fd, 0o600)   # a file that was already there would keep its mode
            handle.write(proof["body"])
    except OSError as exc:
        raise VigilError(f"{out}: cannot write: {exc.strerror}") from None
    echo(f"wrote {len(proof['body'])} bytes to {out}")
    echo(f"sha256  {digest}")
    echo(f"url     {proof['url']}")
    echo(f"status  {proof['status']}")
    echo(f"fetched {snap['fetched_at']}")
    for name, value in sorted(proof["headers"].items()):
        echo(f"header  {name}: {value}")


commands = [history, evidence]
