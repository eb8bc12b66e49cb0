"""`vigil mentions`, `events`, `errors`, `status`: what was found, what happened, what failed."""
from __future__ import annotations

import click

from crawler.cli import format_option, since_option
from crawler.core.errors import UsageError
from crawler.output import echo, emit

MENTION_FIELDS = ["term", "kind", "matched", "url", "also_at", "title", "snippet", "source", "first_seen", "review"]


def check_filters(state, sources=(), terms=(), watchlists=()) -> None:
    """A filter naming what neither the config nor the database knows is a typo, not "(nothing)":
    UsageError naming it and what is known."""
    from storage.effective import effective_config
    from storage.mentions import recorded_names
    from storage.runs import recorded_sources

    db, config = state.db(), state.config()
    effective = effective_config(db, config)
    recorded_terms, recorded_watchlists = recorded_names(db) if terms or watchlists else (set(), set())
    known = {
        "source": {s.name for s in config.sources} | (recorded_sources(db) if sources else set()),
        "term": {t.name for t in effective.terms()} | recorded_terms,
        "watchlist": {w.name for w in effective.watchlists} | recorded_watchlists,
    }
    for what, names in (("source", sources), ("term", terms), ("watchlist", watchlists)):
        for name in names:
            if name is not None and name not in known[what]:
                listed = sorted(known[what])
                shown = ", ".join(listed[:10]) + (f" and {len(listed) - 10} more" if len(listed) > 10 else "")
                raise UsageError(f"no {what} named {name!r} in {config.path} or the database "
                                 f"(known: {shown or 'none'})")


def mention_rows(db, **filters) -> list[dict]:
    """Mentions as printed and exported: one per term per page version, with the story's other URLs."""
    from storage.mentions import mentions_with_story_urls

    return [{**{f: m.get(f) for f in MENTION_FIELDS}, "also_at": m["also_at"], "watchlist": m["watchlist"]}
            for m in mentions_with_story_urls(db, **filters)]


@click.command()
@since_option()
@since_option(default=None, name="--until", help="Only what is older than this age or date.")
@click.option("--term", "terms", multiple=True, metavar="NAME", help="Only this term (repeatable).")
@click.option("--watchlist", "watchlists", multiple=True, metavar="NAME", help="Only this watchlist (repeatable).")
@click.option("--source", metavar="NAME", help="Only this source.")
@format_option(("table", "json", "csv"))
@click.pass_obj
def mentions(state, since, until, terms, watchlists, source, fmt):
    """What was found: watched terms in new text, with a reader's review (confirmed, dismissed) if any."""
    if since and until and until <= since:
        raise UsageError(f"--until ({until}) must be later than --since ({since})")
    check_filters(state, sources=(source,), terms=terms, watchlists=watchlists)
    rows = mention_rows(state.db(), since=since, until=until, terms=terms, watchlists=watchlists, source=source)
    fields = MENTION_FIELDS if fmt != "table" else ["first_seen", "term", "matched", "source", "url", "also_at",
                                                    "review"]
    emit(rows, fields + (["watchlist"] if fmt != "table" else []), fmt)


@click.command()
@since_option()
@click.option("--source", metavar="NAME", help="Only this source.")
@format_option()
@click.pass_obj
def events(state, since, source, fmt):
    """Pages new, changed, removed and restored; mentions added and removed, oldest first."""
    from storage.events import list_events

    check_filters(state, sources=(source,))
    rows = []
    for e in list_events(state.db(), since=since, source=source):
        row = {"event": e["event"], "url": e["url"], "source": e["source"], "at": e["at"]}
        if e["detail"]:
            row.update(e["detail"])
        rows.append(row)
    emit(rows, ["at", "event", "source", "url", "term", "reason"] if fmt == "table" else [], fmt)


@click.command()
@since_option(default="1d")
@click.option("--source", metavar="NAME", help="Only this source.")
@format_option()
@click.pass_obj
def errors(state, since, source, fmt):
    """Fetch and processing failures: one per URL, each with its reason."""
    from crawler.core.masking import mask_text
    from storage.runs import list_errors

    check_filters(state, sources=(source,))
    rows = [{"url": mask_text(e["url"]), "source": e["source"], "reason": mask_text(e["reason"]), "kind": e["kind"],
             "at": e["at"]}
            for e in list_errors(state.db(), since=since, source=source)]
    emit(rows, ["at", "source", "kind", "url", "reason"], fmt)


@click.command()
@format_option()
@click.pass_obj
def status(state, fmt):
    """Per source: last and next run, pages known and due, recent errors, health; alerts pending and failed.

    `due` counts the known pages due for a visit now, `waiting` the links found but not
    fetched yet, `oldest_visit` the last visit of the page that has waited longest."""
    from crawler.service.status import fleet_rows, status_rows
    from storage.outbox import delivery_counts

    db = state.db()
    rows = status_rows(db, state.config())
    counts = delivery_counts(db)
    fleet, queue = fleet_rows(db)
    if fmt == "json":
        emit(rows + fleet + queue, [], fmt)
        return
    emit(rows, ["source", "schedule", "pages", "due", "waiting", "oldest_visit", "last_run", "finish_reason",
                "last_fetched", "last_new", "last_errors", "next_run", "errors_1d", "problems"], fmt)
    for row in rows:
        if row["last_error"]:
            echo(f"{row['source']}: last error: {row['last_error']}")
    echo(f"alerts: {counts['pending']} pending, {counts['sent']} sent, {counts['failed']} failed")
    if fleet:
        echo("")
        emit(fleet, ["worker", "host", "state", "last_heartbeat", "pages", "pages_per_min", "errors", "in_flight",
                     "problems"], fmt)
    for row in queue:
        echo(f"queue ({row['queue']}, {row['updated_at']}): {row['requests']} requests waiting "
             f"({row['taken']} taken by workers), {row['items']} results to ingest, {row['crawls']} crawls running")


commands = [mentions, events, errors, status]
