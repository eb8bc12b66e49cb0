"""The dispatcher: delivers due outbox rows through their channels and records every attempt."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from alerts.channels import DeliveryError, channel_for
from crawler.config import Config, expand_env
from crawler.errors import ConfigError
from storage import outbox
from storage.db import now_iso
from storage.snapshots import story_urls

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_FIRST = 30.0     # seconds; doubles with each failure
BACKOFF_MAX = 6 * 3600.0


@dataclass
class DeliveryFigures:
    sent: int = 0
    failed: int = 0      # attempts that failed this pass
    gave_up: int = 0     # deliveries marked failed for good


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, attempts - 1)))


def deliver_due(db, config: Config, ignore_backoff: bool = False, max_attempts: int = MAX_ATTEMPTS) -> DeliveryFigures:
    """Deliver every due alert once. A channel that fails is skipped for the rest of this pass,
    so one subscriber's broken channel never holds up another's."""
    figures = DeliveryFigures()
    secrets = {s.name: s.secret for s in config.subscribers}
    broken: set[str] = set()
    for delivery in outbox.due_deliveries(db, now_iso(), ignore_backoff):
        if delivery["channel"] in broken:
            continue
        payload = delivery["payload"]
        if delivery["story_id"] is not None:
            here = payload["url"]
            payload["also_at"] = [url for url in story_urls(db, delivery["story_id"]) if url != here]
        error = _send(delivery["channel"], secrets.get(delivery["subscriber"]), payload, str(config.path.parent))
        now = now_iso()
        if error is None:
            outbox.record_attempt(db, delivery["id"], now, None, None, give_up=False)
            figures.sent += 1
            continue
        broken.add(delivery["channel"])
        attempts = delivery["attempts"] + 1
        give_up = attempts >= max_attempts
        retry_at = (datetime.now(timezone.utc) + backoff(attempts)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        outbox.record_attempt(db, delivery["id"], now, error, retry_at, give_up=give_up)
        figures.failed += 1
        figures.gave_up += give_up
        log.warning("alert %s to %s failed (attempt %d): %s", delivery["alert_id"],
                    _redact(delivery["channel"]), attempts, error)
    return figures


def _send(channel_url: str, secret: str | None, payload: dict, base_dir: str) -> str | None:
    """Send one alert; the error as one line, or None when it went out."""
    try:
        channel = channel_for(expand_env(channel_url), expand_env(secret), base_dir)
        channel.send(payload)
    except (DeliveryError, ConfigError) as exc:
        return str(exc)
    except Exception as exc:  # a channel library's own failure must not stop the other deliveries
        return f"{type(exc).__name__}: {exc}"
    return None


def _redact(url: str) -> str:
    from alerts.channels import Channel

    return Channel.redact(url)
