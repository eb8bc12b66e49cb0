"""Crawling on Redis workers: two `vigil worker`s and one `vigil run --redis` against a real redis-server.

Every page is stored once and every alert sent once; a worker killed mid-crawl leaves the
rest to the other; a Redis restarted (without persistence) mid-crawl loses no page; one host
is never fetched faster than its delay, whichever worker fetches it.
"""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
from conftest import REPO, Project
from servers import free_port
from test_fleet import build_site

from crawler.core.timeutil import format_iso
from crawler.service import redisqueue as rq
from crawler.service.configload import load_config
from crawler.service.redisingest import Fleet
from storage import workers
from storage.db import open_database

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")]

HOSTS = (2, 3, 4)
PAGES = 12
DELAY = 0.4


class RedisServer:
    """A redis-server on 127.0.0.1 with a free port, no persistence: a restart loses everything."""

    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._answers, 20, "redis-server did not start")
        return self

    def _answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def wait_for(condition, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(message)


def fleet_config(sites, delay: float) -> str:
    sources = "".join(f"""
[[sources]]
name = "site{host}"
start_urls = ["{site.url}/"]
max_depth = 1
delay = {delay}
schedule = "every 1h"
""" for host, site in sites.items())
    return f"""
[vigil]
database = "vigil.db"
allow_private_networks = ["127.0.0.0/8"]
worker_silent_after = 12
{sources}
[[watchlists]]
name = "defenders"
[[watchlists.terms]]
name = "Oleg Orlov"

[[subscribers]]
name = "desk"
watchlists = ["defenders"]
channels = ["file://alerts.jsonl"]
"""


def spawn(project: Project, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("VIGIL_CONFIG", None)
    with open(project.path / f"{args[0]}-{time.monotonic_ns()}.log", "w") as log:
        return subprocess.Popen([sys.executable, "-m", "crawler", "--config", str(project.config), *args],
                                cwd=project.path, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def query(project: Project, sql: str):
    with sqlite3.connect(project.path / "vigil.db", timeout=30) as db:
        return db.execute(sql).fetchall()


def finished_runs(project: Project) -> int:
    if not (project.path / "vigil.db").exists():
        return 0
    try:
        return query(project, "SELECT count(*) FROM runs WHERE finish_reason = 'finished'")[0][0]
    except sqlite3.OperationalError:   # the tables are not there yet
        return 0


def stored_pages(project: Project) -> int:
    if not (project.path / "vigil.db").exists():   # connecting would create it before vigil does
        return 0
    try:
        return query(project, "SELECT count(*) FROM pages")[0][0]
    except sqlite3.OperationalError:   # no database, or no tables yet
        return 0


def page_gaps(site) -> list[float]:
    times = sorted(t for path, t in site.times if path.startswith("/r/") or path == "/")
    return [b - a for a, b in zip(times, times[1:])]


def logs(project: Project) -> str:
    return "\n".join(f"== {p.name}\n{p.read_text()}" for p in sorted(project.path.glob("*.log")))


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """One crawl on two workers, with a worker SIGKILLed and Redis restarted on the way; each test reads it."""
    root = tmp_path_factory.mktemp("fleet")
    sites = {host: build_site(root, host, PAGES) for host in HOSTS}
    folder = root / "project"
    folder.mkdir()
    project = Project(folder)
    project.write_config(fleet_config(sites, DELAY))
    server = RedisServer(root).start()
    processes = []
    try:
        store = spawn(project, "run", "--redis", server.url)
        workers = [spawn(project, "worker", "--redis", server.url, "--name", f"w{n}", "--claim-after", "2")
                   for n in (1, 2)]
        processes += [store, *workers]
        fetched = lambda: sum(len([p for p, _ in site.times if p.startswith("/r/")]) for site in sites.values())
        wait_for(lambda: fetched() >= 6, 60, "the crawl did not start:\n" + logs(project))
        wait_for(lambda: query(project, "SELECT count(*) FROM workers")[0][0] == 2, 30,
                 "the store did not hear both workers")
        workers[0].send_signal(signal.SIGKILL)   # mid-crawl, requests in hand
        workers[0].wait(10)
        wait_for(lambda: fetched() >= 15, 60, "the crawl did not go on after a worker was killed")
        server.stop()                            # Redis gone with its queue ...
        time.sleep(1.0)
        server.start()                           # ... and back, empty
        wait_for(lambda: finished_runs(project) == len(HOSTS), 120,
                 "the crawl did not finish after Redis came back:\n" + logs(project))
        # The dispatcher sends within a second or two of a page; its heartbeat says it is done.
        expected = query(project, "SELECT count(*) FROM alerts")[0][0]
        wait_for(lambda: len(project.alerts()) >= expected, 30, "alerts were not delivered")
        # The killed worker's heartbeat stopped: a health problem once the store has looked again.
        wait_for(lambda: query(project, "SELECT count(*) FROM health_problems WHERE source = 'worker:w1' "
                                        "AND closed_at IS NULL")[0][0], 40, "the silent worker was not reported")
        status = project.ok("status", "--format", "json").json_lines()
    finally:
        for process in processes:
            stop(process)
        server.stop()
        for site in sites.values():
            site.stop()
    return {"project": project, "sites": sites, "status": status, "store": processes[0], "logs": logs(project)}


def test_every_page_stored_once_and_every_alert_sent_once(fleet):
    project = fleet["project"]
    pages = query(project, "SELECT source, count(*) FROM pages GROUP BY source")
    assert sorted(pages) == [(f"site{host}", PAGES + 1) for host in HOSTS], fleet["logs"]
    # One snapshot per page though pages were fetched again after the kill and the restart.
    assert query(project, "SELECT count(*), count(DISTINCT page_id) FROM snapshots")[0] == ((PAGES + 1) * 3,) * 2
    mentioned = query(project, "SELECT count(DISTINCT page_id) FROM mentions")[0][0]
    assert mentioned == PAGES * len(HOSTS)
    alerts = project.alerts()
    ids = [alert["id"] for alert in alerts]
    assert alerts and len(ids) == len(set(ids)) == query(project, "SELECT count(*) FROM alerts")[0][0]
    assert query(project, "SELECT count(*) FROM deliveries WHERE status != 'sent'")[0][0] == 0
    reasons = query(project, "SELECT source, finish_reason, fetched FROM runs ORDER BY source")
    assert [(source, reason) for source, reason, _ in reasons] == [(f"site{h}", "finished") for h in HOSTS]
    assert "Traceback" not in fleet["logs"]


def test_work_of_a_killed_worker_is_taken_over_and_a_lost_queue_pushed_again(fleet):
    text = fleet["logs"]
    assert "took over" in text or "pushed again" in text
    assert "Redis lost its queue" in text
    # The surviving worker did the rest: its heartbeat says so.
    workers = {row["worker"]: row for row in fleet["status"] if "worker" in row}
    assert set(workers) == {"w1", "w2"}
    assert workers["w2"]["pages"] > workers["w1"]["pages"]
    assert "worker_silent" in workers["w1"]["problems"] and not workers["w2"]["problems"]


def test_one_host_is_never_fetched_faster_than_its_delay_across_workers(fleet):
    for host, site in fleet["sites"].items():
        gaps = page_gaps(site)
        assert len(gaps) >= PAGES
        # Two workers without the gate would fetch a host at once (gaps near 0). The gate is taken just
        # before the send and held 50 ms past the delay, so gaps are 0.45 s; but the time from a worker's
        # gate to the site varies with the machine's load. In a full run of the suite on two cores one
        # request reached the site 200 ms after its gate: the gap before it 0.65 s, the one after 0.25.
        assert sorted(gaps)[len(gaps) // 2] >= DELAY, (host, sorted(gaps))
        assert min(gaps) >= DELAY / 2, (host, sorted(gaps)[:3])


def test_status_lists_the_workers_and_the_queue(fleet):
    queue = [row for row in fleet["status"] if "queue" in row]
    assert len(queue) == 1 and queue[0]["requests"] == 0 and queue[0]["items"] == 0
    workers = [row for row in fleet["status"] if "worker" in row]
    for row in workers:
        assert {"last_heartbeat", "pages_per_min", "errors", "state"} <= row.keys()


def test_a_worker_without_redis_says_so_in_one_line(project):
    project.write_config('[vigil]\ndatabase = "vigil.db"\n')
    result = project.vigil("worker", "--redis", f"redis://127.0.0.1:{free_port()}/0")
    assert result.returncode == 1 and "cannot reach Redis" in result.stderr and "Traceback" not in result.stderr


def test_everyday_commands_do_not_load_redis(project):
    """Redis is imported only by `vigil worker` and `vigil run --redis`: a desk without it loses nothing."""
    project.write_config('[vigil]\ndatabase = "vigil.db"\n')
    code = ("import sys\nfrom crawler.cli import main\n"
            f"for args in (['--help'], ['--config', {str(project.config)!r}, 'status']):\n"
            "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
            "print('LOADED', sorted(m for m in ('redis', 'scrapy_redis') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project.path,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert "LOADED []" in result.stdout, result.stdout + result.stderr


def test_a_store_killed_mid_crawl_ingests_what_it_had_not_acknowledged(tmp_path):
    sites = {host: build_site(tmp_path, host, 8) for host in (5, 6)}
    folder = tmp_path / "project"
    folder.mkdir()
    project = Project(folder)
    project.write_config(fleet_config(sites, 0.2))
    server = RedisServer(tmp_path).start()
    processes = []
    try:
        store = spawn(project, "run", "--redis", server.url)
        processes += [store, spawn(project, "worker", "--redis", server.url, "--name", "w1")]
        wait_for(lambda: stored_pages(project) >= 4, 60, "the crawl did not start:\n" + logs(project))
        assert finished_runs(project) == 0   # killed mid-crawl
        store.send_signal(signal.SIGKILL)   # results keep coming into Redis; nobody acknowledges them
        store.wait(10)
        time.sleep(2.0)
        processes.append(spawn(project, "run", "--redis", server.url))
        wait_for(lambda: finished_runs(project) == 2, 90, "the restarted store did not crawl again:\n" + logs(project))
    finally:
        for process in processes:
            stop(process)
        server.stop()
        for site in sites.values():
            site.stop()
    # Every page once, with one snapshot; each alert once, though pages came from the killed crawl and the next.
    assert sorted(query(project, "SELECT source, count(*) FROM pages GROUP BY source")) == [("site5", 9), ("site6", 9)]
    assert query(project, "SELECT count(*), count(DISTINCT page_id) FROM snapshots")[0] == (18, 18)
    reasons = sorted(reason for (reason,) in query(project, "SELECT finish_reason FROM runs"))
    assert reasons == ["finished", "finished", "killed", "killed"], logs(project)
    ids = [alert["id"] for alert in project.alerts()]
    assert len(ids) == len(set(ids)) == query(project, "SELECT count(*) FROM alerts")[0][0] > 0


def test_a_silent_worker_is_a_problem_until_heard_and_forgotten_after_a_week(tmp_path):
    project = Project(tmp_path)
    project.write_config('[vigil]\ndatabase = "vigil.db"\nworker_silent_after = 60\n')
    config = load_config(project.config)
    server = RedisServer(tmp_path).start()
    try:
        db = open_database(config.database)
        store = Fleet(server.url, db)
        store.open()
        ago = lambda **delta: format_iso(datetime.now(timezone.utc) - timedelta(**delta))
        beats = {name: {"name": name, "seen_at": ago(minutes=minutes), "state": "running", "pages": 3}
                 for name, minutes in (("gone", 8 * 24 * 60), ("silent", 5), ("alive", 0))}
        with db.atomic():   # as the store last heard them
            for name, beat in beats.items():
                workers.record_workers(db, [beat], beat["seen_at"])
        for name, beat in beats.items():
            store.client.hset(rq.WORKERS, name, rq.encode(beat))
        store.turn(config)
        names = [row["name"] for row in workers.list_workers(db)]
        problems = {row["source"] for row in db.query("SELECT source FROM health_problems WHERE closed_at IS NULL")}
        assert names == ["alive", "silent"] and problems == {"worker:silent"}
        assert store.client.hkeys(rq.WORKERS) and b"gone" not in store.client.hkeys(rq.WORKERS)
        beats["silent"]["seen_at"] = ago(seconds=0)   # heard again
        store.client.hset(rq.WORKERS, "silent", rq.encode(beats["silent"]))
        store.next_status = 0
        store.turn(config)
        assert not list(db.query("SELECT * FROM health_problems WHERE closed_at IS NULL"))
        store.stop()
    finally:
        server.stop()


def test_an_extraction_crosses_from_worker_to_store_whole():
    # Every field, a PDF's page starts and a hint to render included: the store must ingest what a
    # crawl process would have, or a mention in a PDF crawled by a worker would lose its page.
    from crawler.service import redisqueue as rq
    from crawler.text.extract import Extraction
    from crawler.text.hubs import Teaser

    extraction = Extraction(title="Доклад", date="2026-12-01", lang="ru", text="Первая.\nОлег Орлов.", canonical_url=None,
                            failure=None, teasers=(Teaser("http://127.0.0.1/a", "Олег Орлов"),), extractor="pdf 1",
                            page_starts=(0, 8), render_hint="set render = true")
    carried = rq.unpack_extraction(rq.decode(rq.encode({"extraction": rq.pack_extraction(extraction)}))["extraction"])
    assert carried == extraction
    assert carried.page_at(10) == 2
