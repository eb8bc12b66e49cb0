"""Effective watchlists and subscribers: vigil.toml, then what was changed at run time in the database."""
from __future__ import annotations

from dataclasses import replace

from crawler.core.config import Config, Subscriber, Watchlist
from crawler.core.errors import UsageError
from crawler.core.terms import Term
from storage import subscriptions as stored


def effective_config(db, config: Config) -> Config:
    """The config with `vigil watch` and `vigil subscribe`/`unsubscribe` applied, so a crawl, the
    outbox and digests all see the same watchlists and subscriptions without a restart."""
    watchlists = _effective_watchlists(db, config)
    known = {watchlist.name for watchlist in watchlists}
    rows = stored.subscriptions(db)
    subscribers = tuple(
        _effective_subscriber(subscriber, [row for row in rows if row["subscriber"] == subscriber.name], known)
        for subscriber in config.subscribers
    )
    return replace(config, watchlists=watchlists, subscribers=subscribers)


def _effective_watchlists(db, config: Config) -> tuple[Watchlist, ...]:
    terms: dict[str, dict[str, Term]] = {w.name: {t.name: t for t in w.terms} for w in config.watchlists}
    for row in stored.watch_terms(db):
        in_list = terms.setdefault(row["watchlist"], {})
        if row["active"]:
            in_list[row["name"]] = Term(name=row["name"], kind=row["kind"], aliases=row["aliases"],
                                        watchlist=row["watchlist"])
        else:
            in_list.pop(row["name"], None)
    return tuple(Watchlist(name, tuple(by_name.values())) for name, by_name in terms.items())


def _effective_subscriber(subscriber: Subscriber, rows: list[dict], known_watchlists: set[str]) -> Subscriber:
    watchlists = list(subscriber.watchlists)
    modes = dict(subscriber.modes)
    for row in rows:
        if row["watchlist"] not in known_watchlists:
            continue
        if row["subscribed"]:
            if row["watchlist"] not in watchlists:
                watchlists.append(row["watchlist"])
            if row["mode"]:
                modes[row["watchlist"]] = row["mode"]
        elif row["watchlist"] in watchlists:
            watchlists.remove(row["watchlist"])
    return replace(subscriber, watchlists=tuple(watchlists), modes=tuple(modes.items()))


def find_subscriber(config: Config, name: str) -> Subscriber:
    """A subscriber of the (effective) config by name, or a UsageError naming the known ones."""
    for subscriber in config.subscribers:
        if subscriber.name == name:
            return subscriber
    known = ", ".join(s.name for s in config.subscribers) or "none"
    raise UsageError(f"no subscriber named {name!r} in {config.path.name} (known: {known}); "
                     "subscribers and their channels are declared there")


def find_watchlist(config: Config, name: str) -> Watchlist:
    for watchlist in config.watchlists:
        if watchlist.name == name:
            return watchlist
    known = ", ".join(w.name for w in config.watchlists) or "none"
    raise UsageError(f"no watchlist named {name!r} (known: {known}); `vigil watch add {name} NAME` starts one")
