"""Narrowed word patterns (crawler/core/charclass.py) find exactly what the patterns they stand in for find."""
from __future__ import annotations

import re
import unicodedata

import pytest

from alerts.matching import normalize
from crawler.core.charclass import COMMON, narrowed, within_common
from crawler.text import dedupe, language

EVERY_COMMON_CHARACTER = "".join(chr(code) for first, last in COMMON for code in range(first, last + 1))
# Runs of every common character, cut by spaces now and then, so that words of every kind meet.
TEXT = " ".join(EVERY_COMMON_CHARACTER[start:start + 37] for start in range(0, len(EVERY_COMMON_CHARACTER), 37))

PAIRS = [
    (normalize._SPLIT_COMMON_RE, normalize._SPLIT_RE, "split"),
    (dedupe._COMMON_WORD, re.compile(r"[^\W_]+"), "findall"),
    (language._COMMON_WORD, language._WORD, "findall"),
]


@pytest.mark.parametrize("narrow, original, method", PAIRS)
def test_on_every_common_character_the_narrowed_pattern_finds_what_the_original_finds(narrow, original, method):
    for text in (EVERY_COMMON_CHARACTER, TEXT):
        assert getattr(narrow, method)(text) == getattr(original, method)(text)


def test_a_class_is_built_by_asking_the_pattern():
    assert narrowed(re.compile("[a-c]")) == "[a-c]"
    assert narrowed(re.compile("[ab]|x")) == "[a-bx]"
    assert re.fullmatch(narrowed(re.compile(r"\d")) + "+", "0123456789")


def test_texts_with_other_scripts_are_scanned_with_the_original_patterns():
    assert within_common("Олег Орлов — “Memorial” № 5, café, Ελλάδα")
    for other in ("伊力哈木·土赫提", "محمد", "東京", "😀"):
        assert not within_common(f"Oleg Orlov {other}")
    mixed = "Ilham Tohti 伊力哈木 was sentenced"
    assert normalize.split_words(mixed).keys[:3] == [normalize.word_key(w) for w in ("Ilham", "Tohti", "伊")]
    assert dedupe.words(mixed) == ["ilham", "tohti", "伊", "力", "哈", "木", "was", "sentenced"]


def test_the_words_of_a_text_are_those_of_the_unnarrowed_pattern():
    original = re.compile(rf"[{dedupe._UNSPACED}]|[^\W_{dedupe._UNSPACED}]+")
    for text in (TEXT, "Правозащитник Олег Орлов — «Мемориал»", "Ilham Tohti 伊力哈木 was sentenced"):
        folded = unicodedata.normalize("NFKC", text.casefold()).replace("ё", "е")
        assert dedupe.words(text) == original.findall(folded)
