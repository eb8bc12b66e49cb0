"""Delivery at least once and never twice: an outage during a crawl, retries with back-off, giving up,
and one subscriber's slow or broken channel never holding up another's."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from alerts.delivery.dispatch import backoff, deliver_due
from conftest import page, simple_config
from crawler.cli import main
from crawler.core.alert import Alert
from crawler.core.config import load_config
from storage import outbox
from tests.servers import SmtpServer, WebhookReceiver

SECRET = "hook-secret-Ω"
PAGES = {
    "orlov.html": page("Appeal rejected", "The Moscow City Court upheld the sentence handed down to Oleg Orlov, "
                       "co-chair of Memorial, for his article about the war."),
    "kalyapin.html": page("Office searched", "Police searched the office of Igor Kalyapin in Nizhny Novgorod "
                          "and took away computers and archives."),
    "both.html": page("Two defenders", "Oleg Orlov and Igor Kalyapin spoke at the conference about the "
                      "prosecution of human rights defenders in Russia."),
}


def outage_config(site_url: str, hook_port: int, smtp_port: int) -> str:
    return simple_config(site_url, terms='name = "Oleg Orlov"\n[[watchlists.terms]]\nname = "Igor Kalyapin"', extra=f"""
[[subscribers]]
name = "hook"
watchlists = ["defenders"]
channels = ["http://127.0.0.1:{hook_port}/hook", "json://127.0.0.1:{hook_port}/apprise"]
secret = "${{HOOK_SECRET}}"

[[subscribers]]
name = "mail"
watchlists = ["defenders"]
channels = ["smtp://127.0.0.1:{smtp_port}?from=vigil@example.org&to=desk@example.org&starttls=no"]
""")


def vigil_here(capsys, project, *args: str) -> str:
    """`vigil ARGS` in this process, through the command's own entry point; its stdout."""
    with pytest.raises(SystemExit) as ended:
        main(["--config", str(project.config), *args])
    out, err = capsys.readouterr()
    assert ended.value.code == 0, err
    return out


def test_receiver_down_during_the_crawl_then_every_alert_arrives_exactly_once(site, project, capsys, monkeypatch):
    links = "".join(f'<li><a href="/{name}">{name}</a></li>' for name in PAGES)
    site.write("index.html", page("Rights Centre", "We document the persecution of defenders.",
                                  f"</p><ul>{links}</ul><p>"))
    for name, text in PAGES.items():
        site.write(name, text)
    receiver = WebhookReceiver()  # its port is chosen, nothing listens on it yet
    env = {"HOOK_SECRET": SECRET}
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    with SmtpServer() as smtp:
        project.write_config(outage_config(site.url, receiver.port, smtp.port))
        crawled = project.ok("crawl", env=env)
        # the receiver's outage held up neither the file nor the mail subscriber
        assert "delivery failures 2 (will retry)" in crawled.stdout  # one failure per channel, then it waits
        assert len(project.alerts()) == 3
        mails = smtp.wait_for(3)
        assert len(mails) == 3 and all(m.rcpt_tos == ["desk@example.org"] for m in mails)
        assert {str(m.message["Subject"]) for m in mails} == {
            "[Vigil] Oleg Orlov mentioned: Appeal rejected", "[Vigil] Igor Kalyapin mentioned: Office searched",
            "[Vigil] Igor Kalyapin, Oleg Orlov mentioned: Two defenders"}

    assert "alerts: 6 pending, 6 sent, 0 failed" in vigil_here(capsys, project, "status")
    listed = [json.loads(line) for line in vigil_here(capsys, project, "alerts", "--format", "json").splitlines()]
    waiting = [row for row in listed if row["status"] != "sent"]
    assert len(waiting) == 6 and {row["subscriber"] for row in waiting} == {"hook"}
    assert all(row["status"] == "pending" and row["next_attempt_at"] for row in waiting)
    assert sum(row["attempts"] for row in waiting) == 2 and all("127.0.0.1" in (row["last_error"] or "127.0.0.1")
                                                                  for row in waiting)

    with receiver:
        delivered = project.ok("deliver", env=env)
        assert delivered.stdout.startswith("sent 6, failed 0, pending 0")
        assert vigil_here(capsys, project, "deliver").startswith("sent 0, failed 0, pending 0")
        requests = receiver.wait_for(6)
        time.sleep(0.2)
        requests = list(receiver.requests)

    hooks = [r for r in requests if r.path == "/hook"]
    apprise = [r for r in requests if r.path == "/apprise"]
    assert len(hooks) == 3 and len(apprise) == 3 and len(requests) == 6
    hook_ids = {row[0] for row in project.db().execute("SELECT id FROM alerts WHERE subscriber = 'hook'")}
    assert Counter(json.loads(r.body)["id"] for r in hooks) == Counter({alert_id: 1 for alert_id in hook_ids})
    for request in hooks:
        expected = "sha256=" + hmac.new(SECRET.encode("utf-8"), request.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(request.header("X-Vigil-Signature"), expected)
        assert json.loads(request.body)["subscriber"] == "hook"
    titles = Counter(json.loads(r.body)["title"] for r in apprise)
    assert titles == Counter({"[Vigil] Oleg Orlov mentioned: Appeal rejected": 1,
                              "[Vigil] Igor Kalyapin mentioned: Office searched": 1,
                              "[Vigil] Igor Kalyapin, Oleg Orlov mentioned: Two defenders": 1})
    assert "alerts: 0 pending, 12 sent, 0 failed" in vigil_here(capsys, project, "status")


class _SlowHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.bodies.append(body)
        time.sleep(self.server.delay)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_receiver():
    """A receiver that answers 200 after a delay; `.bodies` holds what it received."""
    servers = []

    def start(delay: float) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
        server.daemon_threads, server.delay, server.bodies = True, delay, []
        server.url = f"http://127.0.0.1:{server.server_address[1]}/"
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def queue(db, subscriber: str, channel: str, number: int) -> int:
    at = "2026-05-01T10:00:00.000000Z"
    alert = Alert(subscriber=subscriber, event="mention_added", topic="test", about=(number,),
                  url=f"https://ngo.example.org/{number}", title=f"Statement {number}", detected_at=at,
                  mentions=[{"term": "Oleg Orlov", "matched": "Oleg Orlov", "snippet": "Oleg Orlov was sentenced"}])
    return outbox.add_alert(db, alert, story_id=None, page_id=None, channels=(channel,), now=at)


def attempts_of(db, subscriber: str) -> list[dict]:
    return list(db.query(
        """SELECT t.at, t.ok, d.status, d.attempts, d.next_attempt_at FROM attempts t
           JOIN deliveries d ON d.id = t.delivery_id JOIN alerts a ON a.id = d.alert_id
           WHERE a.subscriber = ? ORDER BY t.id""", [subscriber]))


def test_retries_back_off_then_give_up_and_never_hold_up_another_channel(project, slow_receiver, capsys):
    slow = slow_receiver(1.0).url
    with WebhookReceiver() as broken:
        broken.fail(500)
        project.write_config(f"""
[vigil]
allow_private_networks = ["127.0.0.1/32"]

[[watchlists]]
name = "defenders"
[[subscribers]]
name = "slow"
channels = ["{slow}"]
[[subscribers]]
name = "broken"
channels = ["{broken.url}/hook"]
[[subscribers]]
name = "fast"
channels = ["file://fast.jsonl"]
""")
        config, db = load_config(project.config), project.db()
        queue(db, "slow", slow, 1)
        for number in (1, 2, 3):
            queue(db, "broken", f"{broken.url}/hook", number)
            queue(db, "fast", "file://fast.jsonl", number)

        started = datetime.now(timezone.utc)
        figures = deliver_due(db, config, max_attempts=2)
        assert (figures.sent, figures.failed, figures.gave_up) == (4, 1, 0)
        # the fast channel finished while the slow one was still waiting for its answer
        fast_done = max(row["at"] for row in attempts_of(db, "fast"))
        [slow] = attempts_of(db, "slow")
        gap = datetime.fromisoformat(slow["at"].rstrip("Z")) - datetime.fromisoformat(fast_done.rstrip("Z"))
        assert gap > timedelta(seconds=0.5) and len(project.alerts("fast.jsonl")) == 3
        # the broken channel was tried once, its other alerts wait for the next pass
        [first] = attempts_of(db, "broken")
        assert not first["ok"] and first["status"] == "pending" and first["attempts"] == 1
        retry_at = datetime.fromisoformat(first["next_attempt_at"].rstrip("Z")).replace(tzinfo=timezone.utc)
        assert timedelta(seconds=25) < retry_at - started < timedelta(seconds=40)
        assert len(broken.requests) == 1

        # the channel backs off as a whole: none of its alerts is tried before the retry time
        assert deliver_due(db, config, max_attempts=2).failed == 0
        assert len(broken.requests) == 1 and len(attempts_of(db, "broken")) == 1
        figures = deliver_due(db, config, ignore_backoff=True, max_attempts=2)
        assert (figures.sent, figures.failed, figures.gave_up) == (0, 1, 1)
        assert [row["ok"] for row in attempts_of(db, "broken")] == [0, 0]

    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(30) == timedelta(hours=6)

    [failed] = [json.loads(line) for line in vigil_here(capsys, project, "alerts", "--failed", "--format", "json")
                .splitlines()]
    assert failed["subscriber"] == "broken" and failed["status"] == "failed" and failed["attempts"] == 2
    assert "HTTP 500" in failed["last_error"] and failed["title"] == "Statement 1"
    assert "alerts: 2 pending, 4 sent, 1 failed" in vigil_here(capsys, project, "status")
    assert vigil_here(capsys, project, "alerts", "--retry").startswith("1 failed deliveries back in the queue")
    assert "alerts: 3 pending, 4 sent, 0 failed" in vigil_here(capsys, project, "status")


def test_two_dispatchers_at_once_send_each_alert_once(project, slow_receiver):
    receiver = slow_receiver(0.2)
    project.write_config(f"""
[vigil]
allow_private_networks = ["127.0.0.1/32"]
[[subscribers]]
name = "hook"
channels = ["{receiver.url}"]
[[subscribers]]
name = "desk"
channels = ["file://alerts.jsonl"]
""")
    config, db = load_config(project.config), project.db()
    for number in range(1, 5):
        queue(db, "hook", receiver.url, number)
        queue(db, "desk", "file://alerts.jsonl", number)
    results = []

    def dispatcher():  # a daemon and a `vigil deliver`: each with its own connection
        results.append(deliver_due(project.db(), config, ignore_backoff=True))

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(figures.sent for figures in results) == 8 and sum(f.failed for f in results) == 0
    assert Counter(json.loads(body)["id"] for body in receiver.bodies) == Counter(
        {row[0]: 1 for row in db.execute("SELECT id FROM alerts WHERE subscriber = 'hook'")})
    assert sorted(alert["id"] for alert in project.alerts()) == [
        row[0] for row in db.execute("SELECT id FROM alerts WHERE subscriber = 'desk' ORDER BY id")]
    assert db.execute("SELECT count(*) FROM deliveries WHERE claimed_by IS NOT NULL").fetchone()[0] == 0


def test_claims_of_a_dead_dispatcher_are_taken_over_and_a_live_ones_are_not(project):
    import os
    import socket

    project.write_config('[[subscribers]]\nname = "desk"\nchannels = ["file://alerts.jsonl"]\n')
    config, db = load_config(project.config), project.db()
    dead, alive = queue(db, "desk", "file://alerts.jsonl", 1), queue(db, "desk", "file://alerts.jsonl", 2)
    later = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    host = socket.gethostname()
    for alert_id, holder in ((dead, f"{host}/999999999/killed"), (alive, f"{host}/{os.getpid()}/busy")):
        db.execute("UPDATE deliveries SET claimed_by = ?, claimed_until = ? WHERE alert_id = ?",
                   [holder, later, alert_id])
    assert deliver_due(db, config, ignore_backoff=True).sent == 1
    assert [alert["id"] for alert in project.alerts()] == [dead]
