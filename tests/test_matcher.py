"""The matcher: forms of a name, namesakes, keywords, awkward text, romanisation samples, the cache."""
from __future__ import annotations

import csv
import json
import os
import pickle
import random
import subprocess
import sys
from pathlib import Path

import pytest

from alerts.matching.matcher import Matcher
from alerts.matching.matchercache import cached_matcher, fingerprint
from alerts.matching.names import split_name
from conftest import REPO
from crawler.core.terms import Mention, Term

DATA = Path(__file__).parent / "data" / "names"

ORLOV = Term("Oleg Orlov", watchlist="defenders")
MARKELOV = Term("Stanislav Markelov", watchlist="defenders")


@pytest.fixture(scope="module")
def matcher():
    return Matcher([
        ORLOV, MARKELOV, Term("Natalia Estemirova"), Term("Vladimir Kara-Murza"), Term("Юрий Дмитриев"),
        Term("Aleksandra Skochilenko"), Term("Alexei Moroz"), Term("Oleksandra Matviichuk"),
        Term("Committee Against Torture", kind="keyword", aliases=("Комитет против пыток",)),
        Term("foreign agent", kind="keyword", aliases=("иностранный агент",)),
    ])


def found(matcher: Matcher, text: str) -> list[tuple[str, str]]:
    return [(m.term, m.matched) for m in matcher.find(text)]


@pytest.mark.parametrize("text, matched", [
    ("Олег Орлов заявил о давлении.", "Олег Орлов"),
    ("Суд отказал Олегу Орлову.", "Олегу Орлову"),
    ("Мы встретились с Орловым в Москве.", "Орловым"),
    ("Der Menschenrechtler Oleg Orlow sagte aus.", "Oleg Orlow"),
    ("Defendant: ORLOV Oleg, born 1953.", "ORLOV Oleg"),
    ("The statement was signed by O. Orlov.", "O. Orlov"),
    ("Олег Петрович Орлов родился в Москве.", "Олег Петрович Орлов"),
    ("В списке: Орлов О. П., Иванов И. И.", "Орлов О. П."),
    ("Orlov, Oleg Petrovich (born 1953)", "Orlov, Oleg Petrovich"),
    ("Orlows Anwälte legten Berufung ein.", "Orlows"),
    ("L'arrestation d'Oleg Orlov a choqué.", "Oleg Orlov"),
])
def test_every_form_of_a_name_from_the_issue_is_found(matcher, text, matched):
    assert found(matcher, text) == [("Oleg Orlov", matched)]


@pytest.mark.parametrize("text, matched", [
    ("Память Станислава Маркелова почтили.", "Станислава Маркелова"),
    ("Der Anwalt Stanislaw Markelow wurde ermordet.", "Stanislaw Markelow"),
    ("Markelov's clients were Chechen civilians.", "Markelov's"),
    ("Lawyer S. Markelov represented the family.", "S. Markelov"),
    ("Убийц Станислава Юрьевича Маркелова осудили.", "Станислава Юрьевича Маркелова"),
])
def test_markelov_in_cases_romanisations_and_possessive(matcher, text, matched):
    assert found(matcher, text) == [("Stanislav Markelov", matched)]


@pytest.mark.parametrize("text", [
    "Sergei Orlov, a regional official, declined to comment.",
    "Сергею Орлову вручили грамоту.",
    "Анна Орлова выиграла турнир.",
    "Юрий Орлов основал Хельсинкскую группу.",
    "С. Орлов подписал распоряжение.",
    "Олег Иванович Орлов",  # watched without a patronymic: any is accepted, see below
])
def test_namesakes_are_not_the_watched_person(matcher, text):
    if "Иванович" in text:
        assert found(matcher, text) == [("Oleg Orlov", text)]
    else:
        assert found(matcher, text) == []


@pytest.fixture(scope="module")
def navalny():
    return Matcher([Term("Alexei Navalny"), ORLOV])


@pytest.mark.parametrize("text, matched", [
    ("Соратник Навального Иван Жданов объявлен в розыск.", "Навального"),
    ("Соратница Навального Любовь Соболь покинула Россию.", "Навального"),
    ("Суд заочно арестовал соратника Навального Ивана Жданова.", "Навального"),
    ("Der Stabschef Nawalnys Leonid Wolkow wurde angegriffen.", "Nawalnys"),
    ("Коллеги Орлова Светлана Ганнушкина и Лев Пономарёв пришли в суд.", "Орлова"),
])
def test_a_surname_in_an_oblique_case_before_another_persons_name_stands_alone(navalny, text, matched):
    assert [m.matched for m in navalny.find(text)] == [matched]


@pytest.mark.parametrize("text", [
    "Олег Навальный вышел на свободу.",
    "В списке значится Навальный Олег Анатольевич.",
    "Навального Олега Анатольевича этапировали в колонию.",
    "Показания против Орлова Сергея дали двое полицейских.",
    "Navalny Oleg, born 1983, was released.",
    "Navalny Ivan Zhdanov",      # no case says these are two people
    "Навальный Иван Жданов",
])
def test_a_surname_first_namesake_is_still_told_apart(navalny, text):
    assert navalny.find(text) == []


def test_a_different_patronymic_is_a_different_person_when_the_patronymic_is_watched():
    with_patronymic = Matcher([Term("Oleg Petrovich Orlov")])
    assert found(with_patronymic, "Олег Иванович Орлов выступил.") == []
    assert found(with_patronymic, "Олегу Петровичу Орлову") == [("Oleg Petrovich Orlov", "Олегу Петровичу Орлову")]
    assert found(with_patronymic, "Орлов О. И. выступил.") == []


@pytest.mark.parametrize("text", [
    "Economist Andrei Markov spoke.", "Выставку открыл Марков.", "The chess player Orlik won.",
    "Над горами кружила стая орлов.", "Олег пришёл вовремя.", "Oleg arrived early.",
    "Станислав пришёл домой.", "Орловская область получила субсидию.", "Ирина Маркелова возглавила библиотеку.",
    "Ночью ударил сильный мороз.", "Мороз усилился к утру.", "Историк Сергей Кара-Мурза написал книгу.",
    "Мурза приехал из Казани.", "Orlov-Davydov estate", "Her brother Estemirov testified.",
])
def test_near_misses_given_names_alone_and_everyday_words_are_not_found(matcher, text):
    assert found(matcher, text) == []


def test_the_rule_says_why(matcher):
    [mention] = matcher.find("Адвокат Станислава Маркелова")
    assert mention.rule == "cyrillic surname, genitive or accusative, with given name"
    [mention] = matcher.find("Stanislaw Markelow")
    assert mention.rule.startswith("latin surname") and mention.rule.endswith("with given name")
    [mention] = matcher.find("Комитета против пыток")
    assert mention.rule == "cyrillic keyword, genitive"


@pytest.mark.parametrize("text, matched", [
    ("Олег\u00a0Орлов выступил.", "Олег\u00a0Орлов"),
    ("Statement by Oleg\nOrlov.", "Oleg\nOrlov"),
    ("Statement by Oleg\r\n  Orlov.", "Oleg\r\n  Orlov"),
    ("Олег Ор\u00adлов не признал вину.", "Олег Ор\u00adлов"),
    ("Олег Орло\u0301в в суде.", "Олег Орло\u0301в"),
    ("ＯＬＥＧ ＯＲＬＯＶ", "ＯＬＥＧ ＯＲＬＯＶ"),
    ("Олег Oрлов", "Олег Oрлов"),  # a Latin O inside a Cyrillic word
    ("Олег\u200bОрлов", "Олег\u200bОрлов"),
    ("Oleg O\u0301rlov", "Oleg O\u0301rlov"),
])
def test_awkward_text_still_matches_with_offsets_into_the_original(matcher, text, matched):
    mentions = matcher.find(text)
    assert [(m.term, m.matched) for m in mentions] == [("Oleg Orlov", matched)]
    for m in mentions:
        assert text[m.start:m.end] == m.matched


def test_decomposed_letters_are_composed(matcher):
    assert found(matcher, "Юрии\u0306 Дмитриев") == [("Юрий Дмитриев", "Юрии\u0306 Дмитриев")]
    assert found(matcher, "Ната\u0301лья Эстемирова") == [("Natalia Estemirova", "Ната\u0301лья Эстемирова")]


def test_mentions_are_sorted_and_carry_the_term_watchlist_and_kind(matcher):
    text = "Комитет против пыток и Олег Орлов; Markelov's case. Иностранным агентом признан фонд."
    mentions = matcher.find(text)
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    assert all(isinstance(m, Mention) and text[m.start:m.end] == m.matched for m in mentions)
    by_term = {m.term: m for m in mentions}
    assert by_term["Oleg Orlov"].watchlist == "defenders" and by_term["Oleg Orlov"].kind == "person"
    assert by_term["Committee Against Torture"].kind == "keyword"
    assert by_term["foreign agent"].matched == "Иностранным агентом"


def test_the_longest_form_is_reported_once_per_term_and_place(matcher):
    assert found(matcher, "Олег Петрович Орлов") == [("Oleg Orlov", "Олег Петрович Орлов")]
    assert found(matcher, "Орлов Олег Петрович") == [("Oleg Orlov", "Орлов Олег Петрович")]


def test_keywords_are_whole_words_any_case_any_diacritics_and_inflected_in_russian(matcher):
    assert found(matcher, "the COMMITTEE AGAINST TORTURE said") == [("Committee Against Torture", "COMMITTEE AGAINST TORTURE")]
    assert found(matcher, "Сотрудники Комитета против пыток") == [("Committee Against Torture", "Комитета против пыток")]
    assert found(matcher, "Реестр иностранных агентов") == [("foreign agent", "иностранных агентов")]
    assert found(matcher, "labelled foreign agents") == [("foreign agent", "foreign agents")]
    assert found(matcher, "a foreign agentur, the committee, torture") == []
    assert found(matcher, "Комитет по делам молодёжи") == []


def test_ukrainian_and_russian_spellings_of_a_ukrainian_name(matcher):
    assert found(matcher, "Олександрі Матвійчук вручили премію.") == [("Oleksandra Matviichuk", "Олександрі Матвійчук")]
    assert found(matcher, "Интервью с Александрой Матвийчук.") == [("Oleksandra Matviichuk", "Александрой Матвийчук")]
    assert found(matcher, "Oleksandra Matwijtschuk sprach.") == [("Oleksandra Matviichuk", "Oleksandra Matwijtschuk")]


def test_diminutives_and_double_surnames(matcher):
    assert found(matcher, "Саше Скочиленко вынесли приговор.") == [("Aleksandra Skochilenko", "Саше Скочиленко")]
    assert found(matcher, "Супруга Владимира Кара-Мурзы") == [("Vladimir Kara-Murza", "Владимира Кара-Мурзы")]
    assert found(matcher, "Wladimir Kara-Mursa kam frei.") == [("Vladimir Kara-Murza", "Wladimir Kara-Mursa")]


def test_a_name_watched_in_cyrillic_is_found_in_latin_romanisations(matcher):
    for text in ("Yuri Dmitriev", "Jurij Dmitrijew", "Iouri Dmitriev", "Yury Dmitriyev's", "Iurii Dmitriev"):
        assert [t for t, _ in found(matcher, text)] == ["Юрий Дмитриев"], text


def test_every_iuliia_sample_romanisation_of_a_cyrillic_word_is_found():
    samples = json.loads((DATA / "iuliia_samples.json").read_text(encoding="utf-8"))
    assert len(samples) >= 50
    matcher = Matcher([Term(sample["cyrillic"]) for sample in samples])
    missed = [sample for sample in samples
              if sample["cyrillic"] not in [m.term for m in matcher.find(f"A report on {sample['latin']} today.")]]
    assert missed == []


def test_popular_surnames_with_stress_marks_match_their_romanised_forms():
    with open(DATA / "popular_surnames_ru_ua_by.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["Country"] == "RU"]
    assert len(rows) == 20
    watched = Matcher([Term(f"Ivan {row['Romanized Name']}") for row in rows])
    for row in rows:
        text = f"Вчера Иван {row['Localized Name']} выступил в суде."  # Смирно́в, with its stress mark
        [mention] = watched.find(text)
        assert mention.term == f"Ivan {row['Romanized Name']}" and mention.matched == f"Иван {row['Localized Name']}"


def test_how_a_name_is_split():
    assert split_name("Oleg Orlov") == ("Oleg", None, "Orlov")
    assert split_name("Oleg Petrovich Orlov") == ("Oleg", "Petrovich", "Orlov")
    assert split_name("Орлов Олег Петрович") == ("Олег", "Петрович", "Орлов")
    assert split_name("ORLOV Oleg") == ("Oleg", None, "ORLOV")
    assert split_name("Orlov, Oleg") == ("Oleg", None, "Orlov")
    assert split_name("Juan de la Cruz") == ("Juan", None, "de la Cruz")
    assert split_name("Orlov") == (None, None, "Orlov")


def test_the_split_can_be_overridden_for_a_compound_surname():
    automatic = Matcher([Term("Gabriel García Márquez")])  # taken as given "Gabriel García", surname "Márquez"
    assert ("Gabriel García Márquez", "García Márquez") not in found(automatic, "García Márquez wrote it.")
    overridden = Matcher([Term("Gabriel García Márquez", surname="García Márquez")])
    assert found(overridden, "García Márquez wrote it.") == [("Gabriel García Márquez", "García Márquez")]
    assert found(overridden, "Gabriel Garcia Marquez wrote it.") == [("Gabriel García Márquez", "Gabriel Garcia Marquez")]
    particles = Matcher([Term("Levon Ter Petrosyan")])  # "Ter" belongs to the surname without being told
    assert found(particles, "Левон Тер-Петросян выступил.") == [("Levon Ter Petrosyan", "Левон Тер-Петросян")]


def test_given_and_patronymic_keys_override_the_split():
    matcher = Matcher([Term("Orlov Oleg", given="Oleg", surname="Orlov", patronymic="Petrovich")])
    assert found(matcher, "Олег Петрович Орлов") == [("Orlov Oleg", "Олег Петрович Орлов")]
    assert found(matcher, "Олег Иванович Орлов") == []


def test_an_empty_watchlist_or_text_finds_nothing():
    assert Matcher([]).find("Олег Орлов") == []
    assert Matcher([ORLOV]).find("") == []
    assert Matcher([Term("   ")]).find("anything at all") == []


def test_a_large_watchlist_finds_the_same_mentions(matcher):
    rng = random.Random(3)
    syllables = ["ba", "vo", "gri", "de", "zha", "ka", "lo", "mi", "no", "pe", "ro", "sa", "ti", "fu"]
    extra = [Term(f"Ivan {''.join(rng.choice(syllables) for _ in range(3)).capitalize()}ov") for _ in range(1500)]
    text = "Олег Орлов и Станислав Маркелов; Komitee. Стая орлов. Sergei Orlov. Markelov's case."
    small = Matcher([ORLOV, MARKELOV])
    large = Matcher([ORLOV, MARKELOV, *extra])   # its compile time is bench/match.py's to measure
    assert [(m.term, m.start, m.end) for m in large.find(text)] == [(m.term, m.start, m.end) for m in small.find(text)]


def test_a_long_text_full_of_mentions_is_scanned_in_linear_time():
    # Work is counted, not timed: the Python calls a scan makes grow with the text, no faster.
    matcher = Matcher([ORLOV])

    def calls_to_scan(sentences: int) -> int:
        text = "Олег Орлов сказал. " * sentences
        count = 0

        def profile(frame, event, arg):
            nonlocal count
            count += event in ("call", "c_call")

        sys.setprofile(profile)
        try:
            mentions = matcher.find(text)
        finally:
            sys.setprofile(None)
        assert len(mentions) == sentences
        return count

    matcher.find("Олег Орлов сказал.")   # caches filled once, outside the count
    small, large = calls_to_scan(2_000), calls_to_scan(8_000)
    assert large <= 4.4 * small


def test_the_compiled_matcher_is_cached_until_the_watchlist_changes(tmp_path):
    terms = [ORLOV, MARKELOV]
    first = cached_matcher(terms, tmp_path)
    [cached_file] = tmp_path.glob("matcher-*.pickle")
    written_at = cached_file.stat().st_mtime_ns
    again = cached_matcher(list(terms), tmp_path)
    assert cached_file.stat().st_mtime_ns == written_at
    assert again is not first and found(again, "Олегу Орлову") == found(first, "Олегу Орлову")
    assert fingerprint(terms) != fingerprint([ORLOV])
    changed = cached_matcher([ORLOV], tmp_path)
    assert found(changed, "Станислава Маркелова") == []
    assert [p.name for p in tmp_path.glob("matcher-*.pickle")] == [f"matcher-{fingerprint([ORLOV])}.pickle"]


def test_a_damaged_cache_file_is_compiled_again(tmp_path):
    path = tmp_path / f"matcher-{fingerprint([ORLOV])}.pickle"
    path.write_bytes(b"not a pickle")
    assert found(cached_matcher([ORLOV], tmp_path), "Олег Орлов") == [("Oleg Orlov", "Олег Орлов")]
    assert isinstance(pickle.loads(path.read_bytes()), Matcher)


SMIRNOVS = [Term(f"{given} Smirnov", watchlist="namesakes") for given in
            ("Ivan", "Oleg", "Sergei", "Pavel", "Dmitry", "Nikolai", "Mikhail", "Andrei")] + [
    Term("Anna Smirnova", watchlist="namesakes"), Term("Xu Zhiyong", aliases=("许志永",))]


@pytest.fixture(scope="module")
def smirnovs():
    return Matcher(SMIRNOVS)


@pytest.mark.parametrize("text, expected", [
    # A surname many watched people share is judged once for all of them, and again for each one
    # whose own given name, patronymic or initial stands beside it.
    ("Иван Смирнов вышел на свободу.", ["Ivan Smirnov"]),
    ("Суд арестовал Олега Смирнова.", ["Oleg Smirnov"]),
    ("Задержан Смирнов.", ["Andrei Smirnov", "Dmitry Smirnov", "Ivan Smirnov", "Mikhail Smirnov",
                            "Nikolai Smirnov", "Oleg Smirnov", "Pavel Smirnov", "Sergei Smirnov"]),
    ("Подписал П. Смирнов.", ["Pavel Smirnov"]),
    ("Smirnova, Anna: statement", ["Anna Smirnova"]),
    ("Анна Смирнова и Иван Смирнов", ["Anna Smirnova", "Ivan Smirnov"]),
    ("Татьяна Смирнова выступила.", []),
    ("смирнов", []),
])
def test_people_who_share_a_surname_are_told_apart_by_what_stands_beside_it(smirnovs, text, expected):
    assert sorted(m.term for m in smirnovs.find(text)) == expected


def test_a_matcher_loaded_from_the_cache_finds_what_the_compiled_one_finds(tmp_path, smirnovs):
    text = ("Иван Смирнов и О. Смирнов; задержан Смирнов. Xu Zhiyong (许志永) was sentenced; "
            "许 appealed. Smirnov's lawyer, Anna Smirnova, spoke.")
    cached_matcher(SMIRNOVS, tmp_path)
    loaded = cached_matcher(SMIRNOVS, tmp_path)
    assert loaded is not smirnovs
    assert loaded.find(text) == smirnovs.find(text) != []
    assert [(m.rule, m.start) for m in loaded.find(text)] == [(m.rule, m.start) for m in smirnovs.find(text)]
    assert loaded.explain(text) == smirnovs.explain(text)


def test_a_name_with_a_part_that_has_no_letters_compiles_and_matches_nothing_by_that_part():
    matcher = Matcher([Term("—"), Term("Ivan", surname="—"), ORLOV])
    assert found(matcher, "Ivan — Олег Орлов") == [("Oleg Orlov", "Олег Орлов")]
    assert Matcher([Term("—")]).find("— Ivan —") == []


# Surnames that are everyday words (Na, In, Ne and their Cyrillic spellings На, Не): in lower case
# they are passed over before any person is judged, unless one of those people's own given name,
# patronymic or initial stands beside them. These are the mentions that shortcut must not drop.
SHORT_SURNAMES = [Term("Ivan Na", aliases=("Иван На",)), Term("Olga Na", aliases=("Ольга На",)),
                  Term("Min In"), Term("Sergei Ne", aliases=("Сергей Не",)), Term("Anna Smirnova")]


@pytest.fixture(scope="module")
def short_surnames():
    return Matcher(SHORT_SURNAMES)


@pytest.mark.parametrize("text, expected", [
    ("the letter of ivan na was read aloud in court", [("Ivan Na", "ivan na")]),
    ("письмо иван на зачитали в суде", [("Ivan Na", "иван на")]),
    ("письмо ольга на зачитали в суде", [("Olga Na", "ольга на")]),
    ("письмо иван иванович на зачитали в суде", [("Ivan Na", "иван иванович на")]),
    ("the letter of I. na was read aloud", [("Ivan Na", "I. na")]),
    ("on the list: na ivan, and others", [("Ivan Na", "na ivan")]),
    ("в списке: на иван и другие", [("Ivan Na", "на иван")]),
    ("в заявлении на И. ссылались", [("Ivan Na", "на И.")]),
    ("в зале сергей не было слышно", [("Sergei Ne", "сергей не")]),
    ("the court in min was adjourned", [("Min In", "in min")]),
    ("they met min in the hall", [("Min In", "min in")]),
    # At either end of the text, where fewer words stand around it.
    ("ivan na", [("Ivan Na", "ivan na")]),
    ("на иван", [("Ivan Na", "на иван")]),
    # Capitalised, alone: judged as before.
    ("Na said nothing.", [("Ivan Na", "Na"), ("Olga Na", "Na")]),
    # Lower case beside nobody's name, or beside the given name of somebody else.
    ("письмо пришло на адрес суда", []),
    ("anna na", []),
    ("the court in session", []),
])
def test_a_lower_case_surname_that_is_an_everyday_word_is_found_beside_its_own_given_name_or_initial(
        short_surnames, text, expected):
    assert found(short_surnames, text) == expected


@pytest.mark.parametrize("text, expected", [
    # Russian declines a man's surname that is a noun as the noun, fleeting vowel and all.
    ("Суд арестовал Ивана Зайца.", [("Ivan Zayats", "Ивана Зайца")]),
    ("Вчера Зайцу предъявили обвинение.", [("Ivan Zayats", "Зайцу")]),
    ("Адвокат Ивана Орла пришёл.", [("Ivan Orel", "Ивана Орла")]),
    # Not a woman's, and not the animal in lower case.
    ("Анна Заяц пришла в суд.", [("Anna Zayats", "Анна Заяц")]),
    ("В лесу видели зайца.", []),
])
def test_a_mans_surname_that_is_a_noun_is_declined_as_the_noun(text, expected):
    matcher = Matcher([Term("Ivan Zayats", aliases=("Иван Заяц",)), Term("Ivan Orel", aliases=("Иван Орёл",)),
                       Term("Anna Zayats", aliases=("Анна Заяц",))])
    assert found(matcher, text) == expected


@pytest.mark.parametrize("text", ["Білоруський правозахисник Алесь Біляцький отримав премію.",
                                  "Алеся Біляцького засудили до десяти років.",
                                  "Валентина Стефановича засудили разом з Біляцьким."])
def test_ukrainian_text_writes_the_root_white_of_a_belarusian_surname_with_i(text):
    matcher = Matcher([Term("Ales Bialiatski", aliases=("Алесь Беляцкий",))])
    assert [term for term, _ in found(matcher, text)] == ["Ales Bialiatski"]


@pytest.mark.parametrize("text, expected", [
    # Rossi may be read as Россий, whose cases are those of Россия: alone, the country.
    ("Федерация автовладельцев России заявила о протесте.", []),
    ("В России и за её пределами.", []),
    # With his given name it is him; the forms of a surname the dictionary knows stay (Орлова).
    ("Адвокат Марио России не пришёл.", [("Mario Rossi", "Марио России")]),
    ("Вчера Орлова вызвали на допрос.", [("Oleg Orlov", "Орлова")]),
])
def test_a_surname_form_that_names_a_place_is_found_only_beside_a_given_name(text, expected):
    matcher = Matcher([Term("Mario Rossi"), Term("Oleg Orlov")])
    assert found(matcher, text) == expected
    if not expected:
        assert "alone, the name of a place" in {row["why"] for row in matcher.explain(text)}


@pytest.mark.parametrize("text, expected", [
    ("Вчера На заявила, что уедет.", [("Olga Na", "На")]),
    ("Вчера Ма заявила, что уедет.", [("Anna Ma", "Ма")]),
    # Their would-be cases are everyday words: Не, Мы, and the Polish instrumental of O, A.
    ("Вчера Не заявила, что уедет.", []),
    ("Потом Мы решили уйти.", []),
    ("Then the letter said A was late.", []),
    # A surname of three letters or more is declined as before.
    ("Суд вызвал Кима и Киму отказал.", [("Ivan Kim", "Кима"), ("Ivan Kim", "Киму")]),
])
def test_a_surname_of_one_or_two_letters_is_not_declined(text, expected):
    matcher = Matcher([Term("Olga Na", aliases=("Ольга На",)), Term("Anna Ma", aliases=("Анна Ма",)), Term("Min O"),
                       Term("Ivan Kim", aliases=("Иван Ким",))])
    assert found(matcher, text) == expected


@pytest.mark.parametrize("text, expected", [
    # Alone, a letter is the English I, a list's option or a variable, never the person.
    ("Then I think O was right, said the lawyer.", []),
    ("Вчера У заявил, что уедет.", []),
    # Beside the person's given name it is their surname; a Chinese character alone still is one.
    ("The court heard Min O on Monday.", [("Min O", "Min O")]),
    ("Вчера Иван У заявил, что уедет.", [("Ivan U", "Иван У")]),
    ("许志永被捕。许的律师说。", [("Xu Zhiyong", "许志永"), ("Xu Zhiyong", "许")]),
])
def test_a_surname_of_a_single_letter_is_found_only_beside_a_given_name(text, expected):
    matcher = Matcher([Term("Min O"), Term("Ivan U", aliases=("Иван У",)), Term("Xu Zhiyong", aliases=("许志永",))])
    assert found(matcher, text) == expected
    assert all(row["why"] == "alone, a single letter" for row in matcher.explain(text)
               if not row["mention"] and len(row["matched"]) == 1 and row["matched"].isascii())


@pytest.mark.parametrize("text, expected", [
    # Capitalised only because it opens a sentence: the preposition, particle or conjunction.
    ("На улице было тихо.", []),
    ("Суд отложил заседание. Не согласовали акцию.", []),
    ("«На свободу!» — кричали у суда.", []),
    ("In 2012 the court ruled against him.", []),
    # Inside a sentence, or with a given name beside it, it is judged as any surname.
    ("Вчера На заявил, что уедет.", [("Ivan Na", "На"), ("Olga Na", "На")]),
    ("The court said In would appeal.", [("Min In", "In")]),
    ("На Иван заявил, что уедет.", [("Ivan Na", "На Иван")]),
    ("Na said nothing.", [("Ivan Na", "Na"), ("Olga Na", "Na")]),
])
def test_a_surname_spelled_like_a_word_that_opens_sentences_is_that_word_at_the_start_of_one(
        short_surnames, text, expected):
    assert found(short_surnames, text) == expected
    # --explain says why, on the same path as a full resolve.
    if not expected:
        assert any(row["why"] == "alone, an everyday word opening a sentence"
                   for row in short_surnames.explain(text))


def test_people_who_share_a_mention_are_reported_in_the_order_of_the_watchlists():
    matcher = Matcher([Term("Oleg Orlov", watchlist="b"), Term("Oleg Orlov", watchlist="a"),
                       Term("Ivan Orlov", watchlist="a")])
    assert [(m.term, m.watchlist, m.matched) for m in matcher.find("Орлов заявил. Олег Орлов ушёл.")] == [
        ("Ivan Orlov", "a", "Орлов"), ("Oleg Orlov", "b", "Орлов"), ("Oleg Orlov", "a", "Орлов"),
        ("Oleg Orlov", "b", "Олег Орлов"), ("Oleg Orlov", "a", "Олег Орлов")]


def test_the_convention_that_names_a_romanisation_is_the_same_in_every_process():
    # `vigil match --explain` names the convention a form came from; with a ё in the name, which one
    # came first depended on the process's hash seed.
    code = ("from alerts.matching.translit import romanisations; "
            "print([sorted(romanisations(w, True).items()) for w in ('семёнов', 'пономарёв', 'фёдоров')])")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(REPO)}).stdout
               for seed in range(6)}
    assert len(outputs) == 1


def test_a_mention_made_by_the_matcher_is_the_mention_its_class_makes():
    # _mention fills a Mention's __dict__ itself, which holds while Mention's __init__ only stores its fields.
    from alerts.matching.matcher import _mention
    fields = ("Oleg Orlov", "defenders", "person", "Орлов", 3, 8, "surname, alone")
    head = dict(zip(("term", "watchlist", "kind"), fields[:3]))
    tail = dict(zip(("matched", "start", "end", "rule"), fields[3:]))
    made, expected = _mention(head, tail), Mention(*fields)
    assert type(made) is Mention and vars(made) == vars(expected) and made == expected and hash(made) == hash(expected)
    assert pickle.loads(pickle.dumps(made)) == expected


@pytest.mark.parametrize("watchlist", ["watchlist.toml", "world_watchlist.toml"])
def test_texts_a_short_watchlist_passes_over_are_those_with_no_mention(watchlist):
    """A short watchlist looks up a text's distinct words before it scans: the same mentions as a full
    scan of every labelled sentence, and of a page of all of them, in every script."""
    from test_names_eval import load_sentences, load_watchlist

    prefiltered = Matcher(load_watchlist(DATA / watchlist))
    assert prefiltered._first_keys, "a labelled watchlist is short enough to be prefiltered"
    scanning = pickle.loads(pickle.dumps(prefiltered))
    scanning._first_keys = None
    texts = [s["text"] for name in ("eval.jsonl", "world.jsonl") for s in load_sentences(name)]
    texts += ["", "Nothing here.", "В'ячеслав Чорновол", " ".join(texts)]
    passed_over = 0
    for text in texts:
        expected = scanning.find(text)
        assert prefiltered.find(text) == expected, text
        passed_over += not expected
    assert passed_over > 10, "some sentences name no one watched"


def test_a_word_an_apostrophe_joins_is_looked_up_joined():
    matcher = Matcher([Term("Олег Зав'ялов")])
    assert matcher._first_keys
    assert found(matcher, "Олег Зав’ялов виступив у суді.") == [("Олег Зав'ялов", "Олег Зав’ялов")]
