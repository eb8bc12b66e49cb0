"""`vigil crawl` and `vigil deliver`: crawl now, and deliver what is due."""
from __future__ import annotations

import sys

import click

from crawler.core.errors import UsageError
from crawler.core.logs import before_each_line
from crawler.output import echo

SUMMARY_FIELDS = ("fetched", "new", "changed", "unchanged", "removed", "restored", "errors", "mentions")
SINGULAR = {"errors": "error", "mentions": "mention"}   # "1 mention", not "1 mentions"


@click.command()
@click.argument("sources", nargs=-1, metavar="[SOURCE...]")
@click.option("--no-deliver", is_flag=True, help="Crawl only; leave alerts in the outbox.")
@click.option("--revisit-all", is_flag=True,
              help="Revisit every known page now, due or not (still within max_pages, most overdue first).")
@click.pass_obj
def crawl(state, sources, no_deliver, revisit_all):
    """Crawl SOURCEs now (default: all), then deliver due alerts; prints a summary.

    Each crawl visits the start URLs, feeds, sitemaps and listings, then new pages, then
    the known pages that are due, within the source's max_pages."""
    config = state.config()
    if not config.sources:
        raise UsageError(f"{config.path}: no [[sources]] to crawl")
    # `vigil crawl a a` crawls a once: two crawls of one source would race on its pages
    chosen = [config.source(name) for name in dict.fromkeys(sources)] if sources else list(config.sources)
    state.db()  # a database that cannot be opened fails here, before any request

    from alerts.delivery.dispatch import deliver_due
    from crawler.core.masking import mask_text
    from crawler.core.processes import limit_malloc_arenas
    from crawler.ingest.crawl import run_crawl
    from storage import runs

    limit_malloc_arenas()   # before the crawl's threads: see crawler/core/processes.py
    tty = sys.stdout.isatty()
    if tty:
        before_each_line(_clear_line)
    try:
        contexts = run_crawl(config, chosen, progress=_progress_line() if tty else None,
                             revisit_all=revisit_all)
    finally:
        if tty:
            before_each_line(None)
            _clear_line()
    db = state.db()
    delivered = None if no_deliver else deliver_due(db, config)
    totals = dict.fromkeys(SUMMARY_FIELDS, 0)
    for context in contexts:
        run = runs.get_run(db, context.run_id)
        # `restored` is counted in this process only (the runs table has no column for it)
        run = {**run, "restored": context.figures.restored}
        figures = ", ".join(f"{run[f]} {SINGULAR.get(f, f) if run[f] == 1 else f}" for f in SUMMARY_FIELDS)
        echo(f"{context.source.name}: {figures} ({run['finish_reason'] or 'unfinished'})")
        for error in runs.run_errors(db, run["id"], limit=5):
            echo(f"  error: {mask_text(error['url'])}: {mask_text(error['reason'])}")
        for key in SUMMARY_FIELDS:
            totals[key] += run[key]
    line = ", ".join(f"{key} {value}" for key, value in totals.items())
    sent = "not delivered (--no-deliver)" if delivered is None else f"alerts sent {delivered.sent}"
    if delivered is not None and delivered.failed:
        sent += f", delivery failures {delivered.failed} (will retry)"
    echo(f"pages {line}, {sent}")


def _clear_line() -> None:
    sys.stdout.write("\r" + " " * 78 + "\r")
    sys.stdout.flush()


def _progress_line():
    def show(contexts):
        fetched = sum(c.figures.fetched for c in contexts)
        new = sum(c.figures.new for c in contexts)
        changed = sum(c.figures.changed for c in contexts)
        errors = sum(c.figures.errors for c in contexts)
        sys.stdout.write(f"\rcrawling: {fetched} pages, {new} new, {changed} changed, {errors} errors   ")
        sys.stdout.flush()

    return show


@click.command()
@click.pass_obj
def deliver(state):
    """Deliver every pending alert now, ignoring back-off."""
    from alerts.delivery.dispatch import deliver_due
    from storage.outbox import delivery_counts

    config = state.config()
    figures = deliver_due(state.db(), config, ignore_backoff=True)
    counts = delivery_counts(state.db())
    echo(f"sent {figures.sent}, failed {figures.failed}, pending {counts['pending']}, "
         f"given up {counts['failed']}")


commands = [crawl, deliver]
