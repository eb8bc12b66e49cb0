"""The daemon's config file: what was last read from it, whether it changed, and reloading it.

A reload is validated first: a broken file is logged and the config in force is kept, and
crawls then read a copy of the last good file, written beside it (owner-only: it may
hold secrets), until the file is fixed.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable

from crawler.core.config import Config, load_config, read_config_bytes
from crawler.core.errors import ConfigError
from crawler.core.files import write_atomic

log = logging.getLogger("vigil.daemon")


class ConfigFile:
    def __init__(self, path: str | os.PathLike, load: Callable[[Path], Config] = load_config):
        """`load` reads and checks the file; the daemon passes the loader that checks plugin names too."""
        self.path = Path(path).resolve()
        self.load = load
        self.config, self.raw, self.stamp = self._read_valid()

    def _read_valid(self) -> tuple[Config, bytes, tuple | None]:
        """The config, the bytes it was read from, and the file's stamp; ConfigError if invalid."""
        for _ in range(3):  # an editor may be writing the file while we read it
            before = _read(self.path)
            config = self.load(self.path)
            if _read(self.path) == before:
                return config, before, _stamp(self.path)
        raise ConfigError(f"{self.path}: the file keeps changing while it is read")

    def changed(self) -> bool:
        """Whether the file was written since it was last looked at."""
        stamp = _stamp(self.path)
        if stamp == self.stamp:
            return False
        self.stamp = stamp
        return True

    def reload(self, why: str) -> Config | None:
        """The new config when the file now holds a valid and different one; else None, logged."""
        try:
            config, raw, stamp = self._read_valid()
        except ConfigError as exc:
            self.stamp = _stamp(self.path)  # reported once, not again at the next look
            log.error("config not reloaded (%s), keeping the previous one: %s", why, exc)
            return None
        if config.database.resolve() != self.config.database.resolve():
            log.error("config not reloaded (%s), keeping the previous one: the database cannot change while "
                      "vigil run is running; restart it", why)
            return None
        if raw == self.raw:
            log.info("config checked (%s): no change", why)
            return None
        self.config, self.raw, self.stamp = config, raw, stamp
        return config

    def for_children(self) -> Path:
        """The file a crawl reads: the config itself, or the last good one while the file is broken."""
        if _read(self.path) == self.raw:
            return self.path
        last_good = self.path.with_name(f".{self.path.name}.last-good")
        write_atomic(last_good, self.raw)   # owner-only: it may hold secrets
        return last_good


def _read(path: Path) -> bytes | None:
    try:
        return read_config_bytes(path)   # bounded: the file may have become /dev/zero
    except ConfigError:
        return None


def _stamp(path: Path) -> tuple | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino
