"""Bad input at every door: one clear line, a non-zero exit, no traceback, and nothing stored damaged."""
from __future__ import annotations

import hashlib
import os
import resource
import shutil
import sqlite3
import subprocess
import sys

import pytest

from conftest import REPO, Project, Result, page, simple_config
from crawler.service.localsite import LocalSite

pytestmark = pytest.mark.e2e   # `vigil` run as processes against local servers

STATEMENT = page("Appeal court upholds sentence",
                 "The Moscow City Court upheld the sentence handed down to Oleg Orlov, co-chair of the Memorial "
                 "Human Rights Centre, for his article about the war.",
                 "His lawyers said they would appeal to the Court of Cassation.")


def failure_line(result, code: int | None = None) -> str:
    """The single `vigil: error:` line of a failed command."""
    assert result.returncode != 0, result.stdout
    if code is not None:
        assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vigil: error: "), result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """A project whose database holds one crawl of a small site; tests work on copies of it."""
    root = tmp_path_factory.mktemp("crawled")
    with LocalSite(root / "site") as site:
        site.write("index.html", page("Rights Centre", "Statements.", '</p><p><a href="/orlov.html">Appeal</a>'))
        site.write("orlov.html", STATEMENT)
        project = Project(root / "project")
        project.path.mkdir()
        project.write_config(simple_config(site.url))
        project.ok("crawl")
        yield project, site


@pytest.fixture
def copy_of(crawled, tmp_path):
    """A fresh copy of the crawled project (config, database, alerts), and the site it crawled."""
    project, site = crawled
    target = Project(tmp_path / "copy")
    shutil.copytree(project.path, target.path)
    return target, site


def _rows(path) -> dict:
    """What a crawl stored that later crawls must never alter, after an integrity check of the file."""
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = {table: db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
                for table in ("snapshots", "mentions", "alerts", "events")}
        rows["pages"] = db.execute("SELECT id, url, first_seen FROM pages ORDER BY id").fetchall()
        return rows


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("text, expected", [
    ("[vigil\ndatabase = 1", "malformed TOML"),
    ("[vigil]\ndatabase = 42\n", "vigil.database: expected a string"),
    ("[vigil]\nallow_private_networks = ['10.0.0.300/8']\n", "not a CIDR network"),
    ("[[sources]]\nname = 'x'\nstart_urls = ['javascript:alert(1)']\n", "not an http(s) URL"),
])
def test_a_bad_config_is_one_line(project, text, expected):
    project.config.write_text(text, encoding="utf-8")
    line = failure_line(project.vigil("status"), 2)
    assert expected in line and "vigil.toml" in line


def test_a_config_that_is_not_text_or_not_there(project):
    project.config.write_bytes(b"\xff\xfe\x00garbage\x00")
    assert "not UTF-8" in failure_line(project.vigil("status"), 2)
    project.config.unlink()
    assert "no such file" in failure_line(project.vigil("mentions"), 2)


@pytest.mark.parametrize("args, expected", [
    (("mentions", "--since", "banana"), "'banana' is not an age"),
    (("events", "--since", "7 parsecs"), "is not an age"),
    (("mentions", "--until", "yesterday-ish"), "is not an age"),
    (("mentions", "--format", "xml"), "'xml' is not one of"),
    (("crawl", "no-such-source"), "no source named 'no-such-source'"),
    (("frobnicate",), "No such command"),
])
def test_bad_command_options_are_one_line(copy_of, args, expected):
    project, _ = copy_of
    assert expected in failure_line(project.vigil(*args), 2)


def test_a_bad_limit_in_the_environment_is_one_line(copy_of):
    project, _ = copy_of
    line = failure_line(project.vigil("crawl", env={"VIGIL_DOWNLOAD_TIMEOUT": "banana"}), 2)
    assert "VIGIL_DOWNLOAD_TIMEOUT='banana'" in line


@pytest.mark.parametrize("content, expected", [
    (None, "no such file"),
    (b"[[watchlists]\nname = ", "malformed TOML"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "cannot read"),
    (b"[[watchlists]]\nname = 'w'\n", "no terms"),
])
def test_a_bad_watchlist_file_is_one_line(project, tmp_path, content, expected):
    watchlist = tmp_path / "bad.toml"
    if content is not None:
        watchlist.write_bytes(content)
    line = failure_line(project.vigil("match", "--watchlist", str(watchlist), stdin="Oleg Orlov"), 2)
    assert expected in line


def test_a_watchlist_that_is_a_folder_and_bad_json_lines(project, tmp_path):
    failure_line(project.vigil("match", "--watchlist", str(tmp_path), stdin="text"), 2)
    watchlist = tmp_path / "ok.toml"
    watchlist.write_text("[[watchlists]]\nname = 'w'\n[[watchlists.terms]]\nname = 'Oleg Orlov'\n", encoding="utf-8")
    line = failure_line(project.vigil("match", "--watchlist", str(watchlist), "--jsonl", stdin='{"id": 1}\nnot json\n'))
    assert "stdin line 1" in line


def test_text_to_match_that_is_not_utf8_is_one_line(tmp_path):
    watchlist = tmp_path / "ok.toml"
    watchlist.write_text("[[watchlists]]\nname = 'w'\n[[watchlists.terms]]\nname = 'Oleg Orlov'\n", encoding="utf-8")
    for args, stdin, expected in (
        ((), b"Oleg Orlov \xff\xfe in cp1251", "stdin: not UTF-8 text"),
        (("--jsonl",), b'{"id": 1, "text": "Oleg Orlov"}\n{"id": 2, "text": "\xcf\xf0\xe8"}\n',
         "stdin line 2: not UTF-8"),
    ):
        done = subprocess.run([sys.executable, "-m", "crawler", "match", "--watchlist", str(watchlist), *args],
                              input=stdin, capture_output=True, env={**os.environ, "PYTHONPATH": str(REPO)})
        assert expected in failure_line(Result(done.returncode, done.stdout.decode(), done.stderr.decode()), 2)


def test_one_source_named_twice_is_crawled_once(copy_of):
    project, site = copy_of
    site.requests.clear()
    result = project.ok("crawl", "ngo", "ngo")
    assert sum(line.startswith("ngo:") for line in result.stdout.splitlines()) == 1, result.stdout
    assert [path for _, path, _ in site.requests].count("/") == 1


@pytest.mark.parametrize("query", ['"unbalanced', "AND OR", "col:umn:"])
def test_a_search_query_the_index_cannot_read_is_one_line(copy_of, query):
    project, _ = copy_of
    line = failure_line(project.vigil("search", query), 2)
    assert "search: cannot read the query" in line


def test_an_empty_search_query_is_one_line(copy_of):
    project, _ = copy_of
    assert "empty" in failure_line(project.vigil("search", "   "), 2)


def test_an_unknown_subscriber_is_one_line(copy_of):
    project, _ = copy_of
    line = failure_line(project.vigil("digest", "--subscriber", "nobody"), 2)
    assert "nobody" in line


def test_a_database_that_is_not_a_database(copy_of):
    project, _ = copy_of
    database = project.path / "vigil.db"
    database.write_bytes(os.urandom(64 * 1024))
    before = _digest(database)
    for command in (("status",), ("mentions",), ("crawl",), ("deliver",)):
        line = failure_line(project.vigil(*command), 1)
        assert "corrupt or not a Vigil database" in line, command
    assert _digest(database) == before


def test_a_database_damaged_inside_is_one_line_and_left_as_it_was(copy_of):
    project, _ = copy_of
    database = project.path / "vigil.db"
    data = bytearray(database.read_bytes())
    half = len(data) // 2 // 4096 * 4096
    data[half:] = os.urandom(len(data) - half)
    database.write_bytes(bytes(data))
    before = _digest(database)
    for command in (("mentions", "--format", "json"), ("events",), ("search", "Orlov"), ("crawl",)):
        line = failure_line(project.vigil(*command), 1)
        assert "corrupt" in line, (command, line)
    assert _digest(database) == before


def test_a_database_locked_by_another_process(copy_of):
    project, site = copy_of
    database = project.path / "vigil.db"
    before = _rows(database)
    site.write("second.html", page("Second statement", "Another statement naming Oleg Orlov and his lawyers."))
    site.write("index.html", page("Rights Centre", "Statements.", '</p><p><a href="/orlov.html">Appeal</a> '
                                  '<a href="/second.html">Second</a>'))
    locker = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys, time\n"
         "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "db.execute('BEGIN EXCLUSIVE')\nprint('locked', flush=True)\ntime.sleep(120)\n", str(database)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        line = failure_line(project.vigil("crawl", env={"VIGIL_DB_BUSY_TIMEOUT": "1"}), 1)
        assert "locked by another process" in line
    finally:
        locker.kill()
        locker.wait()
    assert _rows(database) == before
    project.ok("crawl")   # once the lock is gone, the same command works
    assert len(_rows(database)["pages"]) == len(before["pages"]) + 1


def _limited_file_size(limit: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def _vigil_with_file_limit(project, limit: int, *args):
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("VIGIL_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "crawler", "--config", str(project.config), *args],
                          capture_output=True, text=True, cwd=project.path, env=env, timeout=120,
                          preexec_fn=_limited_file_size(limit))


@pytest.mark.parametrize("limit", [2048, 48 * 1024], ids=["before the first write", "in the middle of the crawl"])
def test_a_full_disk_stops_the_command_and_keeps_what_was_stored(copy_of, limit):
    """RLIMIT_FSIZE makes every write past `limit` bytes of a file fail, as a full disk does."""
    project, site = copy_of
    database = project.path / "vigil.db"
    before = _rows(database)
    for number in range(12):
        site.write(f"new-{number}.html", page(f"Statement {number}", f"Statement {number} names Oleg Orlov again, "
                                               f"with new details about hearing number {number} and its witnesses."))
    site.write("index.html", page("Rights Centre", "Statements.", "</p><p>" + "".join(
        f'<a href="/new-{number}.html">Statement {number}</a> ' for number in range(12))))
    result = _vigil_with_file_limit(project, limit, "crawl")
    line = failure_line(result, 1)
    assert "cannot write the database" in line and "is the disk full?" in line
    after = _rows(database)
    for table, rows in before.items():
        assert after[table][:len(rows)] == rows, table   # everything stored before is still there, unchanged
    project.ok("crawl")   # with room again, the crawl completes
    assert len(_rows(database)["pages"]) == len(before["pages"]) + 12
