"""Loading the config for a command, a crawl process or the daemon: core's checks, then the names it
gives to plugins, which only their registries know (channel URLs, spiders)."""
from __future__ import annotations

import os

from alerts.delivery.channels import channel_problem
from crawler.core import config as core
from crawler.core.config import DEFAULT_SPIDER, Config
from crawler.core.errors import ConfigError
from crawler.core.terms import Term


def load_config(path: str | os.PathLike | None = None) -> Config:
    """The config at `path` (--config, $VIGIL_CONFIG, ./vigil.toml), fully checked; ConfigError if not."""
    return check_plugins(core.load_config(path))


def load_watchlists(path: str | os.PathLike) -> list[Term]:
    """The terms of a watchlist file (a whole config works too), fully checked."""
    return core.watchlist_terms(check_plugins(core.load_watchlist_file(path)))


def check_plugins(config: Config) -> Config:
    """`config` when every channel URL can deliver and every spider named exists; else ConfigError
    naming the key and the fault."""
    named = [(index, source) for index, source in enumerate(config.sources) if source.spider != DEFAULT_SPIDER]
    if named:
        # Only then is Scrapy imported: the daemon, which never crawls itself, stays 40 MB lighter.
        from spiders import spider_names

        known = spider_names()
    for index, source in named:
        if source.spider not in known:
            raise ConfigError(f"{config.path}: sources[{index}].spider: unknown spider {source.spider!r} "
                              f"(known: {', '.join(known)})")
    for index, subscriber in enumerate(config.subscribers):
        for i, url in enumerate(subscriber.channels):
            problem = channel_problem(url)
            if problem:
                raise ConfigError(f"{config.path}: subscribers[{index}].channels[{i}]: {problem}")
    return config
