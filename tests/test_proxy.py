"""Proxies never carry a request past the private-network guard: the environment's are ignored, and
through `[vigil] proxy` every target is checked before the proxy is asked for it."""
from __future__ import annotations

import pytest

from alerts.delivery.channels import DeliveryError, channel_for
from alerts.delivery.channels.webhook import WebhookChannel
from conftest import page, simple_config
from crawler.core import netguard
from servers import HttpProxy, WebhookReceiver, free_port

pytestmark = pytest.mark.e2e   # `vigil` run as processes against local servers

# 127.0.0.2 written as one number: a name to the proxy, found to be loopback only by resolving it
HIDDEN_LOOPBACK = "2130706434"
STATEMENT = page("Appeal court upholds sentence",
                 "The court upheld the sentence handed down to Oleg Orlov for his article.")


def proxy_environment(url: str) -> dict[str, str]:
    """Every spelling of the proxy variables, naming `url`, with nothing exempted."""
    names = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
    return {**dict.fromkeys(names, url), "no_proxy": "", "NO_PROXY": ""}


@pytest.fixture
def proxy():
    with HttpProxy() as server:
        yield server


@pytest.fixture
def decoy():
    """A proxy named only in the environment: nothing may go through it."""
    with HttpProxy() as server:
        yield server


@pytest.fixture
def receiver():
    with WebhookReceiver() as server:
        yield server


@pytest.fixture
def policy(monkeypatch):
    """127.0.0.1 allowed (the tests' servers and proxies live there), nothing else; the process's proxy restored."""
    earlier = netguard.policy(), netguard.proxy()
    netguard.set_policy(["127.0.0.1/32"])
    yield
    netguard.set_policy(earlier[0])
    netguard.set_proxy(earlier[1])


def _errors(project) -> dict[str, dict]:
    return {row["url"]: row for row in project.ok("errors", "--format", "json").json_lines()}


# --- crawls ---------------------------------------------------------------------------------


def test_a_crawl_ignores_a_proxy_named_in_the_environment(site, project, decoy):
    site.write("index.html", STATEMENT)
    hidden = f"http://{HIDDEN_LOOPBACK}:{free_port()}/secret"
    project.write_config(simple_config(site.url, source_extra=f'feeds = ["{hidden}"]'))
    project.ok("crawl", env=proxy_environment(decoy.url))
    assert decoy.requests == []
    assert "resolves to 127.0.0.2" in _errors(project)[hidden]["reason"]
    assert [m["url"] for m in project.ok("mentions", "--format", "json").json_lines()] == [f"{site.url}/"]


def test_a_crawl_goes_through_the_configured_proxy_after_checking_each_target(site, project, proxy, decoy):
    site.write("index.html", STATEMENT)
    hidden = f"http://{HIDDEN_LOOPBACK}:{free_port()}/secret"
    project.write_config(simple_config(site.url, source_extra=f'feeds = ["{hidden}"]')
                         .replace("[vigil]\n", f'[vigil]\nproxy = "{proxy.url}"\n'))
    project.ok("crawl", env=proxy_environment(decoy.url))
    assert f"GET {site.url}/" in proxy.requests   # the page came through the proxy
    assert proxy.asked_for(HIDDEN_LOOPBACK) == [] and decoy.requests == []
    error = _errors(project)[hidden]
    assert error["kind"] == "refused" and "resolves to 127.0.0.2" in error["reason"]
    assert [m["url"] for m in project.ok("mentions", "--format", "json").json_lines()] == [f"{site.url}/"]


@pytest.mark.parametrize("value, fault", [
    ("http://127.0.0.1:3128", "vigil.proxy: refused: 127.0.0.1 is a loopback address"),
    ("socks5://proxy.example.org:1080", "vigil.proxy: expected http://host:port"),
    ("http://proxy.example.org:99999", "vigil.proxy: not a proxy URL"),
    ("http://proxy.example.org:3128/path", "vigil.proxy: expected http://host:port, with no path"),
])
def test_a_proxy_the_guard_would_refuse_is_a_config_error(project, value, fault):
    project.write_config(simple_config("http://example.org").replace(
        'allow_private_networks = ["127.0.0.1/32"]', f'proxy = "{value}"'))
    result = project.vigil("status")
    assert result.returncode == 2 and fault in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- webhooks -------------------------------------------------------------------------------


def _alert() -> dict:
    return {"id": 1, "subscriber": "desk", "event": "mention_added", "url": "https://example.org/a",
            "also_at": [], "title": "A title", "detected_at": "2026-01-01T00:00:00Z", "mentions": []}


def test_a_webhook_ignores_a_proxy_named_in_the_environment(monkeypatch, policy, decoy, receiver):
    for name, value in proxy_environment(decoy.url).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(DeliveryError, match="169.254.169.254 is a link-local address"):
        WebhookChannel("http://169.254.169.254/latest/meta-data").send(_alert())
    WebhookChannel(f"{receiver.url}/hook").send(_alert())
    assert decoy.requests == [] and len(receiver.wait_for(1)) == 1


def test_a_webhook_goes_through_the_configured_proxy_after_its_target_is_checked(policy, proxy, receiver):
    netguard.set_proxy(proxy.url)
    WebhookChannel(f"{receiver.url}/hook?token=t").send(_alert())
    assert proxy.requests == [f"POST {receiver.url}/hook?token=t"]
    assert [request.path for request in receiver.wait_for(1)] == ["/hook?token=t"]
    for target, fault in ((f"http://{HIDDEN_LOOPBACK}:{receiver.port}/hook", "resolves to 127.0.0.2"),
                          ("https://169.254.169.254/hook", "169.254.169.254 is a link-local address")):
        with pytest.raises(DeliveryError, match=fault):
            WebhookChannel(target).send(_alert())
    assert len(proxy.requests) == 1


# --- Apprise --------------------------------------------------------------------------------


def test_apprise_ignores_a_proxy_named_in_the_environment(monkeypatch, policy, decoy, receiver):
    for name, value in proxy_environment(decoy.url).items():
        monkeypatch.setenv(name, value)
    channel_for(f"json://127.0.0.1:{receiver.port}/apprise").send(_alert())
    assert [request.path for request in receiver.wait_for(1)] == ["/apprise"]
    assert decoy.requests == []


def test_apprise_goes_through_the_configured_proxy_after_its_target_is_checked(policy, proxy, receiver):
    netguard.set_proxy(proxy.url)
    channel_for(f"json://127.0.0.1:{receiver.port}/apprise").send(_alert())
    assert proxy.requests == [f"POST {receiver.url}/apprise"]
    assert len(receiver.wait_for(1)) == 1
    with pytest.raises(DeliveryError, match="resolves to 127.0.0.2"):
        channel_for(f"json://{HIDDEN_LOOPBACK}:{receiver.port}/apprise").send(_alert())
    assert proxy.asked_for(HIDDEN_LOOPBACK) == []
