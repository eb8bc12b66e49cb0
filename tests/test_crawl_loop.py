"""The whole loop from the command line: crawl a local site, change it, crawl again."""
from __future__ import annotations

import pytest

from conftest import page, simple_config

pytestmark = pytest.mark.e2e   # `vigil` run as processes against local servers

ORLOV_STATEMENT = page(
    "Appeal court upholds sentence",
    "The Moscow City Court upheld the sentence handed down to Oleg Orlov, co-chair of the Memorial "
    "Human Rights Centre, for his article about the war.",
    "His lawyers said they would appeal to the Court of Cassation and to the United Nations.",
    "We call for his immediate and unconditional release and for the charges to be dropped.",
)
LAW_STATEMENT = page(
    "New amendments widen the foreign agent law",
    "Parliament adopted amendments that allow the authorities to designate any person a foreign agent "
    "on the basis of vaguely defined foreign influence.",
    "The amendments also ban such persons from teaching and from organising public events.",
    "We urge the upper house to reject the amendments and the president not to sign them.",
)


def index(*links: str, sidebar: str = "") -> str:
    items = "".join(f'<li><a href="/{link}">Statement {n}</a></li>' for n, link in enumerate(links, 1))
    return page("Rights Centre", "We document the persecution of human rights defenders.",
                f"</p><ul>{items}</ul><p>Every report is verified before we publish it.", sidebar=sidebar)


def events_of(project, *kinds):
    return [(e["event"], e["url"].rsplit("/", 1)[-1]) for e in project.ok("events", "--format", "json").json_lines()
            if e["event"] in kinds]


def test_two_crawls_of_a_changing_site(site, project):
    site.write("index.html", index("orlov.html", "law.html"))
    site.write("orlov.html", ORLOV_STATEMENT)
    site.write("law.html", LAW_STATEMENT)
    project.write_config(simple_config(site.url))

    first = project.ok("crawl")
    assert "alerts sent 1" in first.stdout
    alerts = project.alerts()
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["url"] == f"{site.url}/orlov.html"
    assert alert["subscriber"] == "desk" and alert["event"] == "mention_added"
    assert alert["title"] == "Appeal court upholds sentence"
    assert [m["term"] for m in alert["mentions"]] == ["Oleg Orlov"]
    assert "Oleg Orlov" in alert["mentions"][0]["snippet"]
    assert set(alert) >= {"id", "subscriber", "event", "url", "also_at", "title", "detected_at", "mentions"}
    assert sorted(events_of(project, "new")) == [("new", ""), ("new", "law.html"), ("new", "orlov.html")]
    # The compiled watchlist is unpickled from its cache: nobody else may write there.
    assert (project.path / ".vigil-cache").stat().st_mode & 0o077 == 0

    # Round 2: a paragraph naming Orlov again is added to the law page; the Orlov page is unchanged.
    site.write("law.html", LAW_STATEMENT.replace(
        "</article>", "<p>Among those already labelled is Oleg Orlov, now serving his sentence.</p></article>"))
    second = project.ok("crawl")
    assert "changed 1" in second.stdout
    alerts = project.alerts()
    assert len(alerts) == 2
    assert alerts[1]["url"] == f"{site.url}/law.html"
    assert "already labelled is Oleg Orlov" in alerts[1]["mentions"][0]["snippet"]
    assert events_of(project, "changed") == [("changed", "law.html")]

    # Round 3: nothing changes; nothing new is found and nothing is sent again.
    third = project.ok("crawl")
    assert "new 0, changed 0" in third.stdout
    assert len(project.alerts()) == 2
    mentions = project.ok("mentions", "--format", "json").json_lines()
    assert sorted(m["url"].rsplit("/", 1)[-1] for m in mentions) == ["law.html", "orlov.html"]
    for m in mentions:
        assert set(m) >= {"term", "kind", "matched", "url", "also_at", "title", "snippet", "source", "first_seen"}
        assert m["source"] == "ngo" and m["kind"] == "person"


def test_boilerplate_only_change_is_not_a_change(site, project):
    site.write("index.html", index("law.html", sidebar="<li>Foreign agents</li>"))
    site.write("law.html", page("New amendments", "Parliament adopted amendments to the law on foreign agents.",
                                "Civil society groups warn that the law is used to silence independent voices.",
                                sidebar="<li>Foreign agents</li>", footer="Generated 10:00"))
    project.write_config(simple_config(site.url))
    project.ok("crawl")
    # The sidebar now names a watched person; the footer timestamp moves.
    churn = '<li><a href="/x">Oleg Orlov speaks from prison</a></li><li>Most shared this week</li>'
    site.write("index.html", index("law.html", sidebar=churn))
    site.write("law.html", page("New amendments", "Parliament adopted amendments to the law on foreign agents.",
                                "Civil society groups warn that the law is used to silence independent voices.",
                                sidebar=churn, footer="Generated 11:42"))
    result = project.ok("crawl")
    assert "changed 0" in result.stdout
    assert events_of(project, "changed", "mention_added") == []
    assert project.alerts() == []


def test_undeclared_windows_1251_page(site, project):
    text = page("Новости", "Суд приговорил правозащитника Олега Орлова к двум с половиной годам колонии.",
                "Адвокаты Олега Орлова обжалуют приговор в кассационном суде.", charset=None, lang="ru")
    site.write("index.html", text.encode("cp1251"))
    project.write_config(simple_config(site.url, terms='name = "Олег Орлов"\naliases = ["Олега Орлова"]'))
    project.ok("crawl")
    mentions = project.ok("mentions", "--format", "json").json_lines()
    assert mentions and mentions[0]["matched"] == "Олега Орлова"
    assert "правозащитника Олега Орлова" in mentions[0]["snippet"]


def test_a_genitive_surname_before_another_persons_name_alerts(site, project):
    site.write("index.html", page(
        "Новости", "Соратница Навального Любовь Соболь объявлена в розыск.",
        "Суд заочно арестовал директора ФБК Ивана Жданова.", lang="ru"))
    project.write_config(simple_config(site.url, terms='name = "Alexei Navalny"'))
    project.ok("crawl")
    [alert] = project.alerts()
    assert [(m["term"], m["matched"]) for m in alert["mentions"]] == [("Alexei Navalny", "Навального")]
    assert "Соратница Навального Любовь Соболь" in alert["mentions"][0]["snippet"]


def test_removed_page_and_restored_page(site, project):
    site.write("index.html", index("orlov.html"))
    site.write("orlov.html", ORLOV_STATEMENT)
    project.write_config(simple_config(site.url, subscriber_extra="takedowns = true"))
    project.ok("crawl")
    # The page is taken down and no link points at it any more: it is revisited all the same.
    site.remove("orlov.html")
    site.write("index.html", index())
    project.ok("crawl")
    assert ("removed", "orlov.html") in events_of(project, "removed")
    takedown = [a for a in project.alerts() if a["event"] == "removed"]
    assert len(takedown) == 1 and takedown[0]["url"].endswith("/orlov.html")
    assert takedown[0]["mentions"][0]["term"] == "Oleg Orlov"
    # Still gone: no second removal.
    project.ok("crawl")
    assert len(events_of(project, "removed")) == 1
    site.write("orlov.html", ORLOV_STATEMENT)
    project.ok("crawl")
    assert ("restored", "orlov.html") in events_of(project, "restored")
    # Restored with the same text: no new mention alert.
    assert len([a for a in project.alerts() if a["event"] == "mention_added"]) == 1


def test_gone_410_is_removal(site, project):
    site.write("index.html", index("orlov.html"))
    site.write("orlov.html", ORLOV_STATEMENT)
    project.write_config(simple_config(site.url))
    project.ok("crawl")
    site.statuses["/orlov.html"] = 410
    project.ok("crawl")
    assert events_of(project, "removed") == [("removed", "orlov.html")]


def test_republished_page_gives_one_alert_listing_both_urls(site, project):
    site.write("index.html", index("orlov.html"))
    site.write("orlov.html", ORLOV_STATEMENT)
    project.write_config(simple_config(site.url))
    project.ok("crawl")
    site.write("reprint/orlov.html", ORLOV_STATEMENT)
    site.write("index.html", index("orlov.html", "reprint/orlov.html"))
    project.ok("crawl")
    alerts = project.alerts()
    assert len(alerts) == 1
    mentions = project.ok("mentions", "--format", "json").json_lines()
    by_url = {m["url"]: m for m in mentions}
    assert by_url[f"{site.url}/reprint/orlov.html"]["also_at"] == [f"{site.url}/orlov.html"]
    assert by_url[f"{site.url}/orlov.html"]["also_at"] == [f"{site.url}/reprint/orlov.html"]


def test_republished_before_delivery_lists_both_urls_in_the_alert(site, project):
    site.write("index.html", index("orlov.html", "copy.html"))
    site.write("orlov.html", ORLOV_STATEMENT)
    site.write("copy.html", ORLOV_STATEMENT)
    project.write_config(simple_config(site.url))
    project.ok("crawl")
    alerts = project.alerts()
    assert len(alerts) == 1
    urls = {alerts[0]["url"], *alerts[0]["also_at"]}
    assert urls == {f"{site.url}/orlov.html", f"{site.url}/copy.html"}


def test_unchanged_revisit_uses_conditional_get_except_on_listings(site, project):
    site.write("index.html", index("law.html"))
    site.write("law.html", LAW_STATEMENT)
    project.write_config(simple_config(site.url, source_extra="max_depth = 1"))
    project.ok("crawl")
    site.requests.clear()
    project.ok("crawl")
    revisits = [headers for method, path, headers in site.requests if path == "/law.html"]
    assert revisits and all("If-None-Match" in h for h in revisits)
    # The listing is read in full: a link on it that failed last time must be tried again.
    listing = [headers for method, path, headers in site.requests if path == "/"]
    assert listing and not any("If-None-Match" in h for h in listing)
