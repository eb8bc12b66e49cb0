"""Operator health alerts, judged from run histories written to a real database."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from alerts.delivery import health
from alerts.delivery.dispatch import deliver_due
from crawler.core.config import parse_config
from crawler.core.errors import ConfigError
from crawler.core.kinds import FinishReason
from storage import pages, runs
from storage.db import open_database

START = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture
def setup(tmp_path):
    config = parse_config({
        "vigil": {"database": "vigil.db"},
        "sources": [{"name": "ngo", "start_urls": ["https://ngo.example.org/"]}],
        "watchlists": [{"name": "people", "terms": [{"name": "Oleg Orlov"}]}],
        "subscribers": [
            {"name": "ops", "channels": ["file://health.jsonl"], "health": True},
            {"name": "desk", "watchlists": ["people"], "channels": ["file://desk.jsonl"]},
        ],
    }, tmp_path / "vigil.toml")
    db = open_database(config.database)
    yield db, config
    db.close()


class History:
    """Writes runs of the source `ngo` an hour apart, and judges its health after each."""

    def __init__(self, db, config):
        self.db, self.config = db, config
        self.at = START
        self.reports: list[health.Report] = []

    def run(self, fetched=10, new=0, errors=0, reason="finished", error_reason="HTTP 500", planned=None,
            due_left=0) -> list[str]:
        started = self.at
        self.at += timedelta(hours=1)
        with self.db.atomic():
            run_id = runs.start_run(self.db, "ngo", stamp(started), 4242)
            for counter, amount in (("fetched", fetched), ("new", new)):
                runs.count(self.db, run_id, counter, amount)
            runs.record_plan(self.db, run_id, planned=fetched + errors if planned is None else planned,
                             due_left=due_left, new_left=0)
            for n in range(errors):
                runs.add_error(self.db, run_id=run_id, source="ngo", url=f"https://ngo.example.org/{n}",
                               kind="http", reason=error_reason, at=stamp(started))
            runs.finish_run(self.db, run_id, stamp(started + timedelta(minutes=5)), reason)
        found = health.check_source(self.db, self.config, self.config.sources[0], now=self.at)
        self.reports += found
        return [report.event for report in found]


def queued(db) -> list[tuple[str, str]]:
    return [(row["subscriber"], row["event"]) for row in db.query("SELECT subscriber, event FROM alerts ORDER BY id")]


def test_one_failure_is_not_news_three_in_a_row_are_and_recovery_is_said_once(setup):
    db, config = setup
    history = History(db, config)
    assert history.run() == []
    assert history.run(fetched=0, errors=1) == []          # a transient error
    assert history.run() == []
    assert history.run(fetched=0, errors=2) == []
    assert history.run(fetched=0, errors=2) == []
    assert history.run(fetched=0, errors=3, error_reason="HTTP 503") == ["source_failing"]
    assert history.run(fetched=0, errors=3) == []           # still failing: said once
    assert history.run(reason="shutdown", fetched=2) == []  # stopped by the operator: no news either way
    assert history.run(fetched=0, errors=1) == []
    assert history.run() == ["source_recovered"]
    assert history.run() == []
    assert queued(db) == [("ops", "source_failing"), ("ops", "source_recovered")]
    failing = history.reports[0]
    assert failing.text.startswith("3 crawls in a row failed") and "HTTP 503" in failing.text


def test_a_sharp_fall_in_pages_is_measured_against_the_pages_asked_for(setup):
    db, config = setup
    history = History(db, config)
    for fetched in (40, 42, 3, 41, 4):                       # the frontier asks for fewer pages some crawls
        assert history.run(fetched=fetched) == []
    assert history.run(fetched=35, planned=40) == []         # a few failures are not news
    assert history.run(fetched=8, planned=40) == ["pages_dropped"]
    assert history.run(fetched=9, planned=40) == []          # said once
    assert history.run(fetched=38, planned=40) == ["pages_recovered"]
    assert "8 pages fetched of 40 asked for" in history.reports[0].text


def test_a_budget_that_no_longer_covers_the_due_revisits_says_what_to_raise(setup):
    db, config = setup
    history = History(db, config)
    with db.atomic():
        page = pages.add_page(db, "ngo", "https://ngo.example.org/old", "https://ngo.example.org/old",
                              stamp(START - timedelta(days=30)))
        pages.record_fetch(db, page["id"], stamp(START - timedelta(days=9)), 200)
    assert history.run(fetched=40, due_left=0) == []
    assert history.run(fetched=40, due_left=120) == ["budget_short"]
    assert "raise max_pages from 1000 to about 1150" in history.reports[0].text
    with db.atomic():
        pages.record_fetch(db, page["id"], stamp(history.at), 200)
    assert history.run(fetched=40, due_left=0) == ["budget_sufficient"]


def test_new_pages_drying_up_and_a_long_quiet_source(setup):
    db, config = setup
    history = History(db, config)
    assert history.run(fetched=60, new=60) == []             # the first crawl finds everything new
    for new in (3, 2, 4, 3, 2, 3, 4, 2):
        assert history.run(fetched=60, new=new) == []
    assert history.run(fetched=60, new=0) == []
    assert history.run(fetched=60, new=0) == []
    assert history.run(fetched=60, new=0) == ["new_pages_dropped"]
    history.at += health.QUIET_AFTER                          # two weeks with nothing new
    assert history.run(fetched=60, new=0) == ["no_new_pages"]
    assert history.run(fetched=60, new=0) == []
    events = history.run(fetched=60, new=5)
    assert sorted(events) == ["new_pages_found", "new_pages_recovered"]
    assert queued(db) == [("ops", e) for e in ("new_pages_dropped", "no_new_pages", *events)]


def test_a_killed_crawl_is_reported_as_unfinished_once(setup):
    db, config = setup
    history = History(db, config)
    history.run()
    assert history.run(reason=FinishReason.KILLED, fetched=3) == ["crawl_unfinished"]
    assert "did not finish" in history.reports[0].text
    assert history.run() == ["crawl_finished"]


def test_health_alerts_reach_only_health_subscribers_through_the_outbox(setup):
    db, config = setup
    history = History(db, config)
    for _ in range(3):
        history.run(fetched=0, errors=1, error_reason="DNS lookup failed for ngo.example.org")
    figures = deliver_due(db, config)
    assert figures.sent == 1
    folder = Path(config.path).parent
    assert not (folder / "desk.jsonl").exists()
    import json

    (alert,) = [json.loads(line) for line in (folder / "health.jsonl").read_text().splitlines()]
    assert alert["event"] == "source_failing" and alert["subscriber"] == "ops" and alert["source"] == "ngo"
    assert alert["url"] == "https://ngo.example.org/" and alert["mentions"] == []
    assert alert["title"].startswith("ngo: 3 crawls in a row failed") and "DNS lookup failed" in alert["title"]


def test_health_key_is_validated(tmp_path):
    data = {"sources": [{"name": "s", "start_urls": ["https://a.example/"]}],
            "subscribers": [{"name": "ops", "health": "yes"}]}
    with pytest.raises(ConfigError, match=r"subscribers\[0\]\.health: expected true or false"):
        parse_config(data, tmp_path / "vigil.toml")
