"""Watched terms and the mentions the matcher reports for them."""
from __future__ import annotations

from dataclasses import dataclass, field

PERSON = "person"
KEYWORD = "keyword"
KINDS = (PERSON, KEYWORD)


@dataclass(frozen=True)
class Term:
    """One watched person or keyword, as written by the user.

    For a person, `given`, `surname` and `patronymic` override how `name` is split
    (a compound surname such as "Ter-Petrosyan" or "de la Cruz").
    """

    name: str
    kind: str = PERSON
    aliases: tuple[str, ...] = ()
    watchlist: str = ""
    given: str | None = None
    surname: str | None = None
    patronymic: str | None = None


@dataclass(frozen=True)
class Mention:
    """A term found in a text: the surface form, its offsets and why it matched."""

    term: str
    watchlist: str
    kind: str
    matched: str
    start: int
    end: int
    rule: str = field(default="", compare=False)
