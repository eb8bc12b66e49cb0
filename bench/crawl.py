"""Crawl benchmark: raw Scrapy fetching a local site beside `vigil crawl` doing the whole job.

    python bench/crawl.py --pages 1000 10000
    python bench/crawl.py --compare-with ../old-checkout     # another tree's `vigil crawl`, side by side
    python bench/crawl.py --workers 0 1                       # a thread, then one extraction worker
    python bench/crawl.py --flamegraphs graphs/               # py-spy flame graphs of each crawl

For each size it generates a site of realistic 30-60 KB pages (some Russian, one in ten
naming watched people; ETag and Last-Modified served) and serves it from memory, every
answer pre-rendered, by one asyncio process (bench/staticserver.py), so that the server
takes as little as possible of the cores the crawls share. It then runs, alternating, raw
Scrapy and `vigil crawl` of each tree on the same sitemap (who goes first rotating from one
repeat to the next): a first crawl into an empty database and a revisit of the unchanged
site. It prints, for each: pages/s over the
crawl's own time and its ratio to raw Scrapy's (the quickest of the repeats), CPU
milliseconds per page (user + system, the crawl process and its extraction workers, the
median of the repeats, start-up left out: the median of three crawls of a 20-page site is
subtracted) and its ratio to raw Scrapy's, the server's CPU per page, peak RSS of the
crawl process and of its largest worker (with its proportional share of the pages it shares
with the crawl process, PSS, and the memory that is its own, USS), database bytes per page and bytes added per unchanged
revisit.
Figures vary with the machine's load: compare within one run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from sitegen import generate, write_sitemap  # noqa: E402

CONFIG = """
[vigil]
database = "vigil.db"
allow_private_networks = ["127.0.0.1/32"]

[[sources]]
name = "bench"
sitemaps = ["{base}/sitemap.xml"]
max_depth = 0
max_pages = {max_pages}
concurrency = {concurrency}
delay = 0

[[watchlists]]
name = "people"
[[watchlists.terms]]
name = "Oleg Orlov"
[[watchlists.terms]]
name = "Stanislav Markelov"
[[watchlists.terms]]
name = "Igor Kalyapin"
[[watchlists.terms]]
name = "Svetlana Gannushkina"

[[subscribers]]
name = "desk"
watchlists = ["people"]
channels = ["file://alerts.jsonl"]
"""
STARTUP_PAGES = 20
STARTUP_REPEATS = 3


class Run:
    """One command's figures: wall time, CPU (with its reaped children), peak RSS of it and of its children."""

    def __init__(self, cmd: list[str], cwd: Path, env: dict):
        self.rss = 0.0
        self.child_rss = 0.0
        self.child_uss = 0.0   # memory that is the worker's own, not shared with the crawl process
        self.child_pss = 0.0   # its own, plus its share of the pages it shares with the crawl process
        out_path, err_path = cwd / ".bench-out", cwd / ".bench-err"
        with open(out_path, "w") as out, open(err_path, "w") as err:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
            done = threading.Event()
            sampler = threading.Thread(target=self._sample, args=(proc.pid, done), daemon=True)
            sampler.start()
            _, status, usage = os.wait4(proc.pid, 0)
            done.set()
            sampler.join()
            self.wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{err_path.read_text()[-2000:]}")
        self.cpu = usage.ru_utime + usage.ru_stime
        if not self.child_rss:  # the kernel's peak, exact, covers only this process then
            self.rss = max(self.rss, usage.ru_maxrss / 1024)
        self.out = out_path.read_text()

    def _sample(self, pid: int, done: threading.Event) -> None:
        try:
            process = psutil.Process(pid)
            samples = 0
            while not done.wait(0.1):
                self.rss = max(self.rss, process.memory_info().rss / 2**20)
                samples += 1
                for child in process.children(recursive=True):
                    try:
                        self.child_rss = max(self.child_rss, child.memory_info().rss / 2**20)
                        if samples % 5 == 0:   # reading smaps costs more
                            full = child.memory_full_info()
                            self.child_uss = max(self.child_uss, full.uss / 2**20)
                            self.child_pss = max(self.child_pss, full.pss / 2**20)
                    except psutil.Error:
                        pass
        except psutil.Error:
            pass


def crawl_seconds(db_path: Path) -> float:
    """The last run's own duration, from its start and finish times in the database."""
    from datetime import datetime

    con = sqlite3.connect(db_path)
    started, finished = con.execute("SELECT started_at, finished_at FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    con.close()
    parse = lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")  # noqa: E731
    return (parse(finished) - parse(started)).total_seconds()


def db_bytes(folder: Path) -> int:
    con = sqlite3.connect(folder / "vigil.db")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return sum(p.stat().st_size for p in folder.glob("vigil.db*"))


def serve(root: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, str(HERE / "staticserver.py"), str(root)], stdout=subprocess.PIPE,
                            text=True)
    return proc, proc.stdout.readline().strip()


class Site:
    def __init__(self, root: Path, total: int):
        self.total = total
        paths = generate(root, total)
        (root / "sitemap.xml").unlink(missing_ok=True)   # one of an earlier run names another port
        self.server, self.base = serve(root)
        write_sitemap(root, self.base, paths)
        self.process = psutil.Process(self.server.pid)

    def cpu(self) -> float:
        times = self.process.cpu_times()
        return times.user + times.system

    def close(self) -> None:
        self.server.terminate()
        self.server.wait()


def crawl_pair(site: Site, project: Path, concurrency: int, variants: list[tuple[Path, str | None]],
               flamegraphs: Path | None = None, turn: int = 0) -> dict:
    """Raw Scrapy and each (tree, workers)'s `vigil crawl`, first crawl then revisit; figures by (who, phase).
    Who goes first rotates with `turn`, so that no crawl always follows the same one (the caches and
    the server it leaves behind)."""
    crawlers = ["raw", *variants]
    crawlers = crawlers[turn % len(crawlers):] + crawlers[:turn % len(crawlers)]
    figures = {}
    for phase in ("first", "revisit"):
        for who in crawlers:
            if who == "raw":
                figures["raw", phase] = _raw_scrapy(site, project, concurrency)
            else:
                _vigil_crawl(site, project, who, phase, figures, flamegraphs)
    return figures


def _raw_scrapy(site: Site, project: Path, concurrency: int) -> dict:
    before = site.cpu()
    cmd = [sys.executable, str(HERE / "raw_spider.py"), f"{site.base}/sitemap.xml", str(concurrency)]
    run = Run(cmd, project / "raw", {**os.environ, "PYTHONPATH": str(REPO)})
    return dict(pps=site.total / float(run.out.split()[1]), cpu=run.cpu, rss=run.rss, child_rss=0.0, child_uss=0.0, child_pss=0.0,
                server=site.cpu() - before)


def _vigil_crawl(site: Site, project: Path, who: tuple[Path, str | None], phase: str, figures: dict,
                 flamegraphs: Path | None) -> None:
    tree, workers = who
    folder = project / folder_name(tree, workers)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    if workers is not None:
        env["VIGIL_EXTRACT_WORKERS"] = workers
    before = site.cpu()
    cmd = [sys.executable, "-m", "crawler", "--config", str(folder / "vigil.toml"), "crawl"]
    if flamegraphs is not None:   # both processes, only the thread holding the GIL: where the CPU goes
        cmd = ["py-spy", "record", "--subprocesses", "--gil", "-r", "200", "-o",
               str(flamegraphs / f"{folder.name}-{phase}.svg"), "--", *cmd]
    run = Run(cmd, folder, env)
    figures[who, phase] = dict(pps=site.total / crawl_seconds(folder / "vigil.db"), cpu=run.cpu,
                               rss=run.rss, child_rss=run.child_rss, child_uss=run.child_uss, child_pss=run.child_pss,
                               server=site.cpu() - before, summary=run.out.strip().splitlines()[-1])
    if phase == "first":
        figures[who, "bytes"] = db_bytes(folder)
    else:
        figures[who, "revisit_bytes"] = db_bytes(folder) - figures[who, "bytes"]


def folder_name(tree: Path, workers: str | None) -> str:
    return f"{tree.name}-{workers or 'default'}"


def new_project(root: Path, site: Site, concurrency: int, variants: list[tuple[Path, str | None]]) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    (root / "raw").mkdir(parents=True)
    for tree, workers in variants:
        folder = root / folder_name(tree, workers)
        folder.mkdir()
        (folder / "vigil.toml").write_text(
            CONFIG.format(base=site.base, max_pages=site.total + 10, concurrency=concurrency))
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, nargs="+", default=[1000], help="site sizes (default 1000)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=1,
                        help="alternating runs per size (the quickest one's pages/s, the median CPU)")
    parser.add_argument("--keep", metavar="DIR", help="work here and keep the sites and databases")
    parser.add_argument("--workers", nargs="+", default=[None], metavar="N",
                        help="VIGIL_EXTRACT_WORKERS values to run each tree with (default: its own default)")
    parser.add_argument("--flamegraphs", type=Path, metavar="DIR",
                        help="record each vigil crawl with py-spy into DIR/*.svg (its figures are then py-spy's too)")
    parser.add_argument("--compare-with", type=Path, action="append", default=[], metavar="TREE",
                        help="another checkout whose `vigil crawl` runs beside this one")
    args = parser.parse_args()
    trees = [REPO, *(tree.resolve() for tree in args.compare_with)]
    variants = [(tree, workers) for tree in trees for workers in args.workers]
    names = {(tree, workers): ("this tree" if tree == REPO else tree.name) + (f", {workers} workers" if workers else "")
             for tree, workers in variants}
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="vigil-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.flamegraphs is not None:
        args.flamegraphs.mkdir(parents=True, exist_ok=True)

    # Start-up CPU of each command (imports, the matcher's load): crawls of a tiny site, the median subtracted.
    small = Site(workdir / "site-startup", STARTUP_PAGES)
    try:
        small_runs = [crawl_pair(small, new_project(workdir / f"project-startup-{n}", small, args.concurrency,
                                                    variants), args.concurrency, variants, turn=n)
                      for n in range(STARTUP_REPEATS)]
    finally:
        small.close()
    startup = {key: statistics.median(run[key]["cpu"] for run in small_runs)
               for key in small_runs[0] if isinstance(small_runs[0][key], dict)}

    print(f"{'pages':>6} {'crawl':<36} {'p/s':>6} {'× raw':>6} {'CPU ms/page':>11} {'× raw':>6} "
          f"{'server ms/page':>14} {'peak RSS':>9} {'worker RSS/PSS/own':>18} {'DB B/page':>9} {'revisit B/page':>14}")
    for total in args.pages:
        site = Site(workdir / f"site-{total}", total)
        try:
            runs = [crawl_pair(site, new_project(workdir / f"project-{total}-{n}", site, args.concurrency, variants),
                               args.concurrency, variants, args.flamegraphs, turn=n) for n in range(args.repeats)]
        finally:
            site.close()
        for phase in ("first", "revisit"):
            raw_pps = sorted(r["raw", phase]["pps"] for r in runs)[len(runs) // 2]
            cpu_ms = {who: (statistics.median(r[who, phase]["cpu"] for r in runs) - startup[who, phase])
                      / (total - STARTUP_PAGES) * 1000 for who in ("raw", *variants)}
            for who in ("raw", *variants):
                best = max((r[who, phase] for r in runs), key=lambda f: f["pps"])
                label = f"{'raw Scrapy' if who == 'raw' else names[who]}, {phase}"
                stored = ("", "") if who == "raw" else (
                    f"{runs[0][who, 'bytes'] / total:>9.0f}", f"{runs[0][who, 'revisit_bytes'] / total:>14.1f}")
                print(f"{total:>6} {label:<36} {best['pps']:>6.0f} {best['pps'] / raw_pps:>6.2f} {cpu_ms[who]:>11.2f} "
                      f"{cpu_ms[who] / cpu_ms['raw']:>6.2f} "
                      f"{best['server'] / total * 1000:>14.2f} {best['rss']:>7.0f}MB "
                      f"{best['child_rss']:>7.0f}/{best['child_pss']:>3.0f}/{best['child_uss']:>3.0f}MB {stored[0]:>9} {stored[1]:>14}",
                      flush=True)
        for who in variants:
            print(f"       {names[who]}: {runs[-1][who, 'revisit']['summary']}")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
