"""The pages of the web app: login, inbox and review, person, page versions and diff, search and
export, watchlists and subscriptions, sources."""
from __future__ import annotations

import csv
import hmac
import io
import json
import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from alerts.matching.explain import describe
from crawler.service.status import status_rows
from crawler.core.errors import VigilError
from crawler.core.masking import mask_text
from crawler.core.timeutil import now_iso, parse_since
from crawler.web import actions
from crawler.web.auth import COOKIE, SESSION_DAYS, Principal, htmx_headers, need, principal, session_expiry
from crawler.web.chart import weekly_chart
from crawler.web.diffview import diff_versions
from crawler.web.render import query
from storage import accounts, browse, reviews
from storage.search import search as search_archive
from storage.snapshots import get_evidence

router = APIRouter(include_in_schema=False)
INBOX_PAGE = 50
LOGIN_COOKIE = "vigil_login"
SEARCH_PAGE = 50
EXPORT_LIMIT = 5000


def _app(request: Request):
    return request.app.state


def render(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    app = _app(request)
    who: Principal | None = request.scope.get("state", {}).get("principal")
    context.update(request=request, who=who, hx_headers=htmx_headers(who) if who else "{}",
                   csrf=who.csrf if who else "", path=request.url.path)
    return HTMLResponse(app.templates.get_template(template).render(**context), status)


def _flash_redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, 303)


def _since(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return parse_since(text)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


def _int(text: str | None) -> int | None:
    if text in (None, ""):
        return None
    try:
        return int(text)
    except ValueError:
        raise HTTPException(400, f"not a number: {text!r}") from None


def _local_next(target: str | None) -> str:
    """Where to go after logging in: a path of this site only, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


# -- login ----------------------------------------------------------------------------------
def _login_form(request: Request, next: str, error: str | None = None, status: int = 200) -> HTMLResponse:
    """The login form with a fresh token, also set in a cookie: a login must come from this form, so
    another site cannot log a browser in to an account of its choosing (login CSRF)."""
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", status, next=_local_next(next), error=error, login_token=token)
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, httponly=True, samesite="strict", path="/login",
                        secure=request.url.scheme == "https")
    return response


@router.get("/login")
def login_page(request: Request, next: str = "/"):
    return _login_form(request, next)


@router.post("/login")
def login(request: Request, name: str = Form(""), password: str = Form(""), next: str = Form("/"),
          login_token: str = Form("")):
    app = _app(request)
    address = request.client.host if request.client else "?"
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(login_token.encode(), expected.encode()):
        return _login_form(request, next, "The login form expired: log in again.", 403)
    if app.limiter.blocked(name, address):
        return _login_form(request, next, "Too many failed logins: wait a quarter of an hour and try again.", 429)
    db = app.web.db()
    with db.atomic():
        user = accounts.check_password(db, name, password)
        if user is not None:
            session_id, _ = accounts.start_session(db, user["id"], now_iso(), session_expiry())
    if user is None:
        app.limiter.failed(name, address)
        return _login_form(request, next, "Wrong name or password.", 401)
    response = _flash_redirect(_local_next(next))
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    response.set_cookie(COOKIE, app.serializer.dumps(session_id), max_age=SESSION_DAYS * 86400, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")
    return response


@router.post("/logout")
def logout(request: Request):
    app = _app(request)
    cookie = request.cookies.get(COOKIE)
    session_id = app.serializer.loads(cookie) if cookie else None
    if session_id:
        db = app.web.db()
        with db.atomic():
            accounts.end_session(db, str(session_id))
    response = _flash_redirect("/login")
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/healthz")
def healthz(request: Request):
    _app(request).web.db().execute("SELECT 1").fetchone()
    return Response("ok\n", media_type="text/plain")


# -- inbox and review -----------------------------------------------------------------------
def _inbox_filters(request: Request) -> dict:
    q = request.query_params
    return {"watchlist": q.get("watchlist") or None, "term": q.get("term") or None, "source": q.get("source") or None,
            "lang": q.get("lang") or None, "since": _since(q.get("since")), "until": _since(q.get("until")),
            "review": q.get("review") or "open", "unread": q.get("unread") == "1"}


@router.get("/")
def inbox(request: Request):
    who = principal(request)
    app = _app(request)
    db = app.web.db()
    filters = _inbox_filters(request)
    before = _int(request.query_params.get("before"))
    rows = reviews.inbox(db, who.user_id, filters, limit=INBOX_PAGE + 1, before=before)
    more = len(rows) > INBOX_PAGE
    rows = rows[:INBOX_PAGE]
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        groups.setdefault((row["watchlist"], row["term"]), []).append(row)
    shown = {k: request.query_params.get(k, "") for k in ("watchlist", "term", "source", "lang", "since", "until")}
    effective = app.web.effective()
    return render(request, "inbox.html", groups=groups, rows=rows, terms=reviews.inbox_terms(db, who.user_id),
                  filters=filters, shown=shown, review=filters["review"], unread=filters["unread"],
                  next_url=query("/", **shown, review=filters["review"], unread="1" if filters["unread"] else "",
                                 before=rows[-1]["id"]) if more else None,
                  watchlists=[w.name for w in effective.watchlists], sources=[s.name for s in app.web.config().sources])


@router.post("/inbox/read")
def mark_read(request: Request, ids: str = Form("")):
    who = principal(request)
    db = _app(request).web.db()
    chosen = [int(part) for part in ids.split(",") if part.strip().isdigit()]
    if who.user_id is not None and chosen:
        with db.atomic():
            reviews.mark_read(db, who.user_id, chosen)
    return _flash_redirect(_local_next(request.query_params.get("next")))


@router.post("/mentions/{mention_id}/review")
def review(request: Request, mention_id: int, state: str = Form(""), note: str = Form(""),
           who: Principal = Depends(need("monitor"))):
    db = _app(request).web.db()
    try:
        actions.review_mention(db, mention_id, state or None, note, who.name)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None
    if who.user_id is not None:
        with db.atomic():
            reviews.mark_read(db, who.user_id, [mention_id])
    rows = reviews.inbox(db, who.user_id, {"review": "all", "id": mention_id}, limit=1)
    if request.headers.get("hx-request") and rows:
        return render(request, "_mention.html", m=rows[0])
    return _flash_redirect(_local_next(request.query_params.get("next")))


# -- person ---------------------------------------------------------------------------------
def _find_term(effective, watchlist: str, term: str):
    for w in effective.watchlists:
        if w.name == watchlist:
            for t in w.terms:
                if t.name == term:
                    return t
    return None


@router.get("/person")
def person(request: Request, watchlist: str, term: str):
    who = principal(request)
    app = _app(request)
    db = app.web.db()
    effective = app.web.effective()
    watched = _find_term(effective, watchlist, term)
    before = _int(request.query_params.get("before"))
    rows = reviews.inbox(db, who.user_id, {"watchlist": watchlist, "term": term, "review": "all"},
                         limit=INBOX_PAGE + 1, before=before)
    more = len(rows) > INBOX_PAGE
    if watched is None and not rows:
        raise HTTPException(404, f"no term {term!r} in watchlist {watchlist!r}")
    counts = reviews.review_counts(db).get((watchlist, term), {"confirmed": 0, "dismissed": 0})
    declared = {(w.name, t.name) for w in app.web.config().watchlists for t in w.terms}
    return render(request, "person.html", watchlist=watchlist, term=term, watched=watched,
                  described=describe(watched) if watched else None, rows=rows[:INBOX_PAGE],
                  next_before=rows[INBOX_PAGE - 1]["id"] if more else None, counts=counts,
                  chart=weekly_chart(reviews.mentions_per_week(db, watchlist, term)),
                  from_config=(watchlist, term) in declared)


@router.post("/person/aliases")
def person_aliases(request: Request, watchlist: str = Form(...), term: str = Form(...), aliases: str = Form(""),
                   kind: str = Form("person"), who: Principal = Depends(need("monitor"))):
    app = _app(request)
    actions.watch_term(app.web.db(), app.web.config(), watchlist, term, kind, aliases.split(","))
    return _flash_redirect(query("/person", watchlist=watchlist, term=term))


# -- pages, versions, diff, evidence --------------------------------------------------------
@router.get("/pages")
def pages_list(request: Request):
    app = _app(request)
    q = request.query_params
    before = _int(q.get("before"))
    rows = browse.list_pages(app.web.db(), source=q.get("source") or None, state=q.get("state") or None,
                             url_contains=q.get("url") or None, limit=INBOX_PAGE + 1, before=before)
    more = len(rows) > INBOX_PAGE
    shown = {k: q.get(k, "") for k in ("source", "state", "url")}
    return render(request, "pages.html", rows=rows[:INBOX_PAGE], shown=shown,
                  next_url=query("/pages", **shown, before=rows[INBOX_PAGE - 1]["id"]) if more else None,
                  sources=[s.name for s in app.web.config().sources])


@router.get("/events")
def events(request: Request):
    app = _app(request)
    q = request.query_params
    kinds = ("new", "changed", "removed", "restored", "mention_added", "mention_removed")
    kind = q.get("event") if q.get("event") in kinds else None
    rows = browse.list_events(app.web.db(), source=q.get("source") or None, kind=kind, since=_since(q.get("since")),
                              limit=INBOX_PAGE + 1, before=_int(q.get("before")))
    more = len(rows) > INBOX_PAGE
    shown = {"source": q.get("source", ""), "event": kind or "", "since": q.get("since", "")}
    return render(request, "events.html", rows=rows[:INBOX_PAGE], shown=shown, kinds=kinds,
                  sources=[s.name for s in app.web.config().sources],
                  next_url=query("/events", **shown, before=rows[INBOX_PAGE - 1]["id"]) if more else None)


@router.get("/pages/{page_id}")
def page_view(request: Request, page_id: int, a: int | None = None, b: int | None = None):
    app = _app(request)
    db = app.web.db()
    page = browse.page_by_id(db, page_id)
    if page is None:
        raise HTTPException(404, f"no page {page_id}")
    versions = browse.versions(db, page_id)
    ids = [v["id"] for v in versions]
    if b is None and ids:
        b = ids[-1]
    if a is None and len(ids) > 1:
        a = ids[ids.index(b) - 1] if b in ids and ids.index(b) > 0 else ids[0]
    diff = None
    if a is not None and b is not None:
        if a not in ids or b not in ids:
            raise HTTPException(404, "both versions must be of this page")
        old, new = browse.version(db, a), browse.version(db, b)
        diff = {"a": old, "b": new, "rows": diff_versions(old["text"], new["text"])}
    who = principal(request)
    found = reviews.inbox(db, who.user_id, {"page_id": page_id, "review": "all"}, limit=200)
    return render(request, "page.html", page=page, versions=versions, diff=diff, a=a, b=b,
                  events=browse.list_events(db, page_id=page_id, limit=200), mentions=found)


@router.get("/versions/{snapshot_id}/evidence")
def evidence(request: Request, snapshot_id: int):
    db = _app(request).web.db()
    proof = get_evidence(db, snapshot_id)
    if proof is None:
        raise HTTPException(404, f"snapshot {snapshot_id} has no evidence: raw bytes are kept for versions that "
                                 "named a watched term")
    # Bytes from a page we do not trust: a download, never shown as a page of this site.
    return Response(proof["body"], media_type="application/octet-stream", headers={
        "content-disposition": f'attachment; filename="vigil-snapshot-{snapshot_id}.bin"',
        "x-evidence-sha256": proof["sha256"], "content-security-policy": "sandbox"})


# -- search ---------------------------------------------------------------------------------
@router.get("/search")
def search_page(request: Request, q: str = "", source: str = ""):
    app = _app(request)
    results, error = [], None
    if q.strip():
        try:
            results = search_archive(app.web.db(), q, limit=SEARCH_PAGE, source=source or None)
        except VigilError as exc:
            error = str(exc)
    return render(request, "search.html", q=q, source=source, results=results, error=error,
                  sources=[s.name for s in app.web.config().sources])


@router.get("/search/export")
def search_export(request: Request, q: str, format: str = "csv", source: str = ""):
    app = _app(request)
    try:
        results = search_archive(app.web.db(), q, limit=EXPORT_LIMIT, source=source or None)
    except VigilError as exc:
        raise HTTPException(400, str(exc)) from None
    fields = ["page_id", "snapshot_id", "source", "url", "state", "title", "fetched_at", "snippet"]
    if format == "jsonl":
        body = "".join(json.dumps({f: r[f] for f in fields}, ensure_ascii=False) + "\n" for r in results)
        return Response(body, media_type="application/x-ndjson",
                        headers={"content-disposition": 'attachment; filename="vigil-search.jsonl"'})
    if format != "csv":
        raise HTTPException(400, "format: csv or jsonl")
    out = io.StringIO()
    writer = csv.DictWriter(out, fields, extrasaction="ignore")
    writer.writeheader()
    for row in results:
        # a cell starting with = + - @ is a formula to a spreadsheet: a quote keeps it text
        writer.writerow({f: ("'" + v if isinstance(v, str) and v[:1] in "=+-@\t\r" else v) for f, v in row.items()})
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="vigil-search.csv"'})


# -- watchlists and subscriptions -----------------------------------------------------------
@router.get("/watchlists")
def watchlists(request: Request):
    app = _app(request)
    effective = app.web.effective()
    declared = {(w.name, t.name) for w in app.web.config().watchlists for t in w.terms}
    counts = reviews.review_counts(app.web.db())
    return render(request, "watchlists.html", watchlists=effective.watchlists, subscribers=effective.subscribers,
                  declared=declared, counts=counts, modes=actions.MODES)


@router.post("/watchlists/terms")
def add_term(request: Request, watchlist: str = Form(...), name: str = Form(...), kind: str = Form("person"),
             aliases: str = Form(""), who: Principal = Depends(need("monitor"))):
    app = _app(request)
    actions.watch_term(app.web.db(), app.web.config(), watchlist, name, kind, aliases.split(","))
    return _flash_redirect("/watchlists")


@router.post("/watchlists/terms/remove")
def remove_term(request: Request, watchlist: str = Form(...), name: str = Form(...),
                who: Principal = Depends(need("monitor"))):
    app = _app(request)
    actions.unwatch_term(app.web.db(), app.web.effective(), watchlist, name)
    return _flash_redirect("/watchlists")


@router.post("/subscriptions")
def change_subscription(request: Request, subscriber: str = Form(...), watchlist: str = Form(...),
                        action: str = Form("subscribe"), mode: str = Form(""),
                        who: Principal = Depends(need("monitor"))):
    app = _app(request)
    if action == "unsubscribe":
        actions.unsubscribe(app.web.db(), app.web.effective(), subscriber, watchlist)
    else:
        actions.subscribe(app.web.db(), app.web.effective(), subscriber, watchlist, mode or None)
    return _flash_redirect("/watchlists")


# -- sources --------------------------------------------------------------------------------
@router.get("/sources")
def sources(request: Request):
    app = _app(request)
    db = app.web.db()
    rows = status_rows(db, app.web.config())
    recent_errors = {row["source"]: [{**e, "url": mask_text(e["url"]), "reason": mask_text(e["reason"])}
                                     for e in browse.list_errors(db, row["source"], limit=5)] for row in rows}
    return render(request, "sources.html", rows=rows, recent_errors=recent_errors,
                  started=request.query_params.get("started"))


@router.post("/sources/{name}/crawl")
def crawl_now(request: Request, name: str, who: Principal = Depends(need("admin"))):
    app = _app(request)
    app.crawls.start(app.web.db(), app.web.config(), name)
    return _flash_redirect(query("/sources", started=name))


# -- accounts (admin) -----------------------------------------------------------------------
@router.get("/users")
def users(request: Request, who: Principal = Depends(need("admin"))):
    db = _app(request).web.db()
    return render(request, "users.html", users=accounts.list_users(db), tokens=accounts.list_tokens(db),
                  roles=accounts.ROLES, min_password=accounts.MIN_PASSWORD)


@router.post("/users")
def add_user(request: Request, name: str = Form(...), role: str = Form(...), password: str = Form(...),
             who: Principal = Depends(need("admin"))):
    actions.set_account(_app(request).web.db(), name, role, password)
    return _flash_redirect("/users")


@router.post("/users/disable")
def disable_user(request: Request, name: str = Form(...), who: Principal = Depends(need("admin"))):
    actions.disable_account(_app(request).web.db(), name, who.name)
    return _flash_redirect("/users")
