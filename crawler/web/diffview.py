"""An inline diff of two versions of a page: paragraphs added and removed, and within a changed
paragraph the words added and removed."""
from __future__ import annotations

import difflib
import re

_WORDS = re.compile(r"\s+|[^\s]+")
SIMILAR = 0.5       # paragraphs this alike are one paragraph changed, not one removed and one added
MAX_PAIRS = 2500    # beyond this many pairs to compare, a replaced block is shown as removed and added


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def diff_versions(old: str, new: str) -> list[dict]:
    """Rows of {"kind": same | added | removed | changed, "pieces": [(kind, text), ...]}: what a
    template shows, with piece kinds same, added and removed."""
    before, after = _paragraphs(old), _paragraphs(new)
    rows = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            rows += [{"kind": "same", "pieces": [("same", p)]} for p in after[b1:b2]]
        elif op == "delete":
            rows += [{"kind": "removed", "pieces": [("removed", p)]} for p in before[a1:a2]]
        elif op == "insert":
            rows += [{"kind": "added", "pieces": [("added", p)]} for p in after[b1:b2]]
        else:
            rows += _replaced(before[a1:a2], after[b1:b2])
    return rows


def _replaced(old: list[str], new: list[str]) -> list[dict]:
    """Paragraphs replaced by others: the most alike pair is one paragraph changed (its words
    marked), and the paragraphs before and after it are paired the same way (as difflib's Differ)."""
    if not old or not new:
        return ([{"kind": "removed", "pieces": [("removed", p)]} for p in old]
                + [{"kind": "added", "pieces": [("added", p)]} for p in new])
    best, pair = SIMILAR - 1e-9, None
    if len(old) * len(new) <= MAX_PAIRS:
        for i, o in enumerate(old):
            for j, n in enumerate(new):
                matcher = difflib.SequenceMatcher(None, o, n, autojunk=False)
                if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best and matcher.ratio() > best:
                    best, pair = matcher.ratio(), (i, j)
    if pair is None:
        return _replaced(old, []) + _replaced([], new)
    i, j = pair
    return (_replaced(old[:i], new[:j]) + [{"kind": "changed", "pieces": _words(old[i], new[j])}]
            + _replaced(old[i + 1:], new[j + 1:]))


def _words(old: str, new: str) -> list[tuple[str, str]]:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    pieces = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(b[b1:b2])))
            continue
        if a2 > a1:
            pieces.append(("removed", "".join(a[a1:a2])))
        if b2 > b1:
            pieces.append(("added", "".join(b[b1:b2])))
    return pieces
