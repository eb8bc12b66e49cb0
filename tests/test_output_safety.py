"""Hostile page text is inert in everything Vigil renders, and private things stay private:
secrets out of output, logs and the database; the database and alert files owner-only."""
from __future__ import annotations

import csv
import io
import os
import re
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from alerts.delivery.channels.smtp import SmtpChannel
from alerts.delivery.render import alert_html, alert_markdown, alert_text
from conftest import REPO, Project, page, simple_config
from crawler.service.localsite import LocalSite
from servers import SmtpServer, WebhookReceiver, free_port

pytestmark = pytest.mark.e2e   # `vigil` run as processes against local servers

WATCHED = "Oleg Orlov"
# As a page's source writes them: entities, so that the *text* of the page holds the markup.
HOSTILE_TITLE_SOURCE = ('=HYPERLINK("http://evil.example/","open") &lt;script&gt;alert(1)&lt;/script&gt; '
                        '"&gt;&lt;img src=x onerror=alert(2)&gt;')
HOSTILE_TITLE = '=HYPERLINK("http://evil.example/","open") <script>alert(1)</script> "><img src=x onerror=alert(2)>'
HOSTILE_PARAGRAPH = (f"The court upheld the sentence of {WATCHED} &lt;script&gt;steal()&lt;/script&gt; and "
                     "&lt;a href=&quot;javascript:alert(3)&quot;&gt;read more&lt;/a&gt; in a long hearing.")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class MarkupAudit(HTMLParser):
    """Collects what would be live in a browser: elements, event-handler attributes, link targets, text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.handlers: list[str] = []
        self.urls: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(name)
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                self.urls.append(value or "")

    def handle_data(self, data):
        self.text.append(data)


def audit(markup: str) -> MarkupAudit:
    parser = MarkupAudit()
    parser.feed(markup)
    parser.close()
    assert not {"script", "img", "iframe", "object", "embed", "svg", "form"} & set(parser.tags), parser.tags
    assert not parser.handlers, parser.handlers
    assert all(url.startswith(("http://", "https://")) for url in parser.urls), parser.urls
    return parser


def markdown_inert(markdown: str) -> None:
    """CommonMark turns an unescaped `<` into raw HTML and `](` into a link: only web autolinks and links may remain."""
    assert not re.findall(r"(?<!\\)<(?!https?://)", markdown), markdown
    assert not re.findall(r"(?<!\\)\]\((?!https?://)", markdown), markdown


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory):
    """A crawl of a page whose title and text are made of markup and a formula, alerted by mail and file."""
    root = tmp_path_factory.mktemp("hostile-text")
    project = Project(root / "project")
    project.path.mkdir()
    with SmtpServer() as smtp, LocalSite(root / "site") as site:
        site.write("index.html", page(HOSTILE_TITLE_SOURCE, HOSTILE_PARAGRAPH,
                                      "Observers from several embassies attended the hearing."))
        project.write_config(f"""
            [vigil]
            database = "vigil.db"
            allow_private_networks = ["127.0.0.1/32"]

            [[sources]]
            name = "ngo"
            start_urls = ["{site.url}/"]
            delay = 0

            [[watchlists]]
            name = "defenders"
            [[watchlists.terms]]
            name = "{WATCHED}"

            [[subscribers]]
            name = "desk"
            watchlists = ["defenders"]
            channels = ["file://alerts.jsonl", "smtp://{smtp.host}:{smtp.port}?from=vigil@example.org&to=desk@example.org&starttls=no"]
            """)
        project.ok("crawl")
        yield project, smtp.wait_for(1)


def test_the_hostile_title_is_stored_as_text(hostile_crawl):
    project, _ = hostile_crawl
    (alert,) = project.alerts()
    assert alert["title"] == HOSTILE_TITLE   # kept as the page said it; every renderer escapes it


def test_mail_html_is_inert_and_the_subject_is_one_line(hostile_crawl):
    _, messages = hostile_crawl
    (mail,) = messages
    html_part = mail.message.get_body(("html",)).get_content()
    parsed = audit(html_part)
    assert "<script>alert(1)</script>" in "".join(parsed.text)   # shown, as text
    subject = mail.message["Subject"]
    assert "\n" not in subject and "\r" not in subject and "<script>alert(1)</script>" in subject
    header_block = mail.raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    assert not any(line.lower().startswith((b"bcc:", b"cc:")) for line in header_block.splitlines())
    assert mail.rcpt_tos == ["desk@example.org"]


def test_digests_in_every_format_are_inert(hostile_crawl):
    project, _ = hostile_crawl
    html_digest = project.ok("digest", "--since", "1d", "--format", "html").stdout
    parsed = audit(html_digest)
    assert "<script>alert(1)</script>" in "".join(parsed.text)
    markdown = project.ok("digest", "--since", "1d", "--format", "md").stdout
    markdown_inert(markdown)
    assert "\\<script\\>" in markdown   # the title is there, escaped
    text = project.ok("digest", "--since", "1d", "--format", "text").stdout
    assert "\x1b" not in text and WATCHED in text


def test_the_atom_feed_is_well_formed_and_inert(hostile_crawl):
    project, _ = hostile_crawl
    feed = project.ok("feed", "--since", "1d").stdout
    root = ET.fromstring(feed.encode("utf-8"))
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    entries = root.findall("atom:entry", ns)
    assert entries
    for element in root.iter():
        if "href" in element.attrib:
            assert element.attrib["href"].startswith(("http://", "https://")), element.attrib
        kind = element.attrib.get("type")
        if kind in ("html", "xhtml") and element.text:
            audit(element.text)   # what a feed reader renders as HTML
    title = entries[0].find("atom:title", ns)
    assert title.attrib.get("type", "text") == "text" and "<script>alert(1)</script>" in title.text


def test_csv_cells_cannot_become_formulas(hostile_crawl):
    project, _ = hostile_crawl
    rows = list(csv.reader(io.StringIO(project.ok("mentions", "--format", "csv").stdout)))
    header, *records = rows
    assert records
    title = records[0][header.index("title")]
    assert title == "'" + HOSTILE_TITLE
    for record in records:
        for cell in record:
            assert not cell.startswith(FORMULA_STARTS), cell


@pytest.mark.parametrize("title", ["Hello\r\nBcc: spy@evil.example", "Hi\nTo: spy@evil.example\n\nbody",
                                   "A\u2028B\u2029C\x85D\x0bE\x0cF"])
def test_line_breaks_in_a_title_never_reach_a_mail_header(title):
    alert = {"id": 7, "subscriber": "desk", "event": "mention_added", "url": "https://site.example/a",
             "also_at": [], "title": title, "detected_at": "2026-01-01T00:00:00Z",
             "mentions": [{"term": WATCHED, "matched": WATCHED, "snippet": f"text about {WATCHED}\r\nX-Evil: 1"}]}
    with SmtpServer() as server:
        SmtpChannel(f"smtp://{server.host}:{server.port}?from=vigil@example.org&to=desk@example.org&starttls=no") \
            .send(alert)
        (mail,) = server.wait_for(1)
    assert mail.rcpt_tos == ["desk@example.org"]
    headers = mail.raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("ascii", "replace")
    names = [line.split(":", 1)[0].lower() for line in headers.splitlines() if line and not line[0].isspace()]
    assert "bcc" not in names and "x-evil" not in names and names.count("to") == 1
    assert "\n" not in mail.message["Subject"] and "\r" not in mail.message["Subject"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                                 "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
                                 "file:///etc/passwd", "https://ok.example/\"><script>alert(1)</script>"])
def test_only_web_urls_become_links(url):
    alert = {"id": 1, "subscriber": "desk", "event": "mention_added", "url": url, "also_at": [url],
             "title": HOSTILE_TITLE, "detected_at": "2026-01-01T00:00:00Z",
             "mentions": [{"term": WATCHED, "matched": WATCHED, "snippet": f"{WATCHED} <b onclick=x()>"}]}
    audit(alert_html(alert))
    markdown_inert(alert_markdown(alert))
    assert "\r" not in alert_text(alert)


# --- secrets -------------------------------------------------------------------------------------

SMTP_PASSWORD = "Wr0ng-smtp-Passw0rd"
HOOK_PASSWORD = "hook-Basic-Passw0rd"
HOOK_SECRET = "hmac-signing-S3cret"


def test_secrets_stay_out_of_output_logs_and_the_database(site, project):
    site.write("index.html", page("Appeal court upholds sentence",
                                  f"The court upheld the sentence handed down to {WATCHED} for his article."))
    closed_port = free_port()
    with SmtpServer(credentials=("desk", "the-right-one")) as smtp, WebhookReceiver() as receiver:
        receiver.fail(500)
        project.write_config(f"""
            [vigil]
            database = "vigil.db"
            allow_private_networks = ["127.0.0.1/32"]

            [[sources]]
            name = "ngo"
            start_urls = ["{site.url}/"]
            delay = 0

            [[watchlists]]
            name = "defenders"
            [[watchlists.terms]]
            name = "{WATCHED}"

            [[subscribers]]
            name = "desk"
            watchlists = ["defenders"]
            secret = "${{HOOK_SECRET}}"
            channels = [
                "smtp://desk:${{SMTP_PASSWORD}}@{smtp.host}:{smtp.port}?from=vigil@example.org&to=desk@example.org&starttls=no",
                "http://hook:${{HOOK_PASSWORD}}@127.0.0.1:{receiver.port}/hook",
                "http://hook:${{HOOK_PASSWORD}}@127.0.0.1:{closed_port}/down",
            ]
            """)
        env = {"SMTP_PASSWORD": SMTP_PASSWORD, "HOOK_PASSWORD": HOOK_PASSWORD, "HOOK_SECRET": HOOK_SECRET}
        outputs = [project.vigil("--log-level", "debug", "crawl", env=env)]
        outputs += [project.vigil(*args, env=env) for args in (
            ("deliver",), ("status",), ("status", "--format", "json"), ("errors", "--format", "json"),
            ("alerts", "--format", "json"), ("alerts", "--failed"), ("subscribers",))]
        received = receiver.wait_for(1)
    assert "delivery failures" in outputs[0].stdout   # the deliveries did fail, so their errors were written
    assert received and received[0].header("X-Vigil-Signature")   # the secret was used, not shown
    database = b"".join(path.read_bytes() for path in project.path.glob("vigil.db*"))
    for secret in (SMTP_PASSWORD, HOOK_PASSWORD, HOOK_SECRET):
        for result in outputs:
            assert secret not in result.stdout and secret not in result.stderr, (secret, result.stdout, result.stderr)
        assert secret.encode() not in database, secret
    assert "Traceback" not in "".join(result.stderr for result in outputs)


def test_a_missing_secret_is_named_not_guessed(site, project):
    site.write("index.html", page("Appeal court upholds sentence",
                                  f"The court upheld the sentence handed down to {WATCHED} for his article."))
    project.write_config(simple_config(site.url, terms=f'name = "{WATCHED}"', channels=(
        "smtp://desk:${VIGIL_TEST_UNSET_PASSWORD}@127.0.0.1:9?from=v@example.org&to=d@example.org",)))
    result = project.ok("crawl")
    assert "delivery failures 1" in result.stdout
    errors = project.ok("alerts", "--format", "json").stdout
    assert "VIGIL_TEST_UNSET_PASSWORD is not set" in errors


def _umask_zero():
    os.umask(0)


def test_the_database_and_alert_files_are_owner_only_whatever_the_umask(site, project):
    """Created under umask 0, which would leave other files readable and writable by everyone."""
    site.write("index.html", page("Appeal court upholds sentence",
                                  f"The court upheld the sentence handed down to {WATCHED} for his article."))
    project.write_config(simple_config(site.url, terms=f'name = "{WATCHED}"', database="data/vigil.db",
                                       channels=("file://alerts/desk.jsonl",)))
    (project.path / "alerts").mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("VIGIL_CONFIG", None)
    done = subprocess.run([sys.executable, "-m", "crawler", "--config", str(project.config), "crawl"],
                          capture_output=True, text=True, cwd=project.path, env=env, preexec_fn=_umask_zero)
    assert done.returncode == 0, done.stderr
    for path in (project.path / "data" / "vigil.db", project.path / "alerts" / "desk.jsonl"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == 0o600, f"{path.name}: {oct(mode)}"

    # the WAL and shared-memory files SQLite makes beside the database take its mode
    from storage.db import open_database

    db = open_database(project.path / "data" / "vigil.db")
    db.execute("INSERT INTO runs (source, started_at) VALUES ('probe', 'now')")
    for suffix in ("-wal", "-shm"):
        side = project.path / "data" / f"vigil.db{suffix}"
        assert stat.S_IMODE(side.stat().st_mode) == 0o600, suffix
    db.close()


READER_PASSWORD = "Pa55-w0rd-of-reader"
INLINE_HOOK_TOKEN = "inline-Hook-T0ken"
TELEGRAM_TOKEN = "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
HOOK_PATH = "s3cr3t-hook-path"


def test_channel_secrets_are_stored_as_written_and_masked_wherever_shown(site, project):
    closed = free_port()
    members = f"http://reader:{READER_PASSWORD}@127.0.0.1:{closed}/members"
    site.write("index.html", page("Appeal court upholds sentence",
                                  f"The court upheld the sentence handed down to {WATCHED} for his article.",
                                  f'<a href="{members}">Members</a>'))
    mail = f"smtp://127.0.0.1:{closed}?from=vigil@example.org&to=desk@example.org&starttls=no"
    hook = f"http://127.0.0.1:{closed}/hooks/${{HOOK_PATH}}?token={INLINE_HOOK_TOKEN}"
    project.write_config(simple_config(site.url, terms=f'name = "{WATCHED}"', channels=(mail, hook)))
    env = {"HOOK_PATH": HOOK_PATH}
    outputs = [project.vigil("crawl", env=env)]
    assert "delivery failures 2" in outputs[0].stdout   # both failed, so their errors were written
    # a Telegram subscriber is only listed, never sent to: its alerts stay queued
    project.write_config(simple_config(site.url, terms=f'name = "{WATCHED}"', channels=(mail, hook), extra=f"""
[[subscribers]]
name = "bot"
watchlists = ["defenders"]
channels = ["tgram://123456789:{TELEGRAM_TOKEN}/12345"]
"""))
    (site.root / "index.html").write_text(page("Appeal court upholds sentence", f"{WATCHED} was in court again."),
                                          encoding="utf-8")
    outputs.append(project.vigil("crawl", "--no-deliver", env=env))
    outputs += [project.vigil(*args, env=env) for args in (
        ("errors",), ("errors", "--format", "json"), ("status",), ("status", "--format", "json"),
        ("alerts",), ("alerts", "--format", "json"), ("subscribers",), ("subscribers", "--format", "json"))]
    shown = "".join(result.stdout + result.stderr for result in outputs)
    assert "Traceback" not in shown
    for secret in (READER_PASSWORD, INLINE_HOOK_TOKEN, TELEGRAM_TOKEN, HOOK_PATH):
        assert secret not in shown, secret
    assert f"http://reader:***@127.0.0.1:{closed}/members" in shown
    assert f"tgram://123456789:***/12345" in shown
    assert mail in shown                                     # nothing of a mail address taken for a password
    assert "/hooks/${HOOK_PATH}?token=***" in shown
    db = project.db()
    stored = [row[0] for row in db.execute("SELECT error FROM attempts")]
    stored += [row[0] for row in db.execute("SELECT last_error FROM deliveries WHERE last_error IS NOT NULL")]
    assert stored and all("${HOOK_PATH}" in error or "smtp" in error for error in stored), stored
    database = b"".join(path.read_bytes() for path in project.path.glob("vigil.db*"))
    assert HOOK_PATH.encode() not in database

def test_evidence_written_out_is_owner_only(site, project):
    site.write("index.html", page("Appeal court upholds sentence",
                                  f"The court upheld the sentence handed down to {WATCHED} for his article."))
    project.write_config(simple_config(site.url, terms=f'name = "{WATCHED}"'))
    project.ok("crawl")
    snapshot = str(project.db().execute("SELECT snapshot_id FROM evidence").fetchone()[0])
    fresh, existing = project.path / "proof.html", project.path / "old-proof.html"
    existing.write_text("an older copy")
    existing.chmod(0o644)
    for path in (fresh, existing):
        project.ok("evidence", snapshot, "--out", str(path))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path.name}: {oct(stat.S_IMODE(path.stat().st_mode))}"
        assert WATCHED.encode() in path.read_bytes()
