"""Subscriptions: modes and digest settings in vigil.toml, and watchlists and subscriptions changed at run time."""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from storage.effective import effective_config
from conftest import page, simple_config
from crawler.cli import main
from crawler.core.config import parse_config
from crawler.core.errors import ConfigError
from storage import subscriptions as stored

BASE = """
[[sources]]
name = "ngo"
start_urls = ["https://ngo.example.org/"]

[[watchlists]]
name = "defenders"
[[watchlists.terms]]
name = "Oleg Orlov"

[[watchlists]]
name = "urgent"
[[watchlists.terms]]
name = "Igor Kalyapin"

[[subscribers]]
name = "desk"
watchlists = ["defenders"]
channels = ["file://alerts.jsonl"]
"""


def config_of(extra: str):
    return parse_config(tomllib.loads(BASE + extra), Path("vigil.toml"))


def test_modes_and_digest_settings_are_read():
    config = config_of('mode = "daily"\ndigest_time = "7:05"\ntimezone = "Europe/Berlin"\nweekly_day = "Friday"\n'
                       '[subscribers.modes]\nurgent = "instant"\n')
    [desk] = config.subscribers
    assert (desk.mode_for("defenders"), desk.mode_for("urgent")) == ("daily", "instant")
    assert (desk.digest_time, desk.timezone, desk.weekly_day) == ("7:05", "Europe/Berlin", "friday")


@pytest.mark.parametrize("extra, message", [
    ('digest_time = "25:00"',
     "vigil.toml: subscribers[0].digest_time: expected a time of day HH:MM (24-hour), got '25:00'"),
    ('digest_time = "8am"', "subscribers[0].digest_time: expected a time of day HH:MM"),
    ('timezone = "Mars/Olympus_Mons"', "subscribers[0].timezone: unknown time zone 'Mars/Olympus_Mons'"),
    ('timezone = "../../etc/passwd"', "subscribers[0].timezone: unknown time zone"),
    ('weekly_day = "someday"',
     "subscribers[0].weekly_day: expected a day of the week (monday ... sunday), got 'someday'"),
    ('modes = "instant"', "subscribers[0].modes: expected a table, got string 'instant'"),
    ('[subscribers.modes]\nnope = "instant"', "subscribers[0].modes.nope: unknown watchlist 'nope'"),
    ('[subscribers.modes]\nurgent = "hourly"',
     "subscribers[0].modes.urgent: expected one of instant, daily, weekly, got string 'hourly'"),
    ('[subscribers.modes]\nurgent = 1',
     "subscribers[0].modes.urgent: expected one of instant, daily, weekly, got int 1"),
])
def test_a_bad_mode_or_digest_setting_is_one_line_naming_the_key(extra, message):
    with pytest.raises(ConfigError) as error:
        config_of(extra + "\n")
    assert message in str(error.value) and "\n" not in str(error.value)


def test_run_time_changes_apply_over_the_file(project):
    project.write_config(BASE)
    db = project.db()
    config = config_of("")
    at = "2026-05-01T10:00:00.000000Z"
    stored.set_term(db, "defenders", "Igor Kalyapin", "person", ("Игорь Каляпин",), at)
    stored.set_term(db, "new-list", "Committee Against Torture", "keyword", (), at)
    stored.drop_term(db, "urgent", "Igor Kalyapin", at)           # a term of the file, hidden
    stored.set_subscription(db, "desk", "new-list", True, "weekly", at)
    stored.set_subscription(db, "desk", "defenders", False, None, at)  # a subscription of the file, ended
    stored.set_subscription(db, "nobody", "urgent", True, None, at)    # not a subscriber: ignored

    effective = effective_config(db, config)
    terms = {(w.name, t.name): t for w in effective.watchlists for t in w.terms}
    assert set(terms) == {("defenders", "Oleg Orlov"), ("defenders", "Igor Kalyapin"),
                          ("new-list", "Committee Against Torture")}
    assert terms[("defenders", "Igor Kalyapin")].aliases == ("Игорь Каляпин",)
    assert terms[("new-list", "Committee Against Torture")].kind == "keyword"
    assert {t.name for t in effective.terms()} == {"Oleg Orlov", "Igor Kalyapin", "Committee Against Torture"}
    [desk] = effective.subscribers
    assert desk.watchlists == ("new-list",) and desk.mode_for("new-list") == "weekly"
    assert config.subscribers[0].watchlists == ("defenders",)  # the file's config is left as it was

    stored.set_term(db, "urgent", "Igor Kalyapin", "person", (), at)   # back again
    stored.set_subscription(db, "desk", "defenders", True, None, at)
    effective = effective_config(db, config)
    assert ("urgent", "Igor Kalyapin") in {(w.name, t.name) for w in effective.watchlists for t in w.terms}
    assert effective.subscribers[0].watchlists == ("defenders", "new-list")


ORLOV = page("Appeal court upholds sentence", "The Moscow City Court upheld the sentence handed down to Oleg Orlov, "
             "co-chair of Memorial, for his article about the war.", "His lawyers will appeal again.")
KALYAPIN = page("Office searched", "Police searched the office of Igor Kalyapin in Nizhny Novgorod on Tuesday "
                "and took away computers and archives.", "The Committee Against Torture called it pressure.")
BOTH = page("Two defenders", "Oleg Orlov and Igor Kalyapin spoke at the conference about the prosecution "
            "of human rights defenders.", "Both were warned by the police afterwards.")


def index(*links: str) -> str:
    items = "".join(f'<li><a href="/{link}">Statement {n}</a></li>' for n, link in enumerate(links, 1))
    return page("Rights Centre", "We document the persecution of human rights defenders.",
                f"</p><ul>{items}</ul><p>Every report is verified before we publish it.")


def vigil_here(capsys, project, *args: str) -> tuple[int, str, str]:
    """`vigil ARGS` in this process (the same entry point as the command): exit code, stdout, stderr."""
    with pytest.raises(SystemExit) as ended:
        main(["--config", str(project.config), *args])
    out, err = capsys.readouterr()
    return ended.value.code, out, err


def json_here(capsys, project, *args: str) -> list[dict]:
    code, out, err = vigil_here(capsys, project, *args, "--format", "json")
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_watch_add_then_crawl_alerts_and_unsubscribe_then_crawl_does_not(site, project, capsys):
    site.write("index.html", index("kalyapin.html"))
    site.write("kalyapin.html", KALYAPIN)
    project.write_config(simple_config(site.url))

    # mistakes are one line and exit 2, and change nothing
    for args, complaint in [
        (("watch", "add", "defenders", "!!!"), "term '!!!' has no letter or digit"),
        (("watch", "remove", "defenders", "Nobody Known"), "watchlist defenders has no term 'Nobody Known'"),
        (("watch", "remove", "nope", "Oleg Orlov"), "no watchlist named 'nope'"),
        (("subscribe", "nobody", "defenders"), "no subscriber named 'nobody'"),
        (("subscribe", "desk", "nope"), "no watchlist named 'nope'"),
    ]:
        code, out, err = vigil_here(capsys, project, *args)
        assert code == 2, args
        assert err.startswith("vigil: error: ") and complaint in err and len(err.splitlines()) == 1, err

    code, out, _ = vigil_here(capsys, project, "watch", "add", "defenders", "Igor Kalyapin", "--alias", "Игорь Каляпин")
    assert code == 0 and "now watching Igor Kalyapin (person) in defenders" in out
    listed = json_here(capsys, project, "watch", "list", "defenders")
    assert [(t["term"], t["from"], t["aliases"]) for t in listed] == [
        ("Oleg Orlov", "config", []), ("Igor Kalyapin", "database", ["Игорь Каляпин"])]

    project.ok("crawl")
    [alert] = project.alerts()
    assert alert["url"] == f"{site.url}/kalyapin.html"
    assert [m["term"] for m in alert["mentions"]] == ["Igor Kalyapin"]

    code, out, _ = vigil_here(capsys, project, "unsubscribe", "desk", "defenders")
    assert code == 0 and "desk no longer follows defenders" in out
    subscribers = json_here(capsys, project, "subscribers")
    assert subscribers[0]["subscriber"] == "desk" and subscribers[0]["watchlists"] == {}
    site.write("index.html", index("kalyapin.html", "orlov.html", "both.html"))
    site.write("orlov.html", ORLOV)
    site.write("both.html", BOTH)
    second = project.ok("crawl")
    assert "new 2" in second.stdout
    assert len(project.alerts()) == 1  # found and recorded, but no longer sent to desk
    found = json_here(capsys, project, "mentions")
    assert sorted({m["url"].rsplit("/", 1)[1] for m in found}) == ["both.html", "kalyapin.html", "orlov.html"]

    # removing a term stops the matching of it; what was found stays
    code, out, _ = vigil_here(capsys, project, "watch", "remove", "defenders", "Igor Kalyapin")
    assert code == 0 and "no longer watching Igor Kalyapin" in out
    assert [t["term"] for t in json_here(capsys, project, "watch", "list")] == ["Oleg Orlov"]
    assert len(json_here(capsys, project, "mentions", "--term", "Igor Kalyapin")) == 2

    # back again, this time in a daily digest rather than instantly
    code, out, _ = vigil_here(capsys, project, "subscribe", "desk", "defenders", "--mode", "daily")
    assert code == 0 and "desk now follows defenders (daily)" in out
    assert json_here(capsys, project, "subscribers")[0]["watchlists"] == {"defenders": "daily"}
