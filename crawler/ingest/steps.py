"""Turning one fetched page into snapshots, changes, stories, mentions, events and alerts: the
steps of ingestion, in the order Ingestor._steps lists them.

Everything for one page is written in one transaction, outbox rows included, so a
crash leaves either the whole page or nothing.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from alerts.matching.matcher import Matcher
from crawler.core.config import Config
from crawler.core.kinds import Event, FailureKind
from crawler.core.settings import VIGIL_WRITE_BATCH_SECONDS
from crawler.core.timeutil import ISO_FORMAT, parse_iso
from crawler.core.timeutil import now_iso
from crawler.core.urls import canonical_from_link, canonicalize
from crawler.ingest import revisit
from crawler.ingest.items import CrawlFigures, FetchedPage, FetchFailure
from crawler.ingest.outbox import hold_mention_alerts, queue_mention_alerts, queue_takedown_alerts, settle_held_alert
from crawler.text import dedupe
from crawler.text.diff import diff_texts, paged_snippet, text_hash, within
from crawler.text.hubs import copied_from, teaser_at, teaser_spans
from crawler.text.takedown import redirect_takedown, soft_404
from storage import backlog, events, frontier, holds, mentions, pages, reviews, runs, snapshots

REMOVED_STATUSES = (404, 410)
FIGURES_EVERY = 1.0   # seconds between writes of a running crawl's counters
# Quiet pages (nothing named, nothing alerted) share a transaction: one commit for up to this many,
# or for as many as came in VIGIL_WRITE_BATCH_SECONDS.
BATCH_PAGES = 500


@dataclass
class Outcome:
    """What one page came to, for the run's figures."""

    page: str = "unchanged"   # new | changed | unchanged | removed | restored | skipped
    mentions: int = 0
    alerts: int = 0
    page_id: int | None = None
    names_watched: bool | None = None   # what the page's latest text says; None: as before
    problem: tuple[FailureKind, str] | None = None   # (kind, reason) of an error to record with the page


@dataclass
class PageWork:
    """One fetched page on its way through the steps: what each step found, for those after it."""

    item: FetchedPage
    url: str                            # the page's canonical URL
    page: dict | None = None            # the stored page; None until a new page is stored
    previous: dict | None = None        # its latest snapshot
    restored: bool = False
    text_hash: str = ""
    old_text: str | None = None
    new_spans: list = field(default_factory=list)
    story_id: int | None = None
    index_rows: backlog.IndexRows | None = None   # what the new text adds to the band and search indexes
    snapshot_id: int | None = None
    kind: str = ""                      # new | changed | rebaselined (a new extractor's reading)
    upgraded: bool = False
    found: list = field(default_factory=list)       # every mention in the text
    new_found: list = field(default_factory=list)   # ... those in new text
    own: list = field(default_factory=list)         # ... alerted as the page's own
    held: list = field(default_factory=list)        # ... held for a teaser's article


class Ingestor:
    """Holds what every page of a crawl needs: the database, the matcher, the subscribers."""

    def __init__(self, db, config: Config, matcher: Matcher, run_id: int | None, figures: CrawlFigures,
                 write_batch_seconds: float = VIGIL_WRITE_BATCH_SECONDS):
        self.db = db
        self.write_batch_seconds = write_batch_seconds
        self.config = config
        self.matcher = matcher
        self.run_id = run_id
        self.figures = figures
        self._saved_at = time.monotonic()
        self._run_started = runs.get_run(db, run_id)["started_at"] if run_id is not None else None
        orphaned = backlog.orphaned(db)   # index rows a killed process never wrote
        if orphaned:
            with db.atomic():
                backlog.recover(db, dedupe.band_keys, orphaned)

    def page(self, item: FetchedPage) -> Outcome:
        """Ingest one page: all of it or nothing, in the database's write batch (storage/db.py). A page
        that named someone or queued an alert is committed at once, with the quiet pages before it:
        a crash loses nothing that alerted, only quiet pages, which the next crawl reads again."""
        with self.db.batched():
            work = PageWork(item, item.page_url or self._page_url(item))
            outcome = self._steps(work)
            self._schedule_next_visit(item, outcome, work.page)
            outcome.alerts += self._settle_holds(work.url, item.fetched_at)
            # A quiet page's index rows wait and go in with others' (storage/backlog.py); one that named
            # someone has its rows written now, so that a copy elsewhere is its story at once.
            quiet = not (outcome.alerts or outcome.mentions)
            if work.index_rows is not None:
                backlog.add(self.db, work.snapshot_id, work.index_rows, quiet)
            if outcome.problem:
                runs.add_error(self.db, run_id=self.run_id, source=item.source, url=item.url,
                               kind=outcome.problem[0], reason=outcome.problem[1], at=item.fetched_at)
                self.figures.errors += 1
            self._count(outcome)
            # The run's counters are written now and then, not with every page.
            if self.run_id is not None and time.monotonic() - self._saved_at > FIGURES_EVERY:
                runs.save_figures(self.db, self.run_id, self.figures)
                self._saved_at = time.monotonic()
        if work.index_rows is not None and quiet:
            backlog.hold(self.db, work.snapshot_id, work.index_rows)
        if backlog.due(self.db):
            with self.db.batched():
                backlog.write(self.db)
        if outcome.alerts or outcome.mentions or self.db.batch_due(BATCH_PAGES, self.write_batch_seconds):
            self.db.commit_batch()
        return outcome

    def commit(self) -> None:
        """Commit the quiet pages of the write batch (the crawl calls this now and then, and at its end)."""
        self.db.commit_batch()

    def finish(self, source: str) -> None:
        """A crawl of `source` ends: the index rows still waiting are written (storage/backlog.py), and
        what it still holds is queued: alerts for teasers whose article it did not read. What a crawl
        that died left waiting waits for the next one."""
        with self.db.atomic():
            backlog.write(self.db, everything=True)
            now = now_iso()
            waits = holds.waiting_in(self.db, source)
            for wait in waits:
                holds.decide(self.db, wait["id"], False)
            for alert_id in sorted({wait["alert_id"] for wait in waits}):
                self.figures.alerts += settle_held_alert(self.db, self.config, alert_id, now)

    def failure(self, item: FetchFailure) -> None:
        """Record a request that failed, in the write batch as a quiet page is: committed when the batch
        is due (at once in `vigil run`'s workers), so that it never holds the write lock the other
        writers wait for until some later page of this crawl."""
        with self.db.batched():
            runs.add_error(self.db, run_id=self.run_id, source=item.source, url=item.url, kind=item.kind,
                           reason=item.reason, at=item.at)
            if item.known:
                # Tried again at the next crawl, behind the pages that have waited longer.
                frontier.visit_next_crawl(self.db, item.source, canonicalize(item.url), item.at)
        self.figures.errors += 1
        if self.db.batch_due(BATCH_PAGES, self.write_batch_seconds):
            self.db.commit_batch()

    def _schedule_next_visit(self, item: FetchedPage, outcome: Outcome, page: dict | None) -> None:
        """When the page is due again (crawler/ingest/revisit.py), and whether it is a listing. `page` is
        its row as this page's steps read it (only the next visit changes its revisit fields)."""
        if outcome.page_id is None:
            return
        source = self.config.source_or_none(item.source)
        if source is None:
            return
        if page is None or page["id"] != outcome.page_id:
            page = frontier.visit_state(self.db, outcome.page_id)
        change = {"new": revisit.NEW, "changed": revisit.CHANGED, "restored": revisit.CHANGED}
        names_watched = page["names_watched"] if outcome.names_watched is None else outcome.names_watched
        ceiling = (source.revisit_ceiling_watched if names_watched else source.revisit_ceiling).total_seconds()
        interval = revisit.next_interval(page["revisit_interval"], change.get(outcome.page, revisit.UNCHANGED),
                                         source.schedule.period(), ceiling)
        fetched = parse_iso(item.fetched_at)
        due = revisit.next_visit(fetched, interval, item.headers, ceiling)
        frontier.schedule_visit(self.db, outcome.page_id, interval, due.strftime(ISO_FORMAT),
                                names_watched=outcome.names_watched,
                                led_to_new_at=item.fetched_at if item.led_to_new else None)

    def _count(self, outcome: Outcome) -> None:
        figures = self.figures
        figures.fetched += 1
        if outcome.page in ("new", "changed", "unchanged", "removed", "restored"):
            setattr(figures, outcome.page, getattr(figures, outcome.page) + 1)
        figures.mentions += outcome.mentions
        figures.alerts += outcome.alerts

    # The steps of one page, in order (methods below). Each reads and fills in the PageWork; the
    # first to return an Outcome ends the page. Scheduling the next visit, settling held alerts
    # and counting follow in page(), whatever the outcome.
    def _steps(self, work: PageWork) -> Outcome:
        for step in (self._find_page, self._take_down, self._empty_text, self._record_fetch, self._restore,
                     self._same_text, self._snapshot, self._mentions, self._alerts):
            outcome = step(work)
            if outcome is not None:
                return outcome
        raise AssertionError("the last step decides the outcome")

    def _find_page(self, work: PageWork) -> None:
        """The stored page, if any, and its latest snapshot."""
        work.page = pages.get_page(self.db, work.url)
        work.previous = snapshots.latest_snapshot(self.db, work.page["id"]) if work.page else None

    def _take_down(self, work: PageWork) -> Outcome | None:
        """A known page that is gone (404, 410, redirected away, a soft 404): removed, its takedown alerted."""
        item, page = work.item, work.page
        gone = self._gone(item, work.url, work.previous) if page else None
        if not (gone or item.status in REMOVED_STATUSES):
            return None
        if page is None:
            return Outcome("skipped")
        pages.record_fetch(self.db, page["id"], item.fetched_at, item.status)
        outcome = self._removed(page, item, gone or f"HTTP {item.status}")
        outcome.page_id = page["id"]
        return outcome

    def _empty_text(self, work: PageWork) -> Outcome | None:
        """A page that was parsed but gave no text: a failure to read it, recorded, never a change.

        A page with a text before keeps its snapshot, state and mentions: an empty reading is no
        removal and no new version. Its validators are not stored, so the next crawl reads it again.
        A new page with no text is stored only when it has some; it is an error only when the
        extractor failed on it.
        """
        item, page, previous = work.item, work.page, work.previous
        if not _read_empty(item):
            return None
        why, hint = item.extraction.failure, item.extraction.render_hint
        if page is None:
            problem = (FailureKind.EMPTY_TEXT, f"{why}; the page is not stored") if why else \
                (FailureKind.NO_TEXT, f"{hint}; the page is not stored") if hint else None
            return Outcome("skipped", problem=problem)
        pages.record_fetch(self.db, page["id"], item.fetched_at, item.status)
        before = len(snapshots.unpack(previous["text"])) if previous else 0
        reason = f"{why or hint or 'no text could be extracted'}; the text read before ({before} characters) is kept"
        return Outcome("skipped", problem=(FailureKind.EMPTY_TEXT, reason))

    def _record_fetch(self, work: PageWork) -> Outcome | None:
        """A new page is stored when it has a text worth watching; the fetch of every page is recorded,
        with its validators (ETag, Last-Modified) only when it was read."""
        item, now = work.item, work.item.fetched_at
        validators = dict(etag=item.headers.get("etag"), last_modified=item.headers.get("last-modified"),
                          body_hash=item.body_hash or None)
        if work.page is None:
            extraction = item.extraction
            if extraction is None or not extraction.text.strip() or soft_404(extraction.title, extraction.text, None):
                return Outcome("skipped")
            work.page = pages.add_page(self.db, item.source, work.url, item.final_url, now, item.depth,
                                       item.status, **validators)
        elif item.skipped == "not_html":
            # Unreadable now (the error is recorded by the pipeline): no validators, so that the next
            # crawl reads the page again and says so again, rather than skip the same body in silence.
            pages.record_fetch(self.db, work.page["id"], now, item.status)
        else:
            pages.record_fetch(self.db, work.page["id"], now, item.status, **validators)
        return None

    def _restore(self, work: PageWork) -> None:
        """A page that answers again after a takedown: live, with its event and alerts."""
        page, now = work.page, work.item.fetched_at
        work.restored = page["state"] == "removed"
        if work.restored:
            pages.set_state(self.db, page["id"], "live", now)
            events.add_event(self.db, page["id"], Event.RESTORED, now)
            queue_takedown_alerts(self.db, self.config, page, Event.RESTORED, now)

    def _same_text(self, work: PageWork) -> Outcome | None:
        """No new text: not read (304, the same body, not HTML), nothing extracted, or the same text as before."""
        item, extraction = work.item, work.item.extraction
        unchanged = Outcome("restored" if work.restored else "unchanged", page_id=work.page["id"])
        if item.skipped or extraction is None or not extraction.text.strip():
            return unchanged
        work.text_hash = text_hash(extraction.text)
        if work.previous and work.previous["text_hash"] == work.text_hash:
            return unchanged
        return None

    def _snapshot(self, work: PageWork) -> None:
        """The new text: what it adds, the story it belongs to, the snapshot and its change, its rows of
        the band and search indexes (written by page(), at once or later), and the page's event."""
        db, item, page, previous = self.db, work.item, work.page, work.previous
        extraction, now = item.extraction, item.fetched_at
        work.old_text = snapshots.unpack(previous["text"]) if previous else None
        added, removed, work.new_spans = diff_texts(work.old_text, extraction.text)
        signature = item.signature or dedupe.signature(extraction.text)
        keys = dedupe.band_keys(signature)
        work.story_id = self._story(work.text_hash, signature, keys, page["id"], now)
        work.snapshot_id = snapshots.add_snapshot(
            db, page_id=page["id"], story_id=work.story_id, fetched_at=now, title=extraction.title,
            published=extraction.date, lang=extraction.lang, text_hash=work.text_hash, text=extraction.text,
            signature=signature, extractor=extraction.extractor, final_url=item.final_url, http_status=item.status,
        )
        snapshots.add_change(db, work.snapshot_id, previous["id"] if previous else None, added if previous else None, removed)
        work.index_rows = backlog.IndexRows(work.story_id, keys, extraction.title, extraction.text)
        # A new extractor version reads the same page differently: that is a new baseline,
        # not a change of the page. Only a term the page never named before counts then.
        work.upgraded = previous is not None and previous["extractor"] != extraction.extractor
        work.kind = Event.NEW if previous is None else "rebaselined" if work.upgraded else Event.CHANGED
        if not work.upgraded:
            events.add_event(db, page["id"], work.kind, now, work.snapshot_id,
                             {"added": len(added), "removed": len(removed)} if previous else None)

    def _mentions(self, work: PageWork) -> None:
        """Watched names in the new text: mentions (a teaser's go to its article's story), their events
        and the raw page as evidence; names no longer on the page: events and takedown alerts."""
        db, item, page = self.db, work.item, work.page
        extraction, now, snapshot_id = item.extraction, item.fetched_at, work.snapshot_id
        work.found = item.found if item.found is not None else self.matcher.find(extraction.text)
        before = ({(m.watchlist, m.term) for m in self.matcher.find(work.old_text)}
                  if work.old_text is not None else set())
        work.new_found = [m for m in work.found if within(work.new_spans, m.start, m.end)
                          and not (work.upgraded and (m.watchlist, m.term) in before)]
        work.own, work.held, attached = self._teased(page, extraction, work.new_found)
        for m in work.new_found:
            mentions.add_mention(
                db, snapshot_id=snapshot_id, page_id=page["id"], story_id=attached.get(id(m), work.story_id),
                watchlist=m.watchlist,
                term=m.term, kind=m.kind, matched=m.matched, start=m.start, end=m.end, rule=m.rule,
                snippet=paged_snippet(extraction.text, m.start, m.end, extraction.page_starts), first_seen=now,
                doc_page=extraction.page_at(m.start),
            )
        for term in sorted({m.term for m in work.new_found}):
            events.add_event(db, page["id"], Event.MENTION_ADDED, now, snapshot_id, {"term": term})
        if work.new_found:
            # Evidence: what the page said, byte for byte, when it named someone.
            snapshots.add_evidence(db, snapshot_id, hashlib.sha256(item.body).hexdigest(), item.body,
                                   item.final_url, item.status, item.headers)
        if not work.upgraded:
            still_there = {(m.watchlist, m.term) for m in work.found}
            for watchlist, term in sorted(before - still_there):
                events.add_event(db, page["id"], Event.MENTION_REMOVED, now, snapshot_id, {"term": term})
                queue_takedown_alerts(db, self.config, page, Event.MENTION_REMOVED, now, term=term,
                                      title=extraction.title)

    def _alerts(self, work: PageWork) -> Outcome:
        """Alerts for the new mentions: queued now, or held while the article a teaser leads to is still
        to be read in this crawl (crawler/text/hubs.py). The page's outcome."""
        item, page, extraction = work.item, work.page, work.item.extraction
        # A term a reader dismissed on this page (not this person) is recorded but alerts no more.
        dismissed = reviews.dismissed_on_page(self.db, page["id"]) if work.new_found else set()
        own = [m for m in work.own if (m.watchlist, m.term) not in dismissed]
        held = [h for h in work.held if (h[0].watchlist, h[0].term) not in dismissed]
        alerts = queue_mention_alerts(self.db, self.config, page, work.story_id, extraction.title, own,
                                      extraction.text, item.fetched_at, extraction.page_starts)
        if held:
            hold_mention_alerts(self.db, self.config, page, work.story_id, extraction.title, extraction.text,
                                item.fetched_at, held, page["source"], work.snapshot_id, extraction.page_starts)
        outcome = "unchanged" if work.upgraded else work.kind
        return Outcome("restored" if work.restored else outcome, len({m.term for m in work.new_found}), alerts,
                       page_id=page["id"], names_watched=bool(work.found))

    def _teased(self, page: dict, extraction, found: list) -> tuple[list, list, dict]:
        """Split the new mentions of a listing page (crawler/text/hubs.py). A person named only in teasers
        whose articles name them too is the articles' mention: attached to an article's story, no alert
        of its own. One whose article is still to be read in this crawl is held: (mention, teaser,
        covered) for hold_mention_alerts. Any other is the page's own, alerted now. Returns
        (own, held, {id(mention): story of the article it is attached to})."""
        if not extraction.teasers or not found:
            return found, [], {}
        by_term: dict[tuple[str, str], list] = {}
        for m in found:
            by_term.setdefault((m.watchlist, m.term), []).append(m)
        own, held, attached = [], [], {}
        spans = teaser_spans(extraction.text, extraction.teasers)
        for group in by_term.values():
            verdicts = [self._teaser_verdict(page, extraction, spans, m) for m in group]
            if any(verdict is None for verdict in verdicts):
                own.extend(group)
                continue
            waiting = any(story is None for _, story in verdicts)
            for m, (teaser, story) in zip(group, verdicts):
                if story is not None:
                    attached[id(m)] = story
                if waiting:
                    held.append((m, teaser, story is not None))
        return own, held, attached

    def _teaser_verdict(self, page: dict, extraction, spans: list, m):
        """(teaser, story of its article) when the article names the same person; (teaser, None) when
        its article may yet be read in this crawl; None when the mention is the page's own."""
        teaser = teaser_at(extraction.text, m.start, m.end, extraction.teasers, spans)
        if teaser is None:
            return None
        article = pages.get_page(self.db, teaser.url)
        if article is not None and article["source"] != page["source"]:
            return None
        story = self._covering_story(article, m.watchlist, m.term, teaser.text) if article else None
        if story is not None:
            return teaser, story
        read_in_this_crawl = article is not None and (article["last_fetched"] or "") >= (self._run_started or "")
        return None if self._run_started is None or read_in_this_crawl else (teaser, None)

    def _covering_story(self, article: dict, watchlist: str, term: str, teaser: str) -> int | None:
        """The story of an article that names the term and that the teaser repeats, or None."""
        latest = snapshots.latest_snapshot(self.db, article["id"])
        if (article["state"] != "live" or latest is None
                or (watchlist, term) not in mentions.terms_on_page(self.db, article["id"])):
            return None
        article_text = f"{latest['title'] or ''}\n{snapshots.unpack(latest['text'])}"
        return latest["story_id"] if copied_from(teaser, article_text) else None

    def _settle_holds(self, url: str, now: str) -> int:
        """Decide the held alerts that wait for the page just read; returns how many were queued."""
        waits = holds.waiting_for(self.db, url)
        if not waits:
            return 0
        article = pages.get_page(self.db, url)
        for wait in waits:
            story = None
            if article is not None and article["source"] == wait["source"]:
                story = self._covering_story(article, wait["watchlist"], wait["term"], wait["teaser"])
            holds.decide(self.db, wait["id"], story is not None)
            if story is not None:
                mentions.set_story(self.db, wait["snapshot_id"], wait["watchlist"], wait["term"], story)
        return sum(settle_held_alert(self.db, self.config, alert_id, now)
                   for alert_id in sorted({wait["alert_id"] for wait in waits}))

    def _page_url(self, item: FetchedPage) -> str:
        link = item.extraction.canonical_url if item.extraction is not None else None
        return canonical_from_link(item.final_url, link)

    @staticmethod
    def _gone(item: FetchedPage, url: str, previous: dict | None) -> str | None:
        """Why a known page that answered is gone all the same: redirected away, or a soft 404."""
        if item.redirected:
            reason = redirect_takedown(url, item.final_url)
            if reason:
                return reason
        if item.status != 200 or item.skipped:
            return None
        text = item.extraction.text if item.extraction is not None else ""
        title = item.extraction.title if item.extraction is not None else None
        # An empty text is a failure to read the page (see _empty_text); only its title can say it is gone.
        before = len(snapshots.unpack(previous["text"])) if previous and text.strip() else None
        return soft_404(title, text, before)

    def _removed(self, page: dict, item: FetchedPage, reason: str) -> Outcome:
        if page["state"] == "removed":
            return Outcome("unchanged")
        now = item.fetched_at
        pages.set_state(self.db, page["id"], "removed", now)
        events.add_event(self.db, page["id"], Event.REMOVED, now, detail={"reason": reason})
        alerts = queue_takedown_alerts(self.db, self.config, page, Event.REMOVED, now)
        return Outcome("removed", 0, alerts)

    def _story(self, digest: str, signature: bytes, bands: list[str], page_id: int, now: str) -> int:
        """The story a new text belongs to: the same or nearly the same text on another page."""
        db = self.db
        story_id = snapshots.story_with_text(db, digest, page_id)
        if story_id is None:
            for candidate in backlog.stories_with_bands(db, bands):
                if any(dedupe.is_same_story(signature, other)
                       for other in snapshots.story_signatures(db, candidate, exclude_page=page_id)):
                    story_id = candidate
                    break
        if story_id is None:
            story_id = snapshots.new_story(db, now)
        return story_id


def _read_empty(item: FetchedPage) -> bool:
    """The page was parsed as HTML, and no text came out of it."""
    return item.status == 200 and not item.skipped and item.extraction is not None \
        and not item.extraction.text.strip()
