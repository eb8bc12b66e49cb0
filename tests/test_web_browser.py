"""The web app in a real browser (the system's Chromium, driven by Playwright): logging in and out, the
inbox after a crawl, a dismissal that stops a re-alert, the diff, editing terms, a viewer who cannot
edit, a request without its CSRF token, a hostile title that stays text."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from conftest import page as html_page
from crawler.service.localsite import LocalSite
from webserver import PASSWORDS, make_project, serving, write_site

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"   # Debian's: no browser is downloaded


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web-browser")
    with LocalSite(tmp / "site") as site:
        write_site(site)
        project = make_project(tmp, site)
        with serving(project) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                yield {"base": base, "project": project, "site": site, "browser": browser}
            finally:
                browser.close()


@pytest.fixture
def browse(web):
    """A fresh browser context (no cookies) per test, its page's script errors and dialogs recorded."""
    contexts = []

    def open_page(name: str | None = None):
        context = web["browser"].new_context(base_url=web["base"])
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
        page.on("dialog", lambda dialog: (page.problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        # what the Content-Security-Policy refused: the app's own pages must need nothing it forbids
        page.on("console", lambda message: page.problems.append(message.text)
                if message.type == "error" and "Refused" in message.text else None)
        if name:
            log_in(page, name)
        return page

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, name: str, password: str | None = None) -> None:
    page.goto("/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password or PASSWORDS[name])
    page.click("button[type=submit]")


def test_log_in_see_the_inbox_and_log_out(browse):
    page = browse()
    page.goto("/sources")
    assert "/login" in page.url                      # every page asks for an account first
    log_in(page, "vi", "not-the-password")
    expect(page.locator(".error")).to_contain_text("Wrong name or password")
    log_in(page, "vi")
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Inbox")
    groups = page.locator("section.group h2 a")
    expect(groups.filter(has_text="Oleg Orlov")).to_have_count(1)
    expect(groups.filter(has_text="Natalia Estemirova")).to_have_count(1)
    first = page.locator("article.mention", has_text="detained in Moscow").first
    expect(first.locator("mark").first).to_have_text("Oleg Orlov")
    expect(first.locator("a.title")).to_have_attribute("href", re.compile(r"^http://127\.0\.0\.1:\d+/news/detained"))
    page.click("text=Log out")
    assert "/login" in page.url
    page.goto("/")
    assert "/login" in page.url
    assert page.problems == []


def test_a_hostile_title_shows_as_text_and_runs_nothing(browse):
    page = browse("vi")
    page.goto("/")
    hostile = page.locator("article.mention", has_text="spoke at the hearing")
    expect(hostile.locator("a.title")).to_contain_text("<script>window.__pwned = 1</script>")
    page.click("article.mention:has-text('spoke at the hearing') >> text=versions")
    expect(page.locator("h1")).to_contain_text("<img src=x")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.problems == []


def test_not_this_person_stops_the_next_alert_and_leaves_the_feed(browse, web):
    project, site = web["project"], web["site"]
    page = browse("mo")
    page.goto("/")
    namesake = page.locator("article.mention", has_text="scored twice")
    namesake.locator("input[name=note]").fill("a footballer")
    namesake.locator("button", has_text="Not this person").click()
    # htmx swapped the mention in place: no page load, the review shown
    expect(page.locator("article.mention.dismissed", has_text="scored twice")).to_contain_text("not this person")
    expect(page.locator("article.mention.dismissed")).to_contain_text("a footballer")
    assert page.problems == []
    rows = project.ok("mentions", "--format", "json").json_lines()
    assert {r["url"].rsplit("/", 1)[1]: r["review"] for r in rows if "Orlov" in r["term"]}["namesake.html"] == "dismissed"
    before = len(project.alerts())
    site.write("news/namesake.html", html_page("Football results", "The striker Oleg Orlov scored twice.",
                                               "Oleg Orlov was named the player of the month."))
    site.write("news/detained.html", html_page("Oleg Orlov detained in Moscow",
                                               "Oleg Orlov was detained in Moscow on Monday evening.",
                                               "Oleg Orlov was released on Wednesday."))
    project.ok("crawl")
    new = project.alerts()[before:]
    alerted = {alert["url"].rsplit("/", 1)[1] for alert in new}
    assert "detained.html" in alerted             # the same person on another page still alerts
    assert "namesake.html" not in alerted         # the namesake's page no more
    feed = project.ok("feed").stdout
    assert "namesake.html" not in feed and "detained.html" in feed
    digest = project.ok("digest", "--since", "1d").stdout
    assert "namesake.html" not in digest and "detained.html" in digest
    page.goto("/?review=dismissed")
    expect(page.locator("article.mention")).to_have_count(2)   # both versions of the namesake's page
    page.goto("/person?watchlist=defenders&term=Oleg+Orlov")
    expect(page.locator("body")).to_contain_text("pages dismissed as not this person: 1")
    expect(page.locator("svg.chart rect.bar")).not_to_have_count(0)


def test_the_diff_marks_what_was_added(browse, web):
    page = browse("vi")
    page.goto("/pages?url=changing")
    page.click("text=Appeal hearing")
    expect(page.locator(".versions tr")).to_have_count(3)     # a header and two versions
    expect(page.locator(".diff ins")).to_contain_text("postponed its verdict")
    expect(page.locator(".diff del")).to_have_count(0)
    sha = page.locator("code.hash").first.inner_text()
    assert len(sha) == 64
    with page.expect_download() as download:
        page.locator("a", has_text="download").first.click()
    assert hashlib.sha256(Path(download.value.path()).read_bytes()).hexdigest() == sha
    assert page.problems == []


def test_a_monitor_edits_terms_and_aliases(browse, web):
    page = browse("mo")
    page.goto("/watchlists")
    form = page.locator("form.add-term")
    form.locator("input[name=watchlist]").fill("defenders")
    form.locator("input[name=name]").fill("Svetlana Gannushkina")
    form.locator("input[name=aliases]").fill("Светлана Ганнушкина")
    form.locator("button").click()
    row = page.locator("tr", has_text="Svetlana Gannushkina")
    expect(row).to_contain_text("Светлана Ганнушкина")
    expect(row).to_contain_text("database")
    page.click("text=Svetlana Gannushkina")
    page.fill("form.aliases input[name=aliases]", "Светлана Ганнушкина, S. Gannushkina")
    page.click("text=Save aliases")
    expect(page.locator("form.aliases input[name=aliases]")).to_have_value("Светлана Ганнушкина, S. Gannushkina")
    terms = web["project"].ok("watch", "list", "--format", "json").json_lines()
    added = next(t for t in terms if t["term"] == "Svetlana Gannushkina")
    assert added["aliases"] == ["Светлана Ганнушкина", "S. Gannushkina"]
    page.goto("/watchlists")
    page.locator("tr", has_text="Svetlana Gannushkina").locator("button", has_text="Remove").click()
    expect(page.locator("tr", has_text="Svetlana Gannushkina")).to_have_count(0)
    assert page.problems == []


def test_a_viewer_cannot_edit_and_a_request_without_its_csrf_token_is_refused(browse, web):
    viewer = browse("vi")
    viewer.goto("/")
    expect(viewer.locator("article.mention").first).to_be_visible()
    assert viewer.locator("button", has_text="Not this person").count() == 0
    viewer.goto("/watchlists")
    assert viewer.locator("form.add-term").count() == 0
    token = viewer.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = viewer.request.post("/watchlists/terms", form={"watchlist": "defenders", "name": "Lev Ponomarev",
                                                              "csrf_token": token})
    assert refused.status == 403
    monitor = browse("mo")
    monitor.goto("/watchlists")
    forged = monitor.request.post("/watchlists/terms", form={"watchlist": "defenders", "name": "Lev Ponomarev"})
    assert forged.status == 403 and "CSRF" in forged.text()
    terms = json.dumps(web["project"].ok("watch", "list", "--format", "json").json_lines())
    assert "Lev Ponomarev" not in terms


def test_search_events_and_an_admin_crawling_a_source_now(browse):
    page = browse("ada")
    page.goto("/search")
    page.fill("input[name=q]", "verdict")
    page.click("button:has-text('Search')")
    hit = page.locator("article.hit", has_text="Appeal hearing")
    expect(hit.locator("mark").first).to_have_text(re.compile("verdict", re.IGNORECASE))
    expect(page.locator("a", has_text="CSV")).to_have_attribute("href", re.compile(r"^/search/export\?q=verdict"))
    page.goto("/events?event=mention_added")
    expect(page.locator("table.list tr", has_text="mention added").first).to_contain_text("Oleg Orlov")
    page.goto("/sources")
    runs_before = page.request.get("/api/v1/runs").json()["items"]
    page.click("button:has-text('Crawl now')")
    expect(page.locator(".notice")).to_contain_text("Crawling ngo now")
    deadline = time.monotonic() + 90   # a guard against a hang, not a measure of speed
    while time.monotonic() < deadline:
        runs = page.request.get("/api/v1/runs").json()["items"]
        if runs[0]["id"] > runs_before[0]["id"] and runs[0]["finished_at"]:
            break
        time.sleep(0.3)
    assert runs[0]["id"] > runs_before[0]["id"] and runs[0]["finish_reason"] == "finished"
    page.reload()
    expect(page.locator("table.sources tr", has_text="ngo")).to_contain_text("finished")
    assert page.problems == []
