"""What a watched term expands to, for `vigil watch show`: its parts, its tradition and every form found."""
from __future__ import annotations

from alerts.matching.names import person_parts
from crawler.core.terms import KEYWORD, Term
from alerts.matching.variants import build_keyword, build_person


def _shown(pattern: str) -> str:
    """A pattern as the folded words it matches: Latin keys fold y/i/j, w/v, kh/h and doubled letters."""
    return pattern.strip()


def describe(term: Term) -> dict:
    """The split of a person's name, the naming tradition found, and each form with the rule it fires."""
    if term.kind == KEYWORD:
        forms = build_keyword(term)
        return {"term": term.name, "kind": term.kind, "split": None, "tradition": None,
                "forms": [{"part": "phrase", "form": _shown(p), "rule": rule} for p, rule in forms.phrases.items()]}
    parts = person_parts(term)
    forms = build_person(term)
    rows = [{"part": "surname", "form": _shown(p), "rule": rule} for p, rule in forms.surnames.items()]
    rows += [{"part": "given name", "form": " ".join(keys), "rule": label or "as written"}
             for keys, label in forms.given.keys.items()]
    rows += [{"part": "patronymic", "form": key, "rule": ""} for key in (forms.patronymics or {})]
    tradition = forms.origin or "European or Cyrillic"
    if forms.surname_first:
        tradition += ", surname first"
    if forms.second_surname:
        tradition += ", two surnames"
    if forms.han_spellings:
        tradition += ", characters from the aliases: " + ", ".join(sorted(forms.han_spellings, key=len))
    return {"term": term.name, "kind": term.kind,
            "split": {"given": parts.given, "patronymic": parts.patronymic, "surname": parts.surname},
            "tradition": tradition, "forms": rows}
