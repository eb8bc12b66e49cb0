"""Personal names: splitting a watched name into its parts, given-name equivalents, patronymics."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from alerts.matching.arabic import arabic_key, has_arabic
from alerts.matching.chinese import HAN_RE, looks_chinese
from alerts.matching.forenames import FORENAMES
from alerts.matching.inflect import is_known_as
from alerts.matching.normalize import is_cyrillic, light_fold
from alerts.matching.origins import is_arabic_script_given_name, is_other_given_name, looks_vietnamese
from crawler.core.terms import Term
from alerts.matching.translit import to_cyrillic

# Words that belong to the surname that follows them (de la Cruz, van der Berg, al-Hassan).
PARTICLES = {"de", "da", "del", "della", "di", "du", "des", "la", "le", "van", "von", "der", "den", "ter",
             "ten", "zu", "dos", "das", "do", "al", "el", "bin", "ibn", "ben", "bint", "mac", "st",
             "abd", "abdel", "abdul", "abu", "abou", "عبد", "أبو", "ابو", "بن", "ابن", "بنت"}
# Chinese surnames of two characters; every other surname is one.
_HAN_DOUBLE_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "司徒", "歐陽", "諸葛", "司馬")

# One given name in its Russian, Ukrainian, Belarusian and Western forms; names after "|" are
# diminutives, accepted next to the surname but not used for initials.
_EQUIVALENTS = """
Александр Олександр Аляксандр Alexander Alexandre Alessandro Aleksander Alexandr | Саша Sascha Sacha Шура Алесь Aleś Aleš
Алексей Олексій Аляксей Alexis Alexej Alexeï | Алёша Лёша Aljoscha
Анатолий Анатолій Anatole | Толя
Андрей Андрій Андрэй Анджей Andrzej Andrew André Andreas | Андрюша
Борис Барыс Borys
Василий Василь Basil Wassili | Вася
Виктор Віктор Victor | Витя
Владимир Володимир Уладзімір Wladimir Volodymyr | Володя Вова
Вячеслав В'ячеслав | Слава
Геннадий Геннадій Guennadi | Гена
Георгий Георгій George Georges Georg | Жора
Григорий Григорій Gregory Grégoire Gregor | Гриша
Дмитрий Дмитро Зміцер Dimitri | Дима
Евгений Євген Яўген Eugene Eugen Evgueni Jewgeni | Женя
Иван Іван Іван Iwan | Ваня
Игорь Ігор Ігар Ihar | Игорёк
Илья Ілля Ілья Elijah
Иосиф Йосип Joseph Josef
Константин Костянтин Канстанцін Constantin | Костя
Лев Leo Léon
Максим Максім Maksym Maxime | Макс
Валентин Валянцін Valiantsin Walenty Valentyn
Михаил Михайло Міхаіл Michael Michel Michail | Миша
Николай Микола Мікалай Никола Nikola Nicholas Nicolas Nikolaus | Коля
Олег Алег Oleh
Павел Павло Павал Paul Pawel Pavlo | Паша
Пётр Петро Пятро Peter Pierre Piotr Pjotr | Петя
Сергей Сергій Сяргей Serge Serhiy | Серёжа
Станислав Станіслав Станіслаў Stanislas | Стас
Фёдор Федір Фёдар Theodor Théodore | Федя
Юрий Юрій Юрый Youri | Юра
Яков Яків Jakob Jacob Jacques
Александра Олександра Аляксандра Alexandra Alessandra | Саша Sasha Sascha Sacha
Анастасия Анастасія Анастасія Anastasia | Настя
Анна Ганна Anne | Аня
Дарья Дарина Дар'я Daria | Даша
Евгения Євгенія Яўгенія Eugenia Eugénie | Женя
Екатерина Катерина Кацярына Catherine Katharina | Катя
Елена Олена Алена Helen Hélène Helena Jelena | Лена
Елизавета Єлизавета Elizabeth Elisabeth Élisabeth | Лиза
Ирина Ірина Ірына Irene Irène | Ира
Мария Марія Марыя Maryia Maryja Marija Marie Mary | Маша
Наталья Наталия Наталія Наталля Natalie Nathalie Natascha | Наташа
Ольга Вольга Olha | Оля
Светлана Світлана Святлана | Света
Татьяна Тетяна Таццяна Tatiana | Таня
Юлия Юлія Юлія Julia Julie | Юля
Ксения Ксенія Ксенія Xenia
"""


@dataclass(frozen=True)
class GivenVariant:
    name: str
    diminutive: bool


def _equivalence_groups() -> dict[str, tuple[GivenVariant, ...]]:
    groups: dict[str, tuple[GivenVariant, ...]] = {}
    for line in _EQUIVALENTS.strip().splitlines():
        full, _, short = line.partition("|")
        group = tuple(GivenVariant(n, False) for n in full.split()) + tuple(GivenVariant(n, True) for n in short.split())
        for variant in group:
            groups.setdefault(light_fold(variant.name), group)
    return groups


EQUIVALENT_GIVEN = _equivalence_groups()
_FORENAME_KEYS = frozenset(light_fold(n) for n in FORENAMES)

_CYRILLIC_PATRONYMIC_RE = re.compile(
    r"^[а-яёіїє]{2,}(?:(?:ович|евич|ьевич|ич)(?:а|у|ем|ом|е)?|(?:овн|евн|ьевн|ичн|иничн|івн|ївн)(?:а|ы|е|у|ой|ою|і|и))$")
_LATIN_PATRONYMIC_RE = re.compile(r"^[a-z]{2,}(?:ovich|evich|ovitch|evitch|ovitsch|evitsch|ovic|evic|ich|itch|"
                                  r"itsch|ovna|evna|ichna|ivna|ovny|evny)$")


@lru_cache(maxsize=65536)
def looks_like_patronymic(word: str) -> bool:
    """True for Петрович, Петровной, Petrovich, Petrowitsch, Petrovna (any case)."""
    folded = light_fold(word)
    if is_cyrillic(folded):
        return _CYRILLIC_PATRONYMIC_RE.match(folded) is not None
    return _LATIN_PATRONYMIC_RE.match(folded.replace("y", "i").replace("w", "v")) is not None


@lru_cache(maxsize=65536)
def is_given_name(word: str) -> bool:
    """True when the word is somebody's given name (Сергею, Sergei, John), whoever that is."""
    folded = light_fold(word)
    if len(folded) < 2:
        return False
    if folded in EQUIVALENT_GIVEN:
        return True
    if is_cyrillic(folded):
        if is_known_as(folded, "Name"):
            return True
        from alerts.matching.slavic import is_ukrainian_given_name
        return bool(set(folded) & set("іїєґ")) and is_ukrainian_given_name(folded)
    if has_arabic(folded):
        return is_arabic_script_given_name(arabic_key(folded))
    if not folded.isascii() and not folded.isalpha() or HAN_RE.search(folded):
        return False
    if folded in _FORENAME_KEYS or is_other_given_name(folded):
        return True
    return any(is_known_as(cyrillic, "Name") for cyrillic, cost in to_cyrillic(folded)[:4] if cost <= 1)


class NameParts(NamedTuple):
    """A person's name split into given name(s), patronymic and surname, as written."""

    given: str | None
    patronymic: str | None
    surname: str | None


def _remove(name: str, *parts: str | None) -> str:
    for part in parts:
        if part:
            name = re.sub(r"(?<!\w)" + re.escape(part) + r"(?!\w)", " ", name, flags=re.IGNORECASE)
    return " ".join(name.replace(",", " ").split())


def split_name(name: str) -> NameParts:
    """Split a name: "Oleg Orlov", "Oleg Petrovich Orlov", "ORLOV Oleg", "Orlov, Oleg", "Орлов Олег Петрович"."""
    name = " ".join(name.split())
    if "," in name:
        surname, _, rest = (p.strip() for p in name.partition(","))
        words = rest.split()
        if len(words) >= 2 and looks_like_patronymic(words[-1]):
            return NameParts(" ".join(words[:-1]) or None, words[-1], surname or None)
        return NameParts(rest or None, None, surname or None)
    words = name.split()
    if len(words) == 1 and HAN_RE.match(name):
        return _split_han(name)
    if len(words) <= 1:
        return NameParts(None, None, name or None)
    if looks_chinese([light_fold(w) for w in words]) or looks_vietnamese(words):
        return NameParts(" ".join(words[1:]), None, words[0])  # surname first: Xu Zhiyong, Phạm Đoan Trang
    first = words[0]
    if len(first) > 1 and first.isupper() and not all(w.isupper() for w in words):
        rest = words[1:]
        if len(rest) >= 2 and looks_like_patronymic(rest[-1]):
            return NameParts(" ".join(rest[:-1]), rest[-1], first)
        return NameParts(" ".join(rest), None, first)
    if len(words) == 3 and looks_like_patronymic(words[2]) and not looks_like_patronymic(words[1]):
        return NameParts(words[1], words[2], words[0])
    surname_start = len(words) - 1
    while surname_start > 1 and words[surname_start - 1].lower() in PARTICLES:
        surname_start -= 1
    if surname_start == len(words) - 1 and _double_surname(words):
        surname_start = len(words) - 2
    surname = " ".join(words[surname_start:])
    rest = words[:surname_start]
    if len(rest) >= 2 and looks_like_patronymic(rest[-1]):
        return NameParts(" ".join(rest[:-1]), rest[-1], surname)
    return NameParts(" ".join(rest), None, surname)


def _split_han(name: str) -> NameParts:
    """许志永: surname 许, given 志永; 伊力哈木·土赫提 (a foreign name in characters): given first."""
    for dot in ("·", "・", "‧"):
        if dot in name:
            given, _, surname = name.rpartition(dot)
            return NameParts(given or None, None, surname or None)
    size = 2 if name.startswith(_HAN_DOUBLE_SURNAMES) else 1
    if len(name) <= size:
        return NameParts(None, None, name)
    return NameParts(name[size:], None, name[:size])


def _double_surname(words: list[str]) -> bool:
    """Luis Manuel Otero Alcántara, Gabriel García Márquez: given names, then two surnames that are not."""
    if not 3 <= len(words) <= 4 or not all(w[:1].isupper() and w.isalpha() for w in words):
        return False
    if any(looks_like_patronymic(w) for w in words):
        return False
    given = 0
    while given < len(words) and is_given_name(words[given]):
        given += 1
    return given >= 1 and len(words) - given == 2


def person_parts(term: Term) -> NameParts:
    """The parts of a watched person's name: the term's own keys win over the automatic split."""
    if not (term.given or term.surname or term.patronymic):
        return split_name(term.name)
    if term.surname:
        surname = term.surname
        given = term.given if term.given is not None else _remove(term.name, term.surname, term.patronymic) or None
    else:
        given = term.given
        surname = _remove(term.name, term.given, term.patronymic) or None
    return NameParts(given or None, term.patronymic or None, surname)


def equivalent_given(name: str) -> tuple[GivenVariant, ...]:
    """The forms of one given name in other languages and its diminutives (empty when unknown)."""
    return EQUIVALENT_GIVEN.get(light_fold(name), ())
