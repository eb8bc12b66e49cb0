"""Hostile config values, URLs and options: each is refused at load as one line on stderr, exit 2."""
from __future__ import annotations

import pytest

from conftest import simple_config

pytestmark = pytest.mark.e2e   # `vigil` run as processes against local servers

SITE = "http://127.0.0.1:9"   # never fetched: every case fails before a request


def config(*, vigil: str = "", source: str = "", site: str = SITE, terms: str = 'name = "Oleg Orlov"') -> str:
    """A config of one source starting at `site`/, with `vigil` lines in [vigil] and `source` lines in its source."""
    text = simple_config(site, terms=terms, source_extra=source)
    return text.replace("[vigil]\n", f"[vigil]\n{vigil}\n")


NUMBERS = [
    (dict(vigil="jitter = nan"), "vigil.jitter: must be a finite number"),
    (dict(vigil="jitter = inf"), "vigil.jitter: must be a finite number"),
    (dict(vigil="jitter = 1e300"), "vigil.jitter: must be at most"),
    (dict(vigil="max_concurrent_crawls = 9223372036854775807"), "vigil.max_concurrent_crawls: must be at most"),
    (dict(source="schedule = 'every 3000000d'"), "sources[0].schedule: an interval must be at most 366 days"),
    (dict(source="schedule = 'every 99999999999999999999999s'"), "sources[0].schedule: an interval must be at most"),
    (dict(source="max_pages = 9223372036854775807"), "sources[0].max_pages: must be at most"),
    (dict(source="max_depth = 100000"), "sources[0].max_depth: must be at most"),
]


@pytest.mark.parametrize("parts, expected", NUMBERS, ids=[e for _, e in NUMBERS])
def test_a_number_out_of_bounds_is_one_line(project, parts, expected):
    project.write_config(config(**parts))
    assert expected in refused(project.vigil("status"))


# simple_config sets `delay = 0` and `concurrency = 8` in the source: replaced, not repeated
@pytest.mark.parametrize("key, value, expected", [
    ("delay", "inf", "sources[0].delay: must be a finite number"),
    ("delay", "nan", "sources[0].delay: must be a finite number"),
    ("delay", "1e300", "sources[0].delay: must be at most 3600"),
    ("concurrency", "99999999999", "sources[0].concurrency: must be at most 100"),
])
def test_a_politeness_number_out_of_bounds_is_one_line(project, key, value, expected):
    text = config().replace(f"{key} = {dict(delay=0, concurrency=8)[key]}\n", f"{key} = {value}\n")
    project.write_config(text)
    assert expected in refused(project.vigil("crawl"))


@pytest.mark.parametrize("args, expected", [
    (("mentions", "--since", "5000000d"), "'5000000d' is out of range"),
    (("events", "--since", "99999999999999999999w"), "is out of range"),
    (("mentions", "--until", "0001-01-01T00:00:00+05:00"), "is out of range"),
    (("evidence", "99999999999999999999", "--out", "proof.html"), "is not in the range"),
])
def test_an_option_out_of_bounds_is_one_line(project, args, expected):
    project.write_config(config())
    assert expected in refused(project.vigil(*args))


@pytest.mark.parametrize("name, value", [
    ("VIGIL_DOWNLOAD_TIMEOUT", "nan"), ("VIGIL_DOWNLOAD_TIMEOUT", "inf"), ("VIGIL_DOWNLOAD_TIMEOUT", "1e300"),
    ("VIGIL_DOWNLOAD_MAXSIZE", "99999999999999999999"), ("VIGIL_EXTRACT_WORKERS", "99999999999"),
    ("VIGIL_WRITE_BATCH_SECONDS", "nan"), ("VIGIL_WRITE_BATCH_SECONDS", "-1"),
])
def test_a_bound_in_the_environment_out_of_range_is_one_line(project, name, value):
    project.write_config(config())
    assert f"{name}={value!r}: expected a number from" in refused(project.vigil("crawl", env={name: value}))


URLS = [
    ("http://[::1", "not a valid URL (Invalid IPv6 URL)"),
    ("http://127.0.0.1:99999", "not a valid URL (Port out of range"),
    ("http://127.0.0.1:abc", "not a valid URL (Port could not be cast"),
    ("http://127.0.0.1:0", "port 0"),
    ("http://127.0.0.1/" + "a" * 3000, "longer than 2048 characters"),
    ("http://" + "a" * 70 + ".org", "not a valid host name"),
    ("http://exa mple.org", "holds spaces or control characters"),
    ("javascript:alert(1)//", "not an http(s) URL"),
]


@pytest.mark.parametrize("url, expected", URLS, ids=[e for _, e in URLS])
def test_a_start_url_that_can_never_be_fetched_is_one_line(project, url, expected):
    project.write_config(config(site=url))
    line = refused(project.vigil("crawl"))
    assert f"sources[0].start_urls[0]: {expected}" in line
    assert "a" * 100 not in line   # a huge URL is not printed back


def test_a_start_url_with_a_password_is_refused_without_printing_it(project):
    project.write_config(config(site="http://desk:hunter2-secret@127.0.0.1:9"))
    line = refused(project.vigil("crawl"))
    assert "sources[0].start_urls[0]: holds a user name or password" in line
    assert "hunter2" not in line


TERMS = [
    ('name = "..."', "terms[0].name: has no letter or digit: '...' can never be matched"),
    ('name = "\u200b"', "terms[0].name: holds an invisible character (U+200B)"),
    ('name = "Oleg\u200bOrlov"', "terms[0].name: holds an invisible character (U+200B)"),
    ('name = "Oleg Orlov"\naliases = ["—"]', "terms[0].aliases[0]: has no letter or digit"),
    ('name = "Oleg Orlov"\nsurname = "Ivanov"', "terms[0].surname: 'Ivanov' is not part of the name 'Oleg Orlov'"),
    ('name = "Oleg Orlov"\ngiven = "Pyotr"', "terms[0].given: 'Pyotr' is not part of the name"),
    ('name = "Oleg\\u001b[2J Orlov"', "terms[0].name: holds a control character"),
]


@pytest.mark.parametrize("terms, expected", TERMS, ids=[e for _, e in TERMS])
def test_a_term_that_can_never_match_is_refused_as_the_command_line_refuses_it(project, terms, expected):
    project.write_config(config(terms=terms))
    line = refused(project.vigil("status"))
    assert f"watchlists[0].{expected}" in line and "\x1b" not in line


def test_the_command_line_refuses_what_the_config_refuses(project):
    project.write_config(config())
    assert "has no letter or digit" in refused(project.vigil("watch", "add", "defenders", "..."))
    assert "invisible character (U+200B)" in refused(project.vigil("watch", "add", "defenders", "Oleg\u200bOrlov"))


def test_a_source_name_with_a_control_character_is_refused(project):
    project.write_config(config().replace('name = "ngo"', 'name = "ngo\\u001b]0;owned\\u0007"'))
    line = refused(project.vigil("status"))
    assert "sources[0].name: holds a control character" in line and "\x1b" not in line


@pytest.mark.parametrize("path, expected", [
    ("/dev/null", "/dev/null: not a regular file"),   # its folder would have held the database: /dev
    ("/dev/zero", "/dev/zero: not a regular file"),   # read forever
    (".", ".: not a regular file"),
])
def test_a_config_that_is_not_a_regular_file_is_one_line(project, path, expected):
    assert expected in refused(project.vigil("--config", path, "status"))
    assert not (project.path / "vigil.db").exists()


def test_a_config_too_large_to_be_one_is_refused_unread(project):
    project.config.write_text(config() + "# padding\n" * 200_000)
    assert "larger than 1 MiB" in refused(project.vigil("status"))


def refused(result) -> str:
    """The one line of a command refused as usage or configuration."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr, result.stdout)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("vigil: error: "), result.stderr
    return lines[0]
