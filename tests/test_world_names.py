"""Names from every region: scripts without capitals, Arabic and Chinese names, Slavic and Turkish grammar, places."""
from __future__ import annotations

import pytest

from alerts.matching.matcher import Matcher
from crawler.core.terms import Term


def found(matcher: Matcher, text: str) -> list[tuple[str, str]]:
    return [(m.term, m.matched) for m in matcher.find(text)]


@pytest.fixture(scope="module")
def matcher():
    return Matcher([
        Term("Liu Xiaobo", aliases=("刘晓波",)),
        Term("Nabeel Rajab", aliases=("نبيل رجب",)),
        Term("Ihar Losik"),
        Term("Selahattin Demirtas"),
        Term("Alexei Navalny"),
        Term("Rosa María Payá Acevedo"),
        Term("Vladimir Kara-Murza"),
        Term("Andrzej Poczobut"),
        Term("Youssef Abdelrahman"),
    ])


@pytest.mark.parametrize("text, matched", [
    ("诺贝尔和平奖得主刘晓波于2017年去世。", "刘晓波"),
    ("Liu Xiao-bo was awarded the prize in 2010.", "Liu Xiao-bo"),
    ("Xiaobo Liu wrote Charter 08.", "Xiaobo Liu"),
    ("Лауреат премии Лю Сяобо умер под стражей.", "Лю Сяобо"),
    ("Nobel laureate Liu Xiaobo died in custody.", "Liu Xiaobo"),
])
def test_a_chinese_name_in_characters_pinyin_and_palladius(matcher, text, matched):
    assert found(matcher, text) == [("Liu Xiaobo", matched)]


def test_a_chinese_surname_alone_counts_only_after_the_full_name_and_never_for_another_liu(matcher):
    assert found(matcher, "Liu was detained.") == []
    assert found(matcher, "Liu Xiaobo was detained. Liu died in 2017.") == [
        ("Liu Xiaobo", "Liu Xiaobo"), ("Liu Xiaobo", "Liu")]
    assert found(matcher, "Liu Xiaobo and his wife Liu Xia.") == [("Liu Xiaobo", "Liu Xiaobo")]
    assert found(matcher, "刘晓波的妻子刘霞也被软禁。") == [("Liu Xiaobo", "刘晓波")]
    assert found(matcher, "刘晓波被捕后，刘的家人受到监视。") == [("Liu Xiaobo", "刘晓波"), ("Liu Xiaobo", "刘")]
    assert found(matcher, "河水流得很快，刘先生说。") == []


def test_an_arabic_alias_and_its_surname_after_a_full_mention(matcher):
    assert found(matcher, "اعتقل نبيل رجب مرة أخرى.") == [("Nabeel Rajab", "نبيل رجب")]
    assert found(matcher, "اعتقل نبيل رجب، وقال رجب إنه سيواصل.") == [
        ("Nabeel Rajab", "نبيل رجب"), ("Nabeel Rajab", "رجب")]
    assert found(matcher, "يبدأ شهر رجب غداً.") == []
    assert found(matcher, "اعتقل نبيل رجب. ويبدأ شهر رجب غداً.") == [("Nabeel Rajab", "نبيل رجب")]


@pytest.mark.parametrize("text, matched", [
    ("Youssef Abdelrahman was arrested.", "Youssef Abdelrahman"),
    ("Yusuf Abdel-Rahman was arrested.", "Yusuf Abdel-Rahman"),
    ("Yousef Abd al-Rahman was arrested.", "Yousef Abd al-Rahman"),
    ("اعتقل يوسف عبد الرحمن أمس.", "يوسف عبد الرحمن"),
    ("اعتقل يوسف عبدالرحمن أمس.", "يوسف عبدالرحمن"),
])
def test_arabic_romanisations_and_abd_compounds(matcher, text, matched):
    assert found(matcher, text) == [("Youssef Abdelrahman", matched)]


@pytest.mark.parametrize("text, matched", [
    ("Ігар Лосік вызвалены.", "Ігар Лосік"),
    ("Игорь Лосик освобождён.", "Игорь Лосик"),
    ("Ігаря Лосіка асудзілі.", "Лосіка"),
    ("Andrzej Poczobut został skazany.", "Andrzej Poczobut"),
    ("Sąd skazał Andrzeja Poczobuta.", "Andrzeja Poczobuta"),
    ("Журналист Анджей Почобут осуждён.", "Анджей Почобут"),
    ("Журналіст Андрэй Пачобут асуджаны.", "Андрэй Пачобут"),
    ("Soud odsoudil Poczobuta.", "Poczobuta"),
    ("Poczobutovi nedovolili telefonovat.", "Poczobutovi"),
])
def test_belarusian_polish_czech_and_russian_forms(matcher, text, matched):
    assert [m for m in found(matcher, text)] and found(matcher, text)[0][1] in matched


@pytest.mark.parametrize("text, matched", [
    ("Mahkeme Demirtaş'ın tahliyesine karar verdi.", "Demirtaş'ın"),
    ("Demirtaş’a destek mesajları geldi.", "Demirtaş’a"),
    ("Selahattin Demirtaş'ı ziyaret ettiler.", "Selahattin Demirtaş'ı"),
])
def test_turkish_suffixes_after_an_apostrophe(matcher, text, matched):
    assert found(matcher, text) == [("Selahattin Demirtas", matched)]


def test_a_turkish_locative_names_a_place(matcher):
    assert found(Matcher([Term("Osman Kavala")]), "Tatilimizi Kavala'da geçirdik.") == []
    assert found(Matcher([Term("Osman Kavala")]), "The port of Kavala was busy.") == []


def test_adjacent_names_in_different_cases(matcher):
    assert found(matcher, "соратник Навального Иван Жданов") == [("Alexei Navalny", "Навального")]
    assert found(matcher, "współpracownik Nawalnego Iwan Żdanow") == [("Alexei Navalny", "Nawalnego")]
    assert found(matcher, "Жена Навального Юлия выступила в Мюнхене.") == [("Alexei Navalny", "Навального")]


def test_spanish_double_surnames(matcher):
    assert found(matcher, "Rosa María Payá Acevedo habló en Ginebra.") == [
        ("Rosa María Payá Acevedo", "Rosa María Payá Acevedo")]
    assert found(matcher, "Payá Acevedo habló en Ginebra.") == [("Rosa María Payá Acevedo", "Payá Acevedo")]
    assert found(matcher, "Rosa María Payá habló en Ginebra.") == [("Rosa María Payá Acevedo", "Rosa María Payá")]
    assert found(matcher, "Luis Acevedo Pérez habló en Ginebra.") == []
    assert found(matcher, "Carlos Payá Ruiz habló en Ginebra.") == []


def test_a_hyphenated_surname_declined_on_its_last_part(matcher):
    assert found(matcher, "Приговор Кара-Мурзе оставили в силе.") == [("Vladimir Kara-Murza", "Кара-Мурзе")]
    assert found(matcher, "Wyrok dla Kara-Murzy utrzymano.") == [("Vladimir Kara-Murza", "Kara-Murzy")]


def test_explain_says_why_a_form_is_no_mention():
    rows = Matcher([Term("Osman Kavala")]).explain("Tatilimizi Kavala'da geçirdik. Osman Kavala'nın avukatı")
    assert [(r["matched"], r["mention"]) for r in rows] == [("Kavala", False), ("Osman Kavala'nın", True)]
    assert "place" in rows[0]["why"] and "Turkish suffix" in rows[1]["rule"]


WATCHLIST = "[[watchlists]]\nname = 'w'\n[[watchlists.terms]]\nname = 'Osman Kavala'\n"


def test_vigil_match_explain_prints_forms_that_are_no_mention_with_the_reason(project, tmp_path):
    watchlist = tmp_path / "w.toml"
    watchlist.write_text(WATCHLIST, encoding="utf-8")
    rows = project.ok("match", "--watchlist", str(watchlist), "--explain",
                      stdin="Tatilimizi Kavala'da geçirdik. Osman Kavala'nın avukatı").json_lines()
    assert [(r["matched"], r["mention"]) for r in rows] == [("Kavala", False), ("Osman Kavala'nın", True)]
    assert "place" in rows[0]["why"] and rows[1]["rule"].endswith("Turkish suffix")


def test_vigil_watch_show_lists_forms_and_explains_a_text(project, tmp_path):
    watchlist = tmp_path / "w.toml"
    watchlist.write_text(WATCHLIST, encoding="utf-8")
    shown = project.ok("watch", "show", "Osman Kavala", "--watchlist", str(watchlist), "--format", "json").json_lines()[0]
    assert shown["split"]["surname"] == "Kavala"
    forms = {row["form"]: row["rule"] for row in shown["forms"]}
    assert forms["kavala"] == "latin surname, as written" and "кавалу" in forms and "kavali" in forms
    table = project.ok("watch", "show", "Xu Zhiyong", "--text", "许志永被捕后，许多人支持他。").stdout
    assert "characters read as pinyin" in table and "inside a word" in table
    unwatched = project.vigil("watch", "show", "Xu Zhiyong")
    assert unwatched.returncode == 0 and "not watched" in unwatched.stderr and "сюй" in unwatched.stdout


def test_a_name_in_a_script_without_rules_of_its_own_is_also_found_in_latin_letters():
    matcher = Matcher([Term("Γρηγόρης Λαμπράκης")])
    assert found(matcher, "Grigoris Lamprakis was killed in 1963.") == [("Γρηγόρης Λαμπράκης", "Grigoris Lamprakis")]
    assert found(matcher, "Ο Γρηγόρης Λαμπράκης δολοφονήθηκε.") == [("Γρηγόρης Λαμπράκης", "Γρηγόρης Λαμπράκης")]


def test_long_and_unusual_arabic_and_persian_names_compile_quickly():
    matcher = Matcher([Term("Mahienour el-Massry"), Term("Golrokh Ebrahimi Iraee"), Term("Raif Badawy")])
    assert found(matcher, "Lawyer Mahienour El-Massry was detained.") == [
        ("Mahienour el-Massry", "Mahienour El-Massry")]
    assert found(matcher, "رائف بدوي") == [("Raif Badawy", "رائف بدوي")]
