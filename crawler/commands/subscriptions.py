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


@watch.command("show")
@click.argument("name")
@click.option("--watchlist", "watchlist_file", metavar="FILE",
              help="Look NAME up in this TOML file with [[watchlists]] instead of the config and database.")
@click.option("--alias", "aliases", multiple=True, metavar="TEXT",
              help="Another name or spelling, for a NAME that is not watched (repeatable).")
@click.option("--kind", type=click.Choice(["person", "keyword"]), default="person", show_default=True,
              help="For a NAME that is not watched.")
@click.option("--text", metavar="TEXT",
              help="Match TEXT against NAME and say, for each form found, the rule that fired or why it is no mention.")
@format_option()
@click.pass_obj
def watch_show(state, name, watchlist_file, aliases, kind, text, fmt):
    """The forms NAME expands to (every script, spelling and case) and the rule each one fires; with
    --text, what matched in TEXT and why, or why not."""
    from alerts.matching.explain import describe
    from alerts.matching.matcher import Matcher
    from crawler.core.terms import Term

    name = _name(name, "term")
    term = _watched_term(state, name, watchlist_file)
    if term is None:
        term = Term(name=name, kind=kind, aliases=tuple(_name(a, "alias") for a in aliases))
        if fmt == "table":
            echo(f"{name} is not watched; these are the forms it would have", err=True)
    if text is not None:
        rows = Matcher([term]).explain(text)
        emit([{k: r[k] for k in ("matched", "start", "end", "mention", "rule", "why")} for r in rows],
             ["matched", "start", "end", "mention", "rule", "why"], fmt)
        return
    described = describe(term)
    if fmt == "json":
        emit([described], [], fmt)
        return
    split = described["split"]
    if split:
        echo(f"{term.name}: given {split['given'] or '-'}, patronymic {split['patronymic'] or '-'}, "
             f"surname {split['surname'] or '-'}; {described['tradition']}")
    emit(described["forms"], ["part", "form", "rule"], fmt)


def _watched_term(state, name, watchlist_file):
    """The watched term called NAME, from FILE or from the config and database; None when none is."""
    from crawler.service.configload import load_watchlists
    from crawler.core.errors import VigilError

    if watchlist_file:
        terms = load_watchlists(watchlist_file)
    else:
        try:
            terms = [t for w in _effective(state).watchlists for t in w.terms]
        except VigilError:
            return None  # no config: show the forms the name would have
    return next((t for t in terms if t.name == name), None)


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
