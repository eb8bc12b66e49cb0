"""Near-duplicate stories on real texts: republished copies join, look-alike texts stay apart."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from crawler.text import dedupe

STORIES = Path(__file__).parent / "data" / "stories" / "stories.json"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def story_set():
    data = json.loads(STORIES.read_text("utf-8"))
    signatures = {text_id: dedupe.signature(entry["text"]) for text_id, entry in data["texts"].items()}
    return data, signatures


def exact_jaccard(a: str, b: str) -> float:
    """Jaccard similarity of word-trigram sets, computed directly."""
    def trigrams(text):
        words = dedupe.words(text)
        return set(zip(words, words[1:], words[2:]))
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb)


def test_the_set_is_large_enough_and_labelled(story_set):
    data, _ = story_set
    pairs = data["pairs"]
    assert sum(p["same_story"] for p in pairs) >= 50
    assert sum(not p["same_story"] for p in pairs) >= 50
    for pair in pairs:
        assert pair["a"] in data["texts"] and pair["b"] in data["texts"]
        assert data["texts"][pair["a"]]["license"] and data["texts"][pair["a"]]["origin"]


def test_republished_copies_join_and_look_alikes_never_do(story_set):
    data, sigs = story_set
    pairs = [p for p in data["pairs"] if p["same_story"]]
    others = [p for p in data["pairs"] if not p["same_story"]]
    joined = [p for p in pairs if dedupe.is_same_story(sigs[p["a"]], sigs[p["b"]])]
    merged = [(p["kind"], p["a"], p["b"]) for p in others if dedupe.is_same_story(sigs[p["a"]], sigs[p["b"]])]
    assert len(joined) / len(pairs) >= 0.95
    assert merged == []


def test_an_index_of_band_keys_finds_the_copy(story_set):
    """As ingestion does it: look up stored texts by band key, then confirm with is_same_story."""
    data, sigs = story_set
    index = defaultdict(set)
    for text_id, sig in sigs.items():
        for key in dedupe.band_keys(sig):
            index[key].add(text_id)

    def found(a: str, b: str) -> bool:
        candidates = set().union(*(index[key] for key in dedupe.band_keys(sigs[a])))
        return b in candidates and dedupe.is_same_story(sigs[a], sigs[b])

    pairs = [p for p in data["pairs"] if p["same_story"]]
    assert sum(found(p["a"], p["b"]) for p in pairs) / len(pairs) >= 0.95
    assert not any(found(p["a"], p["b"]) for p in data["pairs"] if not p["same_story"])
    # Look-ups stay cheap: texts made from different originals rarely share a band key.
    root = {text_id: text_id.split("~")[0] for text_id in sigs}
    sharing = {(a, b) for ids in index.values() for a in ids for b in ids if a < b and root[a] != root[b]}
    unrelated = sum(1 for a in sigs for b in sigs if a < b and root[a] != root[b])
    assert len(sharing) / unrelated < 0.002


def test_similarity_estimates_the_jaccard_similarity(story_set):
    data, sigs = story_set
    errors = [abs(dedupe.similarity(sigs[p["a"]], sigs[p["b"]])
                  - exact_jaccard(data["texts"][p["a"]]["text"], data["texts"][p["b"]]["text"]))
              for p in data["pairs"]]
    assert sum(errors) / len(errors) < 0.04
    assert max(errors) < 0.15


def test_similarity_is_symmetric_and_one_for_the_same_text(story_set):
    data, sigs = story_set
    pair = data["pairs"][0]
    a, b = sigs[pair["a"]], sigs[pair["b"]]
    assert dedupe.similarity(a, b) == dedupe.similarity(b, a)
    assert dedupe.similarity(a, a) == 1.0
    assert dedupe.is_same_story(a, a)


def test_wrapping_case_and_punctuation_do_not_matter():
    text = "Суд арестовал Игоря Каляпина.\nЕго защита обжалует решение — «ОВД-Инфо»."
    variant = "суд  арестовал игоря каляпина\n\nего защита обжалует решение, ОВД Инфо"
    assert dedupe.signature(text) == dedupe.signature(variant)
    assert dedupe.signature(text) != dedupe.signature(text.replace("арестовал", "отпустил"))
    assert dedupe.words("Ещё раз") == dedupe.words("еще РАЗ") == ["еще", "раз"]


def test_unspaced_scripts_are_split_into_characters():
    assert dedupe.words("人权捍卫者被拘留") == list("人权捍卫者被拘留")
    assert dedupe.words("ОВД-Инфо 人权") == ["овд", "инфо", "人", "权"]


def test_short_texts_join_only_when_identical():
    short = "Задержан правозащитник Олег Орлов."
    other = "Задержан правозащитник Игорь Каляпин."
    assert dedupe.is_same_story(dedupe.signature(short), dedupe.signature(short))
    assert not dedupe.is_same_story(dedupe.signature(short), dedupe.signature(other))
    assert len(dedupe.band_keys(dedupe.signature(short))) == 1
    assert dedupe.band_keys(dedupe.signature(short)) == dedupe.band_keys(dedupe.signature(short.upper()))
    assert dedupe.band_keys(dedupe.signature(short)) != dedupe.band_keys(dedupe.signature(other))


def test_pages_without_text_are_no_story():
    empty = dedupe.signature("")
    assert dedupe.band_keys(empty) == []
    assert not dedupe.is_same_story(empty, dedupe.signature("  \n — "))
    assert dedupe.similarity(empty, empty) == 0.0


def test_band_keys_have_a_fixed_shape(story_set):
    data, sigs = story_set
    sig = sigs[data["pairs"][0]["a"]]
    keys = dedupe.band_keys(sig)
    assert len(keys) == dedupe.BANDS == len(set(keys))
    assert all(isinstance(key, str) and len(key) <= 32 for key in keys)


def test_a_foreign_blob_is_refused_with_a_clear_error():
    with pytest.raises(ValueError, match="signature"):
        dedupe.similarity(b"\x00" * 10, dedupe.signature("a b c"))
    newer = bytes([dedupe.VERSION + 1]) + dedupe.signature("a b c")[1:]
    with pytest.raises(ValueError, match="format"):
        dedupe.is_same_story(newer, newer)


def test_signatures_do_not_depend_on_the_process(story_set):
    """Signatures are stored: they must not change with Python's per-process hash seed."""
    data, sigs = story_set
    text_id = data["pairs"][0]["a"]
    code = ("import json, sys; from crawler.text import dedupe; "
            "texts = json.load(open(sys.argv[1], encoding='utf-8'))['texts']; "
            "print(dedupe.signature(texts[sys.argv[2]]['text']).hex())")
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(REPO))
        out = subprocess.run([sys.executable, "-c", code, str(STORIES), text_id], env=env, capture_output=True,
                             text=True, check=True).stdout.strip()
        assert bytes.fromhex(out) == sigs[text_id]


@pytest.mark.parametrize("text, digest", [
    ("Oleg Orlov, co-chair of Memorial, was sentenced to two and a half years in a penal colony.",
     "0520448c0d2ad84b316e9187c090663fcdf14bc239e993234c529d784135dabe"),
    ("Правозащитник Олег Орлов приговорён к двум с половиной годам колонии общего режима; ёлка.",
     "ae06bb7eeba7173b94f85869ab0e874ee7c0bb134885765a0cea499738d956f2"),
    ("ＦＵＬＬ width, ﬁligree and İstanbul: 日本語 mixed with Latin words, ten or more of them.",
     "78f086145fd7e52f6af9c8d2471f46271c9ec1f19fc9bfe515fa7f9449e86eff"),
])
def test_a_signature_of_this_format_version_never_changes(text, digest):
    """Signatures are stored and compared with new ones: code made faster must give the bytes recorded
    here from format 1's earlier code, or bump VERSION and re-sign what is stored."""
    assert dedupe.VERSION == 1
    assert hashlib.sha256(dedupe.signature(text)).hexdigest() == digest
