"""The web app for tests: a local site crawled twice into a real database, accounts and tokens made
with `vigil user` and `vigil token`, and `vigil serve` running as a process on a free port."""
from __future__ import annotations

import contextlib
import html
import os
import re
import subprocess
import sys
import time
import urllib.request

from conftest import REPO, Project, page, simple_config
from crawler.core.timeutil import now_iso
from crawler.service.localsite import LocalSite
from storage import accounts
from servers import free_port

# "guessed" is the account the login-limit test locks out: no other test logs in with it
PASSWORDS = {"ada": "admin-password-1", "mo": "monitor-password-1", "vi": "viewer-password-1",
             "guessed": "guessed-password-1"}
ROLES = {"ada": "admin", "mo": "monitor", "vi": "viewer", "guessed": "admin"}
HOSTILE_TITLE = "<script>window.__pwned = 1</script>Orlov <img src=x onerror=\"window.__pwned = 2\">"
TERMS = 'name = "Oleg Orlov"\n[[watchlists.terms]]\nname = "Natalia Estemirova"'


def write_site(site: LocalSite, version: int = 1) -> None:
    """An NGO site: a listing, two articles naming Oleg Orlov, one naming a namesake, one with a
    hostile title, and one that changes between the two crawls."""
    site.write("robots.txt", "User-agent: *\nAllow: /\n")
    links = "".join(f'<li><a href="/news/{name}.html">{name}</a></li>'
                    for name in ("detained", "namesake", "hostile", "changing", "control"))
    site.write("index.html", page("News", "Latest statements of the centre.", sidebar=links))
    site.write("news/detained.html", page("Oleg Orlov detained in Moscow",
                                          "Oleg Orlov was detained in Moscow on Monday evening.",
                                          "His lawyers were not allowed to see him for six hours."))
    site.write("news/namesake.html", page("Football results",
                                          "The striker Oleg Orlov scored twice for the local club.",
                                          "The match ended three to one."))
    # escaped in the HTML, so the title as read is the markup itself, as a site quoting it would show it
    site.write("news/hostile.html", page(html.escape(HOSTILE_TITLE),
                                         "Oleg Orlov spoke at the hearing about the case of the defenders.",
                                         '<a href="javascript:window.__pwned=3">Read more about it</a>'))
    site.write("news/control.html", page("Natalia Estemirova remembered",
                                         "Colleagues remembered Natalia Estemirova in Grozny.",
                                         "A memorial evening was held at the office."))
    changing = ["The court heard the appeal of Oleg Orlov on Tuesday.", "The verdict is expected next week."]
    if version >= 2:
        changing.append("The court postponed its verdict until the end of the month.")
    site.write("news/changing.html", page("Appeal hearing", *changing))


def make_project(tmp_path, site: LocalSite) -> Project:
    folder = tmp_path / "project"
    folder.mkdir()
    project = Project(folder)
    project.write_config(simple_config(site.url, terms=TERMS))
    project.ok("crawl")
    write_site(site, 2)
    project.ok("crawl")
    db = project.db()
    with db.atomic():   # as `vigil user add` does, without a process each (tests of it run it)
        for name, role in ROLES.items():
            accounts.set_user(db, name, role, PASSWORDS[name], now_iso())
    db.close()
    return project


def make_token(project: Project, name: str, role: str) -> str:
    """A token as `vigil token create` makes it."""
    db = project.db()
    with db.atomic():
        secret = accounts.create_token(db, name, role, now_iso())
    db.close()
    return secret


@contextlib.contextmanager
def serving(project: Project):
    """`vigil serve` on a free port until the block ends; yields its base URL."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("VIGIL_CONFIG", None)
    log = open(project.path / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "crawler", "--config", str(project.config), "serve",
                             "--port", str(port)], cwd=project.path, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("vigil serve did not start: "
                                         + (project.path / "serve.log").read_text()) from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        served_log = (project.path / "serve.log").read_text()
        assert "Traceback" not in served_log, served_log


def log_in(client, name: str, password: str, data: dict | None = None, headers: dict | None = None):
    """POST /login as the login form does: with the token the form and its cookie carry."""
    form = client.get("/login").text
    token = re.search(r'name="login_token" value="([^"]+)"', form).group(1)
    return client.post("/login", data={"name": name, "password": password, "login_token": token, **(data or {})},
                       headers=headers)
