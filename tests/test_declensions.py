"""Case forms of names: declining a word's last letters gives what pytrovich gives for the whole word."""
from __future__ import annotations

import random

import pytest
from pytrovich.enums import Gender

from alerts.matching import inflect
from alerts.matching.inflect import FEMALE, GIVEN, MALE, PATRONYMIC, SURNAME


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
