"""Config validation: every fault is one line naming the file, the key path and what is wrong; exit 2."""
from __future__ import annotations

import pytest

from crawler.core.errors import ConfigError
from crawler.service.configload import load_config

VALID = """
[vigil]
database = "data/vigil.db"
allow_private_networks = ["10.0.0.0/8"]

[[sources]]
name = "frontline"
start_urls = ["https://www.frontlinedefenders.org/en/statements-and-reports"]
follow = ["/en/statement-report/"]
schedule = "0 */6 * * *"
delay = 2

[[watchlists]]
name = "defenders"
[[watchlists.terms]]
name = "Igor Kalyapin"
kind = "person"
aliases = ["Игорь Каляпин"]
[[watchlists.terms]]
name = "Ter-Petrosyan Levon"
surname = "Ter-Petrosyan"
given = "Levon"

[[subscribers]]
name = "ru-desk"
watchlists = ["defenders"]
channels = ["file:///tmp/alerts.jsonl", "mailto://user:pass@smtp.example.org?to=desk@example.org"]
mode = "daily"
secret = "${RU_DESK_HOOK_SECRET}"
"""


def test_valid_config_loads(tmp_path):
    path = tmp_path / "vigil.toml"
    path.write_text(VALID)
    config = load_config(path)
    assert config.database == tmp_path / "data" / "vigil.db"
    assert config.allow_private_networks == ("10.0.0.0/8",)
    source = config.source("frontline")
    assert source.max_depth == 2 and source.max_pages == 1000 and source.concurrency == 4
    assert source.delay == 2.0 and source.schedule.cron == "0 */6 * * *"
    terms = config.terms()
    assert [t.name for t in terms] == ["Igor Kalyapin", "Ter-Petrosyan Levon"]
    assert terms[0].aliases == ("Игорь Каляпин",) and terms[0].watchlist == "defenders"
    assert terms[1].surname == "Ter-Petrosyan"
    assert config.subscribers[0].mode == "daily"


BAD = [
    ("[vigil\n", "malformed TOML"),
    ("[vigil]\ndatabse = 'x.db'\n", "vigil.databse: unknown key"),
    ("[[sources]]\nname = 'a'\nstart_urls = ['https://a.org/']\nmax_depth = 'two'\n",
     "sources[0].max_depth: expected an integer, got string 'two'"),
    ("[[sources]]\nname = 'a'\nstart_urls = 'https://a.org/'\n", "sources[0].start_urls: expected a list of strings"),
    ("[[sources]]\nname = 'a'\nstart_urls = ['https://a.org/']\n[[sources]]\nname = 'a'\nstart_urls = ['https://b.org/']\n",
     "sources[1].name: duplicate name 'a'"),
    ("[[watchlists]]\nname = 'w'\n[[subscribers]]\nname = 's'\nwatchlists = ['nope']\n",
     "subscribers[0].watchlists[0]: unknown watchlist 'nope'"),
    ("[[sources]]\nname = 'a'\nstart_urls = ['ftp://a.org/']\n", "sources[0].start_urls[0]: not an http(s) URL"),
    ("[[sources]]\nname = 'a'\nstart_urls = ['https://a.org/']\nschedule = 'sometimes'\n", "sources[0].schedule"),
    ("[[sources]]\nname = 'a'\nstart_urls = ['https://a.org/']\nfollow = ['(']\n",
     "sources[0].follow[0]: not a valid regular expression"),
    ("[[watchlists]]\nname = 'w'\n[[watchlists.terms]]\nname = 'X'\nkind = 'place'\n", "watchlists[0].terms[0].kind"),
    ("[[watchlists]]\nname = 'w'\n[[watchlists.terms]]\nname = 'X'\n[[watchlists.terms]]\nname = 'X'\n",
     "watchlists[0].terms[1].name: duplicate term 'X'"),
    ("[[subscribers]]\nname = 's'\nmode = 'hourly'\n", "subscribers[0].mode: expected one of instant, daily, weekly"),
    ("[[subscribers]]\nname = 's'\nchannels = ['not a url']\n", "subscribers[0].channels[0]: not a channel URL"),
    ("[vigil]\nallow_private_networks = ['10.0.0.300/8']\n", "vigil.allow_private_networks[0]: not a CIDR network"),
    ("[vigil]\nallow_private_networks = 'yes'\n", "vigil.allow_private_networks: expected a bool or CIDR list"),
    ("[[sources]]\nname = 'a'\n", "sources[0]: needs at least one of start_urls, feeds or sitemaps"),
    ("sources = 3\n", "sources: expected an array of tables"),
    ("[extra]\n", "extra: unknown key"),
]


@pytest.mark.parametrize("text,expected", BAD, ids=[e for _, e in BAD])
def test_bad_config_names_file_key_and_fault(tmp_path, text, expected):
    path = tmp_path / "vigil.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


@pytest.mark.parametrize("text,expected", [BAD[0], BAD[2], BAD[4], BAD[5], BAD[1]])
def test_bad_config_from_the_command_line(project, text, expected):
    project.write_config(text)
    result = project.vigil("crawl")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and str(project.config) in lines[0]


def test_missing_config_is_a_clear_error(project):
    result = project.vigil("mentions")
    assert result.returncode == 2
    assert "no such file" in result.stderr and "vigil init" in result.stderr


def test_bad_since_is_a_usage_error(project):
    project.write_config("[vigil]\n")
    result = project.vigil("mentions", "--since", "banana")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "banana" in result.stderr


def test_unknown_source_is_a_usage_error(project):
    project.write_config("[[sources]]\nname = 'a'\nstart_urls = ['https://a.org/']\n")
    result = project.vigil("crawl", "nosuch")
    assert result.returncode == 2 and "no source named 'nosuch'" in result.stderr


def test_init_writes_a_config_that_loads_and_creates_the_database(project):
    target = project.path / "fresh"
    result = project.ok("init", str(target))
    assert "wrote" in result.stdout
    config = load_config(target / "vigil.toml")
    names = [s.name for s in config.sources]
    assert {"frontline", "ovdinfo", "memorial", "kavkaz-uzel"} <= set(names)
    assert config.terms() and config.subscribers
    assert (target / "vigil.db").exists()
    assert (target / "vigil.db").stat().st_mode & 0o077 == 0
    assert (target / "vigil.toml").stat().st_mode & 0o077 == 0  # it will hold channel passwords
    again = project.vigil("init", str(target))
    assert again.returncode == 2 and "already exists" in again.stderr
