"""Web app benchmark: how long the inbox and the API's mentions take with many mentions stored.

    python bench/web_inbox.py --mentions 1000 10000

For each size it fills a fresh database with that many mentions (pages of 3 versions, 4 terms
in 2 watchlists, one page in ten dismissed, half the mentions read by the user), starts
`vigil serve` on it, logs in, and times, warm, the median of 15 requests of: the inbox (its
first page of 50, grouped by person, with the side table of terms), the inbox of one person,
the unread inbox, the API's mentions (50), and a person's page with its weekly chart. Figures
vary with the machine's load: compare sizes within one run.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import httpx  # noqa: E402

from crawler.core.timeutil import format_iso  # noqa: E402
from servers import free_port  # noqa: E402
from webserver import log_in  # noqa: E402
from storage import accounts, mentions, pages, reviews, snapshots  # noqa: E402
from storage.db import open_database  # noqa: E402

TERMS = [("defenders", "Oleg Orlov"), ("defenders", "Natalia Estemirova"), ("journalists", "Anna Politkovskaya"),
         ("journalists", "Committee Against Torture")]
CONFIG = """
[vigil]
database = "vigil.db"
[[sources]]
name = "ngo"
start_urls = ["https://ngo.example.org/"]
[[watchlists]]
name = "defenders"
[[watchlists.terms]]
name = "Oleg Orlov"
[[watchlists.terms]]
name = "Natalia Estemirova"
[[watchlists]]
name = "journalists"
[[watchlists.terms]]
name = "Anna Politkovskaya"
[[watchlists.terms]]
name = "Committee Against Torture"
kind = "keyword"
"""
PASSWORD = "bench-password-1"


def fill(folder: Path, count: int) -> None:
    (folder / "vigil.toml").write_text(CONFIG)
    db = open_database(folder / "vigil.db")
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    text = "The court heard the case of Oleg Orlov on Monday. " * 20
    with db.atomic():
        accounts.set_user(db, "bench", "monitor", PASSWORD, format_iso(start))
        user_id = accounts.get_user(db, "bench")["id"]
        made, page_number = 0, 0
        while made < count:
            page_number += 1
            url = f"https://ngo.example.org/news/{page_number}.html"
            page = pages.add_page(db, "ngo", url, url, format_iso(start))
            story = snapshots.new_story(db, format_iso(start))
            for version in range(3):
                if made >= count:
                    break
                at = format_iso(start + timedelta(hours=page_number * 3 + version))
                snapshot_id = snapshots.add_snapshot(
                    db, page_id=page["id"], story_id=story, fetched_at=at, title=f"Statement {page_number}",
                    published=None, lang="en", text_hash=f"{page_number}-{version}", text=text, signature=None,
                    extractor="bench", final_url=url, http_status=200)
                watchlist, term = TERMS[(page_number + version) % len(TERMS)]
                mentions.add_mention(db, snapshot_id=snapshot_id, page_id=page["id"], story_id=story,
                                     watchlist=watchlist, term=term, kind="person", matched=term, start=30,
                                     end=30 + len(term), rule="as written",
                                     snippet=f"The court heard the case of {term} on Monday.", first_seen=at)
                made += 1
            if page_number % 10 == 0:
                reviews.set_review(db, page["id"], watchlist, term, "dismissed", "a namesake", "bench",
                                   format_iso(start))
        ids = [row[0] for row in db.execute("SELECT id FROM mentions WHERE id % 2 = 0")]
        reviews.mark_read(db, user_id, ids)
    db.close()


def timed(client: httpx.Client, path: str, rounds: int = 15) -> float:
    client.get(path).raise_for_status()   # warm
    spent = []
    for _ in range(rounds):
        begin = time.perf_counter()
        answer = client.get(path)
        spent.append(time.perf_counter() - begin)
        answer.raise_for_status()
    return statistics.median(spent) * 1000


def measure(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="vigil-web-bench-") as tmp:
        folder = Path(tmp)
        fill(folder, count)
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        server = subprocess.Popen([sys.executable, "-m", "crawler", "--config", str(folder / "vigil.toml"), "serve",
                                   "--port", str(port)], cwd=folder, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise SystemExit("vigil serve did not start")
                    time.sleep(0.2)
            with httpx.Client(base_url=base, timeout=60) as client:
                log_in(client, "bench", PASSWORD)
                first = client.get("/").text
                assert re.search(r"Mark these 50 read", first), "the inbox did not show a full page"
                return {
                    "inbox": timed(client, "/"),
                    "inbox, one person": timed(client, "/?term=Oleg+Orlov"),
                    "inbox, unread": timed(client, "/?unread=1"),
                    "api mentions": timed(client, "/api/v1/mentions?limit=50"),
                    "person page": timed(client, "/person?watchlist=defenders&term=Oleg+Orlov"),
                }
        finally:
            server.terminate()
            server.wait(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, nargs="+", default=[1000, 10000])
    sizes = parser.parse_args().mentions
    results = {size: measure(size) for size in sizes}
    names = list(next(iter(results.values())))
    print(f"{'median ms (warm)':<22}" + "".join(f"{size:>12,} mentions" for size in sizes))
    for name in names:
        print(f"{name:<22}" + "".join(f"{results[size][name]:>21.1f}" for size in sizes))


if __name__ == "__main__":
    main()
