"""Who is asking: sessions in signed cookies, API tokens, roles, CSRF on every state-changing request,
a limit on login attempts, and the security headers of every response.

Every route needs an account except those in PUBLIC: the guard below stands in front of the
whole app, so a route added later is closed until it is listed here."""
from __future__ import annotations

import hmac
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, quote

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse

from crawler.core.timeutil import format_iso, now_iso, parse_iso
from storage import accounts

COOKIE = "vigil_session"
SESSION_DAYS = 7
TOKEN_TOUCH = timedelta(minutes=1)
PUBLIC = ("/login", "/healthz")
PUBLIC_PREFIXES = ("/static/",)    # the stylesheet and htmx: the same for everyone
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
MAX_FORM_BYTES = 1_000_000
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

# No inline script or style anywhere; htmx is configured by a <meta> tag and attributes.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


@dataclass(frozen=True)
class Principal:
    """A logged-in user (via "session") or an API token (via "token")."""

    name: str
    role: str
    via: str
    user_id: int | None = None
    csrf: str | None = None

    def can(self, role: str) -> bool:
        return accounts.role_at_least(self.role, role)


def principal(request: Request) -> Principal:
    return request.scope["state"]["principal"]


def need(role: str):
    """A dependency refusing (403) anyone below `role`."""
    def check(request: Request) -> Principal:
        who = principal(request)
        if not who.can(role):
            raise HTTPException(403, f"this needs the {role} role; {who.name} is a {who.role}")
        return who
    return check


class LoginLimiter:
    """At most `per_name` failed logins per name and address, and `per_address` per address, in
    `window` seconds: a password cannot be guessed at speed."""

    def __init__(self, per_name: int = 5, per_address: int = 20, window: float = 900.0):
        self.per_name, self.per_address, self.window = per_name, per_address, window
        self._failures: dict[tuple, deque] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple, now: float) -> deque:
        times = self._failures.setdefault(key, deque())
        while times and times[0] < now - self.window:
            times.popleft()
        return times

    def blocked(self, name: str, address: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return (len(self._recent(("name", name, address), now)) >= self.per_name
                    or len(self._recent(("address", address), now)) >= self.per_address)

    def failed(self, name: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(("name", name, address), now).append(now)
            self._recent(("address", address), now).append(now)


def session_cookie(serializer: URLSafeSerializer, session_id: str) -> str:
    return serializer.dumps(session_id)


def session_expiry() -> str:
    return format_iso(datetime.now(timezone.utc) + timedelta(days=SESSION_DAYS))


class Guard:
    """ASGI middleware: security headers on every response; no route without an account (except
    PUBLIC); no state-changing request from a session without its CSRF token."""

    def __init__(self, app, web_state, serializer: URLSafeSerializer):
        self.app, self.web, self.serializer = app, web_state, serializer

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() not in dict(SECURITY_HEADERS)]
                headers += SECURITY_HEADERS
                if not scope["path"].startswith(PUBLIC_PREFIXES):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        path = scope["path"]
        scope.setdefault("state", {})
        if path in PUBLIC or path.startswith(PUBLIC_PREFIXES):
            return await self.app(scope, receive, send_with_headers)
        request = Request(scope)
        who = await run_in_threadpool(self._identify, request)
        if who is None:
            return await self._refuse_anonymous(request)(scope, receive, send_with_headers)
        scope["state"]["principal"] = who
        if scope["method"] in UNSAFE and who.via == "session":
            body = await _read_body(receive)
            if body is None:
                return await PlainTextResponse("request too large", 413)(scope, receive, send_with_headers)
            if not _csrf_ok(request, body, who.csrf):
                reply = _error(request, 403, "missing or wrong CSRF token: reload the page and try again")
                return await reply(scope, receive, send_with_headers)
            receive = _replay(body)
        return await self.app(scope, receive, send_with_headers)

    def _identify(self, request: Request) -> Principal | None:
        db = self.web.db()
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            token = accounts.token_role(db, header[7:].strip())
            if token is None:
                return None
            now = now_iso()
            # its last use, written at most once a minute: a read must not wait for a crawl's writes
            if not token["last_used_at"] or token["last_used_at"] < format_iso(parse_iso(now) - TOKEN_TOUCH):
                with db.atomic():
                    accounts.touch_token(db, token["id"], now)
            return Principal(token["name"], token["role"], "token")
        cookie = request.cookies.get(COOKIE)
        if not cookie:
            return None
        try:
            session_id = self.serializer.loads(cookie)
        except BadSignature:
            return None
        user = accounts.session_user(db, str(session_id), now_iso())
        if user is None:
            return None
        return Principal(user["name"], user["role"], "session", user["id"], user["csrf"])

    @staticmethod
    def _refuse_anonymous(request: Request):
        if request.url.path.startswith("/api/") or request.method != "GET":
            return JSONResponse({"error": "authentication required: log in, or send Authorization: Bearer TOKEN"},
                                401, headers={"www-authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", 303)


def _error(request: Request, status: int, message: str):
    if request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"error": message}, status)
    return PlainTextResponse(message, status)


async def _read_body(receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes):
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}
    return receive


def _csrf_ok(request: Request, body: bytes, expected: str | None) -> bool:
    """The session's token in the X-CSRF-Token header (htmx, API clients) or the form field."""
    if not expected:
        return False
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        given = (parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD) or [None])[0]
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def htmx_headers(who: Principal) -> str:
    """The hx-headers attribute that makes htmx send the CSRF token with every request."""
    return json.dumps({"X-CSRF-Token": who.csrf or ""})
