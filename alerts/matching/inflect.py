"""Russian and Ukrainian grammatical cases of names and phrases (pytrovich, pymorphy3)."""
from __future__ import annotations

import json
import re
import warnings
from functools import lru_cache

from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case, Gender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker

from alerts.matching.normalize import light_fold
from alerts.matching.translit import UKRAINIAN_LETTERS, to_cyrillic

MALE, FEMALE = "male", "female"
GIVEN, SURNAME, PATRONYMIC = "given", "surname", "patronymic"
CASE_NAMES = {
    Case.NOMINATIVE: "nominative", Case.GENITIVE: "genitive", Case.DATIVE: "dative",
    Case.ACCUSATIVE: "accusative", Case.INSTRUMENTAL: "instrumental", Case.PREPOSITIONAL: "prepositional",
}
# Listed once: iterating an Enum and hashing its members run Python code, for every case of every name.
_CASES = tuple((case, CASE_NAMES[case]) for case in Case)
_PYMORPHY_CASES = (("nomn", "nominative"), ("gent", "genitive"), ("datv", "dative"), ("accs", "accusative"),
                   ("ablt", "instrumental"), ("loct", "prepositional"))
_NAME_PARTS = {GIVEN: NamePart.FIRSTNAME, SURNAME: NamePart.LASTNAME, PATRONYMIC: NamePart.MIDDLENAME}
_PROPER_TAGS = {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr", "Init"}

_maker = PetrovichDeclinationMaker()
_detector = PetrovichGenderDetector()


def _rule_limits() -> tuple[dict[str, frozenset[str]], dict[str, int]]:
    """What decides pytrovich's rule for a word, from its rules file: an exception matches a whole word, any
    other rule the word's last letters. Per name part, the words with exceptions and how many last letters
    decide the rule and hold what a case ending replaces."""
    with open(PetrovichDeclinationMaker.DEFAULT_PATH_TO_RULES_FILE, encoding="utf-8") as f:
        rules = json.load(f)
    exceptions, reach = {}, {}
    for part, name in ((GIVEN, "firstname"), (SURNAME, "lastname"), (PATRONYMIC, "middlename")):
        exceptions[part] = frozenset(test for rule in rules[name].get("exceptions") or () for test in rule["test"])
        suffixes = rules[name].get("suffixes") or ()
        reach[part] = max([len(test) for rule in suffixes for test in rule["test"]]
                          + [len(mod) - len(mod.lstrip("-")) for rule in suffixes for mod in rule["mods"]] + [1])
    return exceptions, reach


_EXCEPTIONS, _REACH = _rule_limits()

_morph = None


def morph():
    """The pymorphy3 analyser, loaded on first use (it takes a fraction of a second)."""
    global _morph
    if _morph is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pymorphy3
            _morph = pymorphy3.MorphAnalyzer(lang="ru")
    return _morph


@lru_cache(maxsize=65536)
def parses(word: str):
    return tuple(morph().parse(word))


def is_known_as(word: str, grammeme: str) -> bool:
    """True when the dictionary knows `word` (any case) with the grammeme, e.g. 'Name' or 'Surn'."""
    word = word.lower()
    return word in morph().dictionary.words and any(grammeme in p.tag for p in parses(word))


@lru_cache(maxsize=65536)  # asked about the word before every lone capitalised surname
def is_known_word(word: str) -> bool:
    """True when the dictionary holds the word (in any sense)."""
    return word.lower() in morph().dictionary.words


@lru_cache(maxsize=65536)
def is_place_name(word: str) -> bool:
    """True when the dictionary reads the word as the name of a place (России, Минска), not only as a
    rare reading (Того, a country, is first the pronoun)."""
    word = word.lower()
    return word in morph().dictionary.words and any("Geox" in p.tag and p.score >= 0.2 for p in parses(word))


_NOUN_CASES = (("gent", "genitive or accusative"), ("datv", "dative"), ("ablt", "instrumental"),
               ("loct", "prepositional"))


def noun_cases(word: str) -> dict[str, str]:
    """The cases of the masculine noun a man's surname also is, which Russian gives the surname as well as
    pytrovich's: a fleeting vowel (Заяц: Зайца, not only Заяца; Орёл: Орла), a soft stem (Соловей:
    Соловья). Empty when the dictionary has no such noun."""
    word = word.lower()
    if word not in morph().dictionary.words:
        return {}
    for p in parses(word):
        if (p.tag.POS == "NOUN" and "masc" in p.tag and "sing" in p.tag and "nomn" in p.tag
                and not (_PROPER_TAGS & p.tag.grammemes) and p.score >= 0.05):
            return {inflected.word: case for grammeme, case in _NOUN_CASES
                    if (inflected := p.inflect({grammeme, "sing"}))}
    return {}


_CASE_GRAMMEMES = {"nominative": {"nomn"}, "genitive": {"gent", "gen2"}, "dative": {"datv"},
                   "accusative": {"accs", "acc2"}, "instrumental": {"ablt"}, "prepositional": {"loct", "loc2"}}


@lru_cache(maxsize=65536)
def is_common_word(word: str, cases: str = "nominative") -> bool:
    """True when the word is also an everyday noun in one of the given cases (мороз, мороза, not орлов).

    `cases` is a declension label such as "genitive or accusative"; the genitive plural of орёл
    does not make the surname Орлов an everyday word, the nominative мороз does make Мороз one.
    """
    word = word.lower()
    if word not in morph().dictionary.words:
        return False
    wanted = set().union(*(_CASE_GRAMMEMES.get(c, set()) for c in cases.split(" or "))) if cases != "indeclinable" \
        else set().union(*_CASE_GRAMMEMES.values())
    # Only nouns: an adjective that happens to be a surname (Навальный, Толстой) rarely opens a sentence.
    return any(p.tag.POS == "NOUN" and not (_PROPER_TAGS & p.tag.grammemes) and p.tag.case in wanted
               and p.score >= 0.05 for p in parses(word))


_FEMALE_SURNAME_END_RE = re.compile(r"(ова|ева|ёва|ина|ына|ская|цкая|ая)$")
_MALE_SURNAME_END_RE = re.compile(r"(ов|ев|ёв|ин|ын|ский|цкий|ый|ой)$")


@lru_cache(maxsize=4096)  # a long watchlist names the same given names again and again
def _dictionary_gender(given: str) -> str | None:
    """The gender of a given name the dictionary knows; None when it gives the name to men and women."""
    for p in parses(given):
        if "Name" in p.tag and "nomn" in p.tag:
            if "ms-f" in p.tag:
                return None
            return FEMALE if "femn" in p.tag else MALE
    return None


def gender_of(given: str | None, surname: str | None, patronymic: str | None) -> str | None:
    """Gender of a Cyrillic name: patronymic, then the dictionary, then endings."""
    if patronymic:
        if re.search(r"(вна|чна)$", patronymic.lower()):
            return FEMALE
        if re.search(r"ич$", patronymic.lower()):
            return MALE
    if given:
        given = given.lower()
        if given in morph().dictionary.words:
            gender = _dictionary_gender(given)
            if gender:
                return gender
        elif re.search(r"[ая]$", given):
            return FEMALE  # unknown names in -а/-я are women's: Зарема, Олександра
    if surname:
        surname = surname.lower()
        if _FEMALE_SURNAME_END_RE.search(surname):
            return FEMALE
        if _MALE_SURNAME_END_RE.search(surname):
            return MALE
    try:
        detected = _detector.detect(firstname=given or None, lastname=surname or None, middlename=patronymic or None)
    except ValueError:
        return None
    if detected == Gender.FEMALE:
        return FEMALE
    if detected == Gender.MALE:
        return MALE
    return None


_OVA_INA_END_RE = re.compile(r"[ое]ва$|[иі]на$")
_OV_IN_END_RE = re.compile(r"[ое]в$|[иі]н$")
_KO_END_RE = re.compile(r"(енко|ко)$")
_CONSONANT_END_RE = re.compile(r"[бвгґджзклмнпрстфхцчшщ]$")


def _ukrainian_forms(word: str, part: str, gender: str) -> dict[str, str]:
    """Case endings that Ukrainian uses and Russian rules do not produce."""
    forms: dict[str, str] = {}
    w = word.lower()
    if gender == FEMALE:
        if w.endswith("ська") or w.endswith("цька"):
            stem = w[:-1]
            forms.update({stem + "ої": "genitive", stem + "ій": "dative", stem + "у": "accusative",
                          stem + "ою": "instrumental"})
        elif _OVA_INA_END_RE.search(w):
            stem = w[:-1]
            forms.update({stem + "ої": "genitive", stem + "ій": "dative", stem + "ою": "instrumental"})
        elif w.endswith("а"):
            stem = w[:-1]
            forms.update({stem + "и": "genitive", stem + "і": "dative", stem + "ою": "instrumental"})
        elif w.endswith("я"):
            stem = w[:-1]
            forms.update({stem + "ї": "genitive", stem + "ї": "dative", stem + "єю": "instrumental"})
        return forms
    if w.endswith("ський") or w.endswith("цький"):
        stem = w[:-2]
        forms.update({stem + "ого": "genitive", stem + "ому": "dative", stem + "им": "instrumental",
                      stem + "ім": "prepositional"})
    elif _OV_IN_END_RE.search(w) and part == SURNAME:
        forms.update({w + "а": "genitive", w + "у": "dative", w + "ові": "dative", w + "им": "instrumental",
                      w + "і": "prepositional"})
    elif _KO_END_RE.search(w):
        stem = w[:-1]
        forms.update({stem + "а": "genitive", stem + "ові": "dative", stem + "ом": "instrumental"})
    elif _CONSONANT_END_RE.search(w):
        forms.update({w + "а": "genitive", w + "ові": "dative", w + "у": "dative", w + "ом": "instrumental",
                      w + "і": "prepositional", w + "е": "vocative"})
    elif w.endswith("ій") or w.endswith("ей"):
        stem = w[:-1]
        forms.update({stem + "я": "genitive", stem + "ю": "dative", stem + "єві": "dative",
                      stem + "єм": "instrumental"})
    elif w.endswith("о"):
        stem = w[:-1]
        forms.update({stem + "а": "genitive", stem + "ові": "dative", stem + "ом": "instrumental"})
    return forms


@lru_cache(maxsize=65536)
def declensions(word: str, part: str, gender: str | None, ukrainian: bool = False) -> dict[str, str]:
    """Every case form of a Cyrillic name part, lower-cased, mapped to the case names it stands for.

    `ukrainian` adds the Ukrainian endings (Олександрі, Орловим, Шевченкові).
    """
    genders = [gender] if gender else [MALE, FEMALE]
    ukrainian = ukrainian or bool(set(word.lower()) & UKRAINIAN_LETTERS)
    forms: dict[str, list[str]] = {}
    for g in genders:
        for form, (_, case_name) in zip(_case_forms(word, part, g), _CASES):
            forms.setdefault(form, [])
            if case_name not in forms[form]:
                forms[form].append(case_name)
        if ukrainian:
            for form, case_name in _ukrainian_forms(word, part, g).items():
                forms.setdefault(form, [])
                if case_name not in forms[form]:
                    forms[form].append(case_name)
    return {form: "indeclinable" if len(cases) >= 6 else " or ".join(cases) for form, cases in forms.items()}


def _case_forms(word: str, part: str, gender: str) -> list[str]:
    """pytrovich's forms of a name part in the order of _CASES, lower-cased."""
    reach = _REACH[part]
    if len(word) > reach and word.islower() and "-" not in word and word not in _EXCEPTIONS[part]:
        # A long watchlist repeats surname endings: pytrovich declines the last letters alone, which decide
        # its rule, unless they are a word with an exception of its own.
        ending = word[-reach:]
        if ending not in _EXCEPTIONS[part]:
            stem = word[:-reach]
            return [stem + form for form in _ending_forms(ending, part, gender)]
    name_part, pytrovich_gender = _NAME_PARTS[part], Gender.FEMALE if gender == FEMALE else Gender.MALE
    return [_maker.make(name_part, pytrovich_gender, case, word).lower() for case, _ in _CASES]


@lru_cache(maxsize=4096)
def _ending_forms(ending: str, part: str, gender: str) -> tuple[str, ...]:
    name_part, pytrovich_gender = _NAME_PARTS[part], Gender.FEMALE if gender == FEMALE else Gender.MALE
    return tuple(_maker.make(name_part, pytrovich_gender, case, ending).lower() for case, _ in _CASES)


@lru_cache(maxsize=65536)
def choose_cyrillic(latin: str, part: str) -> tuple[str, ...]:
    """Likely Cyrillic spellings of a romanised name part, best first (at most two)."""
    grammeme = {GIVEN: "Name", SURNAME: "Surn", PATRONYMIC: "Patr"}[part]
    ranked = to_cyrillic(latin)
    if not ranked:
        return ()
    best_cost = ranked[0][1]
    candidates = [(c, cost) for c, cost in ranked if cost <= best_cost + 1][:6]
    known = [c for c, cost in candidates if is_known_as(c, grammeme) and _nominative(c, grammeme)]
    # Romanisations drop the soft sign: Igor -> Игорь, Navalny -> Навальный.
    known += [spelling for c, cost in candidates[:4] for spelling in _with_soft_sign(c)[1:]
              if is_known_as(spelling, grammeme) and _nominative(spelling, grammeme)]
    known = list(dict.fromkeys(known))
    if known:
        return tuple(known[:2])
    if part == GIVEN:
        return tuple(cyrillic for cyrillic, cost in candidates if cost == best_cost)[:1]
    chosen = [cyrillic for cyrillic, cost in candidates if cost <= best_cost + 0.5][:2]
    # "ny" may stand for нья as well as ня (Melkonyants: Мелконянц, Мелконьянц).
    softened = re.sub(r"(?<=[бвдзлмнпрстф])(?=[яюё])", "ь", chosen[0], count=1)
    if softened != chosen[0] and re.search(r"[^aeiou][yij][aeou]", light_fold(latin)):
        chosen.append(softened)
    return tuple(chosen)


def _nominative(word: str, grammeme: str) -> bool:
    return any(grammeme in p.tag and "nomn" in p.tag and "sing" in p.tag for p in parses(word))


_SOFT_END_RE = re.compile(r"[лнтдрсзмвп]$")
_SOFT_BEFORE_CONSONANT_RE = re.compile(r"(?<=[лнтдрсзмв])(?=[бвгджзклмнпрстфхцчшщ])")
_SOFT_BEFORE_VOWEL_RE = re.compile(r"(?<=[лнтдрсзмвп])(?=[яюеи])")


def _with_soft_sign(word: str) -> list[str]:
    """The word, plus spellings with a soft sign that romanisations usually drop (Игорь, Навальный)."""
    spellings = [word]
    if _SOFT_END_RE.search(word):
        spellings.append(word + "ь")
    for m in _SOFT_BEFORE_CONSONANT_RE.finditer(word):
        spellings.append(word[:m.start()] + "ь" + word[m.start():])
    for m in _SOFT_BEFORE_VOWEL_RE.finditer(word):
        spellings.append(word[:m.start()] + "ь" + word[m.start():])
    return spellings


@lru_cache(maxsize=4096)
def phrase_forms(phrase: str) -> dict[str, str]:
    """Case forms of a Russian noun phrase (adjectives, then the head noun, then anything else).

    Only phrases the dictionary knows are inflected; anything else is left as written.
    """
    words = phrase.split()
    forms = {phrase.lower(): ""}
    m = morph()
    head = None
    analyses = []
    for i, word in enumerate(words):
        if not m.word_is_known(word.lower()):
            return forms
        p = parses(word.lower())[0]
        analyses.append(p)
        if p.tag.POS == "NOUN" and "nomn" in p.tag:
            head = i
            break
        if p.tag.POS not in ("ADJF", "PRTF") or "nomn" not in p.tag:
            return forms
    if head is None:
        return forms
    tail = words[head + 1:]
    number = "plur" if "plur" in analyses[head].tag else "sing"
    numbers = [number] if number == "plur" or "Sgtm" in analyses[head].tag else ["sing", "plur"]
    for num in numbers:
        for grammeme, case_name in _PYMORPHY_CASES:
            inflected = []
            for p in analyses:
                wanted = {grammeme, num}
                if p.tag.POS in ("ADJF", "PRTF") and num == "sing" and analyses[head].tag.gender:
                    wanted.add(analyses[head].tag.gender)
                if p.tag.POS in ("ADJF", "PRTF") and grammeme == "accs":
                    wanted.add(analyses[head].tag.animacy or "inan")
                form = p.inflect(wanted)
                if form is None:
                    break
                inflected.append(form.word)
            else:
                text = " ".join(inflected + [w.lower() for w in tail])
                label = case_name if num == "sing" else f"plural {case_name}"
                forms.setdefault(text, label)
    return forms
