"""What changed between two texts: added and removed paragraphs, and the spans of new text."""
from __future__ import annotations

import difflib
import hashlib
import re
from bisect import bisect_right

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"«„“(\[]?[A-ZА-ЯЁ0-9])")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def paragraphs(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((offset, offset + len(line)))
        offset += len(line) + 1
    return spans


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, cursor = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((cursor, match.start()))
        cursor = match.end()
    spans.append((cursor, end))
    return spans


def diff_texts(old: str | None, new: str) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """(added, removed, new_spans): paragraphs or sentences added and removed, and where the
    new text lies in `new` as (start, end) offsets. A first snapshot is new in full."""
    new_spans = _paragraph_spans(new)
    if old is None:
        return [new[s:e] for s, e in new_spans], [], new_spans
    old_paras, new_paras = paragraphs(old), [new[s:e] for s, e in new_spans]
    added, removed, spans = [], [], []
    matcher = difflib.SequenceMatcher(a=old_paras, b=new_paras, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed_block = old_paras[a1:a2]
        old_sentences = {
            new_text.strip()
            for para in removed_block
            for new_text in (para[s:e] for s, e in _sentence_spans(para, 0, len(para)))
        }
        for index in range(b1, b2):
            start, end = new_spans[index]
            # Within an edited paragraph only the sentences that are new count as new text.
            for s, e in _sentence_spans(new, start, end):
                if new[s:e].strip() and new[s:e].strip() not in old_sentences:
                    spans.append((s, e))
                    added.append(new[s:e].strip())
        new_sentences = {new[s:e].strip() for i in range(b1, b2) for s, e in _sentence_spans(new, *new_spans[i])}
        for para in removed_block:
            for s, e in _sentence_spans(para, 0, len(para)):
                if para[s:e].strip() and para[s:e].strip() not in new_sentences:
                    removed.append(para[s:e].strip())
    return added, removed, _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def within(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e + 1 for s, e in spans) or any(s <= start < e for s, e in spans)


def paged_snippet(text: str, start: int, end: int, page_starts: tuple[int, ...] = ()) -> str:
    """The snippet of text[start:end]; in a paged document (a PDF, `page_starts`) it begins with its page."""
    around = snippet(text, start, end)
    return f"[page {bisect_right(page_starts, start)}] {around}" if page_starts else around


def snippet(text: str, start: int, end: int, width: int = 90) -> str:
    """The words around text[start:end], on one line."""
    left = max(0, start - width)
    right = min(len(text), end + width)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    body = " ".join(text[left:right].split())
    return ("… " if left > 0 else "") + body + (" …" if right < len(text) else "")
