"""Reports that read right: whole URLs off a terminal, events oldest first, unknown names said to be
unknown, a time window that makes sense, restored pages counted, Markdown escaped where it matters."""
from __future__ import annotations

import json

import pytest

from conftest import page, simple_config
from ingest_helpers import Feeder

pytestmark = pytest.mark.e2e   # `vigil` run as processes against local servers

ORLOV = "1. Oleg Orlov was moved to a colony in the Syzran region, his lawyers said. They will appeal."
LONG_PATH = "/statements/2026/05/appeal-court-upholds-the-sentence-of-a-veteran-rights-defender.html"


@pytest.fixture
def fed(project):
    """A project whose database holds pages ingested at chosen times, in an order that is not theirs."""
    project.write_config(simple_config("https://ngo.example.org"))
    feeder = Feeder(project.db(), project.config)
    feeder.page(f"https://ngo.example.org{LONG_PATH}", page("1. Appeal rejected, lawyers say.", ORLOV),
                "2026-05-13T12:00:00.000000Z")
    feeder.page("https://ngo.example.org/earlier.html", page("Earlier", "A statement on the hearing of Oleg Orlov."),
                "2026-05-13T09:00:00.000000Z")   # stored second, happened first
    return project


def test_tables_keep_urls_whole_when_not_printed_to_a_terminal(fed):
    for command in (("events", "--since", "2026-05-01"), ("mentions", "--since", "2026-05-01")):
        output = fed.ok(*command).stdout
        assert f"https://ngo.example.org{LONG_PATH}" in output and "…" not in output, output


def test_events_are_listed_oldest_first(fed):
    events = fed.ok("events", "--since", "2026-05-01", "--format", "json").json_lines()
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert events[0]["url"].endswith("/earlier.html")
    table = fed.ok("events", "--since", "2026-05-01").stdout
    assert table.index("earlier.html") < table.index(LONG_PATH)


@pytest.mark.parametrize("args, expected", [
    (("mentions", "--term", "Oleg Orlow"), "no term named 'Oleg Orlow'"),
    (("mentions", "--watchlist", "defender"), "no watchlist named 'defender'"),
    (("mentions", "--source", "ngo2"), "no source named 'ngo2'"),
    (("events", "--source", "ngo2"), "no source named 'ngo2'"),
    (("errors", "--source", "ngo2"), "no source named 'ngo2'"),
    (("search", "Orlov", "--source", "ngo2"), "no source named 'ngo2'"),
    (("mentions", "--since", "2026-05-14", "--until", "2026-05-13"), "--until (2026-05-13"),
])
def test_a_filter_that_cannot_match_is_a_usage_error_not_nothing(fed, args, expected):
    result = fed.vigil(*args)
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("vigil: error: ") and expected in line
    if "named" in expected:
        assert "known: " in line


def test_names_known_only_to_the_database_are_still_filters(fed):
    fed.write_config(simple_config("https://ngo.example.org", terms='name = "Igor Kalyapin"').replace(
        'name = "ngo"', 'name = "renamed"'))
    found = fed.ok("mentions", "--since", "2026-05-01", "--term", "Oleg Orlov", "--source", "ngo",
                   "--format", "json").json_lines()
    assert {m["term"] for m in found} == {"Oleg Orlov"}


def test_the_crawl_summary_counts_restored_pages(site, project):
    site.write("index.html", page("Statements", "Statements.", '</p><p><a href="/orlov.html">Appeal</a>'))
    site.write("orlov.html", page("Appeal", ORLOV))
    project.write_config(simple_config(site.url))
    project.ok("crawl")
    site.statuses["/orlov.html"] = 404
    assert "1 removed, 0 restored" in project.ok("crawl").stdout
    del site.statuses["/orlov.html"]
    result = project.ok("crawl").stdout
    assert "0 removed, 1 restored," in result and "restored 1," in result


def test_the_markdown_digest_escapes_what_markdown_acts_on_and_nothing_else(fed):
    markdown = fed.ok("digest", "--since", "2026-05-01", "--format", "md").stdout
    assert "### 1\\. Appeal rejected, lawyers say." in markdown   # "1." would start a list
    assert "> 1\\. Appeal rejected, lawyers say. 1. **Oleg Orlov** was moved" in markdown   # the quote too
    assert "\\," not in markdown and "\\:" not in markdown and "region, his lawyers said. They" in markdown


def test_match_help_names_every_field_it_prints(project, tmp_path):
    watchlist = tmp_path / "w.toml"
    watchlist.write_text("[[watchlists]]\nname = 'w'\n[[watchlists.terms]]\nname = 'Oleg Orlov'\n", encoding="utf-8")
    printed = json.loads(project.ok("match", "--watchlist", str(watchlist), stdin=ORLOV).stdout.splitlines()[0])
    help_text = " ".join(project.ok("match", "--help").stdout.split())
    for field in printed:
        assert f" {field}," in help_text or f" {field}." in help_text, field
