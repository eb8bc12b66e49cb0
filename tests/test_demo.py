"""`vigil demo`: says what it watches, reads the same at every run, and starts clean in a folder used before."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e   # real daemons, crawls and servers: `pytest -m "not e2e"` skips them


def _without_port(text: str) -> str:
    return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)


def test_the_demo_run_twice_in_one_folder_starts_clean_and_reads_the_same(project):
    folder = project.path / "demo"
    first = project.ok("demo", "--dir", str(folder)).stdout
    second = project.ok("demo", "--dir", str(folder)).stdout

    assert "Starting clean" not in first and "Starting clean" in second
    for output in (first, second):
        summaries = [line for line in output.splitlines() if re.match(r"^[a-z-]+: \d+ fetched", line)]
        assert len(summaries) == 4 and all(" 0 errors," in line for line in summaries), output
        # who and what is watched is said before anything is crawled
        intro = output.split("Round 1:")[0]
        assert "Watchlist defenders: the people Oleg Orlov, Stanislav Markelov and Igor Kalyapin" in intro
        assert "the keyword Committee Against Torture" in intro
        assert "Subscriber desk gets instant alerts of defenders and pages taken down in file://alerts.jsonl" in intro
        assert "mentions after both rounds:" in output and "\nMentions:" not in output
        assert "1 more place" in output and "place(s)" not in output and not re.search(r"\b1 mentions", output)
    events = [_without_port(output.split("Events of round 2:")[1].split("mentions after both rounds")[0])
              for output in (first, second)]
    assert events[0] == events[1]   # the same site, the same events, in the same order
    # it ends with the one command that opens its data in the web app, and an account that logs in
    serve = re.search(r"run `vigil --config (\S+) serve` and open http://127.0.0.1:8080/ "
                      r"\(name demo, password (\S+)\)\.$", second.strip())
    assert serve, second.splitlines()[-1]
    from storage.accounts import check_password
    from storage.db import open_database

    assert check_password(open_database(folder / "vigil.db"), "demo", serve.group(2)) is not None


def test_the_demo_never_empties_a_folder_it_did_not_make(project):
    folder = project.path / "mine"
    folder.mkdir()
    (folder / "vigil.db").write_text("my own database")
    result = project.vigil("demo", "--dir", str(folder))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("vigil: error: ") and "not an earlier demo's" in result.stderr
    assert (folder / "vigil.db").read_text() == "my own database"
