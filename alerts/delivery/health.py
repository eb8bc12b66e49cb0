"""Operator health alerts: a source failing, shrinking or going quiet, a crawl that did not finish.

Problems are judged from a source's run history. Each is opened once when it appears and
closed once when it goes away; opening and closing each queue one alert, through the
outbox like every other alert, to the subscribers with `health = true`. One failed run
is not news: a source is failing only after several in a row.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from crawler.core.alert import Alert
from crawler.core.config import Config, Source
from crawler.core.kinds import FinishReason
from crawler.core.masking import mask_text, mask_url
from crawler.core.timeutil import format_iso, parse_iso
from storage import health as problems_store
from storage import frontier, outbox, runs

FAILING_RUNS = 3             # failed runs in a row before a source is reported failing
DROP_RATIO = 0.5             # fewer than half the pages asked for is a sharp fall
MIN_USUAL_PAGES = 5          # below this a fall says nothing
RECENT_RUNS = 3              # runs whose new pages are compared with the ones before them
NEW_BASELINE_RUNS = 10       # (at least 5 needed)
NEW_DROP_RATIO = 0.2         # fewer than a fifth of the usual new pages
MIN_USUAL_NEW = 1.0          # new pages per run before a fall in them is news
QUIET_AFTER = timedelta(days=14)
HISTORY = 40                 # runs read per source


@dataclass(frozen=True)
class Problem:
    event: str               # the alert's event when the problem appears
    recovery_event: str      # ... and when it goes away
    recovered: str           # what the recovery alert says


PROBLEMS = {
    "source_failing": Problem("source_failing", "source_recovered", "crawls succeed again"),
    "crawl_unfinished": Problem("crawl_unfinished", "crawl_finished", "crawls finish again"),
    "pages_dropped": Problem("pages_dropped", "pages_recovered", "the page count is back to normal"),
    "new_pages_dropped": Problem("new_pages_dropped", "new_pages_recovered",
                                 "new pages are found at the usual rate again"),
    "no_new_pages": Problem("no_new_pages", "new_pages_found", "new pages are found again"),
    "budget_short": Problem("budget_short", "budget_sufficient",
                            "every known page is visited within its ceiling again"),
}


@dataclass
class History:
    """What the health of one source is judged on."""

    runs: list[dict]                 # finished runs, newest first
    first_run_id: int | None = None
    first_run_at: str | None = None
    last_new_at: str | None = None   # start of the latest run that found a new page
    oldest_visit: str | None = None  # the longest-waiting live page's last visit
    source: Source | None = None


@dataclass
class Report:
    """One problem opened or closed: what the daemon logs and the alert says."""

    source: str
    problem: str
    event: str
    text: str
    recovered: bool


def outcome(run: dict) -> str:
    """ok, failed, or ignored (stopped by the operator)."""
    reason = run["finish_reason"] or ""
    if reason == FinishReason.SHUTDOWN:
        return "ignored"
    if reason == FinishReason.KILLED or reason.startswith("failed") or (run["fetched"] == 0 and run["errors"] > 0):
        return "failed"
    return "ok"


def assess(history: History, now: datetime, baselines: dict[str, dict] | None = None) -> dict[str, dict | None]:
    """Each problem that can be judged now: its detail when present, None when absent.
    A problem left out cannot be judged (no runs, or the latest one failed) and keeps its state.
    `baselines` holds the detail of open problems, so a fall is measured against the level
    before it, not against the fallen runs that followed."""
    baselines = baselines or {}
    judged = [run for run in history.runs if outcome(run) != "ignored"]
    if not judged:
        return {}
    latest = judged[0]
    found: dict[str, dict | None] = dict.fromkeys(("source_failing", "crawl_unfinished"))
    streak = next((i for i, run in enumerate(judged) if outcome(run) == "ok"), len(judged))
    if streak >= FAILING_RUNS:
        found["source_failing"] = {"text": f"{streak} crawls in a row failed", "runs": streak, "run_id": latest["id"]}
    if latest["finish_reason"] == FinishReason.KILLED:
        found["crawl_unfinished"] = {"text": f"the crawl started at {latest['started_at'][:19]}Z did not finish "
                                             f"(its process was killed)", "run_id": latest["id"]}
    if outcome(latest) != "ok":
        return found

    good = [run for run in judged if outcome(run) == "ok"]
    # Crawls fetch what their frontier says is due, so the count of pages varies by design:
    # a fall is measured against the pages the crawl set out to fetch.
    planned = latest["planned"] or 0
    if planned >= MIN_USUAL_PAGES:
        dropped = latest["fetched"] < DROP_RATIO * planned
        found["pages_dropped"] = {"text": f"{latest['fetched']} pages fetched of {planned} asked for",
                                  "planned": planned} if dropped else None
    found["budget_short"] = _budget_short(history, latest, now)

    steady = [run for run in good if run["id"] != history.first_run_id]  # a first crawl finds everything new
    usual_new = baselines.get("new_pages_dropped", {}).get("usual")
    if usual_new is None and len(steady) >= RECENT_RUNS + 5:
        usual_new = statistics.fmean(run["new"] for run in steady[RECENT_RUNS:RECENT_RUNS + NEW_BASELINE_RUNS])
    if usual_new is not None and len(steady) >= RECENT_RUNS:
        recent = statistics.fmean(run["new"] for run in steady[:RECENT_RUNS])
        dropped = usual_new >= MIN_USUAL_NEW and recent < NEW_DROP_RATIO * usual_new
        found["new_pages_dropped"] = {
            "text": f"{recent:.2g} new pages per crawl over the last {RECENT_RUNS} crawls, usually {usual_new:.2g}",
            "usual": usual_new} if dropped else None

    since = history.last_new_at or history.first_run_at
    if since is not None:
        quiet = now - parse_iso(since)
        found["no_new_pages"] = {"text": f"no new pages since {since[:10]} ({quiet.days} days)",
                                 "since": since} if quiet > QUIET_AFTER else None
    return found


def _budget_short(history: History, latest: dict, now: datetime) -> dict | None:
    """Due revisits were left over and some page has waited past its ceiling: the source grows
    faster than it is crawled. Says what `max_pages` would cover this crawl's work."""
    source = history.source
    if source is None or not latest["due_left"] or history.oldest_visit is None:
        return None
    waited = now - parse_iso(history.oldest_visit)
    bound = source.revisit_ceiling + timedelta(seconds=source.schedule.period())
    if waited <= bound:
        return None
    wanted = -(-(source.max_pages + latest["due_left"]) // 50) * 50
    return {"text": f"{latest['due_left']} due pages were left unvisited and one has waited {waited.days} days "
                    f"(ceiling {source.revisit_ceiling.days} days): raise max_pages from {source.max_pages} to "
                    f"about {wanted}", "due_left": latest["due_left"], "suggested_max_pages": wanted}


def history_of(db, source: Source | str) -> History:
    name = source if isinstance(source, str) else source.name
    finished = [run for run in runs.last_runs(db, name, HISTORY) if run["finished_at"] is not None]
    return History(finished, runs.first_run_id(db, name), runs.first_run_started(db, name),
                   runs.last_new_page_run(db, name), oldest_visit=frontier.oldest_live_visit(db, name),
                   source=None if isinstance(source, str) else source)


def check_source(db, config: Config, source: Source, now: datetime | None = None) -> list[Report]:
    """Open and close the source's problems, queueing one alert for each change; returns the changes."""
    now = now or datetime.now(timezone.utc)
    at = format_iso(now)
    reports = []
    with db.atomic():
        current = problems_store.open_problems(db, source.name)
        findings = assess(history_of(db, source), now, {name: row["detail"] for name, row in current.items()})
        for name, finding in findings.items():
            problem = PROBLEMS[name]
            if finding is not None and name not in current:
                if name == "source_failing":
                    error = runs.latest_error(db, source.name, finding["run_id"])
                    if error:
                        finding["text"] += mask_text(f"; last error: {error['reason']} ({error['url']})")
                problem_id = problems_store.open_problem(db, source.name, name, at, finding)
                report = Report(source.name, name, problem.event, finding["text"], recovered=False)
            elif finding is None and name in current:
                problem_id = current[name]["id"]
                problems_store.close_problem(db, problem_id, at)
                was = current[name]
                report = Report(source.name, name, problem.recovery_event,
                                f"{problem.recovered} (reported {was['opened_at'][:19]}Z: {was['detail']['text']})",
                                recovered=True)
            else:
                continue
            _queue(db, config, source, report, problem_id, at)
            reports.append(report)
    return reports


def check_all(db, config: Config, now: datetime | None = None) -> list[Report]:
    return [report for source in config.sources for report in check_source(db, config, source, now)]


def _queue(db, config: Config, source: Source, report: Report, problem_id: int, at: str) -> None:
    url = mask_url(next(iter((*source.start_urls, *source.feeds, *source.sitemaps)), ""))
    for subscriber in config.subscribers:
        if not subscriber.health:
            continue
        state = "closed" if report.recovered else "open"
        alert = Alert(subscriber=subscriber.name, event=report.event, topic="health",
                      about=(source.name, report.problem, problem_id, state), url=url,
                      title=f"{source.name}: {report.text}", detected_at=at,
                      extra={"source": source.name, "problem": report.problem})
        outbox.add_alert(db, alert, story_id=None, page_id=None, channels=subscriber.channels, now=at)
