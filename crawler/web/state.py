"""What the web app shares between requests: the config file (read again when it changes) and one
database connection per server thread."""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from crawler.core.config import Config
from crawler.core.configfile import ConfigFile
from crawler.service.configload import load_config
from storage.db import open_database
from storage.effective import effective_config

log = logging.getLogger("vigil.web")


class WebState:
    """The config and the database of one `vigil serve`."""

    def __init__(self, config_path: str | os.PathLike):
        self.config_file = ConfigFile(config_path, load_config)   # a broken config stops the start
        self._local = threading.local()
        self._lock = threading.Lock()
        self.database = self.config_file.config.database

    @property
    def config_path(self) -> Path:
        return self.config_file.path

    def config(self) -> Config:
        """The config in force: the file as it is now, or the last good one while it is broken."""
        with self._lock:
            if self.config_file.changed():
                self.config_file.reload("the config file changed")
            return self.config_file.config

    def effective(self) -> Config:
        """The config with watchlists and subscriptions changed at run time applied."""
        return effective_config(self.db(), self.config())

    def db(self):
        """This thread's connection: SQLite connections are not shared between threads at once."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = open_database(self.database)
        return db
