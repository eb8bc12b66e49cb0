"""Crash safety: real daemons and crawls killed with SIGKILL mid-crawl and mid-delivery, then restarted.

Each test compares what survived with a clean run of the same site: no snapshot, mention or
alert lost; no alert delivered twice except at most the one in flight; the database intact.
"""
from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter

import pytest

from conftest import Project, page, simple_config
from servers import WebhookReceiver
from test_daemon import SlowSite, daemons, finished_runs, index, query  # noqa: F401 (daemons: a fixture)

pytestmark = pytest.mark.e2e   # real daemons, crawls and servers: `pytest -m "not e2e"` skips them

STATEMENTS = {
    "appeal.html": ("Appeal hearing postponed",
                    "The appeal hearing of Oleg Orlov was postponed by the Moscow City Court until next month.",
                    "Observers from four embassies were turned away at the door of the courtroom."),
    "transfer.html": ("Prisoner transferred to a distant colony",
                      "Relatives learned from a prison official that Oleg Orlov had been moved to Syzran.",
                      "The transfer by rail took eleven days, during which nobody knew where he was."),
    "health.html": ("Doctors denied access",
                    "Independent doctors were refused a visit although Oleg Orlov suffers from hypertension.",
                    "The colony administration claims its own medical unit is sufficient."),
    "letter.html": ("A letter from the colony",
                    "In a handwritten letter, Oleg Orlov thanks supporters for postcards from thirty countries.",
                    "He writes that he reads Tolstoy in the evenings and follows the news on the radio."),
    "lawyer.html": ("Lawyer searched before visit",
                    "The lawyer of Oleg Orlov was searched for two hours before she could see her client.",
                    "Her notes were photographed by guards, in breach of attorney privilege."),
    "award.html": ("Human rights prize awarded",
                   "A European parliament committee awarded its annual prize to Oleg Orlov in absentia.",
                   "His daughter accepted the prize and read out a short speech he had dictated by phone."),
}


def config_text(site_url: str, schedule: str, channels: list[str]) -> str:
    return simple_config(site_url, concurrency=1, source_extra=f'schedule = "{schedule}"', channels=tuple(channels),
                         extra='[[subscribers]]\nname = "ops"\nchannels = ["file://health.jsonl"]\nhealth = true')


def state_of(project) -> dict:
    """What a crawl stored and delivered, in terms that do not depend on row ids."""
    alerts = query(project, "SELECT subscriber, event, payload FROM alerts WHERE subscriber = 'desk'")
    return {
        "snapshots": {(r["url"], r["text_hash"]) for r in query(
            project, "SELECT p.url, s.text_hash FROM snapshots s JOIN pages p ON p.id = s.page_id")},
        "mentions": {(r["url"], r["term"], r["matched"]) for r in query(
            project, "SELECT p.url, m.term, m.matched FROM mentions m JOIN pages p ON p.id = m.page_id")},
        "alerts": sorted(_alert_key(a["subscriber"], a["event"], json.loads(a["payload"])) for a in alerts),
        "delivered": Counter(_alert_key(a["subscriber"], a["event"], a) for a in project.alerts()),
    }


def _alert_key(subscriber: str, event: str, payload: dict) -> tuple:
    return subscriber, event, payload["url"], tuple(m["term"] for m in payload["mentions"])


def assert_nothing_lost(project, reference: dict) -> int:
    """Compare with the clean run; returns how many alerts were delivered twice."""
    state = state_of(project)
    assert state["snapshots"] == reference["snapshots"]
    assert state["mentions"] == reference["mentions"]
    assert state["alerts"] == reference["alerts"]
    assert set(state["delivered"]) == set(reference["delivered"])
    assert query(project, "SELECT count(*) AS n FROM deliveries WHERE status != 'sent'") == [{"n": 0}]
    assert query(project, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    twice = sum(count - 1 for count in state["delivered"].values())
    assert twice <= 1, state["delivered"]
    return twice


def health_events(project) -> list[str]:
    return [alert["event"] for alert in project.alerts("health.jsonl")]


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    """A site with six statements naming a watched person, and what a clean crawl of it stores."""
    root = tmp_path_factory.mktemp("newsroom")
    with SlowSite(root / "site") as site:
        site.write("robots.txt", "User-agent: *\nDisallow: /private/\n")
        site.write("index.html", index(*STATEMENTS))
        for name, (title, *paragraphs) in STATEMENTS.items():
            site.write(name, page(title, *paragraphs))
        (root / "reference").mkdir()
        reference = Project(root / "reference")
        reference.write_config(config_text(site.url, "every 1h", ["file://alerts.jsonl"]))
        reference.ok("crawl")
        expected = state_of(reference)
        assert len(expected["alerts"]) == len(STATEMENTS) and sum(expected["delivered"].values()) == len(STATEMENTS)
        yield site, expected


@pytest.fixture
def slow_pages(newsroom):
    site, _ = newsroom
    site.delays.update(dict.fromkeys((f"/{name}" for name in STATEMENTS), 0.6))
    yield site.delays
    site.delays.clear()


def crawl_in_progress(project, min_snapshots: int):
    """The pid of the unfinished crawl once it has stored `min_snapshots` pages, else None."""
    if not (project.path / "vigil.db").exists():
        return None
    try:
        (count,) = query(project, "SELECT count(*) AS n FROM snapshots")
        unfinished = query(project, "SELECT pid FROM runs WHERE finished_at IS NULL")
    except Exception:  # tables not created yet
        return None
    return unfinished[0]["pid"] if count["n"] >= min_snapshots and unfinished else None


def test_sigkill_of_daemon_and_crawl_mid_crawl_loses_nothing(newsroom, slow_pages, project, daemons):
    site, reference = newsroom
    project.write_config(config_text(site.url, "every 1h", ["file://alerts.jsonl"]))
    first = daemons(project)
    crawl_pid = first.wait_for(lambda: crawl_in_progress(project, 3), "a crawl halfway through")
    first.kill()
    os.kill(crawl_pid, signal.SIGKILL)
    stored = query(project, "SELECT count(*) AS n FROM snapshots")[0]["n"]
    assert 3 <= stored < len(reference["snapshots"])
    assert query(project, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    assert project.ok("status", "--format", "json").json_lines()[0]["finish_reason"] == "killed"

    slow_pages.clear()
    again = daemons(project)
    again.wait_for(lambda: [r for r in finished_runs(project) if r["finish_reason"] == "finished"],
                   "the interrupted crawl to be made good at once")
    again.wait_for(lambda: not query(project, "SELECT id FROM deliveries WHERE status = 'pending'")
                   and "crawl_finished" in health_events(project), "every alert to be delivered")
    assert again.stop() == 0
    assert [r["finish_reason"] for r in finished_runs(project)] == ["killed", "finished"]
    assert f"pid {crawl_pid}" in again.log() and "did not finish: marked killed" in again.log()
    unfinished, finished = project.alerts("health.jsonl")
    assert unfinished["event"] == "crawl_unfinished" and "did not finish" in unfinished["title"]
    assert finished["event"] == "crawl_finished"
    twice = assert_nothing_lost(project, reference)
    print(f"\nmid-crawl: killed daemon {first.process.pid} and crawl {crawl_pid} after {stored} of "
          f"{len(reference['snapshots'])} snapshots; after restart all {len(reference['alerts'])} alerts, "
          f"{twice} delivered twice")


def test_sigkill_of_a_crawl_under_a_running_daemon(newsroom, slow_pages, project, daemons):
    site, reference = newsroom
    project.write_config(config_text(site.url, "every 2s", ["file://alerts.jsonl"]))
    daemon = daemons(project)
    crawl_pid = daemon.wait_for(lambda: crawl_in_progress(project, 2), "a crawl halfway through")
    os.kill(crawl_pid, signal.SIGKILL)
    slow_pages.clear()
    daemon.wait_for(lambda: "crawl_finished" in health_events(project), "the next scheduled crawl to finish")
    daemon.wait_for(lambda: not query(project, "SELECT id FROM deliveries WHERE status = 'pending'"),
                    "every alert to be delivered")
    assert daemon.stop() == 0
    reasons = [r["finish_reason"] for r in finished_runs(project)]
    # every crawl after the killed one finished, but the last: the stop may land in its middle
    assert reasons[0] == "killed" and "finished" in reasons[1:]
    assert set(reasons[1:-1]) <= {"finished"} and reasons[-1] in ("finished", "shutdown")
    assert "killed by signal 9" in daemon.log()
    assert health_events(project) == ["crawl_unfinished", "crawl_finished"]
    assert assert_nothing_lost(project, reference) == 0


class SlowReceiver(WebhookReceiver):
    """A webhook receiver that reads each alert at once and answers only after `delay` seconds."""

    def __init__(self):
        super().__init__()
        self.delay = 0.0
        self.arrived: list[dict] = []
        self.answered = 0

    def _handler_class(self):
        base, receiver = super()._handler_class(), self

        class SlowHandler(base):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.arrived.append(json.loads(body))
                time.sleep(receiver.delay)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                receiver.answered += 1

        return SlowHandler


def test_sigkill_of_the_daemon_mid_delivery_sends_at_most_the_one_in_flight_twice(newsroom, project, daemons):
    site, reference = newsroom
    with SlowReceiver() as receiver:
        receiver.delay = 1.0
        project.write_config(config_text(site.url, "every 1h", ["file://alerts.jsonl", f"{receiver.url}/hook"]))
        first = daemons(project)
        first.wait_for(lambda: len(receiver.arrived) >= 2 and len(receiver.arrived) > receiver.answered,
                       "a webhook delivery in flight")
        first.kill()
        for pid in first.crawl_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        in_flight = receiver.arrived[-1]["id"]
        before = len(receiver.arrived)
        receiver.delay = 0.0

        again = daemons(project)
        again.wait_for(lambda: [r for r in finished_runs(project) if r["finish_reason"] == "finished"],
                       "a complete crawl")
        again.wait_for(lambda: not query(project, "SELECT id FROM deliveries WHERE status = 'pending'"),
                       "every alert to be delivered")
        assert again.stop() == 0
    twice = assert_nothing_lost(project, reference)
    hooks = Counter(alert["id"] for alert in receiver.arrived)
    alert_ids = {row["id"] for row in query(project, "SELECT id FROM alerts WHERE subscriber = 'desk'")}
    assert set(hooks) == alert_ids
    repeated = [alert_id for alert_id, count in hooks.items() if count > 1]
    assert repeated in ([], [in_flight]) and hooks[in_flight] <= 2
    print(f"\nmid-delivery: killed daemon {first.process.pid} with alert {in_flight} in flight after {before} "
          f"webhook requests; after restart {len(hooks)} of {len(alert_ids)} alerts received, repeated: "
          f"{repeated or 'none'}; file channel repeats: {twice}")
