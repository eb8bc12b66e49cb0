"""Crawl benchmark: raw Scrapy fetching a local site beside `vigil crawl` doing the whole job.

    python bench/crawl.py --pages 1000 10000

For each size it generates a site of realistic 30-60 KB pages (some Russian, one in ten
naming watched people; ETag and Last-Modified served) on 127.0.0.1 in its own process,
then runs, alternating, raw Scrapy and `vigil crawl` on the same sitemap: a first crawl
into an empty database and a revisit of the unchanged site. It prints pages/s of each
and their ratio, peak RSS, database bytes per page, and bytes added per unchanged
revisit. Figures vary with the machine's load: compare ratios within one run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def run_with_rusage(cmd: list[str], cwd: Path, extra_env: dict | None = None) -> tuple[float, float, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), **(extra_env or {})}
    out_path = cwd / ".bench-out"
    with open(out_path, "w") as out, open(cwd / ".bench-err", "w") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{(cwd / '.bench-err').read_text()[-2000:]}")
    return wall, usage.ru_maxrss / 1024, out_path.read_text()


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
    code = ("import sys, time; from crawler.service.localsite import LocalSite; s = LocalSite(sys.argv[1]).start(); "
            "print(s.url, flush=True); time.sleep(10**6)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(root)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    return proc, proc.stdout.readline().strip()


def bench_size(total: int, concurrency: int, repeats: int, workdir: Path, workers: str | None) -> dict:
    site_root = workdir / f"site-{total}"
    paths = generate(site_root, total)
    server, base = serve(site_root)
    try:
        write_sitemap(site_root, base, paths)
        raw_cmd = [sys.executable, str(HERE / "raw_spider.py"), f"{base}/sitemap.xml", str(concurrency)]
        # pages/s over each crawl's own time (process start-up left out, the same for both)
        results = {"raw": [], "first": [], "revisit": [], "raw_rss": 0.0, "vigil_rss": 0.0}
        for repeat in range(repeats):
            project = workdir / f"project-{total}-{repeat}"
            shutil.rmtree(project, ignore_errors=True)
            project.mkdir()
            (project / "vigil.toml").write_text(CONFIG.format(base=base, max_pages=total + 10, concurrency=concurrency))
            vigil_cmd = [sys.executable, "-m", "crawler", "--config", str(project / "vigil.toml"), "crawl"]

            for phase in ("first", "revisit"):
                wall, rss, out = run_with_rusage(raw_cmd, project)
                results["raw"].append(total / float(out.split()[1]))
                results["raw_rss"] = max(results["raw_rss"], rss)
                wall, rss, out = run_with_rusage(vigil_cmd, project,
                                                 {"VIGIL_EXTRACT_WORKERS": workers} if workers is not None else None)
                results[phase].append(total / crawl_seconds(project / "vigil.db"))
                results[f"{phase}_wall"] = wall
                results["vigil_rss"] = max(results["vigil_rss"], rss)
                if phase == "first":
                    first_bytes = db_bytes(project)
            results["bytes_per_page"] = first_bytes / total
            results["revisit_bytes_per_page"] = (db_bytes(project) - first_bytes) / total
            results["summary"] = out.strip().splitlines()[-1]
        return results
    finally:
        server.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, nargs="+", default=[1000], help="site sizes (default 1000)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=1, help="alternating pairs per size")
    parser.add_argument("--keep", metavar="DIR", help="work here and keep the sites and databases")
    parser.add_argument("--workers", nargs="+", default=[None], metavar="N",
                        help="extraction worker processes to compare (default: the setting, a thread)")
    args = parser.parse_args()
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="vigil-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"{'pages':>6} {'workers':>7} {'raw p/s':>8} {'first p/s':>9} {'ratio':>6} {'revisit p/s':>11} {'ratio':>6} "
          f"{'raw RSS':>8} {'vigil RSS':>9} {'DB B/page':>9} {'revisit B/page':>14}")
    for total in args.pages:
        for workers in args.workers:
            r = bench_size(total, args.concurrency, args.repeats, workdir, workers)
            raw = sorted(r["raw"])[len(r["raw"]) // 2]
            first, revisit = max(r["first"]), max(r["revisit"])
            print(f"{total:>6} {workers or 'default':>7} {raw:>8.0f} {first:>9.0f} {first / raw:>6.2f} "
                  f"{revisit:>11.0f} {revisit / raw:>6.2f} {r['raw_rss']:>6.0f}MB {r['vigil_rss']:>7.0f}MB "
                  f"{r['bytes_per_page']:>9.0f} {r['revisit_bytes_per_page']:>14.1f}", flush=True)
            print(f"       vigil: {r['summary']}")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
