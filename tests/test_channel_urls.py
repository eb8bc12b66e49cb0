"""Channel URLs that can never deliver are refused when the config loads: one line naming the key, exit 2."""
from __future__ import annotations

import pytest

from alerts.delivery.channels import channel_problem
from conftest import simple_config

pytestmark = pytest.mark.e2e   # `vigil` run as processes against local servers

SITE = "http://127.0.0.1:9"
PASSWORD = "hunter2-secret"


def failure_line(result) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vigil: error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize("channel, fault", [
    (f"smtp://desk:{PASSWORD}@127.0.0.1:2525?from=vigil@example.org", "no recipient"),
    (f"smtp://desk:{PASSWORD}@127.0.0.1:2525?to=desk@example.org", "no sender"),
    (f"smtp://desk:{PASSWORD}@127.0.0.1:99999?from=vigil@example.org&to=desk@example.org",
     "port '99999' is not a number from 1 to 65535"),
    (f"smtp://desk:{PASSWORD}@127.0.0.1:25?from=v@example.org&to=d@example.org&starttls=maybe", "starttls must be"),
    ("https://hooks.example.org:0/in", "port '0' is not a number"),
    (f"https://desk:{PASSWORD}@hooks.example.org:http/in", "port 'http' is not a number"),
    ("http:///in", "no host"),
    ("http://[::1/in", "not a valid URL"),
    ("file://", "no file path"),
    ("alerts.jsonl", "not a channel URL"),
    ("nosuchservice://somewhere", "no channel serves nosuchservice:// URLs"),
    ("tgram://", "apprise does not understand this tgram:// URL"),
    (f"mailto://desk:{PASSWORD}@example.org:70000?to=desk@example.org", "port 70000 is not a number"),
    ("json://127.0.0.1:9/a json://127.0.0.1:9/b", "one Apprise URL per channel"),
])
def test_a_channel_that_can_never_deliver_is_one_line_at_load(project, channel, fault):
    project.write_config(simple_config(SITE, channels=("file://alerts.jsonl", channel)))
    for command in (("status",), ("subscribe", "desk", "defenders")):
        line = failure_line(project.vigil(*command))
        assert f"vigil.toml: subscribers[0].channels[1]: {fault}" in line, line
        assert PASSWORD not in line
    assert not (project.path / "vigil.db").exists()  # refused before anything was opened


@pytest.mark.parametrize("channel", [
    "file:///var/lib/vigil/alerts.jsonl",
    "smtp://desk:${VIGIL_TEST_UNSET}@127.0.0.1:2525?from=vigil@example.org&to=desk@example.org",
    "smtps://mail.example.org?from=vigil@example.org&to=desk@example.org",
    "https://hooks.example.org/in?token=${VIGIL_TEST_UNSET}",
    "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/12345",
    "tgram://${VIGIL_TEST_UNSET}/12345",  # Apprise can parse it only once the variable is set
    "mailto://desk:secret@example.org?to=desk@example.org",
    "json://127.0.0.1:8080/hook",
])
def test_channels_that_may_work_are_accepted(channel, monkeypatch):
    monkeypatch.delenv("VIGIL_TEST_UNSET", raising=False)
    assert channel_problem(channel) is None


def test_a_variable_set_at_load_is_checked_and_never_shown(monkeypatch):
    monkeypatch.setenv("VIGIL_TEST_TOKEN", "not-a-telegram-token")
    problem = channel_problem("tgram://${VIGIL_TEST_TOKEN}/12345")
    assert problem and "apprise does not understand" in problem and "not-a-telegram-token" not in problem
    monkeypatch.setenv("VIGIL_TEST_TOKEN", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
    assert channel_problem("tgram://${VIGIL_TEST_TOKEN}/12345") is None
