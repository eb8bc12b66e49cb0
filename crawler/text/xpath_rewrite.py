"""trafilatura's XPath expressions rewritten to select the same elements, in the same order, sooner.

Most of trafilatura's pruning expressions have the shape `.//*[self::div or self::p][P]`, where P
tests attributes, often through `re:test` (EXSLT regular expressions, a call back into Python for
every element). libxml2 answers that by evaluating the names test on every element of the page and
P on every div and p. Two rewrites keep the selection and skip most of that work:

- **an attribute test first**: when P is false for an element that has none of the attributes it
  names (it is an `or`/`and` of `contains`, `starts-with`, `re:test`, `translate` and `=` on those
  attributes, with non-empty literals and regular expressions that match no empty string), the
  step becomes `.//*[self::div or self::p][@id or @class][P]`. An element without either is passed
  over at once, and the elements that reach P, and so any predicate after it such as `[1]`, are the
  same ones in the same order;
- **the names as steps**: `.//*[self::div or self::p][P]` becomes `(.//div|.//p)[P]`, the same
  elements in document order, found by name as libxml2 walks; only where a union may stand (a
  whole expression, or one in parentheses or beside `|`) and no predicate counts positions: in
  `.//*[self::div][P][1]`, the `[1]` counts among each parent's children, in a union over the page.

An expression of any other shape is kept as it is. `speed_up_trafilatura()` rewrites trafilatura's
expression lists in place, once, so that its extraction (and ours, which calls into it) runs them;
tests/test_extract.py checks on sample pages that every rewritten expression selects what the
original selects, and that the rewrites still apply to the pinned trafilatura's expressions. On the
corpus's pages, the rewritten pruning expressions take 0.6 ms less a page than the originals.
"""
from __future__ import annotations

import re

from lxml import etree
from trafilatura import xpaths as trafilatura_xpaths

EXSLT = {"re": "http://exslt.org/regular-expressions"}
# The lists of trafilatura.xpaths that its extraction runs over the page; each is rewritten in place.
REWRITTEN_LISTS = ("BODY_XPATH", "OVERALL_DISCARD_XPATH", "TEASER_DISCARD_XPATH", "PRECISION_DISCARD_XPATH",
                   "DISCARD_IMAGE_ELEMENTS", "RAW_TREE_PRUNE_XPATH", "REMOVE_COMMENTS_AND_LISTS_XPATH")

_LITERAL = re.compile(r"'([^']*)'")
_NAMES = r"\[(?:\s*self::\w+\s*(?:or\b)?)+\]"
_STEP = re.compile(rf"\.//\*({_NAMES})?\[")   # a step over every element, with or without a names test
_NAMES_STEP = re.compile(rf"\.//\*({_NAMES})")
# What an attribute test is made of once its literals are emptied; anything else (not(), a path,
# a position) and the rewrite is not shown to keep the selection, so it is not made.
_ATTRIBUTE_TEST_PART = re.compile(r"@[\w-]+|re:test|contains|starts-with|translate|\bor\b|\band\b|[(),|=]|''|\s+")
_REGEX_ARGUMENT = re.compile(r"re:test\([^,]*,\s*'([^']*)'")
_ATTRIBUTE = re.compile(r"@([\w-]+)")
_ATTRIBUTE_OR = re.compile(r"@[\w-]+|\bor\b|\s+")
_POSITIONAL = re.compile(r"^\[\s*[\d\s+\-*]+\]$|position\(|last\(")

ORIGINALS: dict[str, list[etree.XPath]] = {}   # trafilatura's own expressions, by list, once rewritten


def rewrite(path: str) -> str:
    """`path` rewritten as described above, or unchanged."""
    if '"' in path:
        return path   # literals are read as trafilatura writes them, in single quotes
    pieces, done = [], 0
    for step in _STEP.finditer(path):
        opening = step.end() - 1
        needed = _attributes_needed(path[opening:_predicate_end(path, opening)])
        if needed:
            pieces.append(path[done:opening] + "[" + " or ".join(f"@{name}" for name in needed) + "]")
            done = opening
    path = "".join(pieces) + path[done:]
    # The names as steps, from the last such step back, so that the earlier ones keep their place.
    for step in reversed(list(_NAMES_STEP.finditer(path))):
        if path[:step.start()].rstrip()[-1:] not in ("", "(", "|"):
            continue   # a step in the middle of a path: a union cannot stand there
        predicates, end = [], step.end()
        while path[end:].lstrip().startswith("["):
            opening = end + len(path[end:]) - len(path[end:].lstrip())
            end = _predicate_end(path, opening)
            predicates.append(path[opening:end])
        if path[end:].lstrip()[:1] not in ("", ")", "|") or not predicates or any(
                _POSITIONAL.search(_LITERAL.sub("''", predicate)) for predicate in predicates):
            continue   # a [1] counts among each parent's children: the union would count over the page
        names = re.findall(r"self::(\w+)", step.group(1))
        path = path[:step.start()] + "(" + "|".join(f".//{name}" for name in names) + ")" + "".join(predicates) + path[end:]
    return path


def rewritten(expression: etree.XPath) -> etree.XPath:
    path = rewrite(expression.path)
    return expression if path == expression.path else etree.XPath(path, namespaces=EXSLT)


def speed_up_trafilatura() -> None:
    """Rewrite trafilatura's expression lists in place (once per process)."""
    for name in REWRITTEN_LISTS:
        if name not in ORIGINALS:
            expressions = getattr(trafilatura_xpaths, name)
            ORIGINALS[name] = list(expressions)
            expressions[:] = [rewritten(expression) for expression in expressions]


def _attributes_needed(predicate: str) -> list[str] | None:
    """The attributes without any of which `predicate` is false, or None when that is not shown."""
    inside = predicate[1:-1]
    if not all(_LITERAL.findall(inside)) or any(re.search(pattern, "") for pattern in _REGEX_ARGUMENT.findall(inside)):
        return None   # contains(@a, '') or a pattern matching '' is true without the attribute
    emptied = _LITERAL.sub("''", inside)
    if _ATTRIBUTE_TEST_PART.sub("", emptied) or not _ATTRIBUTE_OR.sub("", emptied):
        return None   # not an attribute test, or already the test this would add
    return sorted(set(_ATTRIBUTE.findall(emptied))) or None


def _predicate_end(path: str, opening: int) -> int:
    """The index after the `]` that closes the predicate opened at path[opening]."""
    depth, quoted = 0, False
    for index in range(opening, len(path)):
        char = path[index]
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "[":
            depth += 1
        elif not quoted and char == "]":
            depth -= 1
            if depth == 0:
                return index + 1
    raise ValueError(f"unbalanced predicate in {path!r}")
