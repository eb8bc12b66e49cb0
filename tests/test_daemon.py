"""`vigil run` as a real process: scheduled crawls, instant alerts, reloads, signals and restarts."""
from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from conftest import REPO, page, simple_config
from crawler.core.config import parse_config
from crawler.core.errors import ConfigError
from crawler.core.processes import process_alive
from crawler.service.localsite import LocalSite

pytestmark = pytest.mark.e2e   # real daemons, crawls and servers: `pytest -m "not e2e"` skips them

ORLOV = page("Appeal court upholds sentence",
             "The Moscow City Court upheld the sentence handed down to Oleg Orlov, co-chair of the Memorial "
             "Human Rights Centre, for his article about the war.",
             "His lawyers said they would appeal to the Court of Cassation and to the United Nations.")
ABOUT = page("About us", "We document the persecution of human rights defenders across the region.",
             "Our reports are verified by two researchers before they are published.")
ARCHIVE = page("Archive", "Statements from earlier years are kept here for the record.",
               "Each statement keeps the date it was first published on.")


class SlowSite(LocalSite):
    """The local site, where some paths answer only after a delay (to land a signal mid-crawl)."""

    def __init__(self, root):
        self.delays: dict[str, float] = {}
        self.arrived: list[str] = []   # paths as requests arrive, before any delay
        super().__init__(root)

    def _handler(self):
        handler, site = super()._handler(), self

        class SlowHandler(handler):
            def do_GET(self, head=False):
                site.arrived.append(urlsplit(self.path).path)
                delay = site.delays.get(urlsplit(self.path).path)
                if delay:
                    time.sleep(delay)
                try:
                    super().do_GET(head)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the crawl was stopped or killed while it waited: that is the point

        return SlowHandler


def index(*links: str) -> str:
    items = "".join(f'<li><a href="/{link}">Statement {n}</a></li>' for n, link in enumerate(links, 1))
    return page("Rights Centre", "We document the persecution of human rights defenders.",
                f"</p><ul>{items}</ul><p>Every report is verified before we publish it.")


def query(project, sql: str, params=()) -> list[dict]:
    with sqlite3.connect(project.path / "vigil.db", timeout=10) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(sql, params)]


def finished_runs(project, source: str = "ngo") -> list[dict]:
    if not (project.path / "vigil.db").exists():
        return []
    try:
        return query(project, "SELECT * FROM runs WHERE source = ? AND finished_at IS NOT NULL ORDER BY id", [source])
    except sqlite3.OperationalError:  # the daemon has not created the tables yet
        return []


def mapped_libraries(pid: int) -> str:
    """The paths of the files a process has mapped (its shared libraries among them)."""
    with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as maps:
        return "\n".join(line.split(None, 5)[-1] for line in maps if "/" in line)


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


class DaemonProcess:
    """A real `vigil run`; its log is a file the test reads while it runs."""

    def __init__(self, project, *global_args: str, env: dict | None = None):
        self.project = project
        self.log_path = project.path / f"daemon-{time.monotonic_ns()}.log"
        self._log = open(self.log_path, "wb")
        full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crawler", "--config", str(project.config), *global_args, "run"],
            cwd=project.path, env=full_env, stdout=self._log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def crawl_pids(self) -> list[int]:
        return [int(pid) for pid in re.findall(r"crawl of \S+ started \(crawl process (\d+)\)", self.log())]

    def wait_for(self, condition, what: str, timeout: float = 40.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            if self.process.poll() is not None:
                pytest.fail(f"vigil run exited ({self.process.returncode}) while waiting for {what}:\n{self.log()}")
            time.sleep(0.05)
        pytest.fail(f"timed out waiting for {what}:\n{self.log()[-4000:]}")

    def stop(self, signum=signal.SIGTERM, timeout: float = 20.0) -> int:
        """Signal the daemon; its exit code. A daemon still running after `timeout` fails the test:
        the pages the tests make slow take 30 s, so a stop that waited for one would."""
        self.process.send_signal(signum)
        return self.process.wait(timeout)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)

    def cleanup(self) -> None:
        if self.process.poll() is None:
            self.kill()
        for pid in self.crawl_pids():  # crawls run in their own session and outlive a killed daemon
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._log.close()


@pytest.fixture
def daemons():
    started: list[DaemonProcess] = []

    def start(project, *args, **kwargs) -> DaemonProcess:
        daemon = DaemonProcess(project, *args, **kwargs)
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.cleanup()


@pytest.fixture
def slow_site(tmp_path):
    with SlowSite(tmp_path / "site") as served:
        served.write("robots.txt", "User-agent: *\nDisallow: /private/\n")
        yield served


def test_scheduled_crawls_send_instant_alerts_while_the_crawl_goes_on(slow_site, project, daemons):
    site = slow_site
    site.write("index.html", index("about.html", "archive.html", "orlov.html"))
    site.write("about.html", ABOUT)
    site.write("archive.html", ARCHIVE)
    site.write("orlov.html", ORLOV)
    site.delays["/archive.html"] = 1.5  # keeps each crawl going well after the other pages are done
    project.write_config(simple_config(site.url, source_extra='schedule = "every 2s"'))
    daemon = daemons(project)
    daemon.wait_for(lambda: finished_runs(project) or project.alerts(), "the first crawl to store pages")
    sent = "SELECT a.created_at, d.sent_at FROM alerts a JOIN deliveries d ON d.alert_id = a.id WHERE d.sent_at > ''"
    (row,) = daemon.wait_for(lambda: query(project, sent), "the alert to be sent")
    (alert,) = project.alerts()
    assert alert["url"] == f"{site.url}/orlov.html" and alert["event"] == "mention_added"
    latency = (parse(row["sent_at"]) - parse(row["created_at"])).total_seconds()
    assert latency < 2.0, f"the alert left {latency:.2f}s after its page was processed"
    found_it = daemon.wait_for(lambda: finished_runs(project), "the end of the crawl that found it")[0]
    assert found_it["mentions"] == 1
    assert parse(found_it["finished_at"]) > parse(row["sent_at"]), "the alert waited for the end of the crawl"

    site.delays.clear()
    daemon.wait_for(lambda: len(finished_runs(project)) >= 2, "the next scheduled crawl")
    status = project.ok("status", "--format", "json").json_lines()[0]
    assert status["source"] == "ngo" and status["last_run"] and status["finish_reason"] == "finished"
    assert abs((parse(status["next_run"]) - datetime.now(timezone.utc)).total_seconds()) < 10
    code = daemon.stop()
    print(f"\ninstant alert sent {latency:.2f}s after its page was processed, "
          f"{(parse(found_it['finished_at']) - parse(row['sent_at'])).total_seconds():.2f}s before its crawl ended")
    assert code == 0
    assert len(project.alerts()) == 1  # later crawls find nothing new and send nothing again
    assert query(project, "SELECT next_run_at FROM schedules") == [{"next_run_at": None}]


def test_reload_keeps_the_old_config_when_the_new_one_is_broken(slow_site, project, daemons):
    site = slow_site
    site.write("index.html", index("about.html"))
    site.write("about.html", ABOUT)
    site.write("other/index.html", page("Other section", "A section of the site with reports from the field."))
    good = simple_config(site.url, source_extra='schedule = "every 2s"')
    project.write_config(good)
    daemon = daemons(project)
    daemon.wait_for(lambda: "vigil run started" in daemon.log(), "the start")
    second = daemons(project)  # one daemon per database
    daemon.wait_for(lambda: len(finished_runs(project)) >= 1, "the first crawl")

    project.write_config(good.replace('schedule = "every 2s"', 'schedule = "every banana"'))
    daemon.process.send_signal(signal.SIGHUP)
    daemon.wait_for(lambda: "config not reloaded" in daemon.log(), "the reload to fail")
    assert re.search(r"keeping the previous one: .*sources\[0\]\.schedule", daemon.log())
    count = len(finished_runs(project))
    daemon.wait_for(lambda: len(finished_runs(project)) > count, "crawls to go on with the old config")
    assert all(run["finish_reason"] == "finished" for run in finished_runs(project))

    project.write_config(good + f"""
[[sources]]
name = "field"
start_urls = ["{site.url}/other/"]
schedule = "every 2s"
delay = 0
""")
    daemon.process.send_signal(signal.SIGHUP)
    daemon.wait_for(lambda: finished_runs(project, "field"), "the new source to be crawled")
    assert "config reloaded" in daemon.log() and "added: field" in daemon.log()
    assert second.process.wait(30) == 1
    assert re.search(r"vigil: error: .*another `vigil run` \(pid \d+\) is using this database", second.log())
    assert daemon.stop() == 0


def test_sigterm_mid_crawl_lets_the_page_finish_and_exits_within_seconds(slow_site, project, daemons):
    site = slow_site
    site.write("index.html", index("about.html", "archive.html"))
    site.write("about.html", ABOUT)
    site.write("archive.html", ARCHIVE)
    site.delays["/archive.html"] = 30.0
    project.write_config(simple_config(site.url, source_extra='schedule = "every 1h"'))
    daemon = daemons(project)
    daemon.wait_for(lambda: "/archive.html" in site.arrived, "the slow page")
    assert daemon.stop() == 0
    (run,) = finished_runs(project)
    assert run["finish_reason"] == "shutdown"
    assert query(project, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    assert not [pid for pid in daemon.crawl_pids() if process_alive(pid)]


def test_a_worker_with_extraction_processes_crawls_and_stops(slow_site, project, daemons):
    # An extraction process forked from a crawl worker once closed the worker's stdin while the
    # worker's reader thread held it: the fork hung for ever, and so did every crawl.
    site = slow_site
    site.write("index.html", index("orlov.html", "about.html"))
    site.write("orlov.html", ORLOV)
    site.write("about.html", ABOUT)
    project.write_config(simple_config(site.url, source_extra='schedule = "every 1h"'))
    daemon = daemons(project, env={"VIGIL_EXTRACT_WORKERS": "1"})
    daemon.wait_for(lambda: finished_runs(project), "a finished crawl")
    daemon.wait_for(lambda: project.alerts(), "the alert")
    assert [m["term"] for a in project.alerts() for m in a["mentions"]] == ["Oleg Orlov"]
    workers = daemon.crawl_pids()
    # The daemon itself holds none of the crawl's libraries (lxml comes with Scrapy and trafilatura),
    # and no process of the fleet holds numpy, which sqlite-utils would load for nothing.
    assert "lxml" not in mapped_libraries(daemon.process.pid)
    for pid in [daemon.process.pid, *workers]:
        assert "numpy" not in mapped_libraries(pid)
    assert "lxml" in mapped_libraries(workers[0])   # what the lines above read is really there
    assert daemon.stop() == 0
    _wait_until(lambda: not [pid for pid in workers if process_alive(pid)], "the worker to end")


def test_a_killed_daemons_worker_finishes_its_crawl_and_ends(slow_site, project, daemons):
    site = slow_site
    site.write("index.html", index("orlov.html", "archive.html"))
    site.write("orlov.html", ORLOV)
    site.write("archive.html", ARCHIVE)
    site.delays["/archive.html"] = 2.0
    project.write_config(simple_config(site.url, source_extra='schedule = "every 1h"'))
    daemon = daemons(project)
    daemon.wait_for(lambda: "/archive.html" in site.arrived, "the slow page")
    workers = daemon.crawl_pids()
    assert workers
    daemon.kill()   # SIGKILL: no goodbye to the workers, only the end of their input
    _wait_until(lambda: not [pid for pid in workers if process_alive(pid)], "the orphaned worker to end")
    (run,) = query(project, "SELECT finish_reason FROM runs")
    assert run["finish_reason"] == "finished"   # its pages are stored, nothing lost with the daemon
    assert len(query(project, "SELECT id FROM alerts")) == 1   # waiting for the next daemon to deliver it


def test_a_second_signal_stops_at_once_and_json_logs_keep_secrets_out(slow_site, project, daemons):
    site = slow_site
    site.write("index.html", index("orlov.html", "archive.html"))
    site.write("orlov.html", ORLOV)
    site.write("archive.html", ARCHIVE)
    site.delays["/archive.html"] = 30.0
    from servers import free_port

    hook = f"http://desk:pa55-w0rd@127.0.0.1:{free_port()}/hook"  # nothing listens: the delivery fails
    channels = f'channels = ["file://alerts.jsonl", "{hook}"]\nsecret = "${{HOOK_SECRET}}"'
    project.write_config(simple_config(site.url, source_extra='schedule = "every 1h"').replace(
        'channels = ["file://alerts.jsonl"]', channels))
    daemon = daemons(project, "--log-format", "json", env={"HOOK_SECRET": "hmac-key-1234"})
    daemon.wait_for(lambda: "/archive.html" in site.arrived and "alert 1 to" in daemon.log(),
                    "the slow page, and the webhook to fail")
    daemon.process.send_signal(signal.SIGINT)
    daemon.wait_for(lambda: "stopping" in daemon.log(), "the first signal to be heard")
    assert daemon.stop(signal.SIGINT, timeout=15) == 128 + signal.SIGINT   # at once: not after the 30 s page
    _wait_until(lambda: not [pid for pid in daemon.crawl_pids() if process_alive(pid)], "the crawls to end")
    assert len(project.alerts()) == 1

    lines = [json.loads(line) for line in daemon.log().splitlines()]
    assert all({"at", "level", "logger", "message"} <= set(line) for line in lines)
    assert {"info", "warning"} <= {line["level"] for line in lines}
    assert any("again: stopping at once" in line["message"] for line in lines)
    assert any("desk:***@127.0.0.1" in line["message"] for line in lines)
    assert "pa55-w0rd" not in daemon.log() and "hmac-key-1234" not in daemon.log()


def test_a_restart_keeps_the_schedule_and_runs_a_missed_crawl_once(site, project, daemons):
    site.write("index.html", index("about.html"))
    site.write("about.html", ABOUT)
    project.write_config(simple_config(site.url, source_extra='schedule = "every 1h"'))
    first = daemons(project)
    first.wait_for(lambda: finished_runs(project), "the first crawl, due at once")
    first.wait_for(lambda: query(project, "SELECT next_run_at FROM schedules")[0]["next_run_at"], "the next run")
    (row,) = query(project, "SELECT next_run_at FROM schedules")
    assert timedelta(minutes=59) < parse(row["next_run_at"]) - datetime.now(timezone.utc) <= timedelta(hours=1)
    assert first.stop() == 0

    again = daemons(project)
    again.wait_for(lambda: "vigil run started" in again.log(), "the restart")
    time.sleep(1.5)
    assert len(finished_runs(project)) == 1 and "crawl of ngo started" not in again.log()
    assert again.stop() == 0

    # As if the daemon had been down for three hours: three runs were missed; one is made good.
    with sqlite3.connect(project.path / "vigil.db") as conn:
        three_hours_ago = (datetime.now(timezone.utc) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        conn.execute("UPDATE runs SET started_at = ?", [three_hours_ago])
    late = daemons(project)
    late.wait_for(lambda: len(finished_runs(project)) == 2, "the missed crawl")
    time.sleep(1.5)
    assert len(finished_runs(project)) == 2 and late.log().count("crawl of ngo started") == 1
    assert late.stop() == 0


def test_log_redaction_of_configured_secrets(tmp_path, monkeypatch):
    from crawler.core.logs import JsonFormatter, remember_secrets, setup_logging

    monkeypatch.setenv("DESK_TOKEN", "tok-9f8e7d6c")
    config = parse_config({"subscribers": [{"name": "desk", "secret": "${DESK_TOKEN}", "channels": [
        "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/987654",
        "https://hooks.example.org/in?token=q1w2e3r4t5&x=1",
    ]}]}, tmp_path / "vigil.toml")
    remember_secrets(config)
    out = io.StringIO()
    setup_logging("info", "json", stream=out)
    try:
        logging.getLogger("vigil.test").warning(
            "sending with %s to tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/987654 and "
            "https://hooks.example.org/in?token=q1w2e3r4t5 via smtp://u:letmein@mail.example.org", "tok-9f8e7d6c")
        logging.getLogger("scrapy.core.engine").info("Spider opened")  # chatty libraries stay quiet at info
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if getattr(h, "vigil", False)]:
            root.removeHandler(handler)
        root.setLevel(logging.WARNING)
        logging.captureWarnings(False)
    (line,) = [json.loads(text) for text in out.getvalue().splitlines()]
    for secret in ("tok-9f8e7d6c", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "q1w2e3r4t5", "letmein"):
        assert secret not in line["message"]
    assert "hooks.example.org" in line["message"] and "u:***@mail.example.org" in line["message"]
    assert isinstance(JsonFormatter().format(logging.makeLogRecord({"msg": "x"})), str)


@pytest.mark.parametrize("vigil, error", [
    ({"timezone": "Mars/Olympus"}, "vigil.timezone: unknown time zone 'Mars/Olympus'"),
    ({"max_concurrent_crawls": 0}, "vigil.max_concurrent_crawls: must be at least 1"),
    ({"jitter": -5}, "vigil.jitter: must not be negative"),
    ({"jitter": "lots"}, "vigil.jitter: expected a number"),
])
def test_daemon_settings_are_validated(tmp_path, vigil, error):
    with pytest.raises(ConfigError, match=re.escape(error)):
        parse_config({"vigil": vigil}, tmp_path / "vigil.toml")
    good = parse_config({"vigil": {"timezone": "Europe/Moscow", "max_concurrent_crawls": 3, "jitter": 30}},
                        tmp_path / "vigil.toml")
    assert (good.timezone, good.max_concurrent_crawls, good.jitter) == ("Europe/Moscow", 3, 30.0)


def test_run_refuses_a_broken_config_in_one_line(project):
    project.write_config('[vigil]\njitter = -1\n')
    result = project.vigil("run", timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"vigil: error: {project.config}: vigil.jitter: must not be negative, got -1"


def _wait_until(condition, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)

