"""Personal names: splitting a watched name into its parts, given-name equivalents, patronymics."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from alerts.matching.forenames import FORENAMES
from alerts.matching.inflect import is_known_as
from alerts.matching.normalize import is_cyrillic, light_fold
from alerts.matching.translit import to_cyrillic
from crawler.core.terms import Term

# Words that belong to the surname that follows them (de la Cruz, van der Berg, al-Hassan).
PARTICLES = {"de", "da", "del", "della", "di", "du", "des", "la", "le", "van", "von", "der", "den", "ter",
             "ten", "zu", "dos", "das", "do", "al", "el", "bin", "ibn", "ben", "bint", "mac", "st"}

# One given name in its Russian, Ukrainian, Belarusian and Western forms; names after "|" are
# diminutives, accepted next to the surname but not used for initials.
_EQUIVALENTS = """
Александр Олександр Аляксандр Alexander Alexandre Alessandro Aleksander Alexandr | Саша Sascha Sacha Шура
Алексей Олексій Аляксей Alexis Alexej Alexeï | Алёша Лёша Aljoscha
Анатолий Анатолій Anatole | Толя
Андрей Андрій Andrew André Andreas | Андрюша
Борис Барыс
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
Игорь Ігор Ihar | Игорёк
Илья Ілля Ілья Elijah
Иосиф Йосип Joseph Josef
Константин Костянтин Канстанцін Constantin | Костя
Лев Leo Léon
Михаил Михайло Міхаіл Michael Michel Michail | Миша
Николай Микола Мікалай Nicholas Nicolas Nikolaus | Коля
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
Мария Марія Марыя Marie Mary | Маша
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
        return is_known_as(folded, "Name")
    if folded in _FORENAME_KEYS:
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
    if len(words) <= 1:
        return NameParts(None, None, name or None)
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
    surname = " ".join(words[surname_start:])
    rest = words[:surname_start]
    if len(rest) >= 2 and looks_like_patronymic(rest[-1]):
        return NameParts(" ".join(rest[:-1]), rest[-1], surname)
    return NameParts(" ".join(rest), None, surname)


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
