"""Redis workers benchmark: one cycle of `vigil run` alone, and of `vigil run --redis` with 1 and 2 `vigil worker`s.

The sites of bench/fleet.py (N sources on 127.0.0.2, 127.0.0.3, ..., P pages each, one host
per source) and a redis-server of its own on a free port. Printed side by side, in one run:

- cycle: seconds from the start until every source finished one crawl, beside the polite
  limit (P + 2) x delay; peak memory of all the processes together (RSS and PSS); CPU time;
- the single writer's ingest rate: pages per second the store ingests (snapshot, diff,
  story, matching, outbox, one transaction each) when results wait for it in Redis. Two
  workers fetch and extract every page first while the store does not read; then the store
  drains the backlog alone, timed. How many workers one store can feed is this rate over
  one worker's rate.

    python bench/redis_fleet.py                            # 30 sources x 20 pages, delay 0.5, then delay 0
    python bench/redis_fleet.py --sources 60 --pages 20 --delays 0

Runs on loopback only; needs redis-server; stops by itself (--timeout).
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import fleet  # noqa: E402  (bench/fleet.py: the sites and the config)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    import redis

    port = free_port()
    process = subprocess.Popen([shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            if redis.Redis(port=port).ping():
                break
        except redis.RedisError:
            time.sleep(0.1)
    return process, f"redis://127.0.0.1:{port}/0"


def vigil(work: Path, *args: str, log: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with open(work / log, "w") as out:
        return subprocess.Popen([sys.executable, "-m", "crawler", "--config", str(work / "vigil.toml"), *args],
                                cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def one_cycle(sources: int, pages: int, delay: float, port: int, workers: int | None, timeout: float) -> dict:
    """`vigil run` alone (workers None), or with --redis and that many workers; until every source is done."""
    work = Path(tempfile.mkdtemp(prefix="vigil-redis-bench-"))
    (work / "vigil.toml").write_text(fleet.config_text(sources, port, delay))
    redis_server, url = start_redis(work) if workers is not None else (None, None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    processes = [vigil(work, "run", *(["--redis", url] if url else []), log="store.log")]
    processes += [vigil(work, "worker", "--redis", url, "--name", f"w{n}", log=f"worker{n}.log")
                  for n in range(workers or 0)]
    watched = [psutil.Process(p.pid) for p in processes]
    peak = peak_pss = 0
    done = 0
    next_look = 0.0
    try:
        while time.monotonic() - started < timeout:
            rss = pss = 0
            for process in watched:
                total, shared, _ = fleet.family_memory(process)
                rss, pss = rss + total, pss + shared
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            if time.monotonic() >= next_look:
                done = fleet.finished_sources(work / "vigil.db")[0]
                next_look = time.monotonic() + 0.5
                if done >= sources:
                    break
            time.sleep(0.2)
        cycle = time.monotonic() - started
    finally:
        for process in processes:
            stop(process)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)   # every vigil process, once waited for
        if redis_server is not None:
            redis_server.kill()
            redis_server.wait()
        shutil.rmtree(work, ignore_errors=True)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"cycle": cycle, "done": done, "cpu": cpu, "peak_mb": peak / 2**20,
            "pss_mb": peak_pss / 2**20, "complete": done >= sources}


def ingest_rate(sources: int, pages: int, port: int, timeout: float) -> tuple[int, float]:
    """(pages, seconds): the store ingesting a backlog of results that two workers pushed to Redis."""
    from crawler.service.configload import load_config
    from crawler.service.redisingest import Fleet
    from storage.db import open_database

    work = Path(tempfile.mkdtemp(prefix="vigil-ingest-bench-"))
    (work / "vigil.toml").write_text(fleet.config_text(sources, port, 0.0))
    redis_server, url = start_redis(work)
    workers = []
    try:
        config = load_config(work / "vigil.toml")
        db = open_database(config.database)
        store = Fleet(url, db)
        store.open()
        for source in config.sources:
            store.start_crawl(config, source.name)
        workers = [vigil(work, "worker", "--redis", url, "--name", f"w{n}", log=f"worker{n}.log") for n in range(2)]
        deadline = time.monotonic() + timeout
        # The front pages first: their links are the backlog's requests.
        while any(crawl.seq <= 1 for crawl in store.crawls.values()) and time.monotonic() < deadline:
            store.turn(config)
            time.sleep(0.05)
        while store.waiting()[0] and time.monotonic() < deadline:   # every page fetched and pushed
            time.sleep(0.2)
        crawls = list(store.crawls.values())
        before = sum(crawl.context.figures.fetched for crawl in crawls)
        started = time.monotonic()
        while store.crawls and time.monotonic() < deadline:
            store.turn(config)
        seconds = time.monotonic() - started
        if store.crawls:
            raise SystemExit(f"the store did not finish ingesting within {timeout:.0f} s")
        return sum(crawl.context.figures.fetched for crawl in crawls) - before, seconds
    finally:
        for process in workers:
            stop(process)
        redis_server.kill()
        redis_server.wait()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=30)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--delays", type=float, nargs="+", default=[0.5, 0.0])
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        sys.exit("needs redis-server (Debian: apt-get install redis-server)")
    port = free_port()
    server_code = (f"import asyncio, sys; sys.path.insert(0, {str(REPO / 'bench')!r}); import fleet; "
                   f"asyncio.run(fleet.serve({args.sources}, {args.pages}, int(sys.argv[1])))")
    server = subprocess.Popen([sys.executable, "-c", server_code, str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "serving"
        total = args.sources * (args.pages + 1)
        print(f"{args.sources} sources x {args.pages} pages ({total} pages); {os.cpu_count()} cores")
        print(f"{'delay':>5} {'setup':<26} {'cycle s':>8} {'x limit':>8} {'pages/s':>8} {'peak MB':>8} "
              f"{'peak PSS MB':>12} {'CPU s':>6} {'CPU ms/page':>12}")
        for delay in args.delays:
            limit = (args.pages + 2) * delay
            for label, workers in (("vigil run", None), ("vigil run --redis, 1 worker", 1),
                                   ("vigil run --redis, 2 workers", 2)):
                result = one_cycle(args.sources, args.pages, delay, port, workers, args.timeout)
                cycle = f"{result['cycle']:.1f}" if result["complete"] else f">{result['cycle']:.0f}"
                ratio = f"{result['cycle'] / limit:.2f}" if limit else "-"
                print(f"{delay:>5} {label:<26} {cycle:>8} {ratio:>8} {total / result['cycle']:>8.1f} "
                      f"{result['peak_mb']:>8.0f} {result['pss_mb']:>12.0f} {result['cpu']:>6.1f} "
                      f"{1000 * result['cpu'] / total:>12.1f}", flush=True)
        pages, seconds = ingest_rate(args.sources, args.pages, port, args.timeout)
        print(f"single writer: {pages} pages ingested in {seconds:.1f} s: {pages / seconds:.1f} pages/s", flush=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
