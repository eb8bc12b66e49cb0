"""Loading and validating `vigil.toml`: every error names the file, the key path and the fault.

The names the config gives to plugins (channel URLs, spider names) are checked by the layers that
hold their registries: crawler/service/configload.py loads a config with those checks too."""
from __future__ import annotations

import ipaddress
import math
import os
import re
import stat
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from crawler.core.errors import ConfigError
from crawler.core.schedule import Schedule, parse_schedule
from crawler.core.terms import KINDS, Term
from crawler.core.timeutil import parse_duration
from crawler.core.urls import start_url_problem

CONFIG_NAME = "vigil.toml"
DEFAULT_SPIDER = "source"       # the generic spider (spiders/source.py)
MAX_CONFIG_BYTES = 1024 * 1024   # a config or watchlist file; /dev/zero must not be read forever
# Invisible characters no page shows between the letters of a name (U+200C and U+200D, which
# Persian and Indic names need, are not among them).
_INVISIBLE = frozenset("\u00ad\u200b\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MODES = ("instant", "daily", "weekly")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME_OF_DAY = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# Every number a config may hold, with its bounds: past these a value is a typo or an attack
# (a delay of 1e300 hangs a crawl, jitter = nan kills the scheduler), never a wish.
LIMITS = {
    "max_concurrent_crawls": (1, 10_000), "crawl_processes": (1, 64), "jitter": (0, 86_400),
    "max_depth": (0, 100), "max_pages": (1, 1_000_000), "concurrency": (1, 100), "delay": (0, 3600),
    "worker_silent_after": (10, 604_800),   # workers beat every 5 s
}


@dataclass(frozen=True)
class Source:
    name: str
    start_urls: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    follow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    max_depth: int = 2
    max_pages: int = 1000
    schedule: Schedule = field(default_factory=lambda: parse_schedule("every 6h"))
    concurrency: int = 4
    delay: float = 1.0
    revisit_ceiling: timedelta = timedelta(days=7)          # the longest a known page waits for a visit
    revisit_ceiling_watched: timedelta = timedelta(days=1)  # ... one that names a watched person
    spider: str = DEFAULT_SPIDER                           # by name: spiders/ registers them
    render: bool = False                                   # pages drawn by a headless browser (JavaScript)


@dataclass(frozen=True)
class Watchlist:
    name: str
    terms: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Subscriber:
    name: str
    watchlists: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    mode: str = "instant"
    secret: str | None = None
    takedowns: bool = False
    health: bool = False
    digest_time: str = "08:00"          # local time of day when daily and weekly digests go out
    timezone: str | None = None         # IANA name for digest_time; None: [vigil] timezone, else the machine's
    weekly_day: str = "monday"
    modes: tuple[tuple[str, str], ...] = ()   # (watchlist, mode): overrides `mode` for that watchlist

    def mode_for(self, watchlist: str) -> str:
        """How this subscriber hears about one of its watchlists: instant, daily or weekly."""
        return dict(self.modes).get(watchlist, self.mode)


@dataclass(frozen=True)
class Config:
    path: Path
    database: Path
    allow_private_networks: bool | tuple[str, ...] = False
    sources: tuple[Source, ...] = ()
    watchlists: tuple[Watchlist, ...] = ()
    subscribers: tuple[Subscriber, ...] = ()
    timezone: str | None = None          # IANA name for cron schedules; None: the machine's own
    max_concurrent_crawls: int = 500   # sources `vigil run` crawls at once, side by side
    crawl_processes: int = 2           # ... in at most this many processes
    jitter: float = 0.0                  # seconds a scheduled crawl may start late, at random
    proxy: str | None = None             # the one HTTP proxy for crawls and channels; none from the environment
    worker_silent_after: float = 300.0   # seconds without a heartbeat before a Redis crawl worker is a problem

    def source_or_none(self, name: str) -> Source | None:
        return next((source for source in self.sources if source.name == name), None)

    def source(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"{self.path}: no source named {name!r} (known: {known})")

    def terms(self) -> list[Term]:
        return [term for watchlist in self.watchlists for term in watchlist.terms]


# Each table's keys: name -> (type, required). Types are checked, then converted below.
_STR_LIST = "list of strings"
_VIGIL_KEYS = {
    "database": (str, False), "allow_private_networks": ("bool or CIDR list", False),
    "timezone": (str, False), "max_concurrent_crawls": (int, False), "jitter": (float, False),
    "crawl_processes": (int, False),
    "proxy": (str, False), "worker_silent_after": (float, False),
}
_SOURCE_KEYS = {
    "name": (str, True), "start_urls": (_STR_LIST, False), "feeds": (_STR_LIST, False),
    "sitemaps": (_STR_LIST, False), "follow": (_STR_LIST, False), "deny": (_STR_LIST, False),
    "max_depth": (int, False), "max_pages": (int, False), "schedule": (str, False),
    "concurrency": (int, False), "delay": (float, False),
    "revisit_ceiling": (str, False), "revisit_ceiling_watched": (str, False), "spider": (str, False),
    "render": (bool, False),
}
_WATCHLIST_KEYS = {"name": (str, True), "terms": ("list of tables", False)}
_TERM_KEYS = {
    "name": (str, True), "kind": (str, False), "aliases": (_STR_LIST, False),
    "given": (str, False), "surname": (str, False), "patronymic": (str, False),
}
_SUBSCRIBER_KEYS = {
    "name": (str, True), "watchlists": (_STR_LIST, False), "channels": (_STR_LIST, False),
    "mode": (str, False), "secret": (str, False), "takedowns": (bool, False),
    "health": (bool, False), "digest_time": (str, False), "timezone": (str, False), "weekly_day": (str, False),
    "modes": ("table", False),
}
_TOP_KEYS = {"vigil": "table", "sources": "array", "watchlists": "array", "subscribers": "array"}
# What each key above means, by table. docs/configuration.md is generated from these with the
# type from the tables above, the default from the dataclasses and the bounds from LIMITS;
# a test fails when a key has no meaning here.
KEY_MEANINGS = {
    "vigil": {
        "database": "the SQLite file; a relative path is relative to the config file",
        "allow_private_networks": "lets sites on loopback, private, link-local or reserved addresses be "
                                  "fetched: `true` allows all, a list of CIDRs (`[\"10.20.0.0/16\"]`) only "
                                  "the addresses inside it",
        "timezone": "an IANA time zone name (`\"Europe/Berlin\"`) for cron `schedule`s, and for digests "
                    "unless a subscriber has its own; none: the machine's",
        "max_concurrent_crawls": "how many sources `vigil run` crawls at once, side by side",
        "crawl_processes": "how many worker processes `vigil run` crawls them in: one per core is right; "
                           "each holds about 100 MB plus its sources",
        "jitter": "seconds a scheduled crawl may start late, at random, so that sources on one schedule "
                  "do not all start at once; never more than a quarter of a source's interval",
        "worker_silent_after": "seconds without a heartbeat after which a crawl worker of `vigil run --redis` "
                               "is a health problem in `vigil status` (docs/scaling.md)",
        "proxy": "the one HTTP proxy (`http://host:port`) for crawls, webhooks and Apprise services; "
                 "`http_proxy` and the like in the environment are ignored",
    },
    "sources": {
        "name": "unique name, used by `vigil crawl SOURCE` and in every output",
        "start_urls": "where the crawl begins; these pages are watched too",
        "feeds": "RSS or Atom feeds: every item's link is a page to watch",
        "sitemaps": "XML sitemaps or sitemap indexes, gzipped or not: every URL is a page to watch",
        "follow": "regexes: follow only links whose URL matches one of them; empty: every link on the "
                  "hosts of the source's URLs",
        "deny": "regexes: never follow a link whose URL matches one of them",
        "max_depth": "how many links away from a start URL to go; 0: the start URLs only",
        "max_pages": "the budget: the most pages one crawl of this source fetches; discovery and new pages "
                     "first, due revisits share the rest (at least a quarter when any are due); links "
                     "beyond it wait for the next crawl",
        "schedule": "when `vigil run` crawls the source: `every N` with `s`, `m`, `h` or `d` (at most "
                    "366 days), or a five-field cron line such as `0 */6 * * *`",
        "concurrency": "requests in flight for this source",
        "delay": "seconds between requests to one host, at least",
        "revisit_ceiling": "the longest a known page waits for its next visit: a duration such as `30m`, "
                           "`12h`, `7d` or `2w`",
        "revisit_ceiling_watched": "the same for a page whose text names a watched term: its takedown is "
                                   "seen within this plus one crawl interval",
        "spider": "the spider that crawls the source, by name: a file in `spiders/` for a site that needs "
                  "its own; default the generic one",
        "render": "fetch the source's pages through a headless Chromium, for sites whose text is drawn by "
                  "JavaScript; `vigil errors` hints at it (kind `no_text`) when a page has scripts and no text",
    },
    "watchlists": {
        "name": "the watchlist's unique name",
        "terms": "its terms, as `[[watchlists.terms]]` tables",
    },
    "watchlists.terms": {
        "name": "the person's name, or the keyword or phrase, as you write it",
        "kind": f"{' or '.join(f'`{k}`' for k in KINDS)}: a person is found in other scripts, spellings "
                "and grammatical cases; a keyword as whole words, in any case and accents",
        "aliases": "other names or translations, matched like the name",
        "given": "the given name(s) of a person, as written in `name`, when the split of the name is "
                 "wrong; none: from the name",
        "surname": "the surname, as written in `name`, for compound surnames (\"Ter-Petrosyan\", "
                   "\"de la Cruz\"); none: from the name",
        "patronymic": "the patronymic, as written in `name`, when you want it known",
    },
    "subscribers": {
        "name": "the subscriber's unique name",
        "watchlists": "the watchlists followed; each must be declared",
        "channels": "where alerts go: one URL per channel",
        "mode": f"{', '.join(f'`{m}`' for m in MODES)}: instant alerts go out right after the crawl "
                "that found them; daily and weekly subscribers get a digest",
        "secret": "signs webhook bodies (`X-Vigil-Signature: sha256=HMAC`); write it `${ENV_VAR}`",
        "takedowns": "also alert when a page naming a followed person is removed or restored, or the "
                     "name is removed from it",
        "health": "also receive operator health alerts: a source failing, shrinking or gone quiet, a "
                  "crawl that did not finish",
        "digest_time": "`HH:MM` (24-hour) when daily and weekly digests go out, in the subscriber's "
                       "time zone",
        "timezone": "an IANA time zone name for `digest_time`; none: `[vigil] timezone`, else the "
                    "machine's",
        "weekly_day": f"the day weekly digests go out: `{WEEKDAYS[0]}` ... `{WEEKDAYS[-1]}`",
        "modes": "overrides `mode` for some watchlists: `[subscribers.modes]`, then "
                 "`high-risk = \"instant\"`",
    },
}


class _Checker:
    """Walks the parsed TOML and raises ConfigError at the first fault."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, where: str, problem: str):
        raise ConfigError(f"{self.path}: {where}: {problem}")

    def table(self, data, where: str, keys: dict) -> dict:
        if not isinstance(data, dict):
            self.fail(where, f"expected a table, got {_describe(data)}")
        for key in data:
            if key not in keys:
                self.fail(f"{where}.{key}" if where else key, f"unknown key (expected one of: {', '.join(keys)})")
        for key, (kind, required) in keys.items():
            if key not in data:
                if required:
                    self.fail(where, f"missing required key {key!r}")
                continue
            self.value(data[key], f"{where}.{key}", kind)
        return data

    def value(self, value, where: str, kind):
        ok = {
            str: isinstance(value, str),
            int: isinstance(value, int) and not isinstance(value, bool),
            float: isinstance(value, (int, float)) and not isinstance(value, bool),
            bool: isinstance(value, bool),
            _STR_LIST: isinstance(value, list) and all(isinstance(v, str) for v in value),
            "list of tables": isinstance(value, list) and all(isinstance(v, dict) for v in value),
            "table": isinstance(value, dict),
            "bool or CIDR list": isinstance(value, bool)
            or (isinstance(value, list) and all(isinstance(v, str) for v in value)),
        }[kind]
        if not ok:
            expected = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(kind, f"a {kind}")
            self.fail(where, f"expected {expected}, got {_describe(value)}")

    def array(self, data: dict, key: str, keys: dict) -> list[dict]:
        items = data.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            self.fail(key, f"expected an array of tables ([[{key}]]), got {_describe(items)}")
        seen = set()
        for index, item in enumerate(items):
            where = f"{key}[{index}]"
            self.table(item, where, keys)
            name = item["name"]
            if not name.strip():
                self.fail(f"{where}.name", "must not be empty")
            if name_problem(name, matched=False):
                self.fail(f"{where}.name", f"{name_problem(name, matched=False)}: {name!r}")
            if name in seen:
                self.fail(f"{where}.name", f"duplicate name {name!r}")
            seen.add(name)
        return items


def _describe(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"{type(value).__name__} {value}"
    if isinstance(value, str):
        return f"string {value!r}" if len(value) < 40 else "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def find_config(path: str | os.PathLike | None = None) -> Path:
    """The config to use: --config, then $VIGIL_CONFIG, then ./vigil.toml."""
    chosen = path or os.environ.get("VIGIL_CONFIG") or CONFIG_NAME
    return Path(chosen)


def load_config(path: str | os.PathLike | None = None) -> Config:
    path = find_config(path)
    raw = read_config_bytes(path, "run `vigil init` to write one, or pass --config")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from None
    return parse_config(data, path)


def read_config_bytes(path: Path, hint: str = "") -> bytes:
    """The bytes of a config or watchlist file: a regular file of at most MAX_CONFIG_BYTES.
    (/dev/null would put the database in /dev, /dev/zero would be read forever, a FIFO would block.)"""
    missing = f"{path}: no such file" + (f" ({hint})" if hint else "")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)   # a FIFO opens without waiting for a writer
    except FileNotFoundError:
        raise ConfigError(missing) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ConfigError(f"{path}: not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024 // 1024} MiB, not a config file")
    return raw


def name_problem(text: str, matched: bool = True) -> str | None:
    """Why a name can never be shown on one line (or, when `matched`, found in a page), or None."""
    if any(unicodedata.category(char) == "Cc" for char in text):
        return "holds a control character"
    invisible = sorted(_INVISIBLE & set(text))
    if invisible:
        return f"holds an invisible character (U+{ord(invisible[0]):04X})"
    if matched and not any(char.isalnum() for char in text):
        return "has no letter or digit"
    return None


def parse_config(data: dict, path: Path) -> Config:
    check = _Checker(path)
    for key in data:
        if key not in _TOP_KEYS:
            check.fail(key, f"unknown key (expected one of: {', '.join(_TOP_KEYS)})")
    vigil = check.table(data.get("vigil", {}), "vigil", _VIGIL_KEYS)
    database = Path(vigil.get("database", "vigil.db"))
    if not database.is_absolute():
        database = path.parent / database
    allow = vigil.get("allow_private_networks", False)
    if isinstance(allow, list):
        for index, cidr in enumerate(allow):
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                check.fail(f"vigil.allow_private_networks[{index}]", f"not a CIDR network: {cidr!r}")
        allow = tuple(allow)
    proxy = vigil.get("proxy")
    if proxy is not None:
        from crawler.core.netguard import proxy_problem  # brings Twisted: only when a proxy is set

        if proxy_problem(proxy, allow):
            check.fail("vigil.proxy", proxy_problem(proxy, allow))

    sources = tuple(_source(check, i, s) for i, s in enumerate(check.array(data, "sources", _SOURCE_KEYS)))
    watchlists = tuple(_watchlist(check, i, w) for i, w in enumerate(check.array(data, "watchlists", _WATCHLIST_KEYS)))
    known_watchlists = {w.name for w in watchlists}
    subscribers = tuple(
        _subscriber(check, i, s, known_watchlists)
        for i, s in enumerate(check.array(data, "subscribers", _SUBSCRIBER_KEYS))
    )
    return Config(path, database, allow, sources, watchlists, subscribers, proxy=proxy,
                  **_daemon_settings(check, vigil))


def _daemon_settings(check: _Checker, vigil: dict) -> dict:
    """The `[vigil]` keys that only `vigil run` reads: time zone, crawl limit, jitter."""
    settings = {}
    if "timezone" in vigil:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(vigil["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            check.fail("vigil.timezone", f"unknown time zone {vigil['timezone']!r} (a name like \"Europe/Berlin\")")
        settings["timezone"] = vigil["timezone"]
    if "max_concurrent_crawls" in vigil:
        settings["max_concurrent_crawls"] = _bounded(check, "vigil", vigil, "max_concurrent_crawls")
    if "crawl_processes" in vigil:
        settings["crawl_processes"] = _bounded(check, "vigil", vigil, "crawl_processes")
    if "jitter" in vigil:
        settings["jitter"] = float(_bounded(check, "vigil", vigil, "jitter"))
    if "worker_silent_after" in vigil:
        settings["worker_silent_after"] = float(_bounded(check, "vigil", vigil, "worker_silent_after"))
    return settings


def _bounded(check: _Checker, where: str, data: dict, key: str):
    """data[key], a finite number within LIMITS[key]."""
    value, (low, high) = data[key], LIMITS[key]
    if not math.isfinite(value):
        check.fail(f"{where}.{key}", f"must be a finite number, got {value}")
    if value < low:
        check.fail(f"{where}.{key}", f"must not be negative, got {value}" if low == 0
                   else f"must be at least {low}, got {value}")
    if value > high:
        check.fail(f"{where}.{key}", f"must be at most {high}, got {value}")
    return value


def _source(check: _Checker, index: int, data: dict) -> Source:
    where = f"sources[{index}]"
    for key in ("start_urls", "feeds", "sitemaps"):
        for i, url in enumerate(data.get(key, [])):
            problem = start_url_problem(url)
            if problem == "not an http(s) URL" and len(url) < 80 and "@" not in url:
                problem += f": {url!r}"
            if problem:   # the URL itself is not repeated: it may be huge or hold a password
                check.fail(f"{where}.{key}[{i}]", problem)
    if not (data.get("start_urls") or data.get("feeds") or data.get("sitemaps")):
        check.fail(where, "needs at least one of start_urls, feeds or sitemaps")
    for key in ("follow", "deny"):
        for i, pattern in enumerate(data.get(key, [])):
            try:
                re.compile(pattern)
            except re.error as exc:
                check.fail(f"{where}.{key}[{i}]", f"not a valid regular expression: {exc}")
    for key in ("max_depth", "max_pages", "concurrency", "delay"):
        if key in data:
            _bounded(check, where, data, key)
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    if "schedule" in data:
        try:
            fields["schedule"] = parse_schedule(data["schedule"])
        except ValueError as exc:
            check.fail(f"{where}.schedule", str(exc))
    if "delay" in data:
        fields["delay"] = float(data["delay"])
    for key in ("revisit_ceiling", "revisit_ceiling_watched"):
        if key in data:
            try:
                fields[key] = parse_duration(data[key])
            except ValueError as exc:
                check.fail(f"{where}.{key}", str(exc))
    return Source(**fields)


def _watchlist(check: _Checker, index: int, data: dict) -> Watchlist:
    where = f"watchlists[{index}]"
    terms = []
    seen = set()
    for i, term in enumerate(data.get("terms", [])):
        term_where = f"{where}.terms[{i}]"
        check.table(term, term_where, _TERM_KEYS)
        kind = term.get("kind", "person")
        if kind not in KINDS:
            check.fail(f"{term_where}.kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
        if not term["name"].strip():
            check.fail(f"{term_where}.name", "must not be empty")
        _check_term(check, term_where, term)
        if term["name"] in seen:
            check.fail(f"{term_where}.name", f"duplicate term {term['name']!r} in watchlist {data['name']!r}")
        seen.add(term["name"])
        terms.append(Term(
            name=term["name"], kind=kind, aliases=tuple(term.get("aliases", [])), watchlist=data["name"],
            given=term.get("given"), surname=term.get("surname"), patronymic=term.get("patronymic"),
        ))
    return Watchlist(data["name"], tuple(terms))


def _check_term(check: _Checker, where: str, term: dict) -> None:
    """Refuse what can never match, as `vigil watch add` does: a name or alias without a letter
    or digit ("...") or with an invisible character, and a name part that is not in the name."""
    for key, text in [("name", term["name"]), *((f"aliases[{i}]", a) for i, a in enumerate(term.get("aliases", [])))]:
        problem = name_problem(text)
        if problem:
            check.fail(f"{where}.{key}", f"{problem}: {text!r} can never be matched")
    folded = " ".join(term["name"].casefold().split())
    for key in ("given", "surname", "patronymic"):
        part = term.get(key)
        if part is not None and (name_problem(part) or " ".join(part.casefold().split()) not in folded):
            check.fail(f"{where}.{key}", f"{part!r} is not part of the name {term['name']!r}")


def _subscriber(check: _Checker, index: int, data: dict, known_watchlists: set[str]) -> Subscriber:
    where = f"subscribers[{index}]"
    for i, name in enumerate(data.get("watchlists", [])):
        if name not in known_watchlists:
            check.fail(f"{where}.watchlists[{i}]", f"unknown watchlist {name!r}")
    mode = data.get("mode", "instant")
    if mode not in MODES:
        check.fail(f"{where}.mode", f"expected one of {', '.join(MODES)}, got {mode!r}")
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    fields.update(_digest_settings(check, where, data, known_watchlists))
    return Subscriber(**fields)


def _digest_settings(check: _Checker, where: str, data: dict, known_watchlists: set[str]) -> dict:
    """A subscriber's per-watchlist modes and when its digests go out."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    for watchlist, override in data.get("modes", {}).items():
        if watchlist not in known_watchlists:
            check.fail(f"{where}.modes.{watchlist}", f"unknown watchlist {watchlist!r}")
        if override not in MODES:
            check.fail(f"{where}.modes.{watchlist}", f"expected one of {', '.join(MODES)}, got {_describe(override)}")
    settings = {"modes": tuple(data.get("modes", {}).items())}
    if "digest_time" in data and not _TIME_OF_DAY.match(data["digest_time"]):
        check.fail(f"{where}.digest_time", f"expected a time of day HH:MM (24-hour), got {data['digest_time']!r}")
    if "timezone" in data:
        try:
            ZoneInfo(data["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            check.fail(f"{where}.timezone", f"unknown time zone {data['timezone']!r} (a name like \"Europe/Berlin\")")
    if "weekly_day" in data:
        settings["weekly_day"] = data["weekly_day"].strip().lower()
        if settings["weekly_day"] not in WEEKDAYS:
            check.fail(f"{where}.weekly_day",
                       f"expected a day of the week (monday ... sunday), got {data['weekly_day']!r}")
    return settings


def time_of_day(text: str) -> tuple[int, int]:
    """(hour, minute) of a validated "HH:MM"."""
    hour, minute = _TIME_OF_DAY.match(text).groups()
    return int(hour), int(minute)


_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_env(value: str | None) -> str | None:
    """Replace ${VAR} with the environment's value; a missing variable is an error."""
    if value is None:
        return None

    def replace(match):
        name = match.group(1)
        if name not in os.environ:
            raise ConfigError(f"environment variable {name} is not set")
        return os.environ[name]

    return _ENV_REF.sub(replace, value)


def load_watchlist_file(path: str | os.PathLike) -> Config:
    """A watchlist file: `[[watchlists]]` tables as in the config (a whole config works too)."""
    path = Path(path)
    raw = read_config_bytes(path)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from None
    return parse_config(data, path)


def watchlist_terms(config: Config) -> list[Term]:
    """The terms of a watchlist file's config; a file without any is an error."""
    terms = config.terms()
    if not terms:
        raise ConfigError(f"{config.path}: watchlists: no terms (add [[watchlists]] with [[watchlists.terms]])")
    return terms
