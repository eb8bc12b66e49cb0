"""Fleet benchmark: one cycle of `vigil run` over N polite sources, each a host of its own.

N sources on 127.0.0.2, 127.0.0.3, ... (each address is a host, with its own politeness),
P pages each linked from a front page, `delay` seconds between requests to one host. One
asyncio server process serves them all. The daemon is started on a fresh database and
stopped once every source has finished one crawl. Printed per code tree:

- cycle: seconds from the daemon's start until the last source's first crawl finished (as
  the runs table records it), beside the polite limit, (P + 2) x delay: the front page, P
  pages and robots.txt, one after another on each host; and where the cycle went: seconds
  until the first crawl started, the longest and the median crawl of one source, and the
  seconds between two requests to one host as the sites saw them (mean and 90th
  percentile: politeness alone makes them `delay`, the rest is the crawler's lateness), and
  the median seconds from a crawl's start to its first request and from its last request to
  its end;
- peak memory of the daemon and all its children together, sampled every 0.2 s: RSS added
  up, and PSS added up (the libraries every process maps counted once), and the largest
  worker's RSS;
- the CPU time of the daemon and its workers, in all and per page;
- crawls ended by a locked database, and crawls that did not finish.

    python bench/fleet.py                              # 200 sources x 20 pages, delay 0.5
    python bench/fleet.py --sources 30 --pages 12
    python bench/fleet.py --compare-with ../old-checkout   # the same run on another tree, side by side

Runs on loopback only; stops by itself (--timeout).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent

WORDS = ("court police detained activist lawyer report torture prison colony sentence appeal human rights "
         "defender journalist investigation authorities region protest statement release charges trial week "
         "monday evening family witness evidence prosecutor hearing judge ruling organisation monitoring").split()


def article(host: int, n: int) -> bytes:
    """A statement page of about 8 KB: navigation, six paragraphs, a sidebar and a footer."""
    def sentence(k: int) -> str:
        words = [WORDS[(host * 31 + n * 17 + k * 7 + i * 3) % len(WORDS)] for i in range(16)]
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    paragraphs = "".join(f"<p>{' '.join(sentence(p * 5 + s) for s in range(5))}</p>" for p in range(6))
    nav = "".join(f'<li><a href="/section/{i}/">Section {i}</a></li>' for i in range(12))
    side = "".join(f"<li>{sentence(100 + i)[:50]}</li>" for i in range(8))
    naming = " Oleg Orlov was named in the appeal." if n % 5 == 0 else ""
    return (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Statement {n} of site {host}</title>"
            f"</head><body><header><nav><ul>{nav}</ul></nav></header><main><article><h1>Statement {n}</h1>"
            f"{paragraphs}<p>The group calls for release.{naming}</p></article></main>"
            f"<aside><ul>{side}</ul></aside><footer>All rights reserved.</footer></body></html>").encode()


def front(host: int, pages: int) -> bytes:
    links = "".join(f'<li><a href="/s/{n}.html">Statement {n}</a></li>' for n in range(pages))
    return (f"<!DOCTYPE html><html><head><meta charset=utf-8><title>Site {host}</title></head><body><main>"
            f"<h1>Site {host}</h1><p>Latest statements of the group.</p><ul>{links}</ul></main></body></html>").encode()


async def serve(sources: int, pages: int, port: int) -> None:
    """Every site, on 127.0.0.2 ... at `port`; HTTP/1.1 with keep-alive, from memory."""
    bodies = {}
    for host in range(sources):
        bodies[(host, "/")] = front(host, pages)
        bodies[(host, "/robots.txt")] = b"User-agent: *\n"
        for n in range(pages):
            bodies[(host, f"/s/{n}.html")] = article(host, n)

    arrivals: dict[int, list[float]] = {}   # each host's request times, for /_gaps

    def gaps_report() -> bytes:
        """Seconds between one host's requests, over every host: what politeness alone would make
        `delay`; the rest is the crawler's lateness. Read once per cycle, then forgotten."""
        gaps = sorted(b - a for times in arrivals.values() for a, b in zip(times, times[1:]))
        spans = {f"site{host}": (times[0], times[-1]) for host, times in arrivals.items()}
        arrivals.clear()
        pick = (lambda share: gaps[min(len(gaps) - 1, int(share * len(gaps)))]) if gaps else (lambda share: 0.0)
        return json.dumps({"mean": sum(gaps) / len(gaps) if gaps else 0.0, "median": pick(0.5),
                           "p90": pick(0.9), "max": pick(1.0), "spans": spans}).encode()

    def handler_for(host: int):
        async def handle(reader, writer):
            try:
                while True:
                    request = await reader.readuntil(b"\r\n\r\n")
                    path = request.split(b" ", 2)[1].decode("latin-1")
                    if path == "/_gaps":
                        report = gaps_report()
                        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: " + str(len(report)).encode()
                                     + b"\r\n\r\n" + report)
                        await writer.drain()
                        continue
                    arrivals.setdefault(host, []).append(time.time())
                    body = bodies.get((host, path))
                    status = b"200 OK" if body is not None else b"404 Not Found"
                    body = body if body is not None else b"not found"
                    kind = b"text/plain" if path.endswith(".txt") or status != b"200 OK" else b"text/html; charset=utf-8"
                    writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: " + kind +
                                 b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
                pass
            finally:
                writer.close()
        return handle

    servers = [await asyncio.start_server(handler_for(host), f"127.0.0.{host + 2}", port)
               for host in range(sources)]
    print("serving", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


def config_text(sources: int, port: int, delay: float, processes: int | None = None,
                concurrent: int | None = None) -> str:
    blocks = "".join(textwrap.dedent(f"""
        [[sources]]
        name = "site{host}"
        start_urls = ["http://127.0.0.{host + 2}:{port}/"]
        max_depth = 1
        delay = {delay}
        concurrency = 1
        schedule = "every 6h"
        """) for host in range(sources))
    return textwrap.dedent("""
        [vigil]
        database = "vigil.db"
        allow_private_networks = ["127.0.0.0/8"]
        """) + (f"crawl_processes = {processes}\n" if processes else "") \
        + (f"max_concurrent_crawls = {concurrent}\n" if concurrent else "") + blocks + textwrap.dedent("""
        [[watchlists]]
        name = "defenders"
        [[watchlists.terms]]
        name = "Oleg Orlov"

        [[subscribers]]
        name = "desk"
        watchlists = ["defenders"]
        channels = ["file://alerts.jsonl"]
        """)


def family_memory(process: psutil.Process, cpu: dict[int, float]) -> tuple[int, int, int]:
    """RSS of the process and all its children together, their PSS together (shared pages, such
    as the libraries every worker maps, counted once), and the RSS of the largest child. Each
    member's CPU time so far goes into `cpu` (by pid): workers forked by a fork server are not
    the daemon's children for the kernel's accounting, so it is sampled."""
    total = pss = largest = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            info = member.memory_full_info()
            times = member.cpu_times()
        except psutil.Error:
            continue
        cpu[member.pid] = times.user + times.system
        total += info.rss
        pss += info.pss
        if member.pid != process.pid:
            largest = max(largest, info.rss)
    return total, pss, largest


def finished_sources(db_path: Path) -> tuple[int, int, int]:
    """(sources with a finished crawl, crawls that did not finish, crawls ended by a lock)."""
    if not db_path.exists():
        return 0, 0, 0
    try:
        with sqlite3.connect(db_path, timeout=5) as db:
            done = db.execute("SELECT count(DISTINCT source) FROM runs WHERE finish_reason = 'finished'").fetchone()[0]
            bad = db.execute("SELECT count(*) FROM runs WHERE finished_at IS NOT NULL "
                             "AND finish_reason != 'finished'").fetchone()[0]
            locked = db.execute("SELECT count(*) FROM errors WHERE reason LIKE '%locked%'").fetchone()[0]
        return done, bad, locked
    except sqlite3.Error:
        return 0, 0, 0


def timeline(db_path: Path, wall_start: float) -> dict:
    """Seconds from `wall_start` to the first crawl's start and the last one's finish, and the
    longest and median crawl of one source, from the runs the daemon recorded."""
    with sqlite3.connect(db_path, timeout=5) as db:
        rows = db.execute("SELECT started_at, finished_at, source FROM runs WHERE finish_reason = 'finished'").fetchall()

    def seconds(stamp: str) -> float:
        return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()

    spans = sorted((seconds(start), seconds(end)) for start, end, _ in rows)
    runs = {source: (seconds(start), seconds(end)) for start, end, source in rows}
    lengths = sorted(end - start for start, end in spans)
    return {"first_start": spans[0][0] - wall_start, "last_end": max(end for _, end in spans) - wall_start,
            "longest": lengths[-1], "median": lengths[len(lengths) // 2], "runs": runs}


def one_cycle(tree: Path, sources: int, pages: int, delay: float, port: int, timeout: float,
              processes: int | None = None, concurrent: int | None = None) -> dict:
    work = Path(tempfile.mkdtemp(prefix="vigil-fleet-"))
    (work / "vigil.toml").write_text(config_text(sources, port, delay, processes, concurrent))
    env = {**os.environ, "PYTHONPATH": str(tree)}
    log = open(work / "daemon.log", "w")
    cpu_by_pid: dict[int, float] = {}
    started, wall_start = time.monotonic(), time.time()
    daemon = subprocess.Popen([sys.executable, "-m", "crawler", "--config", str(work / "vigil.toml"), "run"],
                              cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    watched = psutil.Process(daemon.pid)
    peak, peak_pss, peak_child, done, bad, locked = 0, 0, 0, 0, 0, 0
    next_look = 0.0
    while time.monotonic() - started < timeout and daemon.poll() is None:
        total, pss, child = family_memory(watched, cpu_by_pid)
        peak, peak_pss, peak_child = max(peak, total), max(peak_pss, pss), max(peak_child, child)
        if time.monotonic() >= next_look:
            done, bad, locked = finished_sources(work / "vigil.db")
            next_look = time.monotonic() + 1.0
            if done >= sources:
                break
        time.sleep(0.2)
    cycle = time.monotonic() - started   # to the poll that saw the last crawl finished
    daemon.send_signal(signal.SIGTERM)
    try:
        daemon.wait(30)
    except subprocess.TimeoutExpired:
        daemon.kill()
    log.close()
    cpu = sum(cpu_by_pid.values())
    daemon_log = (work / "daemon.log").read_text(errors="replace")
    times = timeline(work / "vigil.db", wall_start) if done >= sources else {}
    with urllib.request.urlopen(f"http://127.0.0.2:{port}/_gaps", timeout=10) as answer:
        times["gaps"] = json.loads(answer.read())
    if "runs" in times:
        pairs = [(times["runs"][source], seen) for source, seen in times["gaps"].pop("spans").items() if source in times["runs"]]
        starts = sorted(first - run[0] for run, (first, _) in pairs)
        ends = sorted(run[1] - last for run, (_, last) in pairs)
        times["gaps"]["start_lag"] = starts[len(starts) // 2]
        times["gaps"]["end_lag"] = ends[len(ends) // 2]
    cycle = times.get("last_end", cycle)
    return {**times, "cycle": cycle, "done": done, "cpu": cpu, "peak_mb": peak / 2**20, "pss_mb": peak_pss / 2**20, "child_mb": peak_child / 2**20,
            "unfinished": bad, "locked": locked
            + daemon_log.count("database is locked"), "complete": done >= sources}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.5)
    parser.add_argument("--timeout", type=float, default=600.0, help="give up on a cycle after this many seconds")
    parser.add_argument("--processes", type=int, help="crawl_processes for this tree (default: its own)")
    parser.add_argument("--concurrent", type=int, help="max_concurrent_crawls for this tree (default: its own)")
    parser.add_argument("--compare-with", type=Path, action="append", default=[],
                        help="another checkout of Vigil to run the same cycle on (repeatable)")
    args = parser.parse_args()
    if args.sources > 250:
        sys.exit("at most 250 sources (127.0.0.2 to 127.0.0.251)")

    server_code = (f"import asyncio, sys; sys.path.insert(0, {str(REPO / 'bench')!r}); import fleet; "
                   f"asyncio.run(fleet.serve({args.sources}, {args.pages}, int(sys.argv[1])))")
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-c", server_code, str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "serving"
        limit = (args.pages + 2) * args.delay
        print(f"{args.sources} sources x {args.pages} pages, delay {args.delay} s: polite limit {limit:.1f} s; "
              f"{os.cpu_count()} cores")
        print(f"{'tree':<28} {'cycle s':>8} {'x limit':>8} {'sources done':>13} {'peak MB':>8} {'peak PSS MB':>12} "
              f"{'largest child MB':>17} {'CPU s':>6} {'CPU ms/page':>12} {'unfinished':>10} {'locked':>7} "
              f"{'first crawl at':>15} {'longest crawl':>14} {'median crawl':>13} {'gap mean/p90 s':>15} "
              f"{'lag start/end s':>16}")
        for n, tree in enumerate([REPO, *args.compare_with]):
            # --processes and --concurrent set this tree's keys; another tree keeps its defaults.
            result = one_cycle(tree.resolve(), args.sources, args.pages, args.delay, port, args.timeout,
                               args.processes if n == 0 else None, args.concurrent if n == 0 else None)
            cycle = f"{result['cycle']:.1f}" if result["complete"] else f">{result['cycle']:.0f}"
            print(f"{tree.resolve().name:<28} {cycle:>8} {result['cycle'] / limit:>8.2f} "
                  f"{result['done']:>6}/{args.sources:<6} {result['peak_mb']:>8.0f} {result['pss_mb']:>12.0f} {result['child_mb']:>17.0f} "
                  f"{result['cpu']:>6.1f} {1000 * result['cpu'] / (args.sources * (args.pages + 1)):>12.1f} "
                  f"{result['unfinished']:>10} {result['locked']:>7} {result.get('first_start', 0):>15.1f} "
                  f"{result.get('longest', 0):>14.1f} {result.get('median', 0):>13.1f} "
                  f"{result['gaps']['mean']:>9.2f}/{result['gaps']['p90']:.2f} "
                  f"{result['gaps'].get('start_lag', 0):>10.2f}/{result['gaps'].get('end_lag', 0):.2f}", flush=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
