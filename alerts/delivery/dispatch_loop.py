"""The dispatcher thread of `vigil run`: the outbox twice a second, digests every minute."""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone

from alerts.delivery.digest import send_due_digests
from alerts.delivery.dispatch import deliver_due
from crawler.core.config import Config
from storage.db import open_database

log = logging.getLogger("vigil.daemon")

DISPATCH_INTERVAL = 0.5  # seconds between looks at the outbox
DIGEST_INTERVAL = 60.0


class Dispatcher(threading.Thread):
    """Delivers due alerts twice a second and due digests every minute, on its own connection."""

    def __init__(self, config: Config):
        super().__init__(name="dispatcher", daemon=True)
        self.config = config
        self.stop_event = threading.Event()

    def run(self) -> None:
        db = open_database(self.config.database)
        next_digest = time.monotonic()
        while not self.stop_event.is_set():
            config = self.config  # swapped whole by a reload
            try:
                figures = deliver_due(db, config)
                if figures.sent or figures.failed:
                    log.info("alerts delivered: %d sent, %d failed (retried later), %d given up",
                             figures.sent, figures.failed, figures.gave_up)
                if time.monotonic() >= next_digest:
                    next_digest = time.monotonic() + DIGEST_INTERVAL
                    sent = send_due_digests(db, config, datetime.now(timezone.utc))
                    if sent:
                        log.info("digests sent: %d", sent)
            except Exception:  # the dispatcher outlives any one failure; the outbox keeps the work
                log.exception("delivering alerts failed")
            self.stop_event.wait(DISPATCH_INTERVAL)
        db.close()
