"""`vigil watch`, `subscribe`, `unsubscribe`, `subscribers`: watchlists and subscriptions changed at run time."""
from __future__ import annotations

import click

from crawler.cli import format_option
from crawler.core.errors import UsageError
from crawler.output import echo, emit


def _effective(state):
    from storage.effective import effective_config

    return effective_config(state.db(), state.config())


def _name(value: str, what: str) -> str:
    from crawler.core.config import name_problem

    value = " ".join(value.split())
    problem = name_problem(value)   # the same rule as terms in vigil.toml
    if problem:
        raise UsageError(f"{what} {value!r} {problem}")
    return value


@click.group()
def watch():
    """Add, remove and list watched terms without editing vigil.toml."""


@watch.command("add")
@click.argument("watchlist")
@click.argument("name")
@click.option("--kind", type=click.Choice(["person", "keyword"]), default="person", show_default=True,
              help="A person is found in every script, spelling and case; a keyword as whole words.")
@click.option("--alias", "aliases", multiple=True, metavar="TEXT", help="Another name or spelling (repeatable).")
@click.pass_obj
def watch_add(state, watchlist, name, kind, aliases):
    """Watch NAME in WATCHLIST (a new WATCHLIST is created); the next crawl looks for it."""
    from alerts.matching.matcher import Matcher
    from crawler.core.terms import Term
    from crawler.core.timeutil import now_iso
    from storage.subscriptions import set_term

    watchlist, name = _name(watchlist, "watchlist"), _name(name, "term")
    aliases = tuple(_name(alias, "alias") for alias in aliases)
    try:
        Matcher([Term(name=name, kind=kind, aliases=aliases, watchlist=watchlist)])
    except ValueError as exc:
        raise UsageError(f"cannot watch {name!r}: {exc}") from None
    db = state.db()
    before = {w.name: {t.name for t in w.terms} for w in _effective(state).watchlists}
    with db.atomic():
        set_term(db, watchlist, name, kind, aliases, now_iso())
    if watchlist not in before:
        echo(f"started watchlist {watchlist} with {name} ({kind})")
    elif name in before[watchlist]:
        echo(f"{name} was already watched in {watchlist}; now as a {kind}"
             + (f" with aliases {', '.join(aliases)}" if aliases else ""))
    else:
        echo(f"now watching {name} ({kind}) in {watchlist}")


@watch.command("remove")
@click.argument("watchlist")
@click.argument("name")
@click.pass_obj
def watch_remove(state, watchlist, name):
    """Stop watching NAME in WATCHLIST (a term of vigil.toml too, until `watch add` brings it back)."""
    from storage.effective import find_watchlist
    from crawler.core.timeutil import now_iso
    from storage.subscriptions import drop_term

    found = find_watchlist(_effective(state), watchlist)
    if name not in {term.name for term in found.terms}:
        known = ", ".join(term.name for term in found.terms) or "none"
        raise UsageError(f"watchlist {watchlist} has no term {name!r} (its terms: {known})")
    db = state.db()
    with db.atomic():
        drop_term(db, watchlist, name, now_iso())
    echo(f"no longer watching {name} in {watchlist}; what was found stays in `vigil mentions`")


@watch.command("list")
@click.argument("watchlist", required=False)
@format_option()
@click.pass_obj
def watch_list(state, watchlist, fmt):
    """The terms watched now, in every watchlist or in WATCHLIST, and where each was declared."""
    from storage.effective import find_watchlist

    config = state.config()
    declared = {(w.name, t.name) for w in config.watchlists for t in w.terms}
    effective = _effective(state)
    chosen = [find_watchlist(effective, watchlist)] if watchlist else list(effective.watchlists)
    rows = [
        {"watchlist": w.name, "term": t.name, "kind": t.kind, "aliases": list(t.aliases),
         "from": "config" if (w.name, t.name) in declared else "database"}
        for w in chosen for t in w.terms
    ]
    emit(rows, ["watchlist", "term", "kind", "aliases", "from"], fmt)


@click.command()
@click.argument("subscriber")
@click.argument("watchlist")
@click.option("--mode", type=click.Choice(["instant", "daily", "weekly"]), default=None,
              help="How this watchlist reaches the subscriber (default: the subscriber's mode).")
@click.pass_obj
def subscribe(state, subscriber, watchlist, mode):
    """Send SUBSCRIBER the alerts of WATCHLIST from the next crawl on."""
    from storage.effective import find_subscriber, find_watchlist
    from crawler.core.timeutil import now_iso
    from storage.subscriptions import set_subscription

    effective = _effective(state)
    who = find_subscriber(effective, subscriber)
    find_watchlist(effective, watchlist)
    db = state.db()
    with db.atomic():
        set_subscription(db, subscriber, watchlist, True, mode, now_iso())
    how = mode or who.mode_for(watchlist)
    already = "already followed" if watchlist in who.watchlists else "now follows"
    echo(f"{subscriber} {already} {watchlist} ({how})")


@click.command()
@click.argument("subscriber")
@click.argument("watchlist")
@click.pass_obj
def unsubscribe(state, subscriber, watchlist):
    """Stop SUBSCRIBER's alerts and digests of WATCHLIST (one declared in vigil.toml too)."""
    from storage.effective import find_subscriber, find_watchlist
    from crawler.core.timeutil import now_iso
    from storage.subscriptions import set_subscription

    effective = _effective(state)
    who = find_subscriber(effective, subscriber)
    find_watchlist(effective, watchlist)
    if watchlist not in who.watchlists:
        echo(f"{subscriber} did not follow {watchlist}")
        return
    db = state.db()
    with db.atomic():
        set_subscription(db, subscriber, watchlist, False, None, now_iso())
    echo(f"{subscriber} no longer follows {watchlist}; alerts already queued are still delivered")


@click.command()
@format_option()
@click.pass_obj
def subscribers(state, fmt):
    """Each subscriber with the watchlists it follows now and how (vigil.toml and run-time changes)."""
    from alerts.delivery.digest import subscriber_zone
    from crawler.core.masking import mask_url

    effective = _effective(state)
    rows = []
    for s in effective.subscribers:
        rows.append({
            "subscriber": s.name, "mode": s.mode,
            "watchlists": [f"{w} ({s.mode_for(w)})" for w in s.watchlists] if fmt == "table" else
            {w: s.mode_for(w) for w in s.watchlists},
            "channels": [mask_url(url) for url in s.channels], "takedowns": s.takedowns,
            "digest": f"{s.digest_time} {subscriber_zone(s, effective)}"
            + (f", weekly on {s.weekly_day}" if any(s.mode_for(w) == "weekly" for w in s.watchlists) else ""),
        })
    emit(rows, ["subscriber", "mode", "watchlists", "channels", "digest"], fmt)


commands = [watch, subscribe, unsubscribe, subscribers]
