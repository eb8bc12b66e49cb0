"""Delivery channels against real servers on 127.0.0.1: SMTP, a webhook receiver, Apprise, files."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import stat
import subprocess
import sys
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

import pytest

from alerts.delivery.channels import DeliveryError, channel_for
from alerts.delivery.channels import webhook as webhook_module
from alerts.delivery.channels.apprise_services import AppriseChannel
from alerts.delivery.channels.file import FileChannel
from alerts.delivery.channels.smtp import SmtpChannel
from alerts.delivery.channels.webhook import WebhookChannel
from alerts.delivery.render import alert_markdown, alert_subject, alert_text, one_line
from conftest import REPO
from crawler.core import netguard
from tests.servers import SmtpServer, WebhookReceiver, free_port


@pytest.fixture(autouse=True)
def loopback_allowed():
    """The receivers here are on 127.0.0.1, which the private-network guard refuses by default."""
    earlier = netguard.policy()
    netguard.set_policy(["127.0.0.1/32"])
    yield
    netguard.set_policy(earlier)

USER, PASSWORD = "vigil", "s3cr3t-p@ss"
HOSTILE_TITLE = 'Report <script>alert("x")</script>\r\nBcc: evil@attacker.example\r\nX-Injected: yes'


def make_alert(**changes) -> dict:
    alert = {
        "id": "7f3c2a",
        "subscriber": "ru-desk",
        "event": "mention_added",
        "url": "https://example.org/news/2024/05/kalyapin",
        "also_at": ["https://mirror.example.net/kalyapin"],
        "title": "Правозащитник Игорь Каляпин задержан",
        "detected_at": "2024-05-14T08:30:00Z",
        "mentions": [
            {
                "term": "Igor Kalyapin",
                "matched": "Игорь Каляпин",
                "snippet": "В Нижнем Новгороде Игорь Каляпин был задержан",
            },
            {"term": "Oleg Orlov", "matched": "Олег Орлов", "snippet": "Олег Орлов заявил"},
        ],
    }
    alert.update(changes)
    return alert


@pytest.fixture
def smtp_server():
    with SmtpServer(credentials=(USER, PASSWORD)) as server:
        yield server


@pytest.fixture
def receiver():
    with WebhookReceiver() as server:
        yield server


def smtp_url(server: SmtpServer, password: str = PASSWORD) -> str:
    credentials = f"{USER}:{password.replace('@', '%40')}"
    query = "from=vigil@example.org&to=desk@example.org,lead@example.net&starttls=no"
    return f"smtp://{credentials}@127.0.0.1:{server.port}?{query}"


def parts_of(message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content().replace("\r\n", "\n")
        for part in message.walk()
        if not part.is_multipart()
    }


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes = set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.extend(attrs)


def collect_tags(markup: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(markup)
    return collector


# --- SMTP -------------------------------------------------------------------------------


def test_smtp_sends_multipart_mail_to_the_url_recipients(smtp_server):
    SmtpChannel(smtp_url(smtp_server)).send(make_alert())

    [mail] = smtp_server.wait_for(1)
    assert mail.login == USER
    assert mail.mail_from == "vigil@example.org"
    assert mail.rcpt_tos == ["desk@example.org", "lead@example.net"]
    message = mail.message
    assert message.get_content_type() == "multipart/alternative"
    parts = parts_of(message)
    assert set(parts) == {"text/plain", "text/html"}
    assert message["From"] == "vigil@example.org"
    assert message["To"] == "desk@example.org, lead@example.net"
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@example.org>")
    subject = message["Subject"]
    assert "Igor Kalyapin" in subject and "Oleg Orlov" in subject
    assert "Правозащитник Игорь Каляпин задержан" in subject
    assert "https://example.org/news/2024/05/kalyapin" in parts["text/plain"]
    assert "https://mirror.example.net/kalyapin" in parts["text/plain"]
    assert "Олег Орлов заявил" in parts["text/plain"]
    assert "<mark>Игорь Каляпин</mark>" in parts["text/html"]
    assert '<a href="https://mirror.example.net/kalyapin">' in parts["text/html"]
    # 7-bit on the wire, whatever the server announces
    assert all(byte < 128 for byte in mail.raw)


def test_a_hostile_title_adds_no_header_and_no_recipient(smtp_server):
    alert = make_alert(title=HOSTILE_TITLE)
    alert["mentions"][0]["term"] = "Igor\r\nCc: other@attacker.example"
    SmtpChannel(smtp_url(smtp_server)).send(alert)

    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["desk@example.org", "lead@example.net"]
    message = mail.message
    assert message["Bcc"] is None and message["Cc"] is None and message["X-Injected"] is None
    header_block = mail.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    header_lines = [line for line in header_block.split("\r\n") if line and not line[0].isspace()]
    header_names = [line.split(":", 1)[0].lower() for line in header_lines]
    assert sorted(header_names) == sorted(
        ["subject", "from", "to", "date", "auto-submitted", "mime-version", "content-type", "message-id"]
    )
    assert "\n" not in message["Subject"] and "Bcc: evil@attacker.example" in message["Subject"]


def test_the_html_part_shows_page_markup_as_text(smtp_server):
    alert = make_alert(
        title=HOSTILE_TITLE,
        url='https://example.org/a?x="><img src=x onerror=alert(1)>',
        also_at=["javascript:alert(document.cookie)", "https://ok.example.net/"],
    )
    alert["mentions"][0]["snippet"] = "<iframe src=//evil></iframe> Игорь Каляпин <b onclick=x>"
    SmtpChannel(smtp_url(smtp_server)).send(alert)

    html_part = parts_of(smtp_server.wait_for(1)[0].message)["text/html"]
    collected = collect_tags(html_part)
    assert collected.tags <= {"html", "head", "meta", "title", "body", "h2", "h3", "p", "strong", "a", "br", "ul", "li",
                              "blockquote", "mark"}
    assert not [name for name, _ in collected.attributes if name.startswith("on")]
    hrefs = [value for name, value in collected.attributes if name == "href"]
    assert hrefs and all(href.startswith("https://") for href in hrefs)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html_part
    assert "javascript:alert(document.cookie)" in html_part  # shown, but not as a link


def test_smtp_digest_sends_the_given_parts(smtp_server):
    SmtpChannel(smtp_url(smtp_server)).send_digest("Vigil digest: 3 mentions", "plain digest\n", "<p>html digest</p>\n")

    message = smtp_server.wait_for(1)[0].message
    assert message["Subject"] == "Vigil digest: 3 mentions"
    assert parts_of(message) == {"text/plain": "plain digest\n", "text/html": "<p>html digest</p>\n"}


def test_a_retried_alert_keeps_its_message_id(smtp_server):
    channel = SmtpChannel(smtp_url(smtp_server))
    channel.send(make_alert())
    channel.send(make_alert())
    channel.send(make_alert(id="another"))

    ids = [mail.message["Message-ID"] for mail in smtp_server.wait_for(3)]
    assert ids[0] == ids[1] != ids[2]


def test_a_refused_login_is_one_line_without_the_password(smtp_server):
    wrong = "wr0ng-pa55word"
    with pytest.raises(DeliveryError) as refused:
        SmtpChannel(smtp_url(smtp_server, password=wrong)).send(make_alert())
    reason = str(refused.value)
    assert "login refused" in reason and "535" in reason
    assert wrong not in reason and "\n" not in reason
    assert smtp_server.messages == []


def test_an_unreachable_mail_server_raises_delivery_error():
    credentials = f"{USER}:{PASSWORD.replace('@', '%40')}"
    url = f"smtp://{credentials}@127.0.0.1:{free_port()}?from=v@example.org&to=d@example.org&starttls=no"
    with pytest.raises(DeliveryError) as refused:
        SmtpChannel(url).send(make_alert())
    assert "refused" in str(refused.value).lower() and PASSWORD not in str(refused.value)


def test_a_password_is_not_sent_in_clear_unless_the_url_says_so(smtp_server):
    url = smtp_url(smtp_server).replace("&starttls=no", "")
    with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
        SmtpChannel(url).send(make_alert())
    assert smtp_server.messages == []


def test_smtps_speaks_tls_from_the_first_byte(smtp_server):
    # the test server speaks plain SMTP, so implicit TLS must fail there instead of sending in clear
    url = smtp_url(smtp_server).replace("smtp://", "smtps://")
    with pytest.raises(DeliveryError, match="TLS failed|closed the connection"):
        SmtpChannel(url).send(make_alert())
    assert smtp_server.messages == []


@pytest.mark.parametrize(
    "query, complaint",
    [
        ("from=v@example.org", "no recipient"),
        ("to=d@example.org", "no sender"),
        ("from=v@example.org&to=d@example.org%0d%0aBcc:%20evil@x.example", "not a plain mail address"),
        ("from=v@example.org&to=Desk <d@example.org>", "not a plain mail address"),
        ("from=v@example.org&to=d@example.org&starttls=maybe", "starttls must be yes or no"),
    ],
)
def test_a_bad_smtp_url_is_refused_with_a_clear_reason(query, complaint):
    with pytest.raises(DeliveryError, match=complaint) as refused:
        channel_for(f"smtp://user:hunter2@127.0.0.1:2525?{query}")
    assert "hunter2" not in str(refused.value)


# --- webhooks ---------------------------------------------------------------------------


def test_webhook_posts_the_alert_signed_with_the_secret(receiver):
    alert = make_alert()
    channel_for(f"{receiver.url}/hooks/vigil", secret="hook-secret").send(alert)

    [request] = receiver.wait_for(1)
    assert (request.method, request.path) == ("POST", "/hooks/vigil")
    assert request.header("Content-Type") == "application/json"
    assert request.header("User-Agent") == "vigil"
    assert json.loads(request.body.decode("utf-8")) == alert
    expected = hmac.new(b"hook-secret", request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.header("X-Vigil-Signature"), "sha256=" + expected)
    wrong_key = hmac.new(b"other", request.body, hashlib.sha256).hexdigest()
    assert request.header("X-Vigil-Signature") != "sha256=" + wrong_key


def test_webhook_without_a_secret_sends_no_signature(receiver):
    WebhookChannel(receiver.url + "/plain").send(make_alert())
    assert receiver.wait_for(1)[0].header("X-Vigil-Signature") is None


def test_a_failing_receiver_raises_and_a_retry_then_delivers(receiver):
    channel = WebhookChannel(receiver.url + "/hook", secret="s")
    receiver.fail(500, times=1)
    with pytest.raises(DeliveryError, match="HTTP 500"):
        channel.send(make_alert())
    channel.send(make_alert())
    assert [request.status for request in receiver.wait_for(2)] == [500, 200]
    assert len(receiver.accepted) == 1


def test_a_receiver_that_is_down_raises_until_it_is_back(receiver):
    channel = WebhookChannel(receiver.url + "/hook")
    receiver.stop()
    with pytest.raises(DeliveryError, match="cannot reach"):
        channel.send(make_alert())
    receiver.start()
    channel.send(make_alert())
    assert len(receiver.wait_for(1)) == 1


def test_a_redirect_is_not_followed(receiver):
    # a followed redirect would turn the POST into a GET without the alert, and look delivered
    receiver.fail(302, times=1)
    with pytest.raises(DeliveryError, match="HTTP 302 .* to /redirected"):
        WebhookChannel(receiver.url + "/old").send(make_alert())
    assert [(request.method, request.path) for request in receiver.wait_for(1)] == [("POST", "/old")]


def test_webhook_credentials_become_basic_auth_and_stay_out_of_errors(receiver):
    channel = WebhookChannel(f"http://desk:pa55word@127.0.0.1:{receiver.port}/hook")
    channel.send(make_alert())
    assert receiver.wait_for(1)[0].header("Authorization") == "Basic ZGVzazpwYTU1d29yZA=="
    receiver.fail(503)
    with pytest.raises(DeliveryError) as refused:
        channel.send(make_alert())
    assert "HTTP 503" in str(refused.value) and "pa55word" not in str(refused.value)


def test_a_receiver_that_never_answers_times_out(monkeypatch):
    monkeypatch.setattr(webhook_module, "WEBHOOK_TIMEOUT", 0.5)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # the connection is queued, never answered
        with pytest.raises(DeliveryError, match="no answer within 0.5 s"):
            WebhookChannel(f"http://127.0.0.1:{silent.getsockname()[1]}/hook").send(make_alert())


# --- Apprise ----------------------------------------------------------------------------


def test_apprise_json_reaches_the_receiver_as_escaped_markdown(receiver):
    channel = channel_for(f"json://127.0.0.1:{receiver.port}/apprise")
    assert isinstance(channel, AppriseChannel)
    channel.send(make_alert(title=HOSTILE_TITLE))

    [request] = receiver.wait_for(1)
    assert request.path == "/apprise"
    payload = json.loads(request.body)
    assert payload["title"] == alert_subject(make_alert(title=HOSTILE_TITLE))
    assert "\n" not in payload["title"]
    message = payload["message"]
    assert "<script>" not in message and r"\<script\>" in message
    assert "<https://example.org/news/2024/05/kalyapin>" in message
    assert "**Игорь Каляпин**" in message


def test_apprise_mail_escapes_the_html_and_keeps_the_recipients(smtp_server):
    url = (f"mailto://{USER}:{PASSWORD.replace('@', '%40')}@127.0.0.1:{smtp_server.port}"
           "?from=vigil@example.org&to=desk@example.org&mode=insecure")
    channel_for(url).send(make_alert(title=HOSTILE_TITLE))

    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["desk@example.org"]
    assert mail.message["Bcc"] is None and mail.message["X-Injected"] is None
    assert "Igor Kalyapin" in mail.message["Subject"]
    html_part = parts_of(mail.message)["text/html"]
    assert "script" not in collect_tags(html_part).tags
    assert "&lt;script&gt;" in html_part


def test_apprise_refusal_raises_delivery_error(receiver):
    receiver.fail(500)
    with pytest.raises(DeliveryError) as refused:
        channel_for(f"json://127.0.0.1:{receiver.port}/apprise").send(make_alert())
    assert "\n" not in str(refused.value)
    assert len(receiver.wait_for(1)) == 1


def test_apprise_digest_reaches_the_receiver(receiver):
    channel_for(f"json://127.0.0.1:{receiver.port}/d").send_digest("Digest", "plain\n", "<p>html</p>")
    payload = json.loads(receiver.wait_for(1)[0].body)
    assert payload["title"] == "Digest" and "html" in payload["message"]


@pytest.mark.parametrize("url, complaint", [
    ("nosuchservice://somewhere", "no channel serves nosuchservice:// URLs"),
    ("tgram://", "apprise does not understand"),
    ("json://", "apprise does not understand"),
])
def test_a_url_apprise_does_not_understand_is_refused(url, complaint):
    with pytest.raises(DeliveryError, match=complaint):
        channel_for(url)


def test_two_apprise_urls_in_one_channel_are_refused():
    with pytest.raises(DeliveryError, match="one Apprise URL per channel"):
        channel_for("json://127.0.0.1:9/a json://127.0.0.1:9/b")


# --- file and registry ------------------------------------------------------------------


def test_file_channel_creates_a_private_file_and_appends_lines(tmp_path):
    path = tmp_path / "alerts.jsonl"
    channel = channel_for(f"file://{path}")
    assert isinstance(channel, FileChannel)
    first, second = make_alert(), make_alert(id="second", event="removed")
    channel.send(first)
    channel.send(second)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] == [first, second]


# A file-size limit makes a write fail part-way with EFBIG, as a full disk does with ENOSPC.
WRITE_PAST_LIMIT = """
import resource, signal, sys
from alerts.delivery.channels import DeliveryError, channel_for
channel = channel_for("file://" + sys.argv[1])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
try:
    channel.send({"id": "cut", "title": "x" * 2000})
except DeliveryError as exc:
    print("FAILED", exc)
else:
    print("SENT")
"""


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_bytes().decode("utf-8").split("\n")[:-1]]


def test_a_write_that_fails_part_way_leaves_no_partial_line(tmp_path):
    path = tmp_path / "alerts.jsonl"
    channel = channel_for(f"file://{path}")
    channel.send(make_alert(id="first"))
    before = path.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", WRITE_PAST_LIMIT, str(path), str(len(before) + 100)],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.stdout.startswith("FAILED cannot write"), done.stdout + done.stderr
    assert path.read_bytes() == before  # nothing of the failed alert is left behind
    channel.send(make_alert(id="retried"))
    assert [alert["id"] for alert in _lines(path)] == ["first", "retried"]


def test_a_partial_last_line_is_cut_off_before_the_next_alert(tmp_path):
    path = tmp_path / "alerts.jsonl"
    channel = channel_for(f"file://{path}")
    channel.send(make_alert(id="first"))
    with open(path, "ab") as out:  # what a crash in the middle of a write leaves
        out.write(b'{"id": "torn", "title": "Appeal co')
    channel.send(make_alert(id="next"))
    assert path.read_bytes().endswith(b"\n")
    assert [alert["id"] for alert in _lines(path)] == ["first", "next"]


def test_an_alert_sent_again_after_a_crash_is_written_once(tmp_path):
    """A dispatcher killed after writing its alerts and before recording them as sent sends them again
    when the daemon restarts: lines already in the file are not written twice, and a new one is."""
    path = tmp_path / "alerts.jsonl"
    channel = channel_for(f"file://{path}")
    first, second = make_alert(id="first"), make_alert(id="second")
    channel.send(first)
    channel.send(second)
    channel.send(first)     # both in flight when the process was killed
    channel.send(second)
    channel.send(make_alert(id="first", event="removed"))   # the same id with other content is another line
    channel.send(make_alert(id="third"))
    assert [(alert["id"], alert["event"]) for alert in _lines(path)] == [
        ("first", first["event"]), ("second", second["event"]), ("first", "removed"), ("third", first["event"])]


def test_file_channel_reports_an_unwritable_path(tmp_path):
    with pytest.raises(DeliveryError, match="cannot write"):
        channel_for(f"file://{tmp_path}/missing/dir/alerts.jsonl").send(make_alert())


def test_each_scheme_goes_to_its_channel():
    assert type(channel_for("smtps://u:p@mail.example.org?from=v@example.org&to=d@example.org")) is SmtpChannel
    assert type(channel_for("https://hooks.example.org/x")) is WebhookChannel
    assert type(channel_for("mailto://u:p@example.org")) is AppriseChannel


# --- rendering --------------------------------------------------------------------------


@pytest.mark.parametrize("event, words", [
    ("mention_added", "Igor Kalyapin, Oleg Orlov mentioned"),
    ("mention_removed", "Igor Kalyapin, Oleg Orlov no longer named"),
    ("removed", "Page taken down (Igor Kalyapin, Oleg Orlov)"),
    ("restored", "Page back online (Igor Kalyapin, Oleg Orlov)"),
])
def test_the_subject_names_the_people_and_the_event(event, words):
    subject = alert_subject(make_alert(event=event))
    assert words in subject
    assert subject.endswith("Правозащитник Игорь Каляпин задержан")


def test_one_line_removes_line_breaks_controls_and_bidi_overrides():
    assert one_line("a\r\nb\u2028c\x1b[31md\u202eef\tg") == "a b c [31mdef g"
    assert len(one_line("x" * 500, 100)) == 100


def test_markdown_shows_page_markup_literally():
    markdown = alert_markdown(make_alert(title="[click](http://evil.example) *bold* <b>"))
    assert r"\[click\]\(http\:\/\/evil\.example\) \*bold\* \<b\>" in markdown
    other_places = alert_markdown(make_alert(also_at=["javascript:x", "https://ok.example.net/a b"]))
    assert r"- javascript\:x" in other_places and "<javascript" not in other_places
    assert "- <https://ok.example.net/a%20b>" in other_places


def test_plain_text_names_each_person_and_snippet():
    text = alert_text(make_alert())
    assert 'Igor Kalyapin (found as "Игорь Каляпин")' in text
    assert "  Олег Орлов заявил" in text


def test_apprise_targets_pass_the_private_network_guard(receiver):
    netguard.set_policy(False)
    with pytest.raises(DeliveryError) as refused:
        channel_for(f"json://127.0.0.1:{receiver.port}/hooks").send(make_alert())
    assert "refused" in str(refused.value) and "127.0.0.1" in str(refused.value)
    assert receiver.requests == []
