"""Ukrainian, Belarusian, Polish and Czech forms of names: Cyrillic readings, declensions, Latin case endings."""
from __future__ import annotations

import json
import os
import re
import warnings
from functools import lru_cache

from alerts.matching.normalize import light_fold

UKRAINIAN, BELARUSIAN, POLISH = "uk", "be", "pl"

# Given names as Ukrainian and Belarusian passports and the press romanise them; a watched name that
# opens with one is read back by that language's rules (Maksym -> Максим, Bialiatski -> Бяляцкі).
_UKRAINIAN_GIVEN = set("""
oleksandr oleksandra oleksii oleksiy mykola mykhailo mykhaylo volodymyr dmytro andrii andriy serhii serhiy
yurii vasyl petro pavlo maksym taras bohdan yevhen ihor oleh hryhorii vitalii vitaliy olha olena iryna tetiana
kateryna yuliia nataliia liudmyla hanna oksana nadiia solomiia halyna mariia stanislav viacheslav yaroslav
anatolii valentyn vadym denys ruslan roman kostiantyn ivan ilia mykyta danylo kyrylo
""".split())
_BELARUSIAN_GIVEN = set("""
ales alies aliaksandr aliaksandra aliaksei ihar siarhei uladzimir zmitser valiantsin viktar yauhen mikalai
mikola raman maryia katsiaryna sviatlana tatsiana volha palina maryna nasta dzianis uladzislau vital yury
yauheniya andrei pavel leanid hanna iryna eduard
""".split())


_POLISH_GIVEN = set("""
andrzej wojciech grzegorz krzysztof jerzy zbigniew tomasz lukasz piotr pawel marek jacek janusz przemyslaw
agnieszka malgorzata katarzyna joanna magdalena barbara ewa elzbieta krystyna jadwiga
""".split())
_POLISH_LETTERS_RE = re.compile(r"cz|sz|rz|[łżźśćńąę]")
LATIN_GIVEN = frozenset(_UKRAINIAN_GIVEN | _BELARUSIAN_GIVEN | _POLISH_GIVEN)


_BELARUSIAN_SURNAME_END_RE = re.compile(r"(ava|au|ouski|ouskaya)$")


def slavic_origin(given: str | None, surname: str | None = None) -> str | None:
    """"uk", "be" or "pl" when a romanised name is in its Ukrainian, Belarusian or Polish form, else None."""
    if surname and _POLISH_LETTERS_RE.search(surname.lower()):
        return POLISH
    if surname and _BELARUSIAN_SURNAME_END_RE.search(light_fold(surname)):
        return BELARUSIAN  # Kalesnikava, Tsikhanouskaya: Russian would write -ova, -ovskaya
    if not given:
        return None
    first = light_fold(given.split()[0])
    if first in _POLISH_GIVEN:
        return POLISH
    if first in _BELARUSIAN_GIVEN and first not in ("ivan", "hanna", "iryna", "andrei", "pavel"):
        return BELARUSIAN
    if first in _UKRAINIAN_GIVEN:
        return UKRAINIAN
    return None


# The national romanisations read back, longest spelling first.
_READ_BACK = {
    UKRAINIAN: (("shch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("ia", "я"),
                ("iu", "ю"), ("ie", "є"), ("ii", "ій"), ("yi", "ї"), ("ya", "я"), ("yu", "ю"), ("ye", "є"),
                ("a", "а"), ("b", "б"), ("v", "в"), ("h", "г"), ("g", "ґ"), ("d", "д"), ("e", "е"), ("z", "з"),
                ("y", "и"), ("i", "і"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"),
                ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф")),
    BELARUSIAN: (("dzh", "дж"), ("dz", "дз"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
                 ("ia", "я"), ("iu", "ю"), ("ie", "е"), ("io", "ё"), ("ya", "я"), ("yu", "ю"), ("ye", "е"),
                 ("a", "а"), ("b", "б"), ("v", "в"), ("h", "г"), ("g", "г"), ("d", "д"), ("e", "э"), ("z", "з"),
                 ("y", "ы"), ("i", "і"), ("j", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"),
                 ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("w", "ў")),
    POLISH: (("szcz", "щ"), ("drz", "дж"), ("cz", "ч"), ("sz", "ш"), ("rz", "ж"), ("ch", "х"), ("dz", "дз"),
             ("ie", "е"), ("ia", "я"), ("io", "ё"), ("iu", "ю"), ("ej", "ей"), ("a", "а"), ("b", "б"), ("c", "ц"),
             ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"), ("h", "х"), ("i", "и"), ("j", "й"), ("k", "к"),
             ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"),
             ("u", "у"), ("w", "в"), ("y", "ы"), ("z", "з")),
}


@lru_cache(maxsize=4096)
def read_back(latin: str, language: str) -> tuple[str, ...]:
    """Бяляцкі for Bialiatski (Belarusian), Буткевич for Butkevych (Ukrainian); () for other letters."""
    word = light_fold(latin)
    out, i = [], 0
    table = _READ_BACK[language]
    while i < len(word):
        for spelling, cyrillic in table:
            if word.startswith(spelling, i):
                # A vowel letter after a consonant is written я, not ья: the apostrophe is not typed.
                out.append(cyrillic)
                i += len(spelling)
                break
        else:
            if word[i] in "-'":
                out.append(word[i])
                i += 1
                continue
            return ()
    cyrillic = "".join(out)
    if language == BELARUSIAN and re.search(r"[^аеёіоуыэюяў]э", cyrillic):
        # Passports write е after a consonant as "e" too (Kalesnikava, Калеснікава; Stefanovich, Стэфановіч).
        return cyrillic, re.sub(r"(?<=[^аеёіоуыэюяў])э", "е", cyrillic)
    return (cyrillic,)


# Belarusian case endings the Russian rules do not make: Бяляцкага, Калеснікавай, Лосіку, Алесем.
def belarusian_forms(word: str, part: str, gender: str | None) -> dict[str, str]:
    w = word.lower()
    forms: dict[str, str] = {}
    if gender != "male":
        if re.search(r"(ская|цкая)$", w):
            stem = w[:-2]
            forms.update({stem + "ай": "genitive or dative or instrumental or prepositional", stem + "ую": "accusative"})
        elif re.search(r"[оа]ва$|[іы]на$", w):
            stem = w[:-1]
            forms.update({stem + "ай": "genitive or dative or instrumental or prepositional", stem + "у": "accusative"})
        elif re.search(r"[іиы]я$", w):
            stem = w[:-1]
            forms.update({stem + "і": "genitive or dative or prepositional", stem + "ю": "accusative",
                          stem + "яй": "instrumental"})
        elif w.endswith("а"):
            stem = w[:-1]
            forms.update({stem + "ы": "genitive", stem + "е": "dative or prepositional", stem + "у": "accusative",
                          stem + "ай": "instrumental"})
    if gender != "female":
        if re.search(r"(скі|цкі)$", w):
            stem = w[:-1]
            forms.update({stem + "ага": "genitive or accusative", stem + "аму": "dative", stem + "ім": "instrumental or prepositional"})
        elif re.search(r"[бвгджзклмнпрстфхцчшў]$", w):
            forms.update({w + "а": "genitive or accusative", w + "у": "dative or prepositional",
                          w + "ам": "instrumental", w + "е": "prepositional"})
        elif w.endswith("ь"):
            stem = w[:-1]
            forms.update({stem + "я": "genitive or accusative", stem + "ю": "dative or prepositional", stem + "ем": "instrumental"})
    return forms


_morph_uk = None


def ukrainian_morph():
    """pymorphy3 with the Ukrainian dictionary, loaded on first use."""
    global _morph_uk
    if _morph_uk is None:
        from alerts.matching.inflect import morph

        russian = morph()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pymorphy3
            ukrainian = pymorphy3.MorphAnalyzer(lang="uk")
        # pymorphy3 keeps the known grammemes on one class that each dictionary resets when it loads;
        # give it both lists, or Russian tags fail on grammemes only the Russian dictionary has.
        grammemes: dict[str, list] = {}
        for analyzer in (russian, ukrainian):
            with open(os.path.join(analyzer.dictionary.path, "grammemes.json"), encoding="utf-8") as f:
                for row in json.load(f):
                    grammemes.setdefault(row[0], row)
        russian.TagClass._init_grammemes(list(grammemes.values()))
        _morph_uk = ukrainian
    return _morph_uk


_UK_CASES = {"nomn": "nominative", "gent": "genitive", "datv": "dative", "accs": "accusative", "ablt": "instrumental",
             "loct": "prepositional", "voct": "vocative"}


@lru_cache(maxsize=16384)
def ukrainian_declensions(word: str, grammeme: str) -> dict[str, str]:
    """Singular case forms of a name the Ukrainian dictionary knows as `grammeme` (Name, Surn, Patr)."""
    word = word.lower()
    morph = ukrainian_morph()
    if word not in morph.dictionary.words:
        return {}
    forms: dict[str, list[str]] = {}
    for parse in morph.parse(word):
        if grammeme not in parse.tag or "nomn" not in parse.tag:
            continue
        for form in parse.lexeme:
            case = _UK_CASES.get(form.tag.case or "")
            if case and "sing" in form.tag and (parse.tag.gender is None or form.tag.gender in (None, parse.tag.gender)):
                forms.setdefault(form.word, [])
                if case not in forms[form.word]:
                    forms[form.word].append(case)
    return {form: " or ".join(cases) for form, cases in forms.items()}


@lru_cache(maxsize=65536)
def is_ukrainian_word(word: str) -> bool:
    return word.lower() in ukrainian_morph().dictionary.words


@lru_cache(maxsize=65536)
def is_ukrainian_given_name(word: str) -> bool:
    word = word.lower()
    morph = ukrainian_morph()
    return word in morph.dictionary.words and any("Name" in p.tag for p in morph.parse(word))


# Polish and Czech transcription of Cyrillic, as their press writes Belarusian, Ukrainian and Russian names.
_POLISH = {"а": "a", "б": "b", "в": "w", "г": "h", "ґ": "g", "д": "d", "е": "e", "ё": "io", "ж": "ż", "з": "z",
           "и": "y", "і": "i", "ї": "ji", "й": "j", "к": "k", "л": "ł", "м": "m", "н": "n", "о": "o", "п": "p",
           "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f", "х": "ch", "ц": "c", "ч": "cz", "ш": "sz",
           "щ": "szcz", "ы": "y", "ь": "", "ъ": "", "э": "e", "є": "je", "ю": "iu", "я": "ia", "'": "", "’": ""}
_CZECH = {"а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "ё": "jo", "ж": "ž", "з": "z",
          "и": "y", "і": "i", "ї": "ji", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
          "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f", "х": "ch", "ц": "c", "ч": "č", "ш": "š",
          "щ": "šč", "ы": "y", "ь": "", "ъ": "", "э": "e", "є": "je", "ю": "ju", "я": "ja", "'": "", "’": ""}
_VOWELS = "аеёиіїоуыэюяєў"


def polish(cyrillic: str, russian: bool = False) -> str:
    """Białacki for Бяляцкі, Kalesnikawa for Калеснікава, Poczobut for Почобут."""
    out = []
    word = cyrillic.lower()
    for i, ch in enumerate(word):
        prev = word[i - 1] if i else ""
        nxt = word[i + 1] if i + 1 < len(word) else ""
        if ch == "г" and russian:
            out.append("g")
        elif ch == "и" and russian:
            out.append("i" if prev not in "жшцч" else "y")
        elif ch in "яюёе" and (not prev or prev in _VOWELS or prev in "ьъ'’"):
            out.append({"я": "ja", "ю": "ju", "ё": "jo", "е": "je"}[ch])
        elif ch in "яюё" and prev == "л":
            out.append({"я": "a", "ю": "u", "ё": "o"}[ch])
        elif ch == "л" and (nxt in "яюёеіиь"):
            out.append("l")
        elif ch == "е" and prev and prev not in _VOWELS:
            out.append("ie" if prev in "бвмпф" else "e")
        elif ch in "ий" and word.endswith(("ий", "ый")) and i >= len(word) - 2:
            out.append("i" if ch == "и" else "")
        elif ch == "ь" and prev in "нсзц":
            out[-1] = {"н": "ń", "с": "ś", "з": "ź", "ц": "ć"}[prev]
        else:
            out.append(_POLISH.get(ch, ch))
    return "".join(out)


def czech(cyrillic: str, russian: bool = False) -> str:
    """Bjaljacki for Бяляцкі, Kalesnikava for Калеснікава, Chodorkovskij for Ходорковский."""
    out = []
    word = cyrillic.lower()
    for i, ch in enumerate(word):
        prev = word[i - 1] if i else ""
        if ch == "г" and russian:
            out.append("g")
        elif ch == "и" and russian:
            out.append("i")
        elif ch == "е" and prev and prev not in _VOWELS + "ьъ":
            out.append("ě" if prev in "бвмпфдтн" else "e")
        elif ch in "яюё" and prev in "дтн":
            out.append({"я": "ja", "ю": "ju", "ё": "jo"}[ch])
        else:
            out.append(_CZECH.get(ch, ch))
    return "".join(out)


# Case endings of foreign surnames in Polish and Czech text, added to a Latin surname.
_POLISH_LOCATIVE = (("szcz", "szczu"), ("ch", "chu"), ("sz", "szu"), ("cz", "czu"), ("rz", "rzu"), ("k", "ku"),
                    ("g", "gu"), ("t", "cie"), ("d", "dzie"), ("r", "rze"), ("n", "nie"), ("s", "sie"), ("z", "zie"),
                    ("b", "bie"), ("p", "pie"), ("m", "mie"), ("w", "wie"), ("v", "vie"), ("f", "fie"), ("l", "lu"),
                    ("ł", "le"), ("c", "cu"), ("j", "ju"), ("h", "hu"), ("x", "ksie"))


# Compiled once: latin_cases runs for every spelling of every surname of a watchlist.
_SKI_END_RE = re.compile(r"(sk|ck|dzk)[iy]$")
_SKIJ_END_RE = re.compile(r"(sk|ck)ij$")
_CONSONANT_END_RE = re.compile(r"[bcdfghjklłmnprstvwxzšžčřś]$")
_RUSSIAN_POSSESSIVE_END_RE = re.compile(r"([oe][vw]|[iy]n)$")
_EK_END_RE = re.compile(r"(ek|ec)$")
_AEO_END_RE = re.compile(r"[aeo]$")
_ADJECTIVE_Y_END_RE = re.compile(r"[^aeiou]y$")
_IYU_END_RE = re.compile(r"[iyu]$")
_SKA_END_RE = re.compile(r"(sk|ck)a$")


# A surname of one or two letters (Korean На, О, Но, Chinese Ма, Ли) is not declined: Russian, Polish and
# Czech leave such East Asian names as they are, and their would-be cases are everyday words (не, мы, a).
UNDECLINED_LENGTH = 2
# The case endings below are chosen by the last four letters of a word of letters at most, and rewrite no
# more of it ("$" would also match before a final line break).
CASE_REACH = 4


def latin_cases(word: str, gender: str | None) -> dict[str, str]:
    """Polish and Czech case forms of a Latin surname: Poczobuta, Poczobutowi, Poczobucie, Mohammadiová."""
    w = word.lower()
    if len(w) > CASE_REACH and w.isalpha():
        # A long watchlist repeats surname endings: the forms of the last letters serve every word ending so.
        head = w[:-CASE_REACH]
        return {head + form: label for form, label in _ending_cases(w[-CASE_REACH:], gender).items()}
    return _latin_cases(w, gender)


def _latin_cases(w: str, gender: str | None) -> dict[str, str]:
    forms: dict[str, str] = {}

    def add(form: str, label: str) -> None:
        if form != w:
            forms.setdefault(form, label)

    male, female = gender != "female", gender != "male"
    if male:
        if _SKI_END_RE.search(w):
            stem = w[:-1]
            add(stem + "iego", "Polish genitive"), add(stem + "iemu", "Polish dative"), add(stem + "im", "Polish instrumental")
            add(stem + "ého", "Czech genitive"), add(stem + "ému", "Czech dative"), add(stem + "ým", "Czech instrumental")
        elif _SKIJ_END_RE.search(w):
            stem = w[:-2]
            add(stem + "ého", "Czech genitive"), add(stem + "ému", "Czech dative"), add(stem + "ým", "Czech instrumental")
        elif _CONSONANT_END_RE.search(w):
            if not _RUSSIAN_POSSESSIVE_END_RE.search(w):
                add(w + "a", "Polish or Czech genitive")  # Orlova is a woman, whatever Polish says
            add(w + "owi", "Polish dative"), add(w + "ovi", "Czech dative")
            add(w + "em", "Polish or Czech instrumental"), add(w + "u", "Czech dative or locative")
            add(w + "ie", "Polish locative")
            for end, locative in _POLISH_LOCATIVE:
                if w.endswith(end):
                    add(w[: -len(end)] + locative, "Polish locative")
                    break
            if _EK_END_RE.search(w):
                add(w[:-2] + w[-1] + "a", "Polish genitive")
        elif _AEO_END_RE.search(w) and not w.endswith(("ie", "ee")):
            stem = w[:-1]
            add(stem + "y", "Polish or Czech genitive"), add(stem + "i", "Polish genitive or dative")
            add(stem + "ovi", "Czech dative"), add(stem + "owi", "Polish dative"), add(stem + "ę", "Polish accusative")
            add(stem + "u", "Czech accusative"), add(stem + "ą", "Polish instrumental"), add(stem + "ou", "Czech instrumental")
            add(stem + "em", "Polish or Czech instrumental"), add(stem + "ie", "Polish dative or locative")
        elif _ADJECTIVE_Y_END_RE.search(w):
            stem = w[:-1]  # an adjective: Nawalny, Nawalnego; Navalný, Navalného
            add(stem + "ego", "Polish genitive"), add(stem + "emu", "Polish dative"), add(stem + "ym", "Polish instrumental")
            add(stem + "ého", "Czech genitive"), add(stem + "ému", "Czech dative"), add(stem + "ým", "Czech instrumental")
        elif _IYU_END_RE.search(w):
            add(w + "ego", "Polish genitive"), add(w + "emu", "Polish dative"), add(w + "m", "Polish instrumental")
            add(w + "ho", "Czech genitive"), add(w + "mu", "Czech dative")
            add(w + "ovi", "Czech dative"), add(w + "m", "Czech instrumental")
    if female:
        if w.endswith("ova") or w.endswith("ová"):
            stem = w[:-1]
            add(stem + "é", "Czech genitive or dative"), add(stem + "ou", "Czech accusative or instrumental")
            add(stem + "ej", "Polish genitive or dative"), add(stem + "ą", "Polish instrumental")
        elif _SKA_END_RE.search(w):
            stem = w[:-1]
            add(stem + "iej", "Polish genitive or dative"), add(stem + "ą", "Polish instrumental")
            add(stem + "é", "Czech genitive or dative"), add(stem + "ou", "Czech accusative or instrumental")
        elif w.endswith("a"):
            stem = w[:-1]
            add(stem + "ej", "Polish genitive or dative"), add(stem + "ą", "Polish instrumental")
            add(stem + "y", "Polish or Czech genitive"), add(stem + "ę", "Polish accusative")
            add(stem + "e", "Czech dative"), add(stem + "u", "Czech accusative"), add(stem + "ou", "Czech instrumental")
            add(stem + "ová", "Czech feminine"), add(stem + "ové", "Czech feminine, genitive or dative")
            add(stem + "ovou", "Czech feminine, accusative or instrumental")
        else:
            # Czech gives foreign women -ová: Mohammadiová, Hathloulová.
            base = w[:-1] if w.endswith("e") and not w.endswith("ee") else w
            add(base + "ová", "Czech feminine"), add(base + "ové", "Czech feminine, genitive or dative")
            add(base + "ovou", "Czech feminine, accusative or instrumental")
    return forms


_ending_cases = lru_cache(maxsize=1024)(_latin_cases)


def akanne(cyrillic: str) -> list[str]:
    """Belarusian spellings of a name with unstressed о written а (Почобут -> Пачобут); stress is
    unknown, so each о but the last becomes а in turn."""
    positions = [i for i, ch in enumerate(cyrillic) if ch == "о"]
    return [cyrillic[:i] + "а" + cyrillic[i + 1:] for i in positions[:-1] or positions[:0]]


_WHITE_ROOT_RE = re.compile(r"^б[ея]л(?=[аеиоуюяі])")


def ukrainian_root(cyrillic: str) -> str | None:
    """The Ukrainian spelling of a surname on the root "white", whose old ѣ Ukrainian writes і: Беляцкий and
    Бяляцкі are Біляцкий (then Біляцький), Белоусов is Білоусов. None for any other surname."""
    word = cyrillic.lower()
    return _WHITE_ROOT_RE.sub("біл", word) if _WHITE_ROOT_RE.match(word) else None


def russian_forms_of_belarusian(cyrillic: str) -> list[str]:
    """The Russian spelling of a Belarusian surname when the Russian dictionary knows it (Калеснікава -> Колесникова)."""
    from alerts.matching.inflect import is_known_as

    word = cyrillic.lower().replace("і", "и").replace("ў", "в").replace("'", "ъ")
    word = re.sub(r"цкі$", "цкий", re.sub(r"скі$", "ский", word))
    candidates = {word}
    for _ in range(2):
        for candidate in list(candidates):
            for i, ch in enumerate(candidate[:-1]):
                if ch == "а":
                    candidates.add(candidate[:i] + "о" + candidate[i + 1:])
                elif ch == "я" and i:
                    candidates.add(candidate[:i] + "е" + candidate[i + 1:])
    known = [c for c in candidates if c != word and is_known_as(c, "Surn")]
    return known[:2]
