"""What the web app and the API change, with the same checks as the commands that change it
(`vigil watch`, `vigil subscribe`, `vigil crawl`): a wrong input is a UsageError with one line."""
from __future__ import annotations

import os
import subprocess
import sys
import threading

from alerts.matching.matcher import Matcher
from crawler.core.config import name_problem
from crawler.core.errors import UsageError
from crawler.core.processes import process_alive
from crawler.core.terms import KINDS, Term
from crawler.core.timeutil import now_iso
from crawler.service.crawlprocess import CRAWL_COMMAND
from storage import accounts, reviews, runs
from storage.effective import find_subscriber, find_watchlist
from storage.subscriptions import drop_term, set_subscription, set_term

MODES = ("instant", "daily", "weekly")
NOTE_LIMIT = 2000


def clean_name(value: str, what: str) -> str:
    value = " ".join(str(value).split())
    if not value:
        raise UsageError(f"the {what} is empty")
    problem = name_problem(value)   # the same rule as names in vigil.toml
    if problem:
        raise UsageError(f"{what} {value!r} {problem}")
    return value


def review_mention(db, mention_id: int, state: str | None, note: str, reviewer: str) -> dict:
    """Confirm a mention, dismiss it (not this person: its page and term alert no more), or forget the
    review (state None); the mention as it was found."""
    if state not in (*reviews.REVIEW_STATES, None):
        raise UsageError(f"unknown review {state!r} (known: confirmed, dismissed, or none to clear it)")
    mention = reviews.get_mention(db, mention_id)
    if mention is None:
        raise LookupError(f"no mention {mention_id}")
    note = " ".join((note or "").split())[:NOTE_LIMIT]
    with db.atomic():
        reviews.set_review(db, mention["page_id"], mention["watchlist"], mention["term"], state, note, reviewer,
                           now_iso())
    return mention


def set_account(db, name: str, role: str, password: str) -> bool:
    """Add an account or give it a new role and password, as `vigil user add`; True when new."""
    name = clean_name(name, "user name")
    if role not in accounts.ROLES:
        raise UsageError(f"unknown role {role!r} (known: {', '.join(accounts.ROLES)})")
    if len(password) < accounts.MIN_PASSWORD:
        raise UsageError(f"the password is too short: {accounts.MIN_PASSWORD} characters at least")
    with db.atomic():
        return accounts.set_user(db, name, role, password, now_iso())


def disable_account(db, name: str, who: str) -> None:
    if name == who:
        raise UsageError("you cannot disable your own account here (another admin, or `vigil user remove`)")
    with db.atomic():
        if not accounts.disable_user(db, name, now_iso()):
            raise UsageError(f"no active user named {name!r}")


def watch_term(db, config, watchlist: str, name: str, kind: str, aliases) -> None:
    """Add a term, or change the kind and aliases of one watched already (as `vigil watch add`)."""
    watchlist, name = clean_name(watchlist, "watchlist"), clean_name(name, "term")
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    aliases = tuple(dict.fromkeys(clean_name(alias, "alias") for alias in aliases if alias.strip()))
    try:
        Matcher([Term(name=name, kind=kind, aliases=aliases, watchlist=watchlist)])
    except ValueError as exc:
        raise UsageError(f"cannot watch {name!r}: {exc}") from None
    with db.atomic():
        set_term(db, watchlist, name, kind, aliases, now_iso())


def unwatch_term(db, effective, watchlist: str, name: str) -> None:
    found = find_watchlist(effective, watchlist)
    if name not in {term.name for term in found.terms}:
        raise UsageError(f"watchlist {watchlist} has no term {name!r}")
    with db.atomic():
        drop_term(db, watchlist, name, now_iso())


def subscribe(db, effective, subscriber: str, watchlist: str, mode: str | None) -> None:
    find_subscriber(effective, subscriber)
    find_watchlist(effective, watchlist)
    if mode is not None and mode not in MODES:
        raise UsageError(f"unknown mode {mode!r} (known: {', '.join(MODES)})")
    with db.atomic():
        set_subscription(db, subscriber, watchlist, True, mode, now_iso())


def unsubscribe(db, effective, subscriber: str, watchlist: str) -> None:
    find_subscriber(effective, subscriber)
    find_watchlist(effective, watchlist)
    with db.atomic():
        set_subscription(db, subscriber, watchlist, False, None, now_iso())


class Crawls:
    """Crawls started from the web app: `vigil crawl SOURCE` in a process of its own, so the server
    never runs Scrapy; its run shows in the sources page like any other."""

    def __init__(self, config_path):
        self.config_path = config_path
        self._children: list[subprocess.Popen] = []
        self._lock = threading.Lock()

    def start(self, db, config, source: str) -> int:
        config.source(source)   # UsageError for a source the config does not name
        with self._lock:
            self._children = [child for child in self._children if child.poll() is None]
            for run in runs.unfinished_runs(db, source):
                if process_alive(run["pid"], CRAWL_COMMAND):
                    raise UsageError(f"{source} is being crawled now (run {run['id']}, pid {run['pid']})")
            child = subprocess.Popen(
                [sys.executable, "-m", "crawler", "--config", str(self.config_path), "crawl", source],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True, env=os.environ.copy())
            self._children.append(child)
            return child.pid

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the crawls this server started (at shutdown, and in tests)."""
        for child in list(self._children):
            try:
                child.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
