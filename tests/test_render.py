"""A site whose text is drawn by JavaScript: hinted at in `vigil errors`, read with `render = true` through
Chromium, and every request the browser makes held to the private-network guard."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO, page, simple_config
from crawler.service.localsite import LocalSite

# The text of the statement is written by the script; before that the page is an empty shell.
SHELL = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Lawyer detained</title>
<script src="/app.js"></script></head>
<body><div id="app"></div><img src="{outside}/pixel.gif" alt=""></body></html>"""
PARAGRAPHS = [
    "Police in Grozny detained the human rights lawyer Oleg Orlov on Monday morning after he left the court.",
    "His colleagues said he was taken to an unknown location and that his phone has been switched off since.",
    "We call on the authorities to disclose where he is held and to release him without delay.",
]
# The statement is drawn only once a request to another loopback address has failed: the text
# Vigil reads proves that the browser tried it and the guard stopped it.
APP = """
function draw(paragraphs) {
  document.getElementById('app').innerHTML = '<main><article><h1>Lawyer detained</h1>' +
    paragraphs.map(p => '<p>' + p + '</p>').join('') + '</article></main>';
}
document.addEventListener('DOMContentLoaded', () => {
  fetch('%(outside)s/secret', {mode: 'no-cors'})
    .then(() => draw(['The request to the other address went through.']))
    .catch(() => draw(%(paragraphs)s));
});
"""


@pytest.fixture
def outside(tmp_path):
    """A site on 127.0.0.2: loopback too, but outside the config's allowed 127.0.0.1/32."""
    try:
        served = LocalSite(tmp_path / "outside", host="127.0.0.2")
    except OSError:
        pytest.skip("127.0.0.2 cannot be bound here")
    served.write("secret", "private")
    with served:
        yield served


def test_nothing_about_browsers_is_loaded_without_render():
    probe = ("import sys; from crawler.core.config import Source; from crawler.ingest.crawl import crawl_settings; "
             "import spiders.source; settings = crawl_settings(Source(name='s', start_urls=('https://a.org/',))); "
             "print(sorted(m for m in sys.modules if 'playwright' in m), settings['DOWNLOAD_HANDLERS'].get('http'))")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True)
    assert shown.stdout.strip() == "[] None", shown.stdout + shown.stderr


@pytest.mark.e2e   # `vigil` run as processes, a real Chromium, local servers
def test_a_javascript_page_is_hinted_then_read_with_render_and_its_requests_are_guarded(site, project, outside):
    import json

    site.write("index.html", page("Rights Centre", "We document the persecution of human rights defenders.",
                                  '</p><ul><li><a href="/statement.html">Statement</a></li></ul><p>Verified.'))
    site.write("statement.html", SHELL.format(outside=outside.url))
    site.write("app.js", APP % {"outside": outside.url, "paragraphs": json.dumps(PARAGRAPHS)})

    project.write_config(simple_config(site.url))
    project.ok("crawl")
    assert project.alerts() == []
    errors = {e["url"].rsplit("/", 1)[-1]: e for e in project.ok("errors", "--format", "json").json_lines()}
    assert errors["statement.html"]["kind"] == "no_text"
    assert "set render = true for the source" in errors["statement.html"]["reason"]
    assert not any(path.endswith(".js") for _, path, _ in site.requests)   # no browser: the script never ran

    project.write_config(simple_config(site.url, source_extra="render = true", database="rendered.db"))
    crawled = project.ok("crawl")
    alerts = project.alerts()
    assert [a["url"] for a in alerts] == [f"{site.url}/statement.html"], crawled.stdout
    assert "Oleg Orlov on Monday" in alerts[0]["mentions"][0]["snippet"]
    assert "/app.js" in [path for _, path, _ in site.requests]   # the browser ran the page's script
    assert outside.requests == []   # neither the fetch() nor the image reached 127.0.0.2


def test_the_hint_is_given_for_scripts_beside_little_or_no_text_only():
    from crawler.text.extract import extract

    shell = extract(SHELL.format(outside="https://cdn.example").encode(), "https://ngo.example/statement.html")
    assert shell.text == "" and "1 script: its text may be drawn by JavaScript" in shell.render_hint
    tiny = extract(b"<html><head><script src=/a.js></script><script src=/b.js></script></head><body><main>"
                   b"<p>Loading the statement of the Centre, please wait.</p></main></body></html>", "https://ngo.example/")
    assert tiny.render_hint.startswith(f"only {len(tiny.text)} characters of text, and the page has 2 scripts")
    full = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    article = extract(f"<html><head><script src=/a.js></script></head><body><article>{full}</article></body></html>"
                      .encode(), "https://ngo.example/")
    assert article.render_hint is None
    data_only = extract(b'<html><head><script type="application/ld+json">{}</script></head><body></body></html>',
                        "https://ngo.example/")
    assert data_only is None or data_only.render_hint is None
