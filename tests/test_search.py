"""For researchers: full-text search in Russian and English, and mentions exported safely as CSV."""
from __future__ import annotations

import csv
import io

import pytest

from conftest import page, simple_config
from crawler.core.errors import UsageError
from ingest_helpers import Feeder
from storage.search import search

RU_URL = "https://ngo.example.org/ru/orlov"
EN_URL = "https://ngo.example.org/en/law"
RU_PAGE = page("Суд отказал", "Суд отказал Олегу Орлову в условно-досрочном освобождении.",
               "На заседании выступил правозащитник Сергей Королёв.", lang="ru")
EN_PAGE = page("Foreign agent law", "Parliament adopted amendments to the foreign agent law on Tuesday.",
               "The Café Européen in Strasbourg hosted the press conference.")


@pytest.fixture
def archive(project):
    project.write_config(simple_config("https://ngo.example.org"))
    db = project.db()
    feeder = Feeder(db, project.config)
    feeder.page(RU_URL, RU_PAGE, "2026-05-01T10:00:00.000000Z")
    feeder.page(EN_URL, EN_PAGE, "2026-05-01T10:00:01.000000Z")
    # a second version of the English page: still one result for the page
    feeder.page(EN_URL, EN_PAGE.replace("on Tuesday", "on Tuesday night, by 300 votes"), "2026-05-02T10:00:00.000000Z")
    return db


def urls(rows):
    return [row["url"] for row in rows]


def test_russian_words_in_any_case_with_prefixes_and_yo(archive):
    assert urls(search(archive, "Орлову")) == [RU_URL]
    assert urls(search(archive, "ОЛЕГУ орлову")) == [RU_URL]
    assert urls(search(archive, "орлов")) == []           # no stemming: the exact form, or a prefix
    assert urls(search(archive, "орлов*")) == [RU_URL]
    assert urls(search(archive, "Королев")) == [RU_URL]   # ё and е are one letter here
    [row] = search(archive, "олегу орлову")
    assert "[Олегу] [Орлову]" in row["snippet"]
    assert row["title"] == "Суд отказал" and row["source"] == "ngo" and row["state"] == "live"


def test_english_phrases_accents_and_one_result_per_page(archive):
    rows = search(archive, '"foreign agent" amendments')
    assert urls(rows) == [EN_URL]
    assert "[foreign] [agent]" in rows[0]["snippet"] and "[amendments]" in rows[0]["snippet"]
    assert urls(search(archive, "cafe europeen")) == [EN_URL]
    assert urls(search(archive, "votes")) == [EN_URL]        # only the second version says it
    assert urls(search(archive, "parliament OR суд")) in ([EN_URL, RU_URL], [RU_URL, EN_URL])
    assert urls(search(archive, "parliament NOT amendments")) == []
    assert urls(search(archive, "title:суд")) == [RU_URL]


@pytest.mark.parametrize("query", ['foo"', "Ter-Petrosyan", "AND", "(orlov", "", "nosuchcolumn:x"])
def test_a_query_the_index_cannot_read_is_a_usage_error(archive, query):
    with pytest.raises(UsageError, match="search: "):
        search(archive, query)


def test_search_from_the_command_line(archive, project):
    found = project.ok("search", "орлову", "--format", "json").json_lines()
    assert [row["url"] for row in found] == [RU_URL]
    assert set(found[0]) == {"url", "title", "source", "fetched_at", "state", "snippet"}
    text = project.ok("search", "amendments").stdout
    assert text.startswith("1. Foreign agent law\n") and EN_URL in text and "[amendments]" in text
    bad = project.vigil("search", "Ter-Petrosyan")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("vigil: error: search: cannot read the query 'Ter-Petrosyan'")
    assert '"Ter-Petrosyan"' in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_snapshots_stored_before_the_index_existed_are_indexed(tmp_path):
    import sqlite_utils

    from storage import pages, snapshots
    from storage.migrations import migrations

    db = sqlite_utils.Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="0002_subscriptions_digests_search")
    assert "snapshot_search" not in db.table_names()
    at = "2026-05-01T10:00:00.000000Z"
    page_row = pages.add_page(db, "ngo", RU_URL, RU_URL, at)
    snapshots.add_snapshot(
        db, page_id=page_row["id"], story_id=snapshots.new_story(db, at), fetched_at=at, title="Старая страница",
        published=None, lang="ru", text_hash="x", text="Олег Орлов выступил в суде.", signature=None,
        extractor="test", final_url=RU_URL, http_status=200,
    )
    migrations.apply(db)
    assert urls(search(db, "орлов")) == [RU_URL]


def test_mentions_csv_cannot_run_as_a_spreadsheet_formula(project):
    project.write_config(simple_config("https://ngo.example.org"))
    feeder = Feeder(project.db(), project.config)
    hostile = {
        "=HYPERLINK(\"https://evil.example\",\"open\")": "https://ngo.example.org/a",
        "+cmd|' /C calc'!A0": "https://ngo.example.org/b",
        "-2+3": "https://ngo.example.org/c",
        "@SUM(A1:A9)": "https://ngo.example.org/d",
    }
    for number, (title, url) in enumerate(hostile.items()):
        text = page(title, f"Statement {number}: Oleg Orlov was sentenced again; we call for his release.")
        feeder.page(url, text, f"2026-05-01T10:00:0{number}.000000Z")
    out = project.ok("mentions", "--since", "2026-04-01", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sorted(row["title"] for row in rows) == sorted("'" + title for title in hostile)
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    # the filters narrow the same rows
    only = project.ok("mentions", "--since", "2026-04-01", "--until", "2026-05-01T10:00:02", "--source", "ngo",
                      "--watchlist", "defenders", "--term", "Oleg Orlov", "--format", "json").json_lines()
    assert sorted(m["url"] for m in only) == ["https://ngo.example.org/a", "https://ngo.example.org/b"]
    unknown = project.vigil("mentions", "--since", "2026-04-01", "--source", "other", "--format", "json")
    assert unknown.returncode == 2 and unknown.stdout == "" and "no source named 'other'" in unknown.stderr
