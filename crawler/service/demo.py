"""`vigil demo`: the whole loop offline, on a bundled NGO-like site served on 127.0.0.1.

Round 1 crawls the site as it is. Then the site changes the way real sites change: a
new statement naming a watched person, a Russian news item naming another in the dative,
a partner site republishing the statement, a page taken down, and the sidebar, footer
and share counters of every page churning. Round 2 crawls again, and the demo prints
what Vigil found and alerted.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import click

from crawler.core.errors import UsageError
from crawler.core.timeutil import now_iso
from crawler.output import echo
from crawler.service.configload import load_config
from crawler.service.localsite import LocalSite
from storage.db import open_database
from storage.events import list_events
from storage.mentions import mentions_with_story_urls

SITE_PAGES_ROUND_1 = [
    "index.html",
    "about.html",
    "donate.html",
    "en/statements/index.html",
    "ru/news/index.html",
    "en/statements/orlov-appeal.html",
    "en/statements/foreign-agents-law.html",
    "en/statements/journalist-detained.html",
    "ru/news/pytki-nizhny.html",
    "partner/index.html",
]
ADDED_IN_ROUND_2 = ["en/statements/markelov-anniversary.html", "ru/news/orlov-uslovia.html"]
REMOVED_IN_ROUND_2 = ["en/statements/journalist-detained.html"]
REPUBLISHED = ("en/statements/markelov-anniversary.html", "partner/markelov-anniversary.html")

MOST_READ = {
    1: ["New amendments widen the foreign agent law", "Appeal court upholds sentence against veteran defender"],
    # The sidebar now names a watched person: boilerplate, never a mention.
    2: ["Igor Kalyapin on ten years of torture complaints", "New amendments widen the foreign agent law",
        "Seventeen years without justice"],
}

# A folder holding a config with this line was made by `vigil demo` (older versions too).
DEMO_MARK = 'allow_private_networks = ["127.0.0.1/32"]   # the demo site runs on this machine'
# Everything a demo writes in its folder; an earlier demo's are removed before a new one.
DEMO_FILES = ("vigil.toml", "vigil.db", "vigil.db-wal", "vigil.db-shm", "vigil.db-journal", "alerts.jsonl",
              "site", ".vigil-cache")
# Events of one page in the order they happen, so the report reads the same at every run.
EVENT_ORDER = ("new", "changed", "removed", "restored", "mention_added", "mention_removed")

CONFIG = f"""\
[vigil]
database = "vigil.db"
{DEMO_MARK}

[[sources]]
name = "rights-centre"
start_urls = ["{{base}}/"]
deny = ["/partner/"]
max_depth = 2
delay = 0
concurrency = 8

[[sources]]
name = "partner-news"
start_urls = ["{{base}}/partner/"]
follow = ["/partner/"]
delay = 0
concurrency = 8

[[watchlists]]
name = "defenders"
[[watchlists.terms]]
name = "Oleg Orlov"
[[watchlists.terms]]
name = "Stanislav Markelov"
[[watchlists.terms]]
name = "Igor Kalyapin"
[[watchlists.terms]]
name = "Committee Against Torture"
kind = "keyword"
aliases = ["Комитет против пыток"]

[[subscribers]]
name = "desk"
watchlists = ["defenders"]
channels = ["file://alerts.jsonl"]
mode = "instant"
takedowns = true
"""


def _site_file(name: str) -> str:
    return resources.files("crawler").joinpath("demo_site", name).read_text(encoding="utf-8")


def _page(path: str) -> tuple[dict, str]:
    head, _, body = _site_file(f"pages/{path}").partition("\n<")
    fields = dict(line.split(": ", 1) for line in head.splitlines())
    return fields, "<" + body


def _listing_label(path: str) -> str:
    # Listings show each statement's title, as real sites do; a title naming someone there
    # is the statement's mention, not a story of the listing (crawler/text/hubs.py).
    return _page(path)[0]["title"]


def render_site(site: LocalSite, round_number: int) -> None:
    """Write the site as it stands in round 1 or 2."""
    paths = list(SITE_PAGES_ROUND_1)
    if round_number == 2:
        paths = [p for p in paths if p not in REMOVED_IN_ROUND_2] + ADDED_IN_ROUND_2
        for path in REMOVED_IN_ROUND_2:
            site.remove(path)
    layout = _site_file("layout.html")
    statements = [p for p in paths if p.startswith(("en/", "ru/")) and not p.endswith("index.html")]
    links = "\n".join(f'<li><a href="/{p}">{_listing_label(p)}</a></li>' for p in statements)
    partner_links = ""
    if round_number == 2:
        partner_links = f'<li><a href="/{REPUBLISHED[1]}">Rights Watch Centre statement</a></li>'
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    most_read = "\n".join(f'<li><a href="/">{title}</a></li>' for title in MOST_READ[round_number])

    def page_html(path: str, canonical_path: str, prefix: str = "") -> str:
        fields, body = _page(path)
        body = body.replace("{statements}", links).replace("{partner_links}", partner_links)
        return layout.format(
            lang=fields["lang"], title=fields["title"], date=fields["date"], body=prefix + body,
            canonical=f"{site.url}/{canonical_path}".removesuffix("index.html"), most_read=most_read,
            shares=17 * round_number + 3, generated=generated,
        )

    site.write("robots.txt", _site_file("robots.txt"))
    for path in paths:
        site.write(path, page_html(path, path))
    if round_number == 2:
        original, copy = REPUBLISHED
        site.write(copy, page_html(original, copy, "<p>Source: Rights Watch Centre.</p>\n"))


def _crawl(config_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "crawler", "--config", str(config_path), "crawl"],
                            capture_output=True, text=True)
    echo(result.stdout.rstrip())
    if result.returncode != 0:
        raise click.ClickException(f"the crawl failed: {result.stderr.strip().splitlines()[-1:]}")


def run_demo(workdir: Path) -> None:
    _start_clean(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    with LocalSite(workdir / "site") as site:
        config_path = workdir / "vigil.toml"
        config_path.write_text(CONFIG.format(base=site.url), encoding="utf-8")
        render_site(site, 1)
        _introduce(config_path)
        click.secho(f"\nRound 1: crawling the demo site at {site.url}", bold=True)
        _crawl(config_path)
        render_site(site, 2)
        click.secho("\nThe site changes: a new statement on Stanislav Markelov, republished by a partner site; "
                    "a Russian item on Oleg Orlov; a page taken down; every sidebar and footer churns.", bold=True)
        click.secho("Round 2: crawling again", bold=True)
        round_2_start = now_iso()
        _crawl(config_path)
    _report(workdir, config_path, round_2_start)


def _start_clean(workdir: Path) -> None:
    """Remove what an earlier demo left in `workdir`: its database knows the site at another
    port, and crawling on would mix its pages with this run's. A folder holding anything
    else is refused, never emptied."""
    if not workdir.is_dir() or not any(workdir.iterdir()):
        return
    config = workdir / "vigil.toml"
    try:
        earlier = DEMO_MARK in config.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        earlier = False
    others = sorted(p.name for p in workdir.iterdir() if p.name not in DEMO_FILES)
    if not earlier or others:
        raise UsageError(f"{workdir} holds files that are not an earlier demo's; give --dir a new or empty folder")
    for name in DEMO_FILES:
        path = workdir / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    echo(f"Starting clean: removed the earlier demo's site, database and alerts in {workdir}")


def _introduce(config_path: Path) -> None:
    """Who and what the demo watches, before anything is crawled."""
    config = load_config(config_path)
    for watchlist in config.watchlists:
        people = [t.name for t in watchlist.terms if t.kind == "person"]
        keywords = [t.name for t in watchlist.terms if t.kind != "person"]
        kinds = [f"the {'person' if len(people) == 1 else 'people'} {_and(people)}" if people else "",
                 f"the {'keyword' if len(keywords) == 1 else 'keywords'} {_and(keywords)}" if keywords else ""]
        echo(f"Watchlist {watchlist.name}: " + "; ".join(kind for kind in kinds if kind))
    for subscriber in config.subscribers:
        takedowns = " and pages taken down" if subscriber.takedowns else ""
        echo(f"Subscriber {subscriber.name} gets {subscriber.mode} alerts of {_and(subscriber.watchlists)}{takedowns}"
             f" in {_and(subscriber.channels)}")


def _and(names) -> str:
    names = list(names)
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _report(workdir: Path, config_path: Path, round_2_start: str) -> None:
    db = open_database(load_config(config_path).database)
    click.secho("\nEvents of round 2:", bold=True)
    # two sources are crawled side by side: sorted by page, then in the order events happen
    events = sorted(list_events(db, since=round_2_start),
                    key=lambda e: (e["url"], EVENT_ORDER.index(e["event"]) if e["event"] in EVENT_ORDER else 99))
    for event in events:
        detail = event["detail"] or {}
        extra = detail.get("term") or detail.get("reason") or ""
        echo(f"  {event['event']:<16} {event['url']}  {extra}".rstrip())
    mentions = sorted(mentions_with_story_urls(db), key=lambda m: (m["term"], m["url"]))
    click.secho(f"\n{_plural(len(mentions), 'mention').capitalize()} after both rounds:", bold=True)
    for m in mentions:
        also = f" (also at {', '.join(m['also_at'])})" if m["also_at"] else ""
        echo(f"  {m['term']}: \"{m['matched']}\" in {m['url']}{also}")
    click.secho("\nAlerts delivered to file://alerts.jsonl:", bold=True)
    alerts_file = workdir / "alerts.jsonl"
    for line in alerts_file.read_text(encoding="utf-8").splitlines() if alerts_file.exists() else []:
        alert = json.loads(line)
        terms = ", ".join(m["term"] for m in alert["mentions"])
        also = f" + {_plural(len(alert['also_at']), 'more place')}" if alert["also_at"] else ""
        echo(f"  [{alert['event']}] {terms}: {alert['title']} <{alert['url']}>{also}")
    echo(f"\nEverything is in {workdir}; try `vigil --config {config_path} mentions`.")
    password = _demo_account(db)
    echo(f"To review it in the web app, run `vigil --config {config_path} serve` and open http://127.0.0.1:8080/ "
         f"(name demo, password {password}).")


def _demo_account(db) -> str:
    """An admin account for the demo's own database, its password made here and shown once."""
    import secrets

    from storage.accounts import set_user

    password = secrets.token_urlsafe(12)
    with db.atomic():
        set_user(db, "demo", "admin", password, now_iso())
    return password
