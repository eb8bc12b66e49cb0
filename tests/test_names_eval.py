"""Precision and recall of the matcher on the labelled sentences in tests/data/names/: eval.jsonl (Russian
names in four languages) and world.jsonl (names from every region in twelve languages)."""
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
MIN_LANGUAGE_RECALL = 0.9
WORLD_LANGUAGES = ("ar", "fa", "zh", "tr", "uk", "be", "pl", "cs", "es", "vi", "ru", "en")


def load_watchlist(path: Path) -> list[Term]:
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    terms = []
    for watchlist in config["watchlists"]:
        for entry in watchlist["terms"]:
            terms.append(Term(entry["name"], kind=entry.get("kind", "person"), aliases=tuple(entry.get("aliases", ())),
                              watchlist=watchlist["name"], given=entry.get("given"), surname=entry.get("surname"),
                              patronymic=entry.get("patronymic")))
    return terms


def load_sentences(name: str = "eval.jsonl") -> list[dict]:
    with open(DATA / name, encoding="utf-8") as f:
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


@pytest.fixture(scope="module")
def world():
    return load_sentences("world.jsonl")


def test_the_world_set_covers_twelve_languages_and_a_quarter_of_hard_negatives(world):
    languages = Counter(s["lang"] for s in world)
    assert len(world) >= 400
    assert all(languages[lang] >= 30 for lang in WORLD_LANGUAGES), languages
    negatives = [s for s in world if not s["mentions"]]
    assert 0.2 <= len(negatives) / len(world) <= 0.3
    assert len({s["id"] for s in world}) == len(world)
    watched = {t.name for t in load_watchlist(DATA / "world_watchlist.toml")}
    for sentence in world:
        for mention in sentence["mentions"]:
            assert mention["matched"] in sentence["text"], sentence["id"]
            assert mention["term"] in watched, sentence["id"]


def test_names_from_every_region_meet_the_bar_in_every_language(world):
    matcher = Matcher(load_watchlist(DATA / "world_watchlist.toml"))
    precision, recall, errors = evaluate(matcher, world)
    print(f"\nprecision {precision:.3f}, recall {recall:.3f} on {len(world)} sentences")
    low = {}
    for lang in WORLD_LANGUAGES:
        lang_precision, lang_recall, _ = evaluate(matcher, [s for s in world if s["lang"] == lang])
        print(f"  {lang}: precision {lang_precision:.3f}, recall {lang_recall:.3f}")
        if lang_recall < MIN_LANGUAGE_RECALL:
            low[lang] = lang_recall
    for error in errors:
        print(" ", *error)
    assert precision >= MIN_PRECISION, errors
    assert recall >= MIN_RECALL, errors
    assert not low, (low, errors)
