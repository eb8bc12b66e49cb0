"""Benchmark of a crawl of the hostile site: wall time and peak memory of the crawl process.

Run by hand: `PYTHONPATH=. python bench/hostile.py [--huge-mb 200] [--bomb-mb 512] [--timeout 20]`.
The site (tests/hostile.py: a 200 MB body, a gzip bomb, a drip, traps, 100,000 links...)
is served from this process; `vigil crawl` runs as a child, so the peak RSS printed is the
crawl's alone. It prints figures and never fails.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from hostile import GOOD_PAGES, WATCHED, HostileSite  # noqa: E402

CONFIG = """
[vigil]
database = "vigil.db"
allow_private_networks = ["127.0.0.1/32"]

[[sources]]
name = "hostile"
start_urls = ["{url}/"]
delay = 0
concurrency = 8
max_depth = 3
max_pages = {max_pages}

[[watchlists]]
name = "defenders"
[[watchlists.terms]]
name = "{watched}"

[[subscribers]]
name = "desk"
watchlists = ["defenders"]
channels = ["file://alerts.jsonl"]
"""


def vigil(folder: Path, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler", "--config", str(folder / "vigil.toml"), *args],
                          capture_output=True, text=True, cwd=folder, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--huge-mb", type=int, default=200, help="size of the huge bodies (default 200)")
    parser.add_argument("--bomb-mb", type=int, default=512, help="what the gzip bomb inflates to (default 512)")
    parser.add_argument("--max-pages", type=int, default=1000, help="the source's max_pages (default 1000)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="VIGIL_DOWNLOAD_TIMEOUT for the crawl (default: Vigil's own, 20 s)")
    options = parser.parse_args()

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("VIGIL_CONFIG", None)
    if options.timeout:
        env["VIGIL_DOWNLOAD_TIMEOUT"] = str(options.timeout)
    with tempfile.TemporaryDirectory(prefix="vigil-hostile-") as tmp, \
            HostileSite(huge_mb=options.huge_mb, bomb_mb=options.bomb_mb) as site:
        folder = Path(tmp)
        (folder / "vigil.toml").write_text(CONFIG.format(url=site.url, max_pages=options.max_pages,
                                                         watched=WATCHED), encoding="utf-8")
        started = time.monotonic()
        crawl = vigil(folder, "crawl", env=env)
        elapsed = time.monotonic() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        errors = [json.loads(line) for line in vigil(folder, "errors", "--format", "json", env=env).stdout.splitlines()]
        alerts_file = folder / "alerts.jsonl"
        alerts = alerts_file.read_text(encoding="utf-8").splitlines() if alerts_file.exists() else []
        good_alerted = sum(any(path in line for line in alerts) for path in GOOD_PAGES)
        requests = len(site.requests)

    print(f"hostile site: huge bodies {options.huge_mb} MB, gzip bomb {options.bomb_mb} MB, "
          f"max_pages {options.max_pages}, download timeout {options.timeout or 'default'}")
    print(f"crawl exit code {crawl.returncode}, {requests} requests served")
    print(f"wall time {elapsed:.1f} s, peak RSS of the crawl process {peak_mb:.0f} MB")
    kinds = collections.Counter(error["kind"] for error in errors)
    print(f"errors recorded: {len(errors)} URLs ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})")
    print(f"alerts: {len(alerts)}, good pages alerted {good_alerted} of {len(GOOD_PAGES)}")
    if "Traceback" in crawl.stderr:
        print("a traceback was printed:\n" + crawl.stderr[-2000:])


if __name__ == "__main__":
    main()
