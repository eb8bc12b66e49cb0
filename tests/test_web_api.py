"""The HTTP API and the web app's defences, through `vigil serve` on a crawled database: tokens,
pagination, roles, CSRF, sessions, the login limit, escaping, evidence, and no route without an account."""
from __future__ import annotations

import contextlib
import hashlib
import json
import re

import httpx
import pytest
from openapi_spec_validator import validate

from crawler.service.localsite import LocalSite
from webserver import HOSTILE_TITLE, PASSWORDS, log_in, make_project, make_token, serving, write_site

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web-api")
    with LocalSite(tmp / "site") as site:
        write_site(site)
        project = make_project(tmp, site)
        tokens = {role: make_token(project, f"{role}-client", role) for role in ("viewer", "monitor", "admin")}
        with serving(project) as base:
            yield {"base": base, "project": project, "tokens": tokens}


def client(web, role: str | None = None) -> httpx.Client:
    headers = {"authorization": f"Bearer {web['tokens'][role]}"} if role else {}
    return httpx.Client(base_url=web["base"], headers=headers, timeout=30, follow_redirects=False)


@contextlib.contextmanager
def logged_in(web, name: str):
    """A client with a session cookie, and the session's CSRF token read from a page."""
    with httpx.Client(base_url=web["base"], timeout=30, follow_redirects=False) as session:
        answer = log_in(session, name, PASSWORDS[name])
        assert answer.status_code == 303, answer.text
        page = session.get("/")
        yield session, re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_the_openapi_document_validates_and_lists_the_data(web):
    with client(web, "viewer") as api:
        spec = api.get("/api/v1/openapi.json").json()
    validate(spec)
    for path in ("/api/v1/mentions", "/api/v1/events", "/api/v1/pages", "/api/v1/pages/{page_id}/versions",
                 "/api/v1/versions/{snapshot_id}/evidence", "/api/v1/terms", "/api/v1/subscribers",
                 "/api/v1/sources", "/api/v1/runs", "/api/v1/search"):
        assert path in spec["paths"], path


def test_no_route_answers_without_an_account(web):
    from crawler.web.app import ROUTERS

    checked = 0
    with client(web) as anonymous:
        for route in [route for router in ROUTERS for route in router.routes]:   # pages and API alike
            methods = route.methods
            if route.path in ("/login", "/healthz"):
                continue
            concrete = re.sub(r"\{[^}]+\}", "1", route.path)
            for method in methods - {"HEAD"}:
                answer = anonymous.request(method, concrete, params={"q": "orlov", "watchlist": "defenders",
                                                                     "term": "Oleg Orlov"})
                if concrete.startswith("/api/") or method != "GET":
                    assert answer.status_code == 401, (method, concrete, answer.status_code)
                else:
                    assert answer.status_code == 303, (method, concrete, answer.status_code)
                    assert answer.headers["location"].startswith("/login?next="), concrete
                assert "Orlov" not in answer.text
                checked += 1
        assert checked >= 25
        assert anonymous.get("/healthz").status_code == 200
        assert anonymous.get("/login").status_code == 200
        wrong = anonymous.get("/api/v1/mentions", headers={"authorization": "Bearer vigil_wrong"})
        assert wrong.status_code == 401
    with httpx.Client(base_url=web["base"], cookies={COOKIE_NAME: "forged.cookie"}) as forger:
        assert forger.get("/", follow_redirects=False).status_code == 303


def test_mentions_come_a_page_at_a_time_and_every_one_once(web):
    with client(web, "viewer") as api:
        everything = api.get("/api/v1/mentions", params={"limit": 500, "review": "all"}).json()
        assert everything["next"] is None
        ids = [m["id"] for m in everything["items"]]
        assert len(ids) >= 4 and ids == sorted(ids, reverse=True)
        seen, url = [], "/api/v1/mentions?limit=2&review=all"
        while url:
            answer = api.get(url).json()
            assert len(answer["items"]) <= 2
            seen += [m["id"] for m in answer["items"]]
            url = answer["next"]
        assert seen == ids
        terms = {m["term"] for m in everything["items"]}
        assert terms == {"Oleg Orlov", "Natalia Estemirova"}
        first = everything["items"][-1]
        assert " ".join(first["matched"].split()) in first["snippet"] and first["url"].startswith("http://127.0.0.1")
        assert api.get("/api/v1/mentions", params={"limit": 0}).status_code == 422
        assert api.get("/api/v1/mentions", params={"since": "yesterday-ish"}).status_code == 400


def test_a_viewer_reads_a_monitor_reviews_and_dismissed_leaves_the_open_list(web):
    with client(web, "monitor") as monitor, client(web, "viewer") as viewer:
        mentions = viewer.get("/api/v1/mentions", params={"term": "Natalia Estemirova"}).json()["items"]
        target = mentions[0]
        refused = viewer.post(f"/api/v1/mentions/{target['id']}/review", json={"state": "dismissed"})
        assert refused.status_code == 403
        answer = monitor.post(f"/api/v1/mentions/{target['id']}/review",
                              json={"state": "dismissed", "note": "a street named after her"})
        assert answer.status_code == 200
        assert answer.json()["review"] == "dismissed" and answer.json()["reviewer"] == "monitor-client"
        open_ids = {m["id"] for m in viewer.get("/api/v1/mentions", params={"limit": 500}).json()["items"]}
        dismissed = viewer.get("/api/v1/mentions", params={"review": "dismissed"}).json()["items"]
        assert target["id"] not in open_ids and target["id"] in {m["id"] for m in dismissed}
        terms = {t["name"]: t for t in viewer.get("/api/v1/terms").json()}
        assert terms["Natalia Estemirova"]["dismissed"] == 1
        assert monitor.post(f"/api/v1/mentions/{target['id']}/review", json={"state": "maybe"}).status_code == 422
        assert monitor.post("/api/v1/mentions/999999/review", json={"state": "confirmed"}).status_code == 404
        cleared = monitor.post(f"/api/v1/mentions/{target['id']}/review", json={"state": None})
        assert cleared.json()["review"] is None


def test_a_session_needs_its_csrf_token_to_change_anything(web):
    with logged_in(web, "mo") as (session, token):
        mention = session.get("/api/v1/mentions").json()["items"][0]
        assert session.post(f"/api/v1/mentions/{mention['id']}/review", json={"state": "confirmed"}).status_code == 403
        assert session.post(f"/api/v1/mentions/{mention['id']}/review", json={"state": "confirmed"},
                            headers={"x-csrf-token": "not-the-token"}).status_code == 403
        assert session.get(f"/api/v1/mentions/{mention['id']}").json()["review"] is None
        answer = session.post(f"/api/v1/mentions/{mention['id']}/review", json={"state": "confirmed"},
                              headers={"x-csrf-token": token})
        assert answer.status_code == 200 and answer.json()["review"] == "confirmed"
        assert session.post("/watchlists/terms", data={"watchlist": "defenders", "name": "Lev Ponomarev"}
                            ).status_code == 403
        added = session.post("/watchlists/terms", data={"watchlist": "defenders", "name": "Lev Ponomarev",
                                                        "csrf_token": token})
        assert added.status_code == 303
        assert "Lev Ponomarev" in {t["name"] for t in session.get("/api/v1/terms").json()}
        session.post(f"/api/v1/mentions/{mention['id']}/review", json={"state": None},
                     headers={"x-csrf-token": token})
        assert session.post("/logout", data={"csrf_token": token}).status_code == 303
        assert session.get("/").status_code == 303     # the session ended on the server too


def test_the_session_cookie_and_every_answer_carry_the_defences(web):
    with client(web) as anonymous:
        answer = log_in(anonymous, "vi", PASSWORDS["vi"])
        cookie = answer.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
        for path in ("/", "/login", "/api/v1/mentions", "/static/style.css"):
            headers = anonymous.get(path).headers
            assert "script-src 'self'" in headers["content-security-policy"]
            assert "unsafe-inline" not in headers["content-security-policy"]
            assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "no-referrer"
        # behind a TLS proxy on this machine the cookie is Secure
        behind = log_in(anonymous, "vi", PASSWORDS["vi"], headers={"x-forwarded-proto": "https"})
        assert "secure" in behind.headers["set-cookie"].lower()
        outside = log_in(anonymous, "vi", PASSWORDS["vi"], data={"next": "//evil.test/x"})
        assert outside.headers["location"] == "/"
    with client(web) as forged:   # a login posted from elsewhere, without the form's token
        answer = forged.post("/login", data={"name": "vi", "password": PASSWORDS["vi"]})
        assert answer.status_code == 403 and COOKIE_NAME not in answer.headers.get("set-cookie", "")


def test_logins_are_limited_after_repeated_failures(web):
    with client(web) as anonymous:
        for _ in range(5):
            assert log_in(anonymous, "guessed", "guess").status_code == 401
        limited = log_in(anonymous, "guessed", PASSWORDS["guessed"])
        assert limited.status_code == 429 and COOKIE_NAME not in limited.headers.get("set-cookie", "")
        other = log_in(anonymous, "mo", PASSWORDS["mo"])
        assert other.status_code == 303


COOKIE_NAME = "vigil_session"


def test_a_hostile_title_is_text_everywhere(web):
    with logged_in(web, "vi") as (session, _), client(web, "viewer") as api:
        hostile = [m for m in api.get("/api/v1/mentions", params={"limit": 500}).json()["items"]
                   if "spoke at the hearing" in m["snippet"]]
        assert hostile and hostile[0]["title"] == HOSTILE_TITLE, hostile   # JSON carries the text as it was
        for path in ("/", f"/pages/{hostile[0]['page_id']}", "/search?q=hearing",
                     "/person?watchlist=defenders&term=Oleg+Orlov"):
            html = session.get(path).text
            assert "&lt;script&gt;window.__pwned" in html, path
            assert "<script>window" not in html and "<img src=x" not in html, path
            assert 'href="javascript:' not in html.lower(), path
            assert not re.search(r"<script(?![^>]*src=\"/static/htmx.min.js\")", html), path


def test_evidence_is_the_bytes_received_with_their_sha256(web):
    with client(web, "viewer") as api:
        # The article of two paragraphs: which page's mention comes first depends on the order two
        # extraction processes answered in.
        mention = next(m for m in api.get("/api/v1/mentions", params={"term": "Oleg Orlov"}).json()["items"]
                       if m["url"].endswith("/news/detained.html"))
        versions = api.get(f"/api/v1/pages/{mention['page_id']}/versions").json()
        kept = [v for v in versions if v["evidence_sha256"]]
        assert kept
        assert versions[0]["added"] >= 2 and versions[0]["removed"] == 0   # a first version is new in full
        answer = api.get(f"/api/v1/versions/{kept[-1]['id']}/evidence")
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/octet-stream"
        assert hashlib.sha256(answer.content).hexdigest() == kept[-1]["evidence_sha256"]
        assert answer.headers["x-evidence-sha256"] == kept[-1]["evidence_sha256"]
        assert b"Oleg Orlov" in answer.content
        text = api.get(f"/api/v1/versions/{kept[-1]['id']}").json()["text"]
        assert "Oleg Orlov" in text


def test_search_exports_csv_and_json_lines(web):
    with logged_in(web, "vi") as (session, _):
        csv_text = session.get("/search/export", params={"q": "orlov", "format": "csv"}).text
        lines = session.get("/search/export", params={"q": "orlov", "format": "jsonl"}).text.splitlines()
        assert csv_text.splitlines()[0].startswith("page_id,snapshot_id,source,url")
        rows = [json.loads(line) for line in lines]
        assert len(rows) == len(csv_text.strip().splitlines()) - 1 >= 3
        assert all("[orlov]" in r["snippet"].lower() for r in rows)
        assert session.get("/search/export", params={"q": '"unclosed'}).status_code == 400


def test_an_admin_crawls_a_source_now_and_a_viewer_may_not(web):
    with client(web, "admin") as admin, client(web, "viewer") as viewer:
        before = admin.get("/api/v1/runs").json()["items"]
        assert viewer.post("/api/v1/sources/ngo/crawl").status_code == 403
        assert admin.post("/api/v1/sources/nosuch/crawl").status_code == 400
        started = admin.post("/api/v1/sources/ngo/crawl")
        assert started.status_code == 202, started.text
        runs = _wait_for(lambda: [r for r in admin.get("/api/v1/runs").json()["items"]
                                  if r["id"] > before[0]["id"] and r["finished_at"]])
        assert runs[0]["source"] == "ngo" and runs[0]["finish_reason"] == "finished"
        sources = admin.get("/api/v1/sources").json()
        assert sources[0]["source"] == "ngo" and sources[0]["pages"] >= 6


def _wait_for(probe, timeout: float = 90.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError("timed out")


def test_tokens_are_shown_once_stored_hashed_and_revocable(web):
    project = web["project"]
    secret = project.ok("token", "create", "short-lived", "--role", "viewer").stdout.strip()
    listed = project.ok("token", "list", "--format", "json").stdout
    assert secret not in listed and "short-lived" in listed
    assert secret not in (project.path / "vigil.db").read_bytes().decode("latin-1")
    assert httpx.get(web["base"] + "/api/v1/runs", headers={"authorization": f"Bearer {secret}"}).status_code == 200
    project.ok("token", "revoke", "short-lived")
    assert httpx.get(web["base"] + "/api/v1/runs", headers={"authorization": f"Bearer {secret}"}).status_code == 401
    taken = project.vigil("serve", "--port", web["base"].rsplit(":", 1)[1])
    assert taken.returncode == 2 and taken.stderr.startswith("vigil: error: cannot listen on 127.0.0.1:")
    assert len(taken.stderr.splitlines()) == 1, taken.stderr
    short = project.vigil("user", "add", "eve", "--role", "viewer", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "too short" in short.stderr and "Traceback" not in short.stderr
    project.ok("user", "add", "eve", "--role", "viewer", "--password-stdin", stdin="eve-password-1\n")
    with httpx.Client(base_url=web["base"]) as eve:
        assert log_in(eve, "eve", "eve-password-1").status_code == 303
        assert eve.get("/").status_code == 200
        project.ok("user", "remove", "eve")
        assert eve.get("/", follow_redirects=False).status_code == 303   # her session ended with her account


def test_a_monitor_token_changes_terms_and_subscriptions_as_the_commands_do(web):
    project = web["project"]
    with client(web, "monitor") as monitor, client(web, "viewer") as viewer:
        body = {"watchlist": "defenders", "name": "Oyub Titiev", "aliases": ["Оюб Титиев"]}
        assert viewer.post("/api/v1/terms", json=body).status_code == 403
        assert monitor.post("/api/v1/terms", json=body).status_code == 201
        listed = {t["term"]: t for t in project.ok("watch", "list", "--format", "json").json_lines()}
        assert listed["Oyub Titiev"]["aliases"] == ["Оюб Титиев"] and listed["Oyub Titiev"]["from"] == "database"
        bad = monitor.post("/api/v1/terms", json={"watchlist": "defenders", "name": "a\u0007b"})
        assert bad.status_code == 400 and "control character" in bad.json()["error"]
        assert monitor.delete("/api/v1/terms/defenders/Oyub%20Titiev").status_code == 200
        assert monitor.delete("/api/v1/terms/defenders/Nobody").status_code == 400
        assert "Oyub Titiev" not in {t["name"] for t in viewer.get("/api/v1/terms").json()}
        changed = monitor.post("/api/v1/subscriptions",
                               json={"subscriber": "desk", "watchlist": "defenders", "mode": "daily"})
        assert changed.status_code == 200
        desk = next(s for s in viewer.get("/api/v1/subscribers").json() if s["name"] == "desk")
        assert desk["watchlists"] == {"defenders": "daily"} and "channels" not in desk
        assert "defenders (daily)" in project.ok("subscribers").stdout
        monitor.post("/api/v1/subscriptions", json={"subscriber": "desk", "watchlist": "defenders", "mode": "instant"})
        unknown = monitor.post("/api/v1/subscriptions", json={"subscriber": "nobody", "watchlist": "defenders"})
        assert unknown.status_code == 400 and "no subscriber named" in unknown.json()["error"]


def test_run_serve_serves_the_app_beside_the_daemon_and_stops_with_it(tmp_path):
    import signal
    import subprocess
    import sys

    from conftest import REPO, Project
    from servers import free_port

    project = Project(tmp_path)
    project.write_config("""
        [vigil]
        database = "vigil.db"
        [[watchlists]]
        name = "defenders"
        [[watchlists.terms]]
        name = "Oleg Orlov"
        """)
    port = free_port()
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    daemon = subprocess.Popen([sys.executable, "-m", "crawler", "--config", str(project.config), "run", "--serve",
                               "--port", str(port)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        answer = _wait_for(lambda: _get(f"http://127.0.0.1:{port}/healthz"), timeout=60)
        assert answer.text == "ok\n"
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/runs").status_code == 401
    finally:
        daemon.send_signal(signal.SIGTERM)
        out, err = daemon.communicate(timeout=30)
    assert daemon.returncode == 0, err
    assert "Traceback" not in err and f"serving {tmp_path / 'vigil.db'} on http://127.0.0.1:{port}/" in err
    assert _get(f"http://127.0.0.1:{port}/healthz") is None   # the app stopped with the daemon


def _get(url: str):
    try:
        return httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return None


def test_an_admin_manages_accounts_in_the_app_and_others_may_not(web):
    with logged_in(web, "mo") as (monitor, monitor_token):
        assert monitor.get("/users").status_code == 403
        refused = monitor.post("/users", data={"name": "zed", "role": "admin", "password": "zed-password-1",
                                               "csrf_token": monitor_token})
        assert refused.status_code == 403
    with logged_in(web, "ada") as (admin, token):
        page = admin.get("/users").text
        assert "monitor-client" in page and "vigil_" not in page    # tokens listed, never their secret
        short = admin.post("/users", data={"name": "zed", "role": "viewer", "password": "short", "csrf_token": token})
        assert short.status_code == 400 and "too short" in short.text
        made = admin.post("/users", data={"name": "zed", "role": "viewer", "password": "zed-password-1",
                                          "csrf_token": token})
        assert made.status_code == 303
        assert admin.post("/users/disable", data={"name": "ada", "csrf_token": token}).status_code == 400
        with logged_in_as(web, "zed", "zed-password-1") as zed:
            assert zed.get("/events").status_code == 200
            assert admin.post("/users/disable", data={"name": "zed", "csrf_token": token}).status_code == 303
            assert zed.get("/events").status_code == 303     # disabled: the session ended at once


@contextlib.contextmanager
def logged_in_as(web, name: str, password: str):
    with httpx.Client(base_url=web["base"], timeout=30, follow_redirects=False) as session:
        assert log_in(session, name, password).status_code == 303
        yield session
