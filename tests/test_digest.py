"""Digests: grouped by person, names highlighted, other places, takedowns, failed sources; sent once at
their time of day, by mail and signed webhook; per-watchlist modes keep instant people out of them."""
from __future__ import annotations

import hashlib
import hmac
import html
import json
from datetime import datetime, timezone
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from alerts.delivery.digest import build_digest, digest_html, due_moment, send_due_digests
from conftest import page
from crawler.core.config import Subscriber, load_config
from ingest_helpers import Feeder
from storage import runs
from tests.servers import SmtpServer, WebhookReceiver

SECRET = "digest-secret"
HOSTILE_TITLE = 'Appeal rejected <script>alert("x")</script>\r\nBcc: evil@attacker.example'
ORLOV = ("The Moscow City Court upheld the sentence handed down to Oleg Orlov, co-chair of Memorial, for an "
         "article about the war. His lawyers said they would appeal to the Court of Cassation.")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.mark.parametrize("settings, now, due", [
    # the first Sunday of summer time in Berlin: 08:00 is 06:00 UTC that day, 07:00 UTC the day before
    (dict(digest_time="08:00"), "2026-03-29T06:30", "2026-03-29T06:00"),
    (dict(digest_time="08:00"), "2026-03-29T05:30", "2026-03-28T07:00"),
    (dict(digest_time="08:00"), "2026-03-29T06:00", "2026-03-29T06:00"),
    (dict(mode="weekly", weekly_day="friday", digest_time="16:30"), "2026-05-18T10:00", "2026-05-15T14:30"),
    (dict(mode="weekly", weekly_day="friday", digest_time="16:30"), "2026-05-15T14:00", "2026-05-08T14:30"),
    (dict(mode="weekly", weekly_day="friday", digest_time="16:30"), "2026-05-15T14:31", "2026-05-15T14:30"),
])
def test_due_moment_follows_the_wall_clock_of_the_subscriber(settings, now, due):
    subscriber = Subscriber(name="s", **settings)
    period = settings.get("mode", "daily")
    assert due_moment(subscriber, period, utc(now), ZoneInfo("Europe/Berlin")) == utc(due)


def test_due_moment_past_midnight_in_tokyo():
    subscriber = Subscriber(name="s", digest_time="00:15")
    assert due_moment(subscriber, "daily", utc("2026-05-14T15:20"), ZoneInfo("Asia/Tokyo")) == utc("2026-05-14T15:15")


CONFIG = """
[vigil]
database = "vigil.db"
allow_private_networks = ["127.0.0.1/32"]

[[sources]]
name = "ngo"
start_urls = ["https://ngo.example.org/"]

[[watchlists]]
name = "defenders"
[[watchlists.terms]]
name = "Oleg Orlov"
[[watchlists.terms]]
name = "Oyub Titiev"
[[watchlists.terms]]
name = "Committee Against Torture"
kind = "keyword"

[[watchlists]]
name = "urgent"
[[watchlists.terms]]
name = "Igor Kalyapin"

[[subscribers]]
name = "research"
watchlists = ["defenders", "urgent"]
channels = ["smtp://127.0.0.1:{smtp}?from=vigil@example.org&to=research@example.org&starttls=no",
            "http://127.0.0.1:{hook}/digest"]
secret = "{secret}"
mode = "daily"
digest_time = "08:00"
timezone = "Europe/Berlin"
[subscribers.modes]
urgent = "instant"
"""


class Tags(HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.tags, self.text_in = [], {}
        self._open = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._open.append(tag)

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        if self._open:
            self.text_in.setdefault(self._open[-1], []).append(data.strip())


@pytest.fixture
def servers():
    with SmtpServer() as smtp, WebhookReceiver() as hook:
        yield smtp, hook


def test_daily_digest_is_sent_once_at_its_time_with_everything_in_it(project, servers):
    smtp, hook = servers
    project.write_config(CONFIG.format(smtp=smtp.port, hook=hook.port, secret=SECRET))
    config, db = load_config(project.config), project.db()
    feeder = Feeder(db, project.config)

    # 08:00:30 in Berlin on 13 May: that day's digest is due and has nothing in it
    assert send_due_digests(db, config, utc("2026-05-13T06:00:30")) == 0
    feeder.page("https://ngo.example.org/orlov", page(html.escape(HOSTILE_TITLE), ORLOV), "2026-05-13T09:00:00.000000Z")
    feeder.page("https://mirror.example.net/orlov", page("Appeal rejected", ORLOV), "2026-05-13T09:30:00.000000Z")
    feeder.page("https://ngo.example.org/kalyapin", page("Search", "Police searched the office of Igor Kalyapin in "
                "Nizhny Novgorod and took away computers."), "2026-05-13T10:00:00.000000Z")
    feeder.page("https://ngo.example.org/ru/titiev", page("Новости", "Суд продлил арест Оюба Титиева, главы "
                "чеченского отделения Мемориала. Committee Against Torture осудил решение.", lang="ru"),
                "2026-05-13T11:00:00.000000Z")
    feeder.page("https://ngo.example.org/gone", page("Hearing", "The hearing in the case of Oleg Orlov was moved to "
                "June; journalists were not allowed in."), "2026-05-13T12:00:00.000000Z")
    assert feeder.page("https://ngo.example.org/gone", "gone", "2026-05-13T13:00:00.000000Z", status=404) == "removed"
    run_id = runs.start_run(db, "ngo", "2026-05-13T14:00:00.000000Z")
    runs.add_error(db, run_id=run_id, source="ngo", url="https://memohrc.example.org/", kind="network",
                   reason="Connection refused", at="2026-05-13T14:00:01.000000Z")
    runs.finish_run(db, run_id, "2026-05-13T14:00:02.000000Z", "finished")

    # Kalyapin's watchlist is instant: he is in the outbox now, and not in the digest
    instant = [json.loads(row[0]) for row in db.execute("SELECT payload FROM alerts WHERE event = 'mention_added'")]
    assert [[m["term"] for m in alert["mentions"]] for alert in instant] == [["Igor Kalyapin"]]

    assert send_due_digests(db, config, utc("2026-05-13T20:00")) == 0   # not due again before tomorrow 08:00
    assert send_due_digests(db, config, utc("2026-05-14T06:00:30")) == 2  # the mail and the webhook
    assert send_due_digests(db, config, utc("2026-05-14T06:01")) == 0
    assert send_due_digests(db, config, utc("2026-05-14T19:00")) == 0

    [mail] = smtp.wait_for(1)
    message = mail.message
    assert mail.rcpt_tos == ["research@example.org"] and message["To"] == "research@example.org"
    assert message["Bcc"] is None and "evil@attacker.example" not in str(message["To"]) + str(mail.rcpt_tos)
    assert message["Date"] and message["Message-ID"]
    subject = str(message["Subject"])
    assert "\n" not in subject and "Daily digest for research" in subject
    assert "Oleg Orlov" in subject and "Oyub Titiev" in subject and "Kalyapin" not in subject
    parts = {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}

    page_html = parts["text/html"]
    tags = Tags(page_html)
    assert "script" not in tags.tags and "&lt;script&gt;" in page_html
    assert tags.text_in["h2"][:3] == ["Oleg Orlov", "Oyub Titiev", "Committee Against Torture"]
    assert {"Pages taken down", "Sources that failed"} <= set(tags.text_in["h2"])
    assert {"Oleg Orlov", "Оюба Титиева"} <= set(tags.text_in["mark"])
    assert "https://mirror.example.net/orlov" in page_html  # the other place of the story
    assert page_html.count('href="https://ngo.example.org/orlov"') >= 1
    assert page_html.count("Appeal rejected") == 1  # the republished copy is no second item

    text = parts["text/plain"]
    assert "== Oleg Orlov (2) ==" in text  # the statement (and its mirror) and the hearing page
    assert "*Oleg Orlov*" in text and "*Оюба Титиева*" in text and "Kalyapin" not in text
    assert "Also at: https://mirror.example.net/orlov" in text
    assert "https://ngo.example.org/gone" in text.split("== Pages taken down ==")[1]
    assert "ngo: 1 of 1 crawls failed; last: Connection refused" in text
    assert "2026-05-13 11:00 CEST" in text  # times in the subscriber's zone

    [request] = hook.wait_for(1)
    assert request.path == "/digest"
    expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.header("X-Vigil-Signature"), expected)
    body = json.loads(request.body)
    assert body["event"] == "digest" and body["title"] == subject and body["text"] == text.replace("\r\n", "\n")

    # the next day's digest holds only what is new since this one
    feeder.page("https://ngo.example.org/new", page("Transfer", "Oleg Orlov was moved to a colony in the Syzran "
                "region, his wife said."), "2026-05-14T12:00:00.000000Z")
    assert send_due_digests(db, config, utc("2026-05-15T07:00")) == 2
    second = smtp.wait_for(2)[1].message
    second_text = second.get_body(("plain",)).get_content()
    assert "Transfer" in second_text and "Appeal rejected" not in second_text and "Titiev" not in second_text


def test_on_demand_digest_from_the_command_line(project):
    project.write_config(CONFIG.format(smtp=1, hook=1, secret=SECRET))
    feeder = Feeder(project.db(), project.config)
    feeder.page("https://ngo.example.org/orlov", page(html.escape(HOSTILE_TITLE), ORLOV), "2026-05-13T09:00:00.000000Z")
    feeder.page("https://ngo.example.org/kalyapin", page("Search", "Police searched the office of Igor Kalyapin in "
                "Nizhny Novgorod and took away computers."), "2026-05-13T10:00:00.000000Z")

    markdown = project.ok("digest", "--since", "2026-05-01", "--format", "md").stdout
    assert markdown.startswith("# Vigil digest\n")
    assert "## Igor Kalyapin (1)" in markdown and "## Oleg Orlov (1)" in markdown  # every watchlist
    assert "**Oleg Orlov**" in markdown and r"\<script\>" in markdown and "<script>" not in markdown

    text = project.ok("digest", "--since", "2026-05-01", "--subscriber", "research").stdout
    assert text.startswith("Vigil digest for research\n") and "CEST" in text
    missing = project.vigil("digest", "--subscriber", "nobody")
    assert missing.returncode == 2 and "no subscriber named 'nobody'" in missing.stderr

    # nothing in the window: a digest that says so, in every format
    empty = build_digest(project.db(), since="2026-06-01T00:00:00.000000Z", until="2026-06-02T00:00:00.000000Z")
    assert empty.items == 0 and "Nothing new in this period." in digest_html(empty)


def test_the_first_digest_goes_out_at_its_time_not_as_a_catch_up_minutes_before(project, servers):
    smtp, hook = servers
    project.write_config(CONFIG.format(smtp=smtp.port, hook=hook.port, secret=SECRET))
    config, db = load_config(project.config), project.db()
    feeder = Feeder(db, project.config)
    feeder.page("https://ngo.example.org/orlov", page("Appeal rejected", ORLOV), "2026-05-13T09:00:00.000000Z")

    # `vigil run` starts at 07:58 in Berlin, two minutes before digest_time: no catch-up digest now ...
    assert send_due_digests(db, config, utc("2026-05-14T05:58")) == 0
    # ... the digest goes out at 08:00, and holds the statement of the day before
    assert send_due_digests(db, config, utc("2026-05-14T06:00:30")) == 2
    text = smtp.wait_for(1)[0].message.get_body(("plain",)).get_content()
    assert "Appeal rejected" in text
    assert send_due_digests(db, config, utc("2026-05-14T06:01:30")) == 0


def test_a_digest_says_a_page_is_back_online_and_leaves_out_sources_no_longer_watched(project):
    project.write_config(CONFIG.format(smtp=1, hook=1, secret=SECRET))
    db = project.db()
    feeder = Feeder(db, project.config)
    feeder.page("https://ngo.example.org/orlov", page("Appeal rejected", ORLOV), "2026-05-13T09:00:00.000000Z")
    assert feeder.page("https://ngo.example.org/orlov", "gone", "2026-05-13T10:00:00.000000Z", status=404) == "removed"
    assert feeder.page("https://ngo.example.org/orlov", page("Appeal rejected", ORLOV),
                       "2026-05-13T11:00:00.000000Z") == "restored"
    for source in ("ngo", "frontline"):   # "frontline" was a source of vigil.toml once, no longer
        run_id = runs.start_run(db, source, "2026-05-13T12:00:00.000000Z")
        runs.add_error(db, run_id=run_id, source=source, url=f"https://{source}.example.org/", kind="network",
                       reason="Connection refused", at="2026-05-13T12:00:01.000000Z")
        runs.finish_run(db, run_id, "2026-05-13T12:00:02.000000Z", "finished")

    text = project.ok("digest", "--since", "2026-05-13", "--subscriber", "research").stdout
    taken_down = text.split("== Pages taken down ==")[1].split("==")[0]
    assert "page taken down (HTTP 404)" in taken_down and "back online since 2026-05-13 13:00 CEST" in taken_down
    failed = text.split("== Sources that failed ==")[1]
    assert "ngo: 1 of 1 crawls failed" in failed and "frontline" not in text
    markdown = project.ok("digest", "--since", "2026-05-13", "--format", "md").stdout
    assert "back online since" in markdown and "frontline" not in markdown
