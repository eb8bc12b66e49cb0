"""Atom feeds of mentions: valid Atom that a reader accepts, stable ids, page text kept inert."""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest

from alerts.delivery.atom import ATOM_NS, atom_feed, feed_entries
from conftest import page, simple_config
from crawler.cli import main
from ingest_helpers import Feeder

A = f"{{{ATOM_NS}}}"
STATEMENT = ("The Moscow City Court upheld the sentence handed down to Oleg Orlov, co-chair of Memorial, "
             "for an article about the war. His lawyers will appeal to the Court of Cassation.")
HOSTILE_TITLE = 'Raid <script>alert("x")</script> & <b>more</b>\x1b[31m'
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

TERMS = '''name = "Oleg Orlov"

[[watchlists]]
name = "torture"
[[watchlists.terms]]
name = "Igor Kalyapin"'''


def days_ago(days: float) -> str:
    """A time inside the feed's default 30-day window."""
    return (datetime.now(timezone.utc) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture
def fed(project):
    project.write_config(simple_config("https://ngo.example.org", terms=TERMS))
    db = project.db()
    feeder = Feeder(db, project.config)
    feeder.page("https://ngo.example.org/orlov", page("Appeal rejected", STATEMENT), days_ago(3))
    # the same statement republished elsewhere: the same story, one entry
    feeder.page("https://mirror.example.net/orlov", page("Appeal rejected", STATEMENT), days_ago(2.9))
    raid = page(html.escape(HOSTILE_TITLE), "Police searched the office of Igor Kalyapin in Nizhny Novgorod "
                "and took his computers away.")
    feeder.page("https://ngo.example.org/raid", raid, days_ago(2))
    return feeder


def feed_here(capsys, project, *args: str) -> bytes:
    """`vigil feed ARGS` in this process, through the command's own entry point; the document."""
    with pytest.raises(SystemExit) as ended:
        main(["--config", str(project.config), "feed", *args])
    out, err = capsys.readouterr()
    assert ended.value.code == 0, err
    return out.encode("utf-8")


def parse(document: bytes) -> ET.Element:
    root = ET.fromstring(document)
    assert root.tag == f"{A}feed"
    for element in root.iter():
        assert element.tag.startswith(A), element.tag  # nothing from a page became markup of the feed
    for name in ("id", "title", "updated"):
        assert root.find(f"{A}{name}") is not None, name
    assert root.find(f"{A}author/{A}name").text
    assert RFC3339.match(root.find(f"{A}updated").text)
    for entry in root.findall(f"{A}entry"):
        for name in ("id", "title", "updated", "published", "content"):
            assert entry.find(f"{A}{name}") is not None, name
        assert RFC3339.match(entry.find(f"{A}updated").text)
        assert entry.find(f"{A}id").text.startswith("urn:uuid:")
    return root


def entries(root) -> dict[str, ET.Element]:
    return {entry.find(f"{A}id").text: entry for entry in root.findall(f"{A}entry")}


class Tags(HTMLParser):
    def __init__(self, text):
        super().__init__()
        self.tags = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def test_feed_of_every_mention_is_valid_atom_with_one_entry_per_story(fed, project, capsys):
    first = project.ok("feed")
    root = parse(first.stdout.encode("utf-8"))
    by_id = entries(root)
    assert len(by_id) == 2
    newest, orlov = root.findall(f"{A}entry")
    assert orlov.find(f"{A}title").text == "Oleg Orlov: Appeal rejected"
    assert orlov.find(f"{A}link[@rel='alternate']").get("href") == "https://ngo.example.org/orlov"
    related = orlov.findall(f"{A}link[@rel='related']")
    assert [link.get("href") for link in related] == ["https://mirror.example.net/orlov"]
    assert orlov.find(f"{A}category").get("term") == "Oleg Orlov"
    content = orlov.find(f"{A}content")
    assert content.get("type") == "html" and "<mark>Oleg Orlov</mark>" in content.text

    # the hostile title is text: shown literally, control characters gone, no tag in the entry's HTML
    assert newest.find(f"{A}title").text == 'Igor Kalyapin: Raid <script>alert("x")</script> & <b>more</b>[31m'
    assert newest.find(f"{A}title").get("type") == "text"
    assert set(Tags(newest.find(f"{A}content").text).tags) <= {"p", "a", "br", "strong", "mark"}

    # run again, after one more story: the same ids for the same stories
    fed.page("https://ngo.example.org/new", page("New case", "Oleg Orlov was moved to another colony, "
             "his family learned from a letter."), days_ago(1))
    again = entries(parse(feed_here(capsys, project)))
    assert set(by_id) < set(again) and len(again) == 3


def test_feed_of_a_watchlist_or_a_subscriber_and_to_a_file(fed, project, capsys):
    torture = entries(parse(feed_here(capsys, project, "--watchlist", "torture")))
    assert [e.find(f"{A}category").get("term") for e in torture.values()] == ["Igor Kalyapin"]
    desk = parse(feed_here(capsys, project, "--subscriber", "desk"))  # desk follows defenders
    assert [e.find(f"{A}category").get("term") for e in desk.findall(f"{A}entry")] == ["Oleg Orlov"]
    assert desk.find(f"{A}id").text != parse(feed_here(capsys, project, "--watchlist", "defenders")).find(f"{A}id").text

    out = project.path / "feeds" / "desk.xml"
    out.parent.mkdir()
    feed_here(capsys, project, "--subscriber", "desk", "--out", str(out))
    assert entries(parse(out.read_bytes())).keys() == entries(desk).keys()

    for args, complaint in [(("--watchlist", "nope"), "no watchlist named 'nope'"),
                            (("--subscriber", "desk", "--watchlist", "torture"), "not both")]:
        result = project.vigil("feed", *args)
        assert result.returncode == 2 and complaint in result.stderr and "Traceback" not in result.stderr


def test_an_empty_feed_is_still_valid_atom():
    root = parse(atom_feed([], title="Vigil: nothing <yet>", feed_name="empty", now="2026-05-01T10:00:00.000000Z"))
    assert root.find(f"{A}title").text == "Vigil: nothing <yet>" and root.findall(f"{A}entry") == []


def test_entry_ids_do_not_depend_on_the_window(fed):
    recent = {e.story_id: e for e in feed_entries(fed.db, since=days_ago(2.95))}
    every = {e.story_id: e for e in feed_entries(fed.db)}
    # the window starts after the story's first page: its id still comes from the story's start
    shared = set(recent) & set(every)
    assert shared
    for story in shared:
        assert (recent[story].story_first_url, recent[story].story_first_seen) == \
            (every[story].story_first_url, every[story].story_first_seen)
