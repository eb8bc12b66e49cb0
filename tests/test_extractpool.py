"""Extraction in worker processes gives the same results, and no worker outlives its crawl."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

from conftest import REPO, page, simple_config, without_hanging
from crawler.core.processes import process_alive


def test_a_crawl_with_extraction_workers_finds_the_same(site, project):
    site.write("index.html", page("Centre", "We document persecution.", '</p><a href="/a.html">A</a><p>'))
    site.write("a.html", page("Statement", "Oleg Orlov was detained in Moscow on Monday evening.",
                              "His lawyers were not allowed to see him for six hours."))
    project.write_config(simple_config(site.url))
    result = project.ok("crawl", env={"VIGIL_EXTRACT_WORKERS": "2"})
    assert "new 2" in result.stdout and "alerts sent 1" in result.stdout
    assert project.alerts()[0]["mentions"][0]["matched"] == "Oleg Orlov"


def test_workers_die_with_the_crawl_process_however_it_ends():
    script = (
        "import os, sys, time\n"
        "from crawler.text.extractpool import ExtractionPool\n"
        "pool = ExtractionPool(2)\n"
        "print(' '.join(str(p) for p in pool.pids()), flush=True)\n"
        "os._exit(1)  # as a crawl does on a full disk; no shutdown of the pool\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    # communicate() returned within the timeout: no worker kept the crawl's stdout open.
    pids = [int(p) for p in result.stdout.split()]
    assert len(pids) == 2, result.stderr
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(process_alive(pid) for pid in pids):
        time.sleep(0.05)
    assert not any(process_alive(pid) for pid in pids)


def test_a_worker_returns_the_text_its_signature_and_the_mentions_the_crawl_would_find():
    from alerts.matching.matcher import Matcher
    from crawler.core.terms import Term
    from crawler.text.dedupe import signature
    from crawler.text.extractors import extract
    from crawler.text.extractpool import ExtractionPool

    matcher = Matcher([Term(name="Oleg Orlov", watchlist="defenders")])
    body = page("Statement", "Oleg Orlov was detained in Moscow on Monday evening.",
                "His lawyers were not allowed to see him for six hours.").encode()
    pool = ExtractionPool(1, matcher)
    pids = pool.pids()

    async def ask():
        return await pool.submit(body, "http://127.0.0.1/a.html", "text/html")
    try:
        extraction, text_signature, found = asyncio.run(ask())
    finally:
        pool.close()
    here = extract(body, "http://127.0.0.1/a.html", "text/html")
    assert extraction == here and text_signature == signature(here.text)
    assert found == matcher.find(here.text) and [m.matched for m in found] == ["Oleg Orlov"]
    assert pids and not any(process_alive(pid) for pid in pids)   # stopped and reaped when closed


def test_a_pool_whose_worker_died_fails_its_pages_and_is_given_up():
    import signal

    import pytest

    from crawler.text.extractpool import ExtractionPool, WorkersGone

    pool = ExtractionPool(1)
    os.kill(pool.pids()[0], signal.SIGKILL)   # as the kernel's OOM killer would

    async def ask():
        return await pool.submit(page("Statement", "Text.").encode(), "http://127.0.0.1/a.html", "text/html")
    try:
        with pytest.raises(WorkersGone):
            asyncio.run(ask())
        assert pool.broken and not pool.usable()   # the crawl then extracts in a thread (pipelines.py)
    finally:
        pool.close()


def test_the_event_loop_never_waits_on_a_worker_that_is_not_reading():
    """A worker busy with a slow page (here: stopped) while the crawl hands it more than its socket
    holds: the event loop goes on (its other callbacks run) and every page is answered once the
    worker reads again. A blocking write held every download of the crawl process meanwhile."""
    import signal

    from crawler.text.extractpool import ExtractionPool

    pool = ExtractionPool(1)
    pool.IN_FLIGHT_BYTES = 4 * 1024 * 1024   # far more than a socket buffers
    bodies = [page(f"Statement {n}", f"Statement number {n}.", "x" * 60_000).encode() for n in range(40)]
    worker = pool.pids()[0]

    async def ask():
        os.kill(worker, signal.SIGSTOP)
        futures = [pool.submit(body, f"http://127.0.0.1/{n}.html", "text/html") for n, body in enumerate(bodies)]
        ticks = 0
        for _ in range(20):   # the loop turns while 2.4 MB wait for a worker that reads nothing
            await asyncio.sleep(0.01)
            ticks += 1
        os.kill(worker, signal.SIGCONT)
        return ticks, await asyncio.wait_for(asyncio.gather(*futures), 60)
    try:
        ticks, answers = without_hanging(asyncio.run, ask(), timeout=60)
    finally:
        os.kill(worker, signal.SIGCONT)
        pool.close()
    assert ticks == 20
    assert [extraction.title for extraction, _, _ in answers] == [f"Statement {n}" for n in range(40)]
