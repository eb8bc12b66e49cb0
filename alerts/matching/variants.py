"""The forms a watched term may take in text: scripts, romanisations, cases, given-name variants."""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product

from alerts.matching import arabic, chinese, inflect, normalize, regional, slavic
from alerts.matching.arabic import has_arabic
from alerts.matching.chinese import HAN_RE
from alerts.matching.inflect import (FEMALE, GIVEN, MALE, PATRONYMIC, SURNAME, choose_cyrillic, declensions, gender_of,
                            is_common_word, is_known_as, is_known_word, is_place_name, noun_cases, parses,
                            phrase_forms)
from alerts.matching.names import equivalent_given, person_parts, split_name
from alerts.matching.normalize import is_cyrillic, light_fold, phrase_key, word_key, words_of
from alerts.matching.origins import ARABIC, ARABIC_FEMALE, ARABIC_MALE, CHINESE, VIETNAMESE, name_origin
from alerts.matching.slavic import BELARUSIAN, UKRAINIAN, slavic_origin
from crawler.core.terms import Term
from alerts.matching.translit import UKRAINIAN_LETTERS, romanisations, to_cyrillic

_SKIY_END_RE = re.compile(r"[сц]кий$")
# The words that most often open a sentence of Russian, Ukrainian or English text and belong to no one:
# conjunctions, prepositions, pronouns, particles ("Но если", "У нас", "In 2012", "He said"). A surname
# spelled like one (Korean Na, O, No, In; Chinese He, Wu as У) is that word when it opens a sentence alone,
# as an everyday noun is (see PersonContext). Surnames that are also rarer function words (Ли, Ван, Ко,
# Со, Ким) are left out: at the start of a sentence they are far more often the person.
_SENTENCE_OPENERS = frozenset(word_key(word) for word in """
    и а но на не о об у в во с к по за из от до для при про без под над после через мы вы он она оно они я ты
    ее её его им их нам вам мой наш ваш этот тот того том что как так уже ну да нет ни если когда хотя или все
    всё і й та але ми ви він вона воно вони її їх мій що як вже якщо коли або з із зі від під
    a an the i you he she it we they me him her us them my your his its our their this that these those
    who what which when where why how if and but or nor so as at by for from in into of on to with about
    after before during since until while although because not no yes is are was were be been do does did
    has have had more less most some any all one""".split())
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
    place_surnames: frozenset[str] = frozenset()                  # patterns that name places: России
    origin: str | None = None                                     # ARABIC, CHINESE, VIETNAMESE or None
    surname_first: bool = False                                   # Xu Zhiyong, Phạm Đoan Trang
    han_spellings: frozenset[str] = frozenset()                   # 许志永, 许: characters the aliases give
    second_surname: str = ""                                      # key of Alcántara in Otero Alcántara


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


def _cyrillic_sources(written: str, part: str, origin: str | None = None, language: str | None = None) -> list[str]:
    """Cyrillic spellings of a name part written in any script (hyphenated parts piece by piece)."""
    written = written.strip()
    if is_cyrillic(written):
        return _russian_spellings(written.lower())
    if has_arabic(written) or HAN_RE.search(written) or origin == VIETNAMESE:
        return []
    if origin == CHINESE:
        return regional.chinese_cyrillic(written)
    if origin == ARABIC:
        if arabic.abd_parts(written.replace(" ", "")):
            return []
        written = arabic.strip_article(written)[0]
    spellings = []
    if language:
        # Read back by the national romanisation first: Bialiatski -> Бяляцкі, Butkevych -> Буткевич.
        spellings = [c for c in slavic.read_back(written, language) if c]
    pieces = written.split("-")
    choices = [choose_cyrillic(p, part) or [] for p in pieces]
    if not all(choices):
        return spellings
    return list(dict.fromkeys(spellings + ["-".join(combo) for combo in product(*choices)][:4]))


def _surname_declensions(cyrillic: str, gender: str | None, ukrainian: bool,
                         belarusian: bool = False) -> dict[str, str]:
    """Case forms of a surname; a double surname also with only its last part declined (Кара-Мурзы)."""
    if len(cyrillic) <= slavic.UNDECLINED_LENGTH:  # На, Ма: not Не, Мы
        return {cyrillic.lower(): "indeclinable"}
    forms = dict(declensions(cyrillic, SURNAME, gender, ukrainian))
    if gender != FEMALE and "-" not in cyrillic:  # a woman's Заяц is not declined
        for form, cases in noun_cases(cyrillic).items():
            forms.setdefault(form, cases)
    if _SKIY_END_RE.search(cyrillic):
        # Кагарлицкий is Кагарлицький in Ukrainian and Кагарліцкі in Belarusian text.
        for other, belarusian_ending in ((cyrillic[:-3] + "ький", False), (cyrillic[:-3] + "кі", True)):
            if belarusian_ending:
                for form, cases in slavic.belarusian_forms(other, SURNAME, gender).items():
                    forms.setdefault(form, cases)
                forms.setdefault(other, "nominative")
            else:
                for form, cases in declensions(other, SURNAME, gender, True).items():
                    forms.setdefault(form, cases)
    if belarusian or "ў" in cyrillic:
        for form, cases in slavic.belarusian_forms(cyrillic, SURNAME, gender).items():
            forms.setdefault(form, cases)
    if ukrainian:
        for form, cases in slavic.ukrainian_declensions(cyrillic, "Surn").items():
            forms.setdefault(form, cases)
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


def _han_spellings(written: str) -> str:
    return "".join(c for c in written if HAN_RE.match(c))


def _han_parts(written: str) -> tuple[str, ...]:
    """许 and 志永许 as well as 许志永: the surname alone, and the name in the other order."""
    parts = split_name(written)
    surname, given = _han_spellings(parts.surname or ""), _han_spellings(parts.given or "")
    return surname, given + surname, surname + given


def _gender(given_written: list[str], given_cyrillic: list[str], surname_cyrillic: list[str],
            patronymic_cyrillic: list[str]) -> str | None:
    for written in given_written:
        first = light_fold(written.split()[0]) if written.split() else ""
        if first in ARABIC_FEMALE:
            return FEMALE
        if first in ARABIC_MALE:
            return MALE
    return gender_of(given_cyrillic[0] if given_cyrillic else None,
                     surname_cyrillic[0] if surname_cyrillic else None,
                     patronymic_cyrillic[0] if patronymic_cyrillic else None)


def _script_label(written: str) -> str:
    if has_arabic(written):
        return "arabic script surname, as written"
    if HAN_RE.search(written):
        return "chinese surname, as written"
    if regional.other_script_latin(written):
        return "surname, as written"
    return "latin surname, as written"


def build_person(term: Term) -> PersonForms:
    """Every form of a person's surname and the given names and patronymics that may stand beside it."""
    given_written, surname_written, patronymic_written = _written_parts(term)
    forms = PersonForms()
    if not surname_written:
        return forms
    origin = name_origin(term.name, term.aliases)
    latin_given = [g for g in given_written if g.isascii() or not (is_cyrillic(g) or has_arabic(g) or HAN_RE.search(g))]
    latin_surname = next((w for w in surname_written if w.isascii() or not (is_cyrillic(w) or has_arabic(w))), None)
    language = slavic_origin(latin_given[0] if latin_given else None, latin_surname) if origin is None else None
    forms.origin = origin
    forms.surname_first = origin in (CHINESE, VIETNAMESE)
    forms.han_spellings = frozenset(_han_spellings(a) for a in (term.name, *term.aliases) if HAN_RE.search(a)) \
        | frozenset(s for a in (term.name, *term.aliases) if HAN_RE.search(a) for s in _han_parts(a))
    ukrainian = language == UKRAINIAN or any(
        set(w.lower()) & UKRAINIAN_LETTERS for w in given_written + surname_written + patronymic_written)
    given_cyrillic = [c for w in given_written if len(w.split()) == 1 or origin == CHINESE
                      for c in _cyrillic_sources(w, GIVEN, origin, language)]
    surname_cyrillic = [c for w in surname_written for c in _cyrillic_sources(w, SURNAME, origin, language)]
    ukrainian = ukrainian or any(c.endswith(("енко", "ук", "юк")) for c in surname_cyrillic)
    belarusian = language == BELARUSIAN or any("ў" in c for c in surname_cyrillic)
    if belarusian:
        surname_cyrillic += [r for c in surname_cyrillic for r in slavic.russian_forms_of_belarusian(c)]
    if language in (BELARUSIAN, slavic.POLISH):
        surname_cyrillic += [a for c in surname_cyrillic[:2] for a in slavic.akanne(c)]
    # Ukrainian and Belarusian press decline a Belarusian or Polish name their own way.
    ukrainian = ukrainian or belarusian or language == slavic.POLISH
    if ukrainian:  # and Ukrainian text writes Бяляцкі and Беляцкий as Біляцький
        surname_cyrillic += [u for c in surname_cyrillic if (u := slavic.ukrainian_root(c))]
    patronymic_cyrillic = [c for w in patronymic_written for c in _cyrillic_sources(w, PATRONYMIC)]
    gender = _gender(given_written, given_cyrillic, surname_cyrillic, patronymic_cyrillic)

    for written in surname_written:
        if not is_cyrillic(written):
            forms.surnames.setdefault(phrase_key(written), _script_label(written))
        latin = regional.other_script_latin(written)
        if latin:
            forms.surnames.setdefault(phrase_key(latin), "latin surname (anyascii)")
    common, places = set(), set()
    for cyrillic in dict.fromkeys(surname_cyrillic):
        # A surname the dictionary does not know is no everyday word in any case either.
        known = is_known_word(cyrillic)
        surname = None
        for form, cases in _surname_declensions(cyrillic, gender, ukrainian, belarusian).items():
            forms.surnames.setdefault(phrase_key(form), sys.intern(f"cyrillic surname, {cases}"))
            if known and is_common_word(form, cases):
                common.add(phrase_key(form))
            # Rossi, read as Россий, declines into России: alone, such a form is the place. Not so the
            # forms of a surname the dictionary knows as one (Орлова is no town's).
            if is_place_name(form):
                if surname is None:
                    surname = is_known_as(cyrillic, "Surn")
                if not surname:
                    places.add(phrase_key(form))
        if origin is None:
            # A Cyrillic spelling made from a Chinese or Arabic name romanises into other people's names
            # (Сюй -> Sui), so only names from Cyrillic are romanised again.
            for pattern, label in _latin_patterns(cyrillic, True).items():
                forms.surnames.setdefault(pattern, sys.intern(f"latin surname ({label})"))
    for pattern, label in list(forms.surnames.items()):
        if label.startswith("latin") and not pattern.endswith("s ") and len(pattern) > 3:  # not I's: Is
            forms.surnames.setdefault(pattern[:-1] + "s ", "latin surname, German genitive")
    forms.common_surnames = frozenset(common)
    forms.place_surnames = frozenset(places)
    _add_regional_surnames(forms, origin, language, surname_written, surname_cyrillic, gender)
    forms.common_surnames |= {pattern for pattern in forms.surnames if pattern[1:-1] in _SENTENCE_OPENERS}

    forms.given = _given_forms(tuple(given_written), tuple(given_cyrillic), gender, ukrainian, origin, belarusian)
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


def _add_regional_surnames(forms: PersonForms, origin: str | None, language: str | None, written: list[str],
                           cyrillic: list[str], gender: str | None) -> None:
    """Arabic-script and Arabic-Latin spellings, Polish and Czech spellings and cases, a first surname alone."""
    latin = [w for w in written if not (is_cyrillic(w) or has_arabic(w) or HAN_RE.search(w))]
    if origin == ARABIC:
        for w in written:
            if not is_cyrillic(w) and not HAN_RE.search(w):
                for pattern, rule in regional.arabic_surname_patterns(w).items():
                    forms.surnames.setdefault(pattern, rule)
    single = [w for w in latin if " " not in w or origin == ARABIC]
    if origin not in (CHINESE, VIETNAMESE):
        spellings = [w for w in single if not arabic.abd_parts(w.replace(" ", ""))]
        if origin == ARABIC:
            spellings += [arabic.strip_article(w)[0] for w in spellings]
        for pattern, rule in regional.polish_czech_surname_patterns(
                spellings, cyrillic if origin is None else [], gender, language is None).items():
            forms.surnames.setdefault(pattern, rule)
    for w in latin:
        parts = w.split()
        if len(parts) == 2 and origin is None and all(p[:1].isupper() for p in parts):
            # Spanish double surnames: the first alone is the person, the second alone another one.
            forms.surnames.setdefault(phrase_key(parts[0]), "latin surname, first of two")
            forms.second_surname = word_key(parts[1])


@lru_cache(maxsize=4096)
def _given_forms(written: tuple[str, ...], cyrillic: tuple[str, ...], gender: str | None,
                 ukrainian: bool, origin: str | None = None, belarusian: bool = False) -> GivenForms:
    given = GivenForms()
    initial_sources: set[str] = set()
    sources: list[tuple[str, bool]] = [(c, False) for c in cyrillic]
    for name in written:
        keys = tuple(word_key(p) for p in words_of(name))
        if not keys:
            continue
        given.keys.setdefault(keys, "")
        initial_sources.add(keys[0])
        latin = regional.other_script_latin(name)
        if latin:
            given.keys.setdefault(tuple(word_key(p) for p in words_of(latin)), "anyascii")
        if origin == ARABIC:
            for more, label in regional.arabic_given_keys(name).items():
                given.keys.setdefault(more, label)
        elif origin == CHINESE:
            for more, label in regional.chinese_given_keys(name).items():
                given.keys.setdefault(more, label)
        if origin != VIETNAMESE and not (is_cyrillic(name) or has_arabic(name) or HAN_RE.search(name)):
            for more, label in regional.latin_given_cases(name, gender).items():
                given.keys.setdefault(more, label)
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
            if not diminutive:
                # Polish and Czech spell the cases of a Slavic given name their own way: Alesia, Valjancin.
                for latin in (slavic.polish(form), slavic.czech(form)):
                    given.keys.setdefault((word_key(latin),), label or "Polish or Czech")
        if belarusian:
            for form in slavic.belarusian_forms(source, GIVEN, gender):
                given.keys.setdefault((word_key(form),), label)
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
    for cached in (romanisations, declensions, is_common_word, is_place_name, phrase_forms, _given_forms, to_cyrillic,
                   parses, inflect._dictionary_gender, inflect._ending_forms, choose_cyrillic, arabic.skeletons,
                   arabic.latin_spellings, slavic.read_back, slavic.ukrainian_declensions, slavic._ending_cases,
                   chinese.split_syllables, regional._polish_czech_surname_patterns, regional._ending_case_keys,
                   phrase_key, normalize._words_of):
        cached.cache_clear()

