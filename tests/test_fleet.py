"""Many sources at once: each keeps its own politeness, writers never end each other, a dead process loses nothing."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import REPO, page

from crawler.service.localsite import LocalSite

pytestmark = pytest.mark.e2e

WORDS = ("lawyers journalists students teachers doctors farmers miners pensioners artists bloggers priests "
         "searches summonses fines arrests raids dismissals threats beatings trials warnings").split()


def article(host: int, n: int) -> str:
    words = [WORDS[(host * 5 + n * 7 + i * 3) % len(WORDS)] for i in range(10)]
    return page(f"Report {n} of site {host}",
                f"Site {host}, report {n}: the group documented {' and '.join(words[:4])} in district {n * 17}.",
                f"Witnesses described {', '.join(words[4:7])} during {n + 3} days.",
                f"Oleg Orlov and the group call for an end to the {' and '.join(words[7:])}.")


def build_site(root, host: int, pages: int) -> LocalSite:
    site = LocalSite(root / f"site{host}", host=f"127.0.0.{host}").start()
    site.write("robots.txt", "User-agent: *\n")
    links = "".join(f'<li><a href="/r/{n}.html">Report {n}</a></li>' for n in range(pages))
    site.write("index.html", page(f"Site {host}", "The latest reports.", f"</p><ul>{links}</ul><p>End."))
    for n in range(pages):
        site.write(f"r/{n}.html", article(host, n))
    return site


def fleet_config(sites: dict[int, LocalSite], delays: dict[int, float]) -> str:
    sources = "".join(f"""
[[sources]]
name = "site{host}"
start_urls = ["{site.url}/"]
max_depth = 1
delay = {delays.get(host, 0)}
concurrency = 4
schedule = "every 1h"
""" for host, site in sites.items())
    return f"""
[vigil]
database = "vigil.db"
allow_private_networks = ["127.0.0.0/8"]
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


@pytest.fixture
def sites(tmp_path):
    made = {}

    def make(host: int, pages: int) -> LocalSite:
        made[host] = build_site(tmp_path, host, pages)
        return made[host]

    yield make
    for site in made.values():
        site.stop()


def spawn(project, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("VIGIL_CONFIG", None)
    return subprocess.Popen([sys.executable, "-m", "crawler", "--config", str(project.config), *args],
                            cwd=project.path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def gaps(site: LocalSite) -> list[float]:
    times = [t for path, t in site.times if path.startswith("/r/")]
    return [b - a for a, b in zip(times, times[1:])]


def test_sources_crawled_side_by_side_each_keep_their_own_delay(sites, project):
    slow, fast = sites(2, 6), sites(3, 30)
    project.write_config(fleet_config({2: slow, 3: fast}, {2: 0.6, 3: 0}))
    result = project.ok("crawl")
    assert "site2: 7 fetched" in result.stdout and "site3: 31 fetched" in result.stdout
    # A delay is a floor: never a request sooner (the site's clock may read a hair early).
    assert min(gaps(slow)) >= 0.58
    # The fast source did not wait for the slow one: it was done before the slow one's third page.
    slow_times = [t for path, t in slow.times if path.startswith("/r/")]
    assert max(t for path, t in fast.times) < slow_times[2]


def test_concurrent_writers_wait_for_each_other(sites, project):
    """Two crawl processes, the dispatcher and `vigil watch` at once: none fails on a locked database."""
    first, second = sites(2, 40), sites(3, 40)
    project.write_config(fleet_config({2: first, 3: second}, {}))
    crawls = [spawn(project, "crawl", "site2"), spawn(project, "crawl", "site3")]
    others = []
    while any(c.poll() is None for c in crawls):
        others.append(spawn(project, "watch", "add", "defenders", f"Person Number{len(others)}"))
        others.append(spawn(project, "deliver"))
        for process in others[-2:]:
            process.wait(60)
    outputs = [(p.wait(120), *p.communicate()) for p in crawls + others]
    for code, out, err in outputs:
        assert code == 0 and "locked" not in err and "Traceback" not in err, err
    assert len(others) >= 2
    with sqlite3.connect(project.path / "vigil.db") as db:
        assert db.execute("SELECT count(*) FROM pages").fetchone()[0] == 82
        reasons = [r for (r,) in db.execute("SELECT finish_reason FROM runs")]
    assert reasons == ["finished", "finished"]


def test_a_killed_crawl_process_leaves_every_other_page_whole(sites, project):
    slow, other = sites(2, 30), sites(3, 30)
    project.write_config(fleet_config({2: slow, 3: other}, {2: 0.3, 3: 0.3}))
    crawl = spawn(project, "crawl")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (len(gaps(slow)) < 5 or len(gaps(other)) < 5):
        time.sleep(0.05)
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(30)
    with sqlite3.connect(project.path / "vigil.db") as db:
        stored = db.execute("SELECT source, count(*) FROM pages GROUP BY source").fetchall()
        snapshots = db.execute("SELECT count(*) FROM snapshots").fetchone()[0]
        mentions = db.execute("SELECT count(DISTINCT page_id) FROM mentions").fetchone()[0]
        stories = db.execute("SELECT count(DISTINCT story_id) FROM mentions").fetchone()[0]
        alerts = db.execute("SELECT count(*) FROM alerts").fetchone()[0]
    assert len(stored) == 2 and all(count >= 3 for _, count in stored)
    # Every page stored is whole: its snapshot, for each article its mention, for each story its alert.
    assert snapshots == sum(count for _, count in stored)
    assert mentions == snapshots - 2 and alerts == stories
    # The next crawl marks nothing lost and finishes both.
    result = project.ok("crawl")
    assert result.stdout.count("(finished)") == 2
    with sqlite3.connect(project.path / "vigil.db") as db:
        assert db.execute("SELECT count(*) FROM pages").fetchone()[0] == 62


def test_a_crawl_keeps_fetching_while_another_process_holds_the_write_lock(sites, project):
    """Ingestion that finds the database locked looks again a moment later instead of sleeping in
    SQLite's busy handler, which held up every download of the process (and so every polite
    request) until the lock was free."""
    site = sites(2, 30)
    project.write_config(fleet_config({2: site}, {}))
    crawl = spawn(project, "crawl")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not site.times:
        time.sleep(0.01)
    holder = sqlite3.connect(project.path / "vigil.db", isolation_level=None, timeout=30)
    holder.execute("BEGIN IMMEDIATE")   # another writer, in the middle of a long transaction
    try:
        while time.monotonic() < deadline and len([p for p, _ in site.times if p.startswith("/r/")]) < 30:
            time.sleep(0.05)
        # Every page was fetched while nothing could be written.
        assert len([p for p, _ in site.times if p.startswith("/r/")]) == 30
        assert crawl.poll() is None
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    out, err = crawl.communicate(timeout=120)
    assert crawl.returncode == 0 and "locked" not in err and "Traceback" not in err, err
    with sqlite3.connect(project.path / "vigil.db") as db:
        assert db.execute("SELECT count(*) FROM pages").fetchone()[0] == 31
        assert db.execute("SELECT count(*) FROM mentions").fetchone()[0] == 30
