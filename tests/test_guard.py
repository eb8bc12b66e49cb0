"""The private-network guard: forbidden addresses are refused after DNS, on redirects and for webhooks,
with a plain reason, and no connection is ever opened to them."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from alerts.delivery.channels import DeliveryError, channel_for
from alerts.delivery.channels.webhook import WebhookChannel
from conftest import page
from crawler.core import netguard
from servers import HttpProxy, SmtpServer, WebhookReceiver

pytestmark = pytest.mark.e2e   # `vigil` run as processes against local servers

REPO = Path(__file__).resolve().parent.parent
_BODY = b"<html><body><p>An address that must not be reached.</p></body></html>"
HTML_OK = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
           b"Content-Length: %d\r\n\r\n%s" % (len(_BODY), _BODY))


class Listener:
    """A TCP server that counts every connection it accepts (and answers each with a tiny page)."""

    def __init__(self, host: str = "127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        self.sock.bind((host, 0))
        self.sock.listen(64)
        self.host, self.port = host, self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            try:
                conn.settimeout(2)
                conn.recv(65536)
                conn.sendall(HTML_OK)
            except OSError:
                pass
            conn.close()

    def close(self):
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def second_loopback():
    try:
        server = Listener("127.0.0.2")
    except OSError:
        pytest.skip("127.0.0.2 cannot be bound here")
    yield server
    server.close()


@pytest.mark.parametrize("address, category", [
    ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("fd12::1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("100.64.0.1", "carrier-grade NAT (shared)"), ("100.127.255.254", "carrier-grade NAT (shared)"),
    ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"), ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"), ("255.255.255.255", "reserved"), ("192.0.2.10", "reserved"), ("198.18.0.1", "reserved"),
    ("0.0.0.0", "unspecified"), ("0.1.2.3", "unspecified"), ("::", "unspecified"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"), ("::ffff:169.254.169.254", "link-local"),
    ("64:ff9b::a00:1", "private"), ("2002:7f00:1::", "loopback"), ("::127.0.0.1", "reserved"),
    ("fec0::1", "private"), ("2001:db8::1", "reserved"), ("2001::1", "reserved"),
])
def test_every_kind_of_non_public_address_is_named(address, category):
    assert netguard.blocked_category(address) == category
    assert not netguard.allowed(address, False)
    assert netguard.allowed(address, True)
    reason = netguard.refusal_reason("site.example", address, False)
    assert reason.startswith("refused: site.example resolves to") and category in reason
    assert "allow_private_networks" in reason


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8",
                                     "64:ff9b::808:808", "100.128.0.1"])
def test_public_addresses_pass(address):
    assert netguard.blocked_category(address) is None
    assert netguard.allowed(address, False)
    assert netguard.refusal_reason("site.example", address, False) is None


def test_a_cidr_list_allows_only_what_is_inside_it():
    allow = ("10.0.0.0/8", "fd00::/8")
    assert netguard.allowed("10.20.30.40", allow)
    assert netguard.allowed("::ffff:10.0.0.7", allow)
    assert netguard.allowed("fd00::5", allow)
    for outside in ("192.168.1.1", "127.0.0.1", "169.254.169.254", "100.64.0.1", "::1", "fe80::1"):
        assert not netguard.allowed(outside, allow), outside
    assert "loopback" in netguard.refusal_reason("127.0.0.1", "127.0.0.1", allow)


def _config(project, *start_urls: str, allow: str = "false", extra: str = "") -> None:
    urls = ", ".join(f'"{url}"' for url in start_urls)
    project.write_config(f"""
        [vigil]
        database = "vigil.db"
        allow_private_networks = {allow}

        [[sources]]
        name = "guarded"
        start_urls = [{urls}]
        delay = 0
        max_depth = 1

        [[watchlists]]
        name = "defenders"
        [[watchlists.terms]]
        name = "Oleg Orlov"
        {textwrap.dedent(extra)}
        """)


def _errors(project) -> dict[str, dict]:
    return {row["url"]: row for row in project.ok("errors", "--format", "json").json_lines()}


def test_forbidden_sources_are_refused_before_any_connection(project, listener):
    port = listener.port
    urls = [f"http://127.0.0.1:{port}/", f"http://[::ffff:127.0.0.1]:{port}/mapped", f"http://0.0.0.0:{port}/any",
            f"http://2130706433:{port}/integer",   # 127.0.0.1 written as one number: found only by resolving it
            f"http://localhost:{port}/named"]
    _config(project, *urls)
    result = project.ok("crawl")
    assert listener.connections == 0
    errors = _errors(project)
    for url in urls:
        assert url in errors, f"{url} not recorded: {errors}"
        assert errors[url]["kind"] == "refused"
        assert errors[url]["reason"].startswith("refused: ") and "allow_private_networks" in errors[url]["reason"]
    assert "resolves to 127.0.0.1" in errors[urls[3]]["reason"]
    assert "loopback address" in errors[urls[0]]["reason"]
    assert "error: " in result.stdout and result.stderr.count("\n") < 5


def test_allowing_the_address_lets_the_same_crawl_connect(project, listener):
    _config(project, f"http://127.0.0.1:{listener.port}/", allow='["127.0.0.1/32"]')
    project.ok("crawl")
    assert listener.connections >= 1   # the check above would see a connection if one were made


def test_redirects_and_other_loopback_addresses_outside_the_list_are_refused(site, project, second_loopback):
    """127.0.0.1 is allowed; 127.0.0.2 is loopback too but not in the list, directly or by redirect."""
    other = f"127.0.0.2:{second_loopback.port}"
    site.write("index.html", page("Rights Centre", "Statements.", '</p><p><a href="/orlov.html">Appeal</a>'))
    site.write("orlov.html", page("Appeal court upholds sentence",
                                  "The court upheld the sentence handed down to Oleg Orlov for his article."))
    site.redirects["/go"] = f"http://{other}/secret"
    site.redirects["/go-integer"] = f"http://2130706434:{second_loopback.port}/secret"  # 127.0.0.2 as a number
    site.redirects["/hop"] = "/go"
    _config(project, f"{site.url}/", f"{site.url}/go", f"{site.url}/go-integer", f"{site.url}/hop",
            f"http://{other}/direct", allow='["127.0.0.1/32"]')
    project.ok("crawl")
    assert second_loopback.connections == 0
    errors = _errors(project)
    for path in ("/go", "/go-integer", "/hop"):
        row = errors[f"{site.url}{path}"]
        assert row["kind"] == "refused" and "redirected to http://" in row["reason"], row
        assert "127.0.0.2" in row["reason"] and "loopback" in row["reason"]
    assert errors[f"http://{other}/direct"]["kind"] == "refused"
    mentions = project.ok("mentions", "--format", "json").json_lines()
    assert [m["url"] for m in mentions] == [f"{site.url}/orlov.html"]   # the allowed site is still crawled

    # the same crawl with 127.0.0.2 listed does connect there: the zero above is the guard's doing
    _config(project, f"{site.url}/go", allow='["127.0.0.1/32", "127.0.0.2/32"]')
    project.ok("crawl")
    assert second_loopback.connections >= 1


RESOLVER_ONLY = """
import sys
import scrapy
from scrapy.crawler import CrawlerProcess
from crawler.core import netguard

class Probe(scrapy.Spider):
    name = "probe"
    async def start(self):
        for url in sys.argv[2:]:
            yield scrapy.Request(url, errback=self.failed, dont_filter=True)
    def parse(self, response):
        print("FETCHED", response.url)
    def failed(self, failure):
        host = failure.request.url.split("//")[1].split(":")[0]
        print("FAILED", type(failure.value).__name__, netguard.recorded_refusal(host))

netguard.set_policy(sys.argv[1] == "allow" or False)
process = CrawlerProcess({"TWISTED_DNS_RESOLVER": "crawler.core.netguard.GuardedResolver", "ROBOTSTXT_OBEY": False,
                          "RETRY_ENABLED": False, "LOG_LEVEL": "ERROR"})
process.crawl(Probe)
process.start()
"""


def test_the_resolver_alone_keeps_connections_away_from_refused_addresses(listener):
    """Without the middleware's early check, the name resolver still hands the connection nothing to dial."""
    urls = [f"http://localhost:{listener.port}/", f"http://127.0.0.1:{listener.port}/"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    refused = subprocess.run([sys.executable, "-c", RESOLVER_ONLY, "refuse", *urls], capture_output=True,
                             text=True, env=env, timeout=60)
    assert listener.connections == 0
    lines = [line for line in refused.stdout.splitlines() if line.startswith(("FAILED", "FETCHED"))]
    assert len(lines) == 2 and all(line.startswith("FAILED CannotResolveHostError refused: ") for line in lines), \
        refused.stdout + refused.stderr
    allowed = subprocess.run([sys.executable, "-c", RESOLVER_ONLY, "allow", *urls], capture_output=True,
                             text=True, env=env, timeout=60)
    assert allowed.stdout.count("FETCHED") == 2, allowed.stdout + allowed.stderr
    assert listener.connections == 2


def _alert() -> dict:
    return {"id": 1, "subscriber": "desk", "event": "mention_added", "url": "https://example.org/a",
            "also_at": [], "title": "A title", "detected_at": "2026-01-01T00:00:00Z", "mentions": []}


def test_webhook_targets_pass_the_same_guard(listener):
    hook = f"http://127.0.0.1:{listener.port}/hook"
    with pytest.raises(DeliveryError) as refused:
        WebhookChannel(hook, allow_private_networks=False).send(_alert())
    assert str(refused.value) == (f"{hook}: refused: 127.0.0.1 is a loopback address "
                                  "(set allow_private_networks in [vigil] to allow it)")
    with pytest.raises(DeliveryError, match="refused: localhost resolves to"):
        WebhookChannel(f"http://localhost:{listener.port}/hook", allow_private_networks=("10.0.0.0/8",)).send(_alert())
    assert listener.connections == 0
    WebhookChannel(hook, allow_private_networks=("127.0.0.1/32",)).send(_alert())
    assert listener.connections == 1


def test_the_process_policy_governs_webhooks_built_without_one(listener):
    hook = f"http://127.0.0.1:{listener.port}/hook"
    try:
        netguard.set_policy(False)
        with pytest.raises(DeliveryError, match="loopback"):
            WebhookChannel(hook).send(_alert())
        assert listener.connections == 0
        netguard.set_policy(["127.0.0.1/32"])
        WebhookChannel(hook).send(_alert())
        assert listener.connections == 1
    finally:
        netguard.set_policy(False)


def test_a_crawl_refuses_a_webhook_outside_the_allowed_networks(site, project, second_loopback):
    site.write("index.html", page("Appeal court upholds sentence",
                                  "The court upheld the sentence handed down to Oleg Orlov for his article."))
    _config(project, f"{site.url}/", allow='["127.0.0.1/32"]', extra=f"""
        [[subscribers]]
        name = "desk"
        watchlists = ["defenders"]
        channels = ["http://127.0.0.2:{second_loopback.port}/hook"]
        """)
    result = project.ok("crawl")
    assert "delivery failures 1" in result.stdout
    assert second_loopback.connections == 0
    db = project.db()
    error = db.execute("SELECT error FROM attempts ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert "refused: 127.0.0.2 is a loopback address" in error


# --- Apprise: every host its plugin reaches, and never a token as a host --------------------------


def test_an_apprise_mail_server_named_in_a_parameter_passes_the_guard():
    """mailto://...?smtp=HOST connects to HOST, not to the URL's host: the connection itself is checked."""
    try:
        server = SmtpServer(credentials=("vigil", "pw"), host="127.0.0.2").start()
    except OSError:
        pytest.skip("127.0.0.2 cannot be bound here")
    url = (f"mailto://vigil:pw@example.com:{server.port}?smtp=127.0.0.2&from=vigil@example.org"
           "&to=desk@example.org&mode=insecure")
    try:
        netguard.set_policy(["127.0.0.1/32"])
        with pytest.raises(DeliveryError, match="refused: 127.0.0.2 is a loopback address"):
            channel_for(url).send(_alert())
        assert server.messages == []
        netguard.set_policy(["127.0.0.1/32", "127.0.0.2/32"])
        channel_for(url).send(_alert())   # allowed, the same URL does deliver: the refusal was the guard's
        assert len(server.wait_for(1)) == 1
    finally:
        netguard.set_policy(False)
        server.stop()


def test_a_redirect_an_apprise_service_follows_passes_the_guard():
    try:
        hidden = WebhookReceiver(host="127.0.0.2").start()
    except OSError:
        pytest.skip("127.0.0.2 cannot be bound here")
    try:
        with WebhookReceiver() as receiver:
            receiver.fail(307, location=f"{hidden.url}/stolen")
            netguard.set_policy(["127.0.0.1/32"])
            with pytest.raises(DeliveryError, match="127.0.0.2 is a loopback address"):
                channel_for(f"json://127.0.0.1:{receiver.port}/hook").send(_alert())
            assert len(receiver.requests) == 1 and hidden.requests == []
    finally:
        netguard.set_policy(False)
        hidden.stop()


TOKENS_NOT_LOOKED_UP = """
import json, sys
looked_up = []
sys.addaudithook(lambda event, args: looked_up.append(str(args[0])) if event == "socket.getaddrinfo" else None)
from alerts.delivery.channels import DeliveryError, channel_for
from crawler.core import netguard
netguard.set_policy(["127.0.0.1/32"])
netguard.set_proxy(sys.argv[1])  # the tests' proxy: nothing leaves the machine
errors = {}
for url in sys.argv[2:]:
    try:
        channel_for(url).send({"id": 1, "event": "mention_added", "url": "https://example.org/a", "title": "t",
                               "also_at": [], "mentions": []})
    except DeliveryError as exc:
        errors[url] = str(exc)
print(json.dumps({"looked_up": looked_up, "errors": errors}))
"""


def test_apprise_tokens_are_never_looked_up_as_host_names():
    """A Pushbullet token, a Pushover key or a numeric Telegram bot id sits where a host would: it is not one."""
    tokens = {"pbul://o.gn5kj6nfhv736I7jC3cj3QLRiyhgl98b": "o.gn5kj6nfhv736I7jC3cj3QLRiyhgl98b",
              "pover://uQiRzpo4DXghDmr9QzzfQu27cmVRsG@azGDORePK8gMaC0QOYAMyEEuzJnyUi": "azGDORePK8gMaC0QOYAMyEEuzJnyUi",
              # 3758096385 read as a number is 224.0.0.1, a multicast address
              "tgram://3758096385:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/12345": "3758096385"}
    with HttpProxy() as proxy:
        env = {**os.environ, "PYTHONPATH": str(REPO), "http_proxy": proxy.url, "https_proxy": proxy.url}
        done = subprocess.run([sys.executable, "-c", TOKENS_NOT_LOOKED_UP, proxy.url, *tokens], capture_output=True,
                              text=True, env=env, timeout=120)
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    for url, token in tokens.items():
        assert not [host for host in outcome["looked_up"] if token.lower() in host.lower()], outcome["looked_up"]
        error = outcome["errors"].get(url, "")   # the tests' proxy forwards nothing off the machine
        assert "multicast" not in error and f"refused: {token}" not in error, error
