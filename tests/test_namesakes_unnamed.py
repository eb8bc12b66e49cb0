"""The short way of judging a surname with none of the person's given names beside it agrees with the long one."""
from __future__ import annotations

import pytest

from alerts.matching.matcher import Matcher
from alerts.matching.namesakes import PersonContext
from crawler.core.terms import Term
from test_names_eval import DATA, load_sentences, load_watchlist

# Places that take each branch of the short way: hyphens, given names of other people before and after,
# patronymics, articles, places, a sentence's first word, second surnames, surname-first names, characters.
AWKWARD = [
    "Орлов-Давыдов и Иванов. Мороз ударил. Сказал Мороз. В Кавале и из Кавалы, из Орлова.",
    "Иван Петрович Орлов, Пётр Орлов, Орлову Ивану, Навального Иван Жданов, соратница Навального Любовь Соболь.",
    "Berta Zúniga Cáceres and the footballer Milad Mohammadi; Die Anwältin Sotoudeh. Kavala'da, Kavala's port.",
    "Mansoor Ahmed, al-Khawaja, el Sisi, Abdel Fattah el-Sisi said. Otero Pérez and Payá Acevedo and Payá.",
    "Liu Xia and Liu. 许多人说许被捕。刘的家人。 Nguyen Van, Mr Nguyen, Dr. Ahmed, Professor Rajab.",
]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [s["text"] for name in ("eval.jsonl", "world.jsonl") for s in load_sentences(name)] + AWKWARD


@pytest.mark.parametrize("watchlist", ["watchlist.toml", "world_watchlist.toml", "awkward"])
def test_resolve_unnamed_finds_what_resolve_finds(watchlist, texts, monkeypatch):
    if watchlist == "awkward":
        terms = [Term(name) for name in ("Oleg Orlov", "Alexei Moroz", "Maria Kavala", "Pyotr Navalny",
                                         "Sara Cáceres", "Ali Mohammadi", "Nasrin Sotoudeh", "Nabeel Ahmed",
                                         "Maryam al-Khawaja", "Rosa María Payá Acevedo", "Juan Otero Vega",
                                         "Liu Xiaobo", "Nguyen Van Dai", "Nabeel Rajab")]
    else:
        terms = load_watchlist(DATA / watchlist)
    matcher = Matcher(terms)
    short_way = PersonContext.resolve_unnamed
    compared = []

    def both_ways(context, around, rule, pattern):
        found = short_way(context, around, rule, pattern)
        compared.append((found, context.resolve(around.words, around.first, around.last, rule, pattern)))
        return found

    monkeypatch.setattr(PersonContext, "resolve_unnamed", both_ways)
    for text in texts:
        matcher.find(text)
    assert len(compared) > 20
    assert [short for short, long in compared] == [long for short, long in compared]
