"""Precision and recall of the matcher on the labelled sentences in tests/data/names/eval.jsonl."""
from __future__ import annotations

import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from alerts.matching.matcher import Matcher
from crawler.core.terms import Term

DATA = Path(__file__).parent / "data" / "names"
MIN_PRECISION = 0.97
MIN_RECALL = 0.95


def load_watchlist(path: Path) -> list[Term]:
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    terms = []
    for watchlist in config["watchlists"]:
        for entry in watchlist["terms"]:
            terms.append(Term(entry["name"], kind=entry.get("kind", "person"), aliases=tuple(entry.get("aliases", ())),
                              watchlist=watchlist["name"], given=entry.get("given"), surname=entry.get("surname"),
                              patronymic=entry.get("patronymic")))
    return terms


def load_sentences() -> list[dict]:
    with open(DATA / "eval.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def evaluate(matcher: Matcher, sentences: list[dict]):
    """Mention-level scores: a found mention is right when it names the labelled term and overlaps its span."""
    true_positives = false_positives = false_negatives = 0
    errors = []
    for sentence in sentences:
        text = sentence["text"]
        expected = []
        for mention in sentence["mentions"]:
            start = text.index(mention["matched"])
            expected.append((mention["term"], start, start + len(mention["matched"])))
        found = [(m.term, m.start, m.end) for m in matcher.find(text)]
        unmatched = list(expected)
        for term, start, end in found:
            hit = next((e for e in unmatched if e[0] == term and start < e[2] and e[1] < end), None)
            if hit:
                unmatched.remove(hit)
                true_positives += 1
            else:
                false_positives += 1
                errors.append(("false alarm", sentence["id"], term, text[start:end], text))
        for term, start, end in unmatched:
            false_negatives += 1
            errors.append(("missed", sentence["id"], term, text[start:end], text))
    precision = true_positives / ((true_positives + false_positives) or 1)
    recall = true_positives / ((true_positives + false_negatives) or 1)
    return precision, recall, errors


@pytest.fixture(scope="module")
def sentences():
    return load_sentences()


def test_the_labelled_set_is_large_and_covers_four_languages_and_hard_negatives(sentences):
    languages = Counter(s["lang"] for s in sentences)
    assert len(sentences) >= 250
    assert all(languages[lang] >= 30 for lang in ("en", "ru", "de", "fr"))
    negatives = [s for s in sentences if not s["mentions"]]
    assert len(negatives) >= 60
    assert len({s["id"] for s in sentences}) == len(sentences)
    for sentence in sentences:
        for mention in sentence["mentions"]:
            assert mention["matched"] in sentence["text"], sentence["id"]


def test_precision_and_recall_meet_the_bar(sentences):
    matcher = Matcher(load_watchlist(DATA / "watchlist.toml"))
    precision, recall, errors = evaluate(matcher, sentences)
    print(f"\nprecision {precision:.3f}, recall {recall:.3f} on {len(sentences)} sentences")
    for error in errors:
        print(" ", *error)
    assert precision >= MIN_PRECISION, errors
    assert recall >= MIN_RECALL, errors
