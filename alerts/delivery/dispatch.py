"""The dispatcher: delivers due outbox rows through their channels and records every attempt.

Each channel gets its own worker thread, so a mail server that takes 30 s to time out
delays only the alerts bound for it. Workers only send; this thread records each
outcome before that worker sends its next alert, so a crash can repeat at most the one
alert each channel has in flight. A failed attempt backs off the whole channel.
"""
from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from alerts.delivery.channels import DeliveryError, channel_for
from crawler.core import netguard, settings
from crawler.core.config import Config, expand_env
from crawler.core.errors import ConfigError
from crawler.core.masking import mask_text, mask_url, unexpand
from crawler.core.processes import process_alive
from crawler.core.timeutil import format_iso, now_iso
from storage import outbox
from storage.snapshots import story_urls
from storage.subscriptions import claim_deliveries, claimants, postpone_channel, release_claims

log = logging.getLogger(__name__)

MAX_ATTEMPTS = settings.VIGIL_DELIVERY_MAX_ATTEMPTS
BACKOFF_FIRST = 30.0     # seconds; doubles with each failure
BACKOFF_MAX = 6 * 3600.0
MAX_WORKERS = 8          # channels served at once
CLAIM_LEASE = timedelta(minutes=10)
CLAIM_PER_DELIVERY = 35  # seconds: a little more than the slowest channel's timeout


@dataclass
class DeliveryFigures:
    sent: int = 0
    failed: int = 0      # attempts that failed this pass
    gave_up: int = 0     # deliveries marked failed for good


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, attempts - 1)))


def deliver_due(db, config: Config, ignore_backoff: bool = False, max_attempts: int = MAX_ATTEMPTS,
                events: tuple[str, ...] | None = None) -> DeliveryFigures:
    """Deliver every due alert once (only `events` kinds, when given). A channel that fails is
    left alone until its back-off ends; the others go on. Deliveries are claimed first, so a
    daemon and a `vigil deliver` running at once never send the same one."""
    figures = DeliveryFigures()
    due = [d for d in outbox.due_deliveries(db, now_iso(), ignore_backoff)
           if events is None or d["payload"].get("event") in events]
    if not due:
        return figures
    token = f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex}"
    now = datetime.now(timezone.utc)
    _release_dead_claims(db, format_iso(now))
    # long enough for every delivery of this pass to time out once; a dead dispatcher's claims then lapse
    lease = now + CLAIM_LEASE + timedelta(seconds=CLAIM_PER_DELIVERY * len(due))
    claimed = claim_deliveries(db, [d["id"] for d in due], token, format_iso(now), format_iso(lease))
    by_channel: dict[str, list[dict]] = {}
    for delivery in due:
        if delivery["id"] not in claimed:
            continue
        if delivery["story_id"] is not None:
            here = delivery["payload"]["url"]
            delivery["payload"]["also_at"] = [url for url in story_urls(db, delivery["story_id"]) if url != here]
        by_channel.setdefault(delivery["channel"], []).append(delivery)
    try:
        if by_channel:
            _deliver(db, config, by_channel, max_attempts, figures, token)
    finally:
        release_claims(db, token)
    return figures


def _deliver(db, config: Config, by_channel: dict[str, list[dict]], max_attempts: int, figures: DeliveryFigures,
             token: str) -> None:
    secrets = {s.name: s.secret for s in config.subscribers}
    base_dir = str(config.path.parent)
    outcomes: queue.Queue = queue.Queue()
    stopping = threading.Event()

    def serve(deliveries: list[dict]) -> None:
        for delivery in deliveries:
            if stopping.is_set():
                return
            error = _send(delivery["channel"], secrets.get(delivery["subscriber"]), delivery["payload"], base_dir)
            recorded = threading.Event()
            outcomes.put((delivery, error, recorded))
            while not recorded.wait(0.1):
                if stopping.is_set():
                    return
            if error is not None:
                return  # the channel is down: its other alerts wait for its back-off to end

    earlier_policy, earlier_proxy = netguard.policy(), netguard.proxy()
    netguard.set_policy(config.allow_private_networks)  # webhooks obey [vigil] allow_private_networks
    netguard.set_proxy(config.proxy)  # and [vigil] proxy, never one named only in the environment
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(by_channel)), thread_name_prefix="deliver") as pool:
        workers = [pool.submit(serve, deliveries) for deliveries in by_channel.values()]
        try:
            while not all(worker.done() for worker in workers) or not outcomes.empty():
                try:
                    delivery, error, recorded = outcomes.get(timeout=0.05)
                except queue.Empty:
                    continue
                _record(db, delivery, error, max_attempts, figures, token)
                recorded.set()
            for worker in workers:
                worker.result()  # a worker's own failure is a bug: let it show
        finally:
            stopping.set()  # on an interruption, workers stop after what they are sending now
    netguard.set_policy(earlier_policy)
    netguard.set_proxy(earlier_proxy)


def _record(db, delivery: dict, error: str | None, max_attempts: int, figures: DeliveryFigures, token: str) -> None:
    now = now_iso()
    if error is None:
        with db.atomic():
            outbox.record_attempt(db, delivery["id"], now, None, None, give_up=False)
            release_claims(db, token, delivery["id"])
        figures.sent += 1
        return
    attempts = delivery["attempts"] + 1
    give_up = attempts >= max_attempts
    retry_at = format_iso(datetime.now(timezone.utc) + backoff(attempts))
    with db.atomic():
        outbox.record_attempt(db, delivery["id"], now, error, retry_at, give_up=give_up)
        postpone_channel(db, delivery["channel"], retry_at)
        release_claims(db, token, delivery["id"])
    figures.failed += 1
    figures.gave_up += give_up
    log.warning("alert %s to %s failed (attempt %d%s): %s", delivery["alert_id"], mask_url(delivery["channel"]),
                attempts, ", given up" if give_up else "", error)


def _release_dead_claims(db, now: str) -> None:
    """A dispatcher killed mid-pass leaves claims behind; a process of this machine that is gone
    holds nothing, so its deliveries are taken over at once rather than when the claims lapse."""
    here = socket.gethostname()
    for claimant in claimants(db, now):
        host, _, rest = claimant.partition("/")
        pid = rest.partition("/")[0]
        if host == here and pid.isdigit() and not process_alive(int(pid)):
            release_claims(db, claimant)


def _send(channel_url: str, secret: str | None, payload: dict, base_dir: str) -> str | None:
    """Send one alert or digest; the error as one line, or None when it went out."""
    try:
        channel = channel_for(expand_env(channel_url), expand_env(secret), base_dir)
        if payload.get("event") == "digest":
            channel.send_digest(payload["title"], payload["text"], payload["html"])
        else:
            channel.send(payload)
    except (DeliveryError, ConfigError) as exc:
        error = str(exc)
    except Exception as exc:  # a channel library's own failure must not stop the other deliveries
        error = f"{type(exc).__name__}: {exc}"
    else:
        return None
    # The error is stored and shown: with ${VAR}s as written in the config, and URLs masked.
    return mask_text(unexpand(error, channel_url, secret))
