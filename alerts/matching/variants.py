"""The forms a watched term may take in text: scripts, romanisations, cases, given-name variants."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product

from alerts.matching.inflect import (GIVEN, PATRONYMIC, SURNAME, choose_cyrillic, declensions, gender_of,
                            is_common_word, is_known_word, parses, phrase_forms)
from alerts.matching.names import equivalent_given, person_parts, split_name
from alerts.matching.normalize import is_cyrillic, light_fold, phrase_key, word_key, words_of
from alerts.matching.translit import UKRAINIAN_LETTERS, romanisations, to_cyrillic
from crawler.core.terms import Term

_UKRAINIAN_TO_RUSSIAN = str.maketrans({"і": "и", "ї": "и", "є": "е", "ґ": "г", "'": None, "’": None, "ʼ": None})


@dataclass
class GivenForms:
    """The given names that may stand beside a surname; shared by every person with the same name."""

    keys: dict[tuple[str, ...], str] = field(default_factory=dict)  # word keys -> "", "variant", "diminutive"
    initial_sources: tuple[str, ...] = ()                           # keys an initial must begin
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    by_last: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)


@dataclass
class PersonForms:
    """What identifies one watched person in text."""

    surnames: dict[str, str] = field(default_factory=dict)        # pattern -> "cyrillic surname, genitive"
    given: GivenForms = field(default_factory=GivenForms)
    patronymics: dict[str, str] | None = None                     # None: any patronymic is accepted
    patronymic_initial_sources: tuple[str, ...] = ()
    common_surnames: frozenset[str] = frozenset()                 # patterns that are everyday words too


@dataclass
class KeywordForms:
    """The phrases of one keyword; Latin ones keep their exact spelling to check against."""

    phrases: dict[str, str] = field(default_factory=dict)          # pattern -> rule
    spellings: dict[str, frozenset[tuple[str, ...]]] = field(default_factory=dict)


def _russian_spellings(cyrillic: str) -> list[str]:
    """A Ukrainian spelling and how Russian text writes it (Матвійчук -> Матвийчук)."""
    spellings = [cyrillic]
    if set(cyrillic) & (UKRAINIAN_LETTERS | {"'", "’", "ʼ"}):
        spellings.append(cyrillic.translate(_UKRAINIAN_TO_RUSSIAN))
    return spellings


def _cyrillic_sources(written: str, part: str) -> list[str]:
    """Cyrillic spellings of a name part written in any script (hyphenated parts piece by piece)."""
    written = written.strip()
    if is_cyrillic(written):
        return _russian_spellings(written.lower())
    pieces = written.split("-")
    choices = [choose_cyrillic(p, part) or [] for p in pieces]
    if not all(choices):
        return []
    return ["-".join(combo) for combo in product(*choices)][:4]


def _surname_declensions(cyrillic: str, gender: str | None, ukrainian: bool) -> dict[str, str]:
    """Case forms of a surname; a double surname also with only its last part declined (Кара-Мурзы)."""
    forms = dict(declensions(cyrillic, SURNAME, gender, ukrainian))
    head, dash, last = cyrillic.rpartition("-")
    if dash:
        for form, cases in declensions(last, SURNAME, gender, ukrainian).items():
            forms.setdefault(f"{head}-{form}", cases)
    return forms


def _latin_patterns(cyrillic: str, is_surname: bool) -> dict[str, str]:
    """Automaton patterns of the romanisations of a Cyrillic name (each hyphen piece on its own)."""
    pieces = cyrillic.split("-")
    per_piece = [romanisations(p, is_surname) for p in pieces]
    patterns: dict[str, str] = {}
    for combo in product(*(list(r.items()) for r in per_piece)):
        pattern = " " + " ".join(key for key, _ in combo) + " "
        patterns.setdefault(pattern, combo[-1][1])
    return patterns


def _written_parts(term: Term) -> tuple[list[str], list[str], list[str]]:
    parts = [person_parts(term)] + [split_name(alias) for alias in term.aliases]
    given = [p.given for p in parts if p.given]
    surnames = [p.surname for p in parts if p.surname]
    patronymics = [p.patronymic for p in parts if p.patronymic]
    return given, surnames, patronymics


def build_person(term: Term) -> PersonForms:
    """Every form of a person's surname and the given names and patronymics that may stand beside it."""
    given_written, surname_written, patronymic_written = _written_parts(term)
    forms = PersonForms()
    if not surname_written:
        return forms
    ukrainian = any(set(w.lower()) & UKRAINIAN_LETTERS for w in given_written + surname_written + patronymic_written)
    given_cyrillic = [c for w in given_written if len(w.split()) == 1 for c in _cyrillic_sources(w, GIVEN)]
    surname_cyrillic = [c for w in surname_written for c in _cyrillic_sources(w, SURNAME)]
    ukrainian = ukrainian or any(c.endswith(("енко", "ук", "юк")) for c in surname_cyrillic)
    patronymic_cyrillic = [c for w in patronymic_written for c in _cyrillic_sources(w, PATRONYMIC)]
    gender = gender_of(given_cyrillic[0] if given_cyrillic else None,
                       surname_cyrillic[0] if surname_cyrillic else None,
                       patronymic_cyrillic[0] if patronymic_cyrillic else None)

    for written in surname_written:
        if not is_cyrillic(written):
            forms.surnames.setdefault(phrase_key(written), "latin surname, as written")
    common = set()
    for cyrillic in surname_cyrillic:
        # A surname the dictionary does not know is no everyday word in any case either.
        known = is_known_word(cyrillic)
        for form, cases in _surname_declensions(cyrillic, gender, ukrainian).items():
            forms.surnames.setdefault(phrase_key(form), sys.intern(f"cyrillic surname, {cases}"))
            if known and is_common_word(form, cases):
                common.add(phrase_key(form))
        for pattern, label in _latin_patterns(cyrillic, True).items():
            forms.surnames.setdefault(pattern, sys.intern(f"latin surname ({label})"))
    for pattern, label in list(forms.surnames.items()):
        if label.startswith("latin") and not pattern.endswith("s "):
            forms.surnames.setdefault(pattern[:-1] + "s ", "latin surname, German genitive")
    forms.common_surnames = frozenset(common)

    forms.given = _given_forms(tuple(given_written), tuple(given_cyrillic), gender, ukrainian)
    if patronymic_written:
        forms.patronymics = {}
        for written in patronymic_written:
            if not is_cyrillic(written):
                forms.patronymics.setdefault(word_key(written), "")
        for cyrillic in patronymic_cyrillic:
            for form in declensions(cyrillic, PATRONYMIC, gender, ukrainian):
                forms.patronymics.setdefault(word_key(form), "")
            for key in romanisations(cyrillic):
                forms.patronymics.setdefault(key, "")
        forms.patronymic_initial_sources = tuple(sorted(forms.patronymics))
    return forms


@lru_cache(maxsize=4096)
def _given_forms(written: tuple[str, ...], cyrillic: tuple[str, ...], gender: str | None,
                 ukrainian: bool) -> GivenForms:
    given = GivenForms()
    initial_sources: set[str] = set()
    sources: list[tuple[str, bool]] = [(c, False) for c in cyrillic]
    for name in written:
        keys = tuple(word_key(p) for p in words_of(name))
        given.keys.setdefault(keys, "")
        initial_sources.add(keys[0])
    for name in written + cyrillic:
        for variant in equivalent_given(name):
            if is_cyrillic(variant.name):
                sources.extend((c, variant.diminutive) for c in _russian_spellings(variant.name.lower()))
            else:
                given.keys.setdefault((word_key(variant.name),), "diminutive" if variant.diminutive else "variant")
                if not variant.diminutive:
                    initial_sources.add(word_key(variant.name))
    seen = set()
    for source, diminutive in sources:
        if source in seen:
            continue
        seen.add(source)
        label = "diminutive" if diminutive else ("" if source in cyrillic else "variant")
        # Ukrainian endings are added whatever the name: Олександрі, Олегові.
        for form in declensions(source, GIVEN, gender, True):
            given.keys.setdefault(tuple(word_key(p) for p in words_of(form)), label)
        for key in romanisations(source):
            given.keys.setdefault((key,), label)
        if not diminutive:
            initial_sources.add(word_key(source))
            initial_sources.update(romanisations(source))
    given.initial_sources = tuple(sorted(initial_sources))
    for keys, label in given.keys.items():
        given.by_last.setdefault(keys[-1], []).append((keys, label))
        given.by_first.setdefault(keys[0], []).append((keys, label))
    return given


def build_keyword(term: Term) -> KeywordForms:
    """Whole-word phrases of a keyword; Russian noun phrases also in their other cases."""
    forms = KeywordForms()
    for phrase in (term.name, *term.aliases):
        words = words_of(phrase)
        if not words:
            continue
        if is_cyrillic(phrase):
            for form, case in phrase_forms(" ".join(words)).items():
                rule = f"cyrillic keyword, {case}" if case else "cyrillic keyword"
                forms.phrases.setdefault(phrase_key(form), rule)
        else:
            spelled = tuple(light_fold(w) for w in words)
            variants = [(spelled, "keyword")]
            if not spelled[-1].endswith("s"):
                variants.append((spelled[:-1] + (spelled[-1] + "s",), "keyword, plural"))
            for spelling, rule in variants:
                pattern = phrase_key(" ".join(spelling))
                forms.phrases.setdefault(pattern, rule)
                forms.spellings[pattern] = forms.spellings.get(pattern, frozenset()) | {spelling}
    return forms


def release_caches() -> None:
    """Forget what compiling remembered about single words; a long-running scanner does not need it."""
    for cached in (romanisations, declensions, is_common_word, phrase_forms, _given_forms, to_cyrillic,
                   parses, choose_cyrillic):
        cached.cache_clear()

