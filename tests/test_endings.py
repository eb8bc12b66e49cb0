"""Forms worked out once for a word ending serve every word that ends so: they are the whole word's forms."""
from __future__ import annotations

import random

import pytest
from pytrovich.enums import Gender

from alerts.matching import inflect, slavic
from alerts.matching.inflect import FEMALE, GIVEN, MALE, PATRONYMIC, SURNAME
from alerts.matching.normalize import joined_latin_key, latin_key


def _pytrovich(word: str, part: str, gender: str) -> list[str]:
    pytrovich_gender = Gender.FEMALE if gender == FEMALE else Gender.MALE
    return [inflect._maker.make(inflect._NAME_PARTS[part], pytrovich_gender, case, word).lower()
            for case, _ in inflect._CASES]


def _words(part: str) -> list[str]:
    """Names, words with an exception of their own and words that end in one, and random letters."""
    words = ["орлов", "орлова", "грижаковцев", "маркелов", "навальный", "кара-мурза", "шевченко", "матвийчук",
             "ходорковский", "эстемирова", "лев", "павел", "петрович", "ильинична", "бяляцкі", "Орлов", "ОРЛОВ"]
    for exception in inflect._EXCEPTIONS[part]:
        words += [exception, "ко" + exception, exception + "а", "абв-" + exception, exception[1:]]
    rng = random.Random(17)
    letters = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ'-"
    words += ["".join(rng.choice(letters) for _ in range(rng.randint(1, 12))) for _ in range(2000)]
    return words


@pytest.mark.parametrize("part", [GIVEN, SURNAME, PATRONYMIC])
def test_case_forms_are_pytrovich_forms(part):
    for word in _words(part):
        for gender in (MALE, FEMALE):
            assert inflect._case_forms(word, part, gender) == _pytrovich(word, part, gender), (word, gender)


def test_a_long_surname_is_declined_by_its_ending():
    inflect._ending_forms.cache_clear()
    assert inflect._case_forms("грижаковцев", SURNAME, MALE) == _pytrovich("грижаковцев", SURNAME, MALE)
    assert inflect._case_forms("зармаровцев", SURNAME, MALE) == _pytrovich("зармаровцев", SURNAME, MALE)
    assert inflect._ending_forms.cache_info().hits == 1  # the second is declined as the first was: -овцев


def test_polish_and_czech_cases_of_a_word_are_those_of_its_ending():
    rng = random.Random(23)
    endings = ["szcz", "dzki", "skij", "ova", "ová", "ska", "ek", "ec", "ie", "ee", "ow", "in", "y", "u", "a", "o"]
    words = ["poczobut", "bialacki", "chodorkovskij", "kalesnikava", "mohammadi", "navalny", "orlova", "nawalny"]
    words += ["".join(rng.choice("abcdehikoszłš") for _ in range(rng.randint(0, 8))) + rng.choice(endings)
              for _ in range(3000)]
    for word in words:
        for gender in (None, MALE, FEMALE):
            assert list(slavic.latin_cases(word, gender).items()) == list(slavic._latin_cases(word, gender).items())


def test_a_key_joined_from_two_parts_is_the_whole_word_key():
    rng = random.Random(29)
    joined = 0
    for _ in range(20000):
        head, tail = ("".join(rng.choice("abcdehijkosvwxy") for _ in range(rng.randint(1, 5))) for _ in range(2))
        key = joined_latin_key(latin_key(head), latin_key(tail))
        if key is not None:
            joined += 1
            assert key == latin_key(head + tail), (head, tail)
    assert joined > 10000
    assert joined_latin_key(latin_key("bak"), latin_key("hu")) is None  # bakhu is bahu
    assert joined_latin_key(latin_key("pol"), latin_key("la")) is None  # polla is pola
