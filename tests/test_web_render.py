"""The web app's rendering helpers: links only http(s), text escaped with the matched form marked,
the inline diff, the weekly chart, where a login may send the browser next."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from crawler.web.chart import weekly_chart, weeks_filled
from crawler.web.diffview import diff_versions
from crawler.web.render import bracket_marks, environment, highlight, is_http
from crawler.web.views import _local_next


@pytest.mark.parametrize("url", ["http://example.org/a", "https://example.org/", "HTTPS://EXAMPLE.ORG/x?y=1"])
def test_http_urls_may_be_links(url):
    assert is_http(url)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
                                 "data:text/html,<script>alert(1)</script>", "file:///etc/passwd",
                                 "vbscript:msgbox", "//example.org/x", "/relative", "http:///no-host", "",
                                 "http://[::1"])
def test_anything_else_is_never_a_link(url):
    assert not is_http(url)


def test_the_matched_form_is_marked_and_everything_else_escaped():
    shown = str(highlight('<b>x</b> said Oleg  Orlov & "Orlov" <script>', "Oleg\nOrlov"))
    assert shown == ('&lt;b&gt;x&lt;/b&gt; said <mark>Oleg  Orlov</mark> &amp; &#34;Orlov&#34; &lt;script&gt;')
    assert str(highlight("no match here", "Orlov")) == "no match here"
    assert str(highlight("<i>", None)) == "&lt;i&gt;"
    assert str(highlight("a [<b>] b", "<b>")) == "a [<mark>&lt;b&gt;</mark>] b"


def test_search_hits_in_brackets_are_marked_and_escaped():
    assert str(bracket_marks("x [Orlov] <img src=x> [<i>]")) == \
        "x <mark>Orlov</mark> &lt;img src=x&gt; <mark>&lt;i&gt;</mark>"


def test_templates_escape_by_default():
    template = environment().from_string("{{ title }}|{{ url }}")
    assert template.render(title="<script>x</script>", url='"><svg onload=1>') == \
        "&lt;script&gt;x&lt;/script&gt;|&#34;&gt;&lt;svg onload=1&gt;"


def test_the_diff_marks_paragraphs_and_words_added_and_removed():
    old = "Title\nOleg Orlov was detained on Monday.\nHis lawyers were refused.\nFooter"
    new = "Title\nOleg Orlov was released on Monday.\nFooter\nThe court postponed the case."
    rows = diff_versions(old, new)
    kinds = [row["kind"] for row in rows]
    assert kinds == ["same", "changed", "removed", "same", "added"], kinds
    changed = next(row for row in rows if row["kind"] == "changed")
    assert ("removed", "detained") in changed["pieces"] and ("added", "released") in changed["pieces"]
    assert rows[-1]["pieces"] == [("added", "The court postponed the case.")]
    assert [row["kind"] for row in diff_versions("a\nb", "a\nb")] == ["same", "same"]


def test_the_chart_has_a_bar_for_every_week_empty_ones_too():
    counts = [("2026-01-05", 3), ("2026-01-26", 1)]
    assert weeks_filled(counts) == [("2026-01-05", 3), ("2026-01-12", 0), ("2026-01-19", 0), ("2026-01-26", 1)]
    svg = str(weekly_chart(counts))
    assert svg.startswith("<svg") and svg.count('class="bar"') == 4 and "<script" not in svg
    assert "style=" not in svg   # the CSP allows no inline style
    assert "No mentions yet" in str(weekly_chart([]))


def test_a_long_history_is_summed_into_its_first_bar():
    start = date(2020, 1, 6)
    counts = [((start + timedelta(weeks=i)).isoformat(), 1) for i in range(300)]
    weeks = weeks_filled(counts)
    assert len(weeks) == 104 and sum(n for _, n in weeks) == 300


@pytest.mark.parametrize("target,expected", [
    ("/", "/"), ("/pages/3?a=1&b=2", "/pages/3?a=1&b=2"), ("//evil.example/x", "/"), ("/\\evil.example", "/"),
    ("https://evil.example/", "/"), ("javascript:alert(1)", "/"), ("", "/"), (None, "/"),
])
def test_after_login_the_browser_goes_only_to_a_page_of_this_site(target, expected):
    assert _local_next(target) == expected
