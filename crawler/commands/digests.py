"""`vigil digest`, `feed`, `search`, `alerts`: digests on demand, Atom feeds, full-text search, the outbox."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from crawler.cli import format_option, since_option
from crawler.core.errors import UsageError, VigilError
from crawler.core.files import write_atomic
from crawler.output import echo, emit


def _effective(state):
    from storage.effective import effective_config

    return effective_config(state.db(), state.config())


@click.command()
@since_option(default="1d")
@click.option("--subscriber", metavar="NAME", help="Only the watchlists this subscriber follows, in its time zone.")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "html"]), default="text", show_default=True,
              help="Plain text, Markdown, or an HTML page (as mailed).")
@click.pass_obj
def digest(state, since, subscriber, fmt):
    """Render a digest now: mentions grouped by person, pages taken down, sources that failed."""
    from alerts.delivery.digest import RENDERERS, build_digest, default_zone, subscriber_zone
    from storage.effective import find_subscriber
    from crawler.core.timeutil import now_iso

    config = _effective(state)
    if subscriber:
        who = find_subscriber(config, subscriber)
        watchlists, zone = set(who.watchlists), subscriber_zone(who, config)
    else:
        watchlists, zone = None, default_zone(config)
    built = build_digest(state.db(), since=since, until=now_iso(), watchlists=watchlists, subscriber=subscriber,
                         zone=zone, sources={source.name for source in config.sources})
    click.echo(RENDERERS[fmt](built), nl=False)


@click.command()
@click.option("--subscriber", metavar="NAME", help="Mentions of the watchlists this subscriber follows.")
@click.option("--watchlist", metavar="NAME", help="Mentions of one watchlist.")
@since_option(default="30d")
@click.option("--limit", type=click.IntRange(1, 10_000), default=200, show_default=True,
              help="The most entries (newest first).")
@click.option("--out", "out_path", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write the feed to FILE (replaced whole, never half-written) instead of stdout.")
@click.pass_obj
def feed(state, subscriber, watchlist, since, limit, out_path):
    """Write an Atom feed of mentions, one entry per story, for a feed reader."""
    from alerts.delivery.atom import atom_feed, feed_entries
    from storage.effective import find_subscriber, find_watchlist
    from crawler.core.timeutil import now_iso

    if subscriber and watchlist:
        raise UsageError("feed: give --subscriber or --watchlist, not both")
    config = _effective(state)
    if subscriber:
        watchlists = find_subscriber(config, subscriber).watchlists
        name, title = f"subscriber:{subscriber}", f"Vigil: mentions for {subscriber}"
        if not watchlists:
            raise UsageError(f"feed: subscriber {subscriber} follows no watchlist")
    elif watchlist:
        watchlists = (find_watchlist(config, watchlist).name,)
        name, title = f"watchlist:{watchlist}", f"Vigil: {watchlist}"
    else:
        watchlists, name, title = (), "all", "Vigil: all mentions"
    entries = feed_entries(state.db(), since=since, watchlists=tuple(watchlists), limit=limit)
    document = atom_feed(entries, title=title, feed_name=name, now=now_iso())
    if not out_path:
        sys.stdout.buffer.write(document)
        return
    _write_whole(Path(out_path), document)
    click.echo(f"wrote {len(entries)} entries to {out_path}", err=True)


def _write_whole(path: Path, data: bytes) -> None:
    """Replace `path` in one step, so a web server never serves half a feed."""
    try:
        write_atomic(path, data, mode=0o644)   # a feed is for a web server to serve
    except OSError as exc:
        raise VigilError(f"{path}: cannot write: {exc.strerror}") from None


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--source", metavar="NAME", help="Only pages of this source.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="The most pages shown.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Readable text, or one JSON object per line.")
@click.pass_obj
def search(state, query, source, limit, fmt):
    """Full-text search over every stored page version (SQLite FTS5 syntax), best match first."""
    from crawler.commands.reports import check_filters
    from storage.search import search as run_search

    check_filters(state, sources=(source,))
    rows = run_search(state.db(), " ".join(query), limit=limit, source=source)
    if fmt == "json":
        emit([{"url": r["url"], "title": r["title"], "source": r["source"], "fetched_at": r["fetched_at"],
               "state": r["state"], "snippet": r["snippet"]} for r in rows], [], "json")
        return
    if not rows:
        click.echo("(nothing)")
    for number, row in enumerate(rows, 1):
        title = " ".join((row["title"] or "(untitled page)").split())
        removed = ", taken down" if row["state"] == "removed" else ""
        echo(f"{number}. {title}\n   {row['url']} ({row['source']}, {row['fetched_at'][:16]}{removed})\n"
             f"   {row['snippet']}")


@click.command()
@click.option("--failed", is_flag=True, help="Only deliveries given up after every retry, at any age.")
@since_option(default=None, help="Only alerts queued after this age or date (default: 7d; with --failed: any).")
@click.option("--retry", is_flag=True, help="Put every failed delivery back in the queue for one more try.")
@format_option()
@click.pass_obj
def alerts(state, failed, since, retry, fmt):
    """The outbox: each alert per channel, sent, pending (with its next try) or failed (with why)."""
    from crawler.core.masking import mask_text, mask_url
    from crawler.core.timeutil import parse_since
    from crawler.core.timeutil import now_iso
    from storage.subscriptions import list_deliveries, retry_failed

    if retry:
        db = state.db()
        with db.atomic():
            count = retry_failed(db, now_iso())
        click.echo(f"{count} failed deliveries back in the queue; `vigil deliver` sends them now")
        return
    if since is None and not failed:
        since = parse_since("7d")
    rows = [
        {"id": d["id"], "created_at": d["created_at"], "subscriber": d["subscriber"], "event": d["event"],
         "title": d["payload"].get("title", ""), "url": d["payload"].get("url", ""),
         "channel": mask_url(d["channel"]), "status": d["status"], "attempts": d["attempts"],
         "next_attempt_at": d["next_attempt_at"] if d["status"] == "pending" else None,
         "sent_at": d["sent_at"], "last_error": d["last_error"] and mask_text(d["last_error"])}
        for d in list_deliveries(state.db(), since=since, status="failed" if failed else None)
    ]
    emit(rows, ["id", "created_at", "subscriber", "event", "channel", "status", "attempts", "last_error"], fmt)


commands = [digest, feed, search, alerts]
