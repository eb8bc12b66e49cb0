"""An inline diff of two versions of a page: paragraphs added and removed, and within a changed
paragraph the words added and removed."""
from __future__ import annotations

import difflib
import re

_WORDS = re.compile(r"\s+|[^\s]+")


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
            old_block, new_block = before[a1:a2], after[b1:b2]
            if len(old_block) == len(new_block):
                rows += [{"kind": "changed", "pieces": _words(o, n)} for o, n in zip(old_block, new_block)]
            else:
                rows += [{"kind": "removed", "pieces": [("removed", p)]} for p in old_block]
                rows += [{"kind": "added", "pieces": [("added", p)]} for p in new_block]
    return rows


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
