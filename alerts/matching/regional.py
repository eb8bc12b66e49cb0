"""Forms of names from outside Russian as automaton patterns: Arabic, Chinese, Polish and Czech, other scripts."""
from __future__ import annotations

import sys
from functools import lru_cache

from alerts.matching.arabic import (abd_forms, abd_parts, arabic_key, article_forms, has_arabic, latin_spellings, prefixed,
                           skeletons, strip_article)
from alerts.matching.chinese import HAN_RE, palladius, split_syllables
from alerts.matching.normalize import (is_cyrillic, joined_latin_key, latin_key, light_fold, phrase_key, word_key,
                                      words_of)
from alerts.matching.slavic import CASE_REACH, UNDECLINED_LENGTH, czech, latin_cases, polish

_ARTICLE_KEY = "ال"
_ABD_KEY = arabic_key("عبد")


def _phrase(words: tuple[str, ...]) -> str:
    return phrase_key(" ".join(words))


def _pattern(spelling: str) -> str:
    """phrase_key, without splitting a text for the common case of one plain word."""
    return f" {word_key(spelling)} " if spelling.isalpha() else phrase_key(spelling)


def arabic_surname_patterns(written: str) -> dict[str, str]:
    """Latin and Arabic-script patterns of a romanised Arabic or Persian surname (al-Hathloul, Abd El-Fattah)."""
    patterns: dict[str, str] = {}
    if has_arabic(written):
        keys = [word_key(w) for w in words_of(written)]
        if not keys:
            return patterns
        last = keys[-1]
        article = last.startswith(_ARTICLE_KEY) and len(last) > 4
        core = last[2:] if article else last
        for key, label in prefixed(core, article):
            if len(keys) == 1:
                patterns.setdefault(f" {key} ", sys.intern("arabic script surname" + (f", {label}" if label else "")))
        if len(keys) == 2:  # عبد الفتاح: the prefix goes on the first word, the two may be written as one
            for key, label in prefixed(keys[0], False):
                patterns.setdefault(f" {key} {last} ", sys.intern("arabic script surname" + (f", {label}" if label else "")))
                patterns.setdefault(f" {arabic_key(key + last)} ", sys.intern("arabic script surname, joined"))
        return patterns
    compact = written.replace(" ", "")
    core = abd_parts(compact)
    if core:
        for spelling in latin_spellings(core, 1):
            for words in abd_forms(spelling):
                patterns.setdefault(_phrase(words), "latin surname (Arabic, Abd compound)")
        for skeleton in skeletons(core):
            for key, label in prefixed(_ABD_KEY, False):
                rule = sys.intern("arabic script surname, Abd compound" + (f", {label}" if label else ""))
                patterns.setdefault(f" {key} {_ARTICLE_KEY}{skeleton} ", rule)
                patterns.setdefault(f" {arabic_key(key + _ARTICLE_KEY + skeleton)} ", rule)
        return patterns
    core, article = strip_article(written)
    for spelling in latin_spellings(core, 3):
        for words in (article_forms(spelling) if article else [(spelling,)]):
            patterns.setdefault(_phrase(words), "latin surname (Arabic or Persian spelling)")
    for skeleton in skeletons(core):
        for key, label in prefixed(skeleton, article):
            patterns.setdefault(f" {key} ", sys.intern("arabic script surname" + (f", {label}" if label else "")))
    return patterns


def arabic_given_keys(written: str) -> dict[tuple[str, ...], str]:
    """Keys of a romanised Arabic or Persian given name: other Latin spellings, Abd compounds, Arabic script."""
    keys: dict[tuple[str, ...], str] = {}
    if has_arabic(written):
        words = tuple(word_key(w) for w in words_of(written))
        for key, _ in prefixed(words[0], False):
            keys.setdefault((key,) + words[1:], "arabic script")
        if len(words) == 2:
            keys.setdefault((arabic_key("".join(words)),), "arabic script")
        return keys
    core = abd_parts(written.replace(" ", ""))
    if core:
        for spelling in latin_spellings(core, 1):
            for words in abd_forms(spelling):
                keys.setdefault(tuple(word_key(w) for w in words), "variant")
        for skeleton in skeletons(core):
            for key, _ in prefixed(_ABD_KEY, False):
                keys.setdefault((key, _ARTICLE_KEY + skeleton), "arabic script")
                keys.setdefault((arabic_key(key + _ARTICLE_KEY + skeleton),), "arabic script")
        return keys
    if len(words_of(written)) != 1:
        return keys
    for spelling in latin_spellings(written):
        keys.setdefault((word_key(spelling),), "variant")
    for skeleton in skeletons(written):
        for key, _ in prefixed(skeleton, False):
            keys.setdefault((key,), "arabic script")
    return keys


def chinese_given_keys(written: str) -> dict[tuple[str, ...], str]:
    """"Zhiyong" as one word, as syllables (Zhi-yong, Zhi Yong, and 志永 read as pinyin)."""
    keys: dict[tuple[str, ...], str] = {}
    if HAN_RE.search(written):
        return keys
    syllables = split_syllables(light_fold(written).replace(" ", ""))
    if syllables:
        keys.setdefault(tuple(word_key(s) for s in syllables), "syllables")
        keys.setdefault((word_key("".join(syllables)),), "")
    return keys


def chinese_cyrillic(written: str) -> list[str]:
    """Palladius spellings of a pinyin name part: Сюй, Чжиюн."""
    if HAN_RE.search(written):
        return []
    cyrillic = palladius(written.replace("-", "").replace(" ", ""))
    return [cyrillic] if cyrillic else []


def other_script_latin(written: str) -> str | None:
    """The Latin spelling (anyascii) of a name part in a script no rule here knows: Greek, Armenian,
    Georgian, Hebrew, Korean, Japanese kana, Indic scripts. None for Latin, Cyrillic, Arabic and Chinese."""
    if written.isascii() or is_cyrillic(written) or has_arabic(written) or HAN_RE.search(written):
        return None
    if light_fold(written).isascii():
        return None  # Latin with accents
    from anyascii import anyascii

    latin = anyascii(written).strip()
    return latin or None


def polish_czech_surname_patterns(latin: list[str], cyrillic: list[str], gender: str | None,
                                  russian: bool) -> dict[str, str]:
    """A surname as Polish and Czech write it (Białacki, Bjaljacki for Бяляцкі) and in their cases."""
    return dict(_polish_czech_surname_patterns(tuple(latin), tuple(cyrillic), gender, russian))


@lru_cache(maxsize=8192)
def _polish_czech_surname_patterns(latin: tuple[str, ...], cyrillic: tuple[str, ...], gender: str | None,
                                   russian: bool) -> dict[str, str]:
    """The same for one set of spellings; a long watchlist has many people with one surname."""
    spellings: dict[str, str] = {}
    for written in latin:
        spellings.setdefault(light_fold(written), "as written")
    for source in cyrillic:
        spellings.setdefault(light_fold(polish(source, russian)), "Polish")
        spellings.setdefault(light_fold(czech(source, russian)), "Czech")
    patterns: dict[str, str] = {}
    for spelling, label in spellings.items():
        patterns.setdefault(_pattern(spelling), sys.intern(f"latin surname ({label})"))
        if len(spelling) <= UNDECLINED_LENGTH:
            continue  # Na, O, Ma: as Russian, Polish and Czech leave a surname of one or two letters
        for pattern, case in _case_patterns(spelling, gender):
            patterns.setdefault(pattern, sys.intern(f"latin surname ({label}), {case}"))
    return patterns


def _case_patterns(spelling: str, gender: str | None) -> list[tuple[str, str]]:
    """The patterns of the Polish and Czech cases of a spelling, with the cases' names. Those of a word of ASCII
    letters are keyed from its ending's cases, keyed once for every word that ends so."""
    if len(spelling) > CASE_REACH and spelling.isascii() and spelling.isalpha() and spelling.islower():
        head = spelling[:-CASE_REACH]
        head_key = latin_key(head)
        patterns = []
        for form, case, form_key in _ending_case_keys(spelling[-CASE_REACH:], gender):
            key = form_key and joined_latin_key(head_key, form_key)
            patterns.append((f" {key} " if key else _pattern(head + form), case))
        return patterns
    return [(_pattern(form), case) for form, case in latin_cases(spelling, gender).items()]


@lru_cache(maxsize=1024)  # a few thousand bytes each
def _ending_case_keys(ending: str, gender: str | None) -> tuple[tuple[str, str, str], ...]:
    """(form, case, latin_key) of the cases of a word ending; no key for a form with other characters."""
    return tuple((form, case, latin_key(form) if form.isascii() and form.isalpha() else "")
                 for form, case in latin_cases(ending, gender).items())


def latin_given_cases(written: str, gender: str | None) -> dict[tuple[str, ...], str]:
    """Polish and Czech cases of a Latin given name: Andrzeja, Marii, Marią."""
    if len(words_of(written)) != 1 or not written.isascii() and not written.isalpha():
        return {}
    return {(word_key(form),): "Polish or Czech case" for form in latin_cases(light_fold(written), gender)}
