"""Per source, what `vigil status`, the web app's sources page and the API show: schedule, last
and next run, pages known and due, errors, health problems."""
from __future__ import annotations

from datetime import datetime, timezone

from crawler.core.kinds import FinishReason
from crawler.core.masking import mask_text
from crawler.core.processes import process_alive
from crawler.core.timeutil import ISO_FORMAT, parse_since
from crawler.ingest.revisit import due_horizon
from crawler.service.crawlprocess import CRAWL_COMMAND
from storage import frontier
from storage.health import all_open_problems
from storage.outbox import delivery_counts
from storage.pages import count_pages
from storage.runs import count_errors, errors_by_kind, last_runs, latest_error, next_runs


def status_rows(db, config) -> list[dict]:
    """Per source of `config`: schedule, last and next run, pages known and due, errors, health problems."""
    counts = delivery_counts(db)
    scheduled = next_runs(db)
    problems = all_open_problems(db)
    day_ago = parse_since("1d")
    rows = []
    for source in config.sources:
        recent = last_runs(db, source.name, 1)
        last = recent[0] if recent else {}
        error = latest_error(db, source.name)
        if last and last["finished_at"] is None:  # crawling now, or its process died without a word
            # A crawl on Redis workers is the process of `vigil run --redis` (docs/scaling.md).
            alive = process_alive(last["pid"], CRAWL_COMMAND) or process_alive(last["pid"], " run")
            last["finish_reason"] = "running" if alive else FinishReason.KILLED
        horizon = due_horizon(datetime.now(timezone.utc), source.schedule.period()).strftime(ISO_FORMAT)
        known = frontier.figures(db, source.name, horizon)
        rows.append({
            "source": source.name, "schedule": source.schedule.text, "pages": count_pages(db, source.name),
            "due": known["pages_due"], "waiting": known["links_pending"], "oldest_visit": known["oldest_visit"],
            "last_new": last.get("new"), "last_due_left": last.get("due_left"),
            "last_run": last.get("started_at"), "finish_reason": last.get("finish_reason"),
            "last_fetched": last.get("fetched"), "last_errors": last.get("errors"),
            "last_errors_by_kind": errors_by_kind(db, last["id"]) if last else {},
            "next_run": scheduled.get(source.name, {}).get("next_run_at"),
            "errors_1d": count_errors(db, source.name, day_ago),
            "last_error": mask_text(f"{error['reason']} ({error['url']}, {error['at']})") if error else None,
            "problems": problems.get(source.name, []),
            "alerts_pending": counts["pending"], "alerts_failed": counts["failed"],
        })
    return rows


def fleet_rows(db) -> tuple[list[dict], list[dict]]:
    """The Redis crawl workers and the queue, as `vigil run --redis` last saw them (docs/scaling.md)."""
    from storage.workers import list_workers, queue_state

    problems = all_open_problems(db)
    workers = [{"worker": w["name"], "host": w["host"], "pid": w["pid"], "state": w["state"],
                "started_at": w["started_at"], "last_heartbeat": w["seen_at"], "heard_at": w["heard_at"],
                "pages": w["pages"], "pages_per_min": w["pages_per_min"], "errors": w["errors"],
                "in_flight": w["in_flight"], "problems": problems.get(f"worker:{w['name']}", [])}
               for w in list_workers(db)]
    state = queue_state(db)
    queue = [{"queue": state["redis"], "requests": state["requests"], "taken": state["taken"],
              "items": state["items"], "crawls": state["crawls"], "updated_at": state["updated_at"]}] if state else []
    return workers, queue
