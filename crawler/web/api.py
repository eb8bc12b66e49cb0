"""The HTTP API under /api/v1: the same data as the pages, as JSON, a page at a time.

Lists come newest first as {"items": [...], "next": URL or null}; follow `next` for more.
Authentication: `Authorization: Bearer TOKEN` (`vigil token create`), or the web app's session
cookie with the X-CSRF-Token header on requests that change something."""
from __future__ import annotations

from typing import Generic, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from crawler.service.status import status_rows
from crawler.core.errors import VigilError
from crawler.core.timeutil import parse_since
from crawler.web import actions
from crawler.web.auth import Principal, need, principal
from storage import browse, reviews
from storage.search import search as search_archive
from storage.snapshots import get_evidence

router = APIRouter(prefix="/api/v1")
Item = TypeVar("Item")
LIMIT = Query(50, ge=1, le=500, description="Items per page.")
BEFORE = Query(None, ge=1, description="Continue after this id: the `id` of the last item of the previous page.")


class Paged(BaseModel, Generic[Item]):
    items: list[Item]
    next: str | None = Field(None, description="The URL of the next page; null on the last one.")


class Mention(BaseModel):
    id: int
    watchlist: str
    term: str
    kind: str
    matched: str = Field(description="The form of the term as the page wrote it.")
    snippet: str = Field(description="The sentence around it.")
    rule: str | None = Field(None, description="Why it matched.")
    first_seen: str
    page_id: int
    snapshot_id: int
    story_id: int
    url: str
    source: str
    title: str | None
    lang: str | None
    also_at: list[str] = Field(description="Other pages of the same story.")
    review: Literal["confirmed", "dismissed"] | None
    review_note: str | None
    reviewer: str | None
    reviewed_at: str | None
    read: bool = Field(description="Whether this user has read it (always false for a token).")


class ReviewIn(BaseModel):
    state: Literal["confirmed", "dismissed"] | None = Field(
        description="confirmed; dismissed (not this person: the page and term alert no more, and leave digests "
                    "and feeds); null to clear the review.")
    note: str = Field("", max_length=2000)


class Event(BaseModel):
    id: int
    event: str = Field(description="new, changed, removed, restored, mention_added or mention_removed")
    at: str
    page_id: int
    snapshot_id: int | None
    url: str
    source: str
    detail: dict | None


class Page(BaseModel):
    id: int
    source: str
    url: str
    state: str = Field(description="live or removed")
    first_seen: str
    last_fetched: str | None
    last_status: int | None
    removed_at: str | None
    title: str | None = None
    versions: int | None = None


class Version(BaseModel):
    id: int
    fetched_at: str
    title: str | None
    lang: str | None
    text_hash: str = Field(description="SHA-256 of the normalised text.")
    story_id: int
    extractor: str
    http_status: int | None
    final_url: str | None
    evidence_sha256: str | None = Field(description="SHA-256 of the original bytes, when they were kept.")
    added: int = Field(0, description="Paragraphs added since the version before.")
    removed: int = Field(0, description="Paragraphs removed since the version before.")


class VersionText(BaseModel):
    id: int
    page_id: int
    url: str
    source: str
    fetched_at: str
    title: str | None
    lang: str | None
    text_hash: str
    story_id: int
    extractor: str
    http_status: int | None
    final_url: str | None
    evidence_sha256: str | None
    text: str


class Term(BaseModel):
    watchlist: str
    name: str
    kind: Literal["person", "keyword"]
    aliases: list[str]
    declared_in: Literal["config", "database"]
    confirmed: int = Field(description="Pages where a reader confirmed it.")
    dismissed: int = Field(description="Pages where a reader said it is not this person.")


class TermIn(BaseModel):
    watchlist: str
    name: str
    kind: Literal["person", "keyword"] = "person"
    aliases: list[str] = []


class Subscriber(BaseModel):
    name: str
    mode: str
    watchlists: dict[str, str] = Field(description="Each watchlist followed, with how: instant, daily or weekly.")
    takedowns: bool


class SubscriptionIn(BaseModel):
    subscriber: str
    watchlist: str
    subscribed: bool = True
    mode: Literal["instant", "daily", "weekly"] | None = None


class Source(BaseModel):
    source: str
    schedule: str
    pages: int
    due: int
    waiting: int
    last_run: str | None
    finish_reason: str | None
    next_run: str | None
    errors_1d: int
    last_errors_by_kind: dict[str, int]
    problems: list


class Run(BaseModel):
    id: int
    source: str
    started_at: str
    finished_at: str | None
    finish_reason: str | None
    fetched: int
    new: int
    changed: int
    unchanged: int
    removed: int
    errors: int
    mentions: int
    alerts: int


class SearchHit(BaseModel):
    page_id: int
    snapshot_id: int
    url: str
    source: str
    state: str
    title: str | None
    fetched_at: str
    snippet: str = Field(description="Text around the first hit, each hit [in brackets].")


class Done(BaseModel):
    ok: bool = True
    detail: str = ""


def _paged(request: Request, rows: list[dict], limit: int) -> dict:
    more = len(rows) > limit
    rows = rows[:limit]
    following = str(request.url.include_query_params(before=rows[-1]["id"])) if more and rows else None
    return {"items": rows, "next": following}


def _since(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return parse_since(value)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


def _db(request: Request):
    return request.app.state.web.db()


@router.get("/mentions", response_model=Paged[Mention])
def list_mentions(request: Request, watchlist: str | None = None, term: str | None = None,
                  source: str | None = None, lang: str | None = None,
                  since: str | None = Query(None, description="An age (7d, 12h) or a date."),
                  until: str | None = Query(None, description="An age or a date."),
                  review: Literal["open", "unreviewed", "confirmed", "dismissed", "all"] = Query(
                      "open", description="open: all but dismissed."),
                  unread: bool = False, limit: int = LIMIT, before: int | None = BEFORE):
    """Mentions, newest first: one per term per page version."""
    who = principal(request)
    filters = {"watchlist": watchlist, "term": term, "source": source, "lang": lang, "since": _since(since),
               "until": _since(until), "review": review, "unread": unread}
    return _paged(request, reviews.inbox(_db(request), who.user_id, filters, limit + 1, before), limit)


@router.get("/mentions/{mention_id}", response_model=Mention)
def get_mention(request: Request, mention_id: int):
    """One mention."""
    rows = reviews.inbox(_db(request), principal(request).user_id, {"review": "all", "id": mention_id}, 1)
    if not rows:
        raise HTTPException(404, f"no mention {mention_id}")
    return rows[0]


@router.post("/mentions/{mention_id}/review", response_model=Mention)
def review_mention(request: Request, mention_id: int, body: ReviewIn, who: Principal = Depends(need("monitor"))):
    """Confirm or dismiss a mention (for its page and term, every version), or clear the review. Monitor."""
    try:
        actions.review_mention(_db(request), mention_id, body.state, body.note, who.name)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None
    return get_mention(request, mention_id)


@router.get("/events", response_model=Paged[Event])
def list_events(request: Request, source: str | None = None, page_id: int | None = None,
                event: str | None = None, since: str | None = None, limit: int = LIMIT,
                before: int | None = BEFORE):
    """Pages new, changed, removed and restored; mentions added and removed; newest first."""
    rows = browse.list_events(_db(request), source, page_id, event, _since(since), limit + 1, before)
    return _paged(request, rows, limit)


@router.get("/pages", response_model=Paged[Page])
def list_pages(request: Request, source: str | None = None, state: Literal["live", "removed"] | None = None,
               url: str | None = Query(None, description="Only URLs holding this text."),
               limit: int = LIMIT, before: int | None = BEFORE):
    """Pages known, newest first."""
    return _paged(request, browse.list_pages(_db(request), source, state, url, limit + 1, before), limit)


@router.get("/pages/{page_id}", response_model=Page)
def get_page(request: Request, page_id: int):
    """One page: its source, state and last fetch."""
    page = browse.page_by_id(_db(request), page_id)
    if page is None:
        raise HTTPException(404, f"no page {page_id}")
    return page


@router.get("/pages/{page_id}/versions", response_model=list[Version])
def page_versions(request: Request, page_id: int):
    """Every version of a page, oldest first."""
    get_page(request, page_id)
    return browse.versions(_db(request), page_id)


@router.get("/versions/{snapshot_id}", response_model=VersionText)
def get_version(request: Request, snapshot_id: int):
    """One version with its text."""
    found = browse.version(_db(request), snapshot_id)
    if found is None:
        raise HTTPException(404, f"no version {snapshot_id}")
    return found


@router.get("/versions/{snapshot_id}/evidence", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}},
                             "description": "The original bytes; their SHA-256 in X-Evidence-SHA256."}})
def get_evidence_bytes(request: Request, snapshot_id: int):
    """The bytes the site sent for this version, when it named a watched term."""
    proof = get_evidence(_db(request), snapshot_id)
    if proof is None:
        raise HTTPException(404, f"no evidence for version {snapshot_id}")
    return Response(proof["body"], media_type="application/octet-stream",
                    headers={"x-evidence-sha256": proof["sha256"], "content-security-policy": "sandbox",
                             "content-disposition": f'attachment; filename="vigil-snapshot-{snapshot_id}.bin"'})


@router.get("/terms", response_model=list[Term])
def list_terms(request: Request, watchlist: str | None = None):
    """The terms watched now (vigil.toml with the changes made at run time)."""
    web = request.app.state.web
    declared = {(w.name, t.name) for w in web.config().watchlists for t in w.terms}
    counts = reviews.review_counts(web.db())
    return [{"watchlist": w.name, "name": t.name, "kind": t.kind, "aliases": list(t.aliases),
             "declared_in": "config" if (w.name, t.name) in declared else "database",
             **counts.get((w.name, t.name), {"confirmed": 0, "dismissed": 0})}
            for w in web.effective().watchlists if watchlist in (None, w.name) for t in w.terms]


@router.post("/terms", response_model=Done, status_code=201)
def add_term(request: Request, body: TermIn, who: Principal = Depends(need("monitor"))):
    """Watch a term, or change its kind and aliases (as `vigil watch add`). Monitor."""
    web = request.app.state.web
    actions.watch_term(web.db(), web.config(), body.watchlist, body.name, body.kind, body.aliases)
    return {"detail": f"watching {body.name} in {body.watchlist}"}


@router.delete("/terms/{watchlist}/{name}", response_model=Done)
def remove_term(request: Request, watchlist: str, name: str, who: Principal = Depends(need("monitor"))):
    """Stop watching a term (as `vigil watch remove`). Monitor."""
    web = request.app.state.web
    actions.unwatch_term(web.db(), web.effective(), watchlist, name)
    return {"detail": f"no longer watching {name} in {watchlist}"}


@router.get("/subscribers", response_model=list[Subscriber])
def list_subscribers(request: Request):
    """Subscribers and the watchlists they follow now (channels are not shown: they hold secrets)."""
    return [{"name": s.name, "mode": s.mode, "watchlists": {w: s.mode_for(w) for w in s.watchlists},
             "takedowns": s.takedowns} for s in request.app.state.web.effective().subscribers]


@router.post("/subscriptions", response_model=Done)
def change_subscription(request: Request, body: SubscriptionIn, who: Principal = Depends(need("monitor"))):
    """Subscribe or unsubscribe (as `vigil subscribe` and `vigil unsubscribe`). Monitor."""
    web = request.app.state.web
    if body.subscribed:
        actions.subscribe(web.db(), web.effective(), body.subscriber, body.watchlist, body.mode)
    else:
        actions.unsubscribe(web.db(), web.effective(), body.subscriber, body.watchlist)
    return {"detail": f"{body.subscriber} {'follows' if body.subscribed else 'no longer follows'} {body.watchlist}"}


@router.get("/sources", response_model=list[Source])
def list_sources(request: Request):
    """Per source: schedule, last and next run, pages known and due, errors by kind, health problems."""
    web = request.app.state.web
    return status_rows(web.db(), web.config())


@router.post("/sources/{name}/crawl", response_model=Done, status_code=202)
def crawl_source(request: Request, name: str, who: Principal = Depends(need("admin"))):
    """Crawl a source now, in a process of its own; its run appears in /runs. Admin."""
    state = request.app.state
    pid = state.crawls.start(state.web.db(), state.web.config(), name)
    return {"detail": f"crawling {name} (pid {pid})"}


@router.get("/runs", response_model=Paged[Run])
def list_runs(request: Request, source: str | None = None, limit: int = LIMIT, before: int | None = BEFORE):
    """Crawls, newest first."""
    return _paged(request, browse.list_runs(_db(request), source, limit + 1, before), limit)


@router.get("/search", response_model=list[SearchHit])
def search(request: Request, q: str = Query(..., description="An FTS5 query: words, \"phrases\", word*, "
                                                             "AND, OR, NOT."),
           source: str | None = None, limit: int = Query(50, ge=1, le=1000)):
    """The archive's best matches, one per page."""
    try:
        return search_archive(_db(request), q, limit=limit, source=source)
    except VigilError as exc:
        raise HTTPException(400, str(exc)) from None


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request):
    return request.app.openapi()
