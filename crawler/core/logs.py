"""Logging for every command: a level, text or JSON lines on stderr, and secrets kept out of both."""
from __future__ import annotations

import logging
import os
import re
import sys
from datetime import datetime, timezone
from urllib.parse import unquote

from crawler.core.masking import MIN_SECRET_LENGTH, mask_text, secret_parts
from crawler.core.terminal import inert, json_line
from crawler.core.timeutil import format_iso

LEVELS = ("debug", "info", "warning", "error")
FORMATS = ("text", "json")

# Libraries that talk a lot at INFO (Scrapy's stats every minute): their warnings and errors only,
# unless the operator asks for debug.
CHATTY = ("scrapy", "twisted", "filelock", "hpack", "apprise", "urllib3", "asyncio", "tzlocal", "apscheduler",
          "pymorphy3")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_secrets: set[str] = set()
_STANDARD_FIELDS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}
_before_each_line = None   # set while a progress line is on the terminal: it clears it


def redact(text: str) -> str:
    """`text` with the credentials of every URL in it and every known secret replaced by ***."""
    text = mask_text(text)
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def remember_secrets(config) -> None:
    """Learn the config's secrets (subscriber secrets, passwords and tokens in channel URLs,
    values of ${VAR} references) so that no log line ever shows them."""
    found: set[str] = set()
    for subscriber in config.subscribers:
        if subscriber.secret:
            found |= _env_values(subscriber.secret) | {subscriber.secret, _expand(subscriber.secret)}
        for channel in subscriber.channels:
            found |= _env_values(channel) | _url_secrets(_expand(channel))
    _secrets.clear()
    _secrets.update(secret for secret in found if secret and len(secret) >= MIN_SECRET_LENGTH)


def _expand(value: str) -> str:
    return _ENV_REF.sub(lambda m: os.environ.get(m.group(1), m.group(0)), value)


def _env_values(value: str) -> set[str]:
    return {os.environ[name] for name in _ENV_REF.findall(value) if os.environ.get(name)}


def _url_secrets(url: str) -> set[str]:
    # as written and decoded: a library may quote either form in its message
    return {form for part in secret_parts(url) for form in (part, unquote(part))}


class TextFormatter(logging.Formatter):
    """`2026-11-29T06:40:00Z INFO vigil.daemon: message`, redacted."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatTime(self, record, datefmt=None):
        return datetime.fromtimestamp(record.created, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def format(self, record):
        return inert(redact(super().format(record)))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: at, level, logger, message, and any `extra` fields, redacted."""

    def format(self, record):
        entry = {
            "at": format_iso(datetime.fromtimestamp(record.created, timezone.utc)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_FIELDS and not key.startswith("_"):
                entry[key] = _plain(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json_line(_redact_values(entry))


def _plain(value):
    """A log field as JSON shows it: Scrapy passes its Spider and Crawler objects as `extra`,
    whose repr (`<SourceSpider 'source:ngo' at 0x7f...>`) tells less than their name."""
    if isinstance(value, (str, int, float, bool, dict, list, tuple)) or value is None:
        return value
    name = getattr(value, "name", None)
    if isinstance(name, str):
        return name
    spider = getattr(value, "spider", None)   # a Crawler: its spider's name
    return getattr(spider, "name", None) or str(value)


def _redact_values(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redact_values(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_values(item) for item in value]
    return value


def before_each_line(callback) -> None:
    """Call `callback()` before each log line is written (None: stop), so that a progress line
    drawn with \r is cleared first instead of having the log line glued to its end."""
    global _before_each_line
    _before_each_line = callback


class _Handler(logging.StreamHandler):
    def emit(self, record):
        if _before_each_line is not None:
            _before_each_line()
        super().emit(record)


class _QuietLibraries(logging.Filter):
    """Drops what chatty libraries say below WARNING (they reset their own logger levels)."""

    def filter(self, record):
        return record.levelno >= logging.WARNING or not record.name.startswith(CHATTY)


def setup_logging(level: str = "warning", fmt: str = "text", stream=None) -> None:
    """Send every log record at `level` or above to stderr as text or JSON lines."""
    numeric = getattr(logging, level.upper())
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "vigil", False):
            root.removeHandler(handler)
    handler = _Handler(stream or sys.stderr)
    handler.vigil = True
    handler.setLevel(numeric)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    if numeric > logging.DEBUG:
        handler.addFilter(_QuietLibraries())
    root.addHandler(handler)
    root.setLevel(numeric)
    # Deprecation notices are for developers: shown at debug level only.
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").setLevel(logging.DEBUG if numeric <= logging.DEBUG else logging.ERROR)
