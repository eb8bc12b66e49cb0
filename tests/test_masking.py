"""Credentials in URLs are masked by one rule: passwords, token-like users, secret query values, Apprise tokens."""
from __future__ import annotations

import pytest

from crawler.core.masking import mask_text, mask_url, secret_parts, unexpand

TELEGRAM_TOKEN = "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.mark.parametrize("url, shown", [
    # addresses stay readable: an @ in the query is not a password's end
    ("smtp://127.0.0.1:8025?from=vigil@example.org&to=desk@example.org",
     "smtp://127.0.0.1:8025?from=vigil@example.org&to=desk@example.org"),
    ("smtp://desk:hunter2@mail.example.org:587?from=vigil@example.org&to=a@example.org",
     "smtp://desk:***@mail.example.org:587?from=vigil@example.org&to=a@example.org"),
    ("smtps://desk:p%40ss@mail.example.org?to=a@example.org", "smtps://desk:***@mail.example.org?to=a@example.org"),
    ("smtp://desk:${SMTP_PASSWORD}@mail.example.org:587?to=a@example.org",
     "smtp://desk:${SMTP_PASSWORD}@mail.example.org:587?to=a@example.org"),
    ("https://hooks.example.org/in?token=q1w2e3r4t5&x=1", "https://hooks.example.org/in?token=***&x=1"),
    ("https://hooks.example.org/in?api_key=abc&Signature=xyz&password=p&to=desk",
     "https://hooks.example.org/in?api_key=***&Signature=***&password=***&to=desk"),
    ("https://hooks.example.org/in?token=", "https://hooks.example.org/in?token="),
    ("http://user:pa55@127.0.0.1:99999/x", "http://user:***@127.0.0.1:99999/x"),   # too broken for urlsplit
    ("http://reader:secret@[::1", "http://reader:***@[::1"),
    ("https://ghp_16C7e42F292c6912E7710c838347Ae178B4a@github.com/x", "https://***@github.com/x"),
    ("https://desk@example.org/news/2024/05/a1b2c3d4e5", "https://desk@example.org/news/2024/05/a1b2c3d4e5"),
    ("file:///var/lib/vigil/alerts-2024.jsonl", "file:///var/lib/vigil/alerts-2024.jsonl"),
    # Apprise services carry tokens in the host and path; ids, names and hosts stay
    (f"tgram://123456789:{TELEGRAM_TOKEN}/12345", "tgram://123456789:***/12345"),
    ("tgram://${TELEGRAM_TOKEN}/12345", "tgram://${TELEGRAM_TOKEN}/12345"),
    ("pbul://o.gn5kj6nfhv736I7jC3cj3QLRiyhgl98b", "pbul://***"),
    ("pover://uQiRzpo4DXghDmr9QzzfQu27cmVRsG@azGDORePK8gMaC0QOYAMyEEuzJnyUi", "pover://***@***"),
    ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general", "slack://***/***/***/#general"),
    ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", "discord://4174216298/***"),
    ("mailto://user:pass@example.com:587?smtp=127.0.0.2&to=a@example.org",
     "mailto://user:***@example.com:587?smtp=127.0.0.2&to=a@example.org"),
    ("mailto://vigil@gmail.com", "mailto://vigil@gmail.com"),
    ("ntfys://ntfy.example.org/alerts", "ntfys://ntfy.example.org/alerts"),
    ("json://127.0.0.1:8080/hooks?:token=abc", "json://127.0.0.1:8080/hooks?:token=***"),
    ("matrix://bot:pass@matrix.example.org/#room", "matrix://bot:***@matrix.example.org/#room"),
    ("not a url", "not a url"),
])
def test_each_credential_looking_part_is_masked_and_nothing_else(url, shown):
    assert mask_url(url) == shown
    assert mask_url(shown) == shown


def test_urls_inside_text_are_masked_where_they_stand():
    text = ("cannot reach 'http://hook:pw1234@127.0.0.1:9/down?token=abc': refused; "
            f"see tgram://123456789:{TELEGRAM_TOKEN}/1, then https://x.example.org/?key=k. "
            "ValueError: invalid hostname: reader:Pa55-w0rd@127.0.0.1 (reader:${PASSWORD}@127.0.0.1)")
    assert mask_text(text) == ("cannot reach 'http://hook:***@127.0.0.1:9/down?token=***': refused; "
                               "see tgram://123456789:***/1, then https://x.example.org/?key=***. "
                               "ValueError: invalid hostname: reader:***@127.0.0.1 (reader:${PASSWORD}@127.0.0.1)")


def test_secret_parts_are_what_the_mask_hides():
    assert secret_parts(f"tgram://123456789:{TELEGRAM_TOKEN}/1?token=t0k") == [TELEGRAM_TOKEN, "t0k"]


def test_values_from_the_environment_are_named_not_shown(monkeypatch):
    monkeypatch.setenv("HOOK_PATH", "s3cr3t/path")
    monkeypatch.setenv("SHORT", "ab")
    error = "cannot reach http://127.0.0.1:9/hooks/s3cr3t/path (also s3cr3t%2Fpath): ab refused"
    assert unexpand(error, "http://127.0.0.1:9/hooks/${HOOK_PATH}", "${SHORT}") == \
        "cannot reach http://127.0.0.1:9/hooks/${HOOK_PATH} (also ${HOOK_PATH}): ab refused"
